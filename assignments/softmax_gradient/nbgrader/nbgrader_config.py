"""nbgrader configuration of the gradlab course: run nbgrader commands from this folder."""

from gradlab.grading.nbgrader import autograde_preprocessors

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "gradlab"
# each submission runs with its writes confined to its own folder (gradlab.grading.sandbox)
c.Autograde.autograde_preprocessors = autograde_preprocessors()
# seconds per cell: training and the gradient checks take a few seconds
c.Execute.timeout = 120
