"""The answer key of the exercise notebooks' short questions, kept out of the notebooks.

A check cell in ``notebooks/exercises/`` calls :func:`check_choice` with the
question's name and the student's answer, so the right answer is not printed in
the cell next to the question. The instructors' key (``solutions/``) is written
from these same entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gradlab.grading.grade import grade_choice
from gradlab.grading.result import Grade

__all__ = ["QUESTIONS", "Question", "check_choice"]


@dataclass(frozen=True)
class Question:
    """A short question with a fixed set of choices.

    ``answer`` is the right choice, or a function of what the notebook computed
    (``answer(**context)``), e.g. the class a trained model predicts at a point.

    Examples
    --------
    >>> from gradlab.grading.exercises import QUESTIONS
    >>> QUESTIONS["the wrong line"].choices
    ('Z', 'F', 'Y', 'J', 'dW', 'db')
    """

    choices: tuple
    answer: object
    hint: str

    def right(self, **context):
        return self.answer(**context) if isinstance(self.answer, Callable) else self.answer


def _predicted_class(model, P) -> int:
    return int(model.predict([P])[0])


QUESTIONS = {
    "the wrong line": Question(
        ("Z", "F", "Y", "J", "dW", "db"), "db",
        "the gradient check names the parameter that fails",
    ),
    "class at P": Question(
        (0, 1, 2), _predicted_class, "the colour of the region under P is the class predicted there"
    ),
    "straight boundaries": Question(
        ("yes", "no"), "yes",
        "on the boundary between classes j and k, z_j = z_k: what kind of equation in x is that?",
    ),
}  # fmt: skip


def check_choice(name: str, answer, **context) -> Grade:
    """Grade the answer to the exercise question ``name`` (a key of :data:`QUESTIONS`).

    Examples
    --------
    >>> from gradlab.grading.exercises import check_choice
    >>> check_choice("straight boundaries", "no").verdict
    "not correct: 'no' is not the answer"
    >>> check_choice("the wrong line", ...).verdict
    'not answered yet'
    """
    if name not in QUESTIONS:
        raise ValueError(f"name must be one of {sorted(QUESTIONS)}; got {name!r}")
    q = QUESTIONS[name]
    return grade_choice(answer, q.right(**context), name=name, choices=q.choices, hint=q.hint)
