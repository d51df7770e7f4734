"""An otter-grader plugin that confines each submission to its folder while it is graded.

List it in the master notebook's assignment config::

    plugins:
      - gradlab.grading.otter.ConfineSubmission

Before otter executes a submission, the plugin puts a first cell in front of the
student's cells that calls :func:`gradlab.grading.sandbox.confine`; the student's
code runs after it and cannot undo it. otter finds a plugin's events by name, so
this module does not import otter.
"""

from __future__ import annotations

__all__ = ["ConfineSubmission"]

CONFINE_SOURCE = "from gradlab.grading.sandbox import confine\nconfine()"


class ConfineSubmission:
    """otter plugin: run the submission with writes confined to its folder."""

    def __init__(self, submission_path, submission_metadata, plugin_config):
        self.submission_path = submission_path
        self.submission_metadata = submission_metadata
        self.plugin_config = plugin_config

    def before_execution(self, submission):
        if isinstance(submission, str):  # a .py submission
            return CONFINE_SOURCE + "\n" + submission
        import nbformat

        submission.cells.insert(0, nbformat.v4.new_code_cell(CONFINE_SOURCE))
        return submission
