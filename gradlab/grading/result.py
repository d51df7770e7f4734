"""``Grade``: one grading result, whatever check produced it."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

__all__ = ["NOT_ANSWERED", "NOT_UNDERSTOOD", "Grade"]

NOT_ANSWERED = "not answered yet"
NOT_UNDERSTOOD = "not understood"


@dataclass(frozen=True, repr=False)
class Grade:
    """The grade of one question part.

    Attributes
    ----------
    name : str
        What was graded (e.g. ``"eq (2)"``, ``"gradient of W and b"``).
    score : float
        The fraction of the credit earned, in [0, 1] (see :data:`CREDIT_RULES`).
    passed : bool
        ``True`` only for full credit.
    verdict : str
        One line: what the grader decided.
    details : tuple of str
        The evidence a student may see: counterexample, hint or diagnosis. Never the
        reference solution, never hidden test data.
    rule : str
        The partial-credit rule that set ``score`` (a key of :data:`CREDIT_RULES`).
    parts : tuple of (str, bool)
        For a gradient: whether each parameter (``"W"``, ``"b"``) is right.

    ``str(grade)`` is the plain-text feedback (also ``grade.feedback``); Jupyter shows
    ``grade.html``.

    Examples
    --------
    >>> from gradlab.grading import grade_answer
    >>> g = grade_answer("f_k - [y_i = k]")
    >>> g.passed, g.points(2)
    (True, 2.0)
    """

    name: str
    score: float
    passed: bool
    verdict: str
    details: tuple = field(default=())
    rule: str = "all or nothing"
    parts: tuple = field(default=())

    def __post_init__(self):
        if not (isinstance(self.score, int | float) and 0.0 <= self.score <= 1.0):
            raise ValueError(f"score must be a number in [0, 1]; got {self.score!r}")

    @property
    def feedback(self) -> str:
        """Plain-text feedback: the verdict, then each detail on its own line."""
        mark = "✓" if self.passed else "✗"
        lines = [f"{mark} {self.name}: {self.verdict}"]
        lines += [f"  {line}" for detail in self.details for line in str(detail).splitlines()]
        return "\n".join(lines)

    @property
    def html(self) -> str:
        """The same feedback as an HTML fragment (everything escaped)."""
        color = "#1a7f37" if self.passed else ("#9a6700" if self.score > 0 else "#cf222e")
        head = (
            f"<p style='color:{color};font-weight:bold'>{'✅' if self.passed else '❌'} "
            f"{html.escape(self.name)}: {html.escape(self.verdict)}</p>"
        )
        if not self.details:
            return f"<div>{head}</div>"
        items = "".join(
            f"<li><pre style='margin:0'>{html.escape(str(d))}</pre></li>" for d in self.details
        )
        return f"<div>{head}<ul>{items}</ul></div>"

    def points(self, max_points: float) -> float:
        """The points earned out of ``max_points``, rounded to 1e-6.

        Examples
        --------
        >>> from gradlab.grading import Grade
        >>> Grade("q", 0.5, False, "half").points(3)
        1.5
        """
        if isinstance(max_points, bool) or not isinstance(max_points, int | float):
            raise TypeError(f"max_points must be a number; got {type(max_points).__name__}")
        if not (math.isfinite(max_points) and max_points >= 0):
            raise ValueError(f"max_points must be finite and >= 0; got {max_points!r}")
        return round(self.score * max_points, 6)

    def answered(self) -> Grade:
        """A grade for having answered in a form the grader understands (right or wrong).

        What a public test checks before the hidden test grades correctness.

        Examples
        --------
        >>> from gradlab.grading import grade_answer
        >>> grade_answer("[y_i = k] - f_k").answered().passed
        True
        >>> grade_answer(...).answered().verdict
        'not answered yet'
        """
        if self.verdict in (NOT_ANSWERED, NOT_UNDERSTOOD):
            return self
        return Grade(self.name, 1.0, True, "answered, in a form gradlab understands")

    def require(self, part: str | None = None) -> None:
        """Raise ``AssertionError(feedback)`` unless passed (or unless ``part`` is right).

        This is what an autograder's test case calls: the failure message a
        student sees is gradlab's feedback.

        Examples
        --------
        >>> from gradlab.grading import Grade
        >>> Grade("eq (2)", 0.0, False, "not answered yet").require()
        Traceback (most recent call last):
        ...
        AssertionError: ✗ eq (2): not answered yet
        """
        ok = self.passed if part is None else dict(self.parts).get(part, False)
        if not ok:
            raise AssertionError(self.feedback)

    def __str__(self) -> str:
        return self.feedback

    __repr__ = __str__  # a check cell's text output is the feedback itself

    def _repr_html_(self) -> str:
        return self.html
