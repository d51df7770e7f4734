"""Grades from gradlab's checks, for autograders (otter-grader, nbgrader, Gradescope).

* :class:`Grade` - one result: ``score`` in [0, 1], ``passed``, ``feedback`` (text)
  and ``html``, ``points(max_points)``.
* :func:`grade` - the Grade of any check (``check_answer``, ``check_derivation``,
  ``check_gradient``, ``check_softmax_gradient``).
* :func:`grade_answer`, :func:`grade_gradient`, :func:`grade_loss`,
  :func:`grade_accuracy`, :func:`grade_threshold`, :func:`grade_own_check`, :func:`grade_choice`, :func:`grade_step_size` - grade what a student handed in.
* :data:`CREDIT_RULES` - the partial-credit rules, written once.

Feedback holds the verdict, a counterexample and a hint or diagnosis; never the
reference solution (hints that state it are cut to their headline) and never the
data a hidden test grades on. The helpers write nothing to stderr.

>>> from gradlab.grading import grade_answer
>>> print(grade_answer("[y_i = k] - f_k", name="eq (2)").feedback.splitlines()[-1])
  hint: Sign error.
"""

from gradlab.grading.convert import CREDIT_RULES, redact
from gradlab.grading.grade import (
    grade,
    grade_accuracy,
    grade_answer,
    grade_choice,
    grade_gradient,
    grade_loss,
    grade_own_check,
    grade_step_size,
    grade_threshold,
    quiet,
)
from gradlab.grading.result import Grade

__all__ = [
    "CREDIT_RULES",
    "Grade",
    "grade",
    "grade_accuracy",
    "grade_answer",
    "grade_choice",
    "grade_gradient",
    "grade_loss",
    "grade_own_check",
    "grade_step_size",
    "grade_threshold",
    "quiet",
    "redact",
]
