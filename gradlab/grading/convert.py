"""Turn the result of any gradlab check into a :class:`~gradlab.grading.Grade`.

The partial-credit rules are written once, in :data:`CREDIT_RULES`; every grade
names the rule that scored it.
"""

from __future__ import annotations

import re

import numpy as np

from gradlab.grading.result import NOT_ANSWERED, Grade

__all__ = ["CREDIT_RULES", "from_check", "not_answered", "redact"]

CREDIT_RULES = {
    "all or nothing": (
        "A typed answer is a formula: it is right for every class, label and sample or it is "
        "wrong. An answer right only for k ≠ y_i (or only for C = 2) gets no credit."
    ),
    "per parameter": (
        "A gradient earns an equal share for each parameter (W, b) whose every checked entry "
        "agrees with finite differences: W right but b wrong is half. A check that could not "
        "decide (inconclusive) earns nothing and says so."
    ),
    "steps before the first wrong one": (
        "A derivation earns the fraction of its steps before the first wrong step."
    ),
    "threshold": (
        "A trained model passes when its accuracy reaches (or its loss falls to) the threshold; "
        "with partial_from, credit rises linearly from partial_from to the threshold."
    ),
}


def not_answered(name: str) -> Grade:
    """The grade of an empty answer: no credit, and a message that is not an error."""
    return Grade(name, 0.0, False, NOT_ANSWERED, (), "all or nothing")


def _normalize(text: str) -> str:
    text = text.replace("𝕀", "I").replace("−", "-").replace("*", "")
    return re.sub(r"\s+", "", text)


def _reference_formulas() -> tuple[str, ...]:
    # every topic's answer counts as a reference solution: eq (2) inside feedback on
    # eq (3) would give away most of eq (3)
    from gradlab.answers import TOPICS

    return tuple(_normalize(topic.formula) for topic in TOPICS.values())


def redact(hint: str | None) -> str | None:
    """``hint`` without the sentences that state a reference answer.

    A sentence that writes out an answer keeps only its headline (the text before
    its first colon), so "Sign error: ... the derivative is f_k − 𝕀(y_i = k) ..."
    becomes "Sign error.".

    Examples
    --------
    >>> redact("Sign error: so the derivative is f_k − 𝕀(y_i = k), not 𝕀(y_i = k) − f_k.")
    'Sign error.'
    """
    if not hint:
        return hint
    formulas = _reference_formulas()
    kept = []
    for sentence in re.split(r"(?<=\.)\s+", hint.strip()):
        flat = _normalize(sentence)
        if not any(f in flat for f in formulas):
            kept.append(sentence)
            continue
        headline = sentence.split(":", 1)[0] if ":" in sentence else ""
        if headline and not any(f in _normalize(headline) for f in formulas):
            kept.append(headline.rstrip(".") + ".")
    return " ".join(kept) or None


def from_check(check, name: str | None = None) -> Grade:
    """A :class:`Grade` from an AnswerCheck, DerivationCheck or GradientCheck.

    The kind of check is recognised by its attributes (duck typing), so checks
    from other gradlab modules need no import here: ``correct`` and
    ``counterexample`` (an answer check), ``ok``, ``steps`` and ``first_wrong`` (a
    derivation check; ``first_wrong`` is the 0-based index of the first wrong step,
    or that step itself), ``verdict`` and ``diagnosis`` (a gradient check).
    """
    if hasattr(check, "correct") and hasattr(check, "counterexample"):
        return _from_answer(check, name or "typed answer")
    if hasattr(check, "first_wrong") and hasattr(check, "steps"):
        return _from_derivation(check, name or "derivation")
    if hasattr(check, "verdict") and hasattr(check, "diagnosis"):
        return _from_gradient(check, name or "gradient")
    raise TypeError(
        "check must be the result of check_answer, check_derivation, check_gradient or "
        f"check_softmax_gradient; got {type(check).__name__}"
    )


def _from_answer(check, name: str) -> Grade:
    if check.correct:
        return Grade(name, 1.0, True, "correct", (), "all or nothing")
    details = []
    if check.counterexample is not None:
        details.append("counterexample:\n" + str(check.counterexample))
    hint = redact(check.hint)
    if hint:
        details.append(f"hint: {hint}")
    elif getattr(check, "mistake", None):
        details.append(f"hint: {check.mistake}")
    message = str(getattr(check, "message", "") or "")
    verdict = "not correct" + (": " + message.split(": ", 1)[-1].rstrip(".") if message else "")
    return Grade(name, 0.0, False, verdict, tuple(details), "all or nothing")


def _from_derivation(check, name: str) -> Grade:
    steps = list(check.steps)
    if check.ok:
        return Grade(name, 1.0, True, f"correct: all {len(steps)} steps hold", (), _STEPS)
    wrong = check.first_wrong
    index = wrong if isinstance(wrong, int | np.integer) else _index_of(steps, wrong)
    score = index / len(steps) if steps and index is not None else 0.0
    where = f"step {index + 1} of {len(steps)}" if index is not None else "a step"
    step = steps[index] if index is not None and index < len(steps) else wrong
    details = [f"{where} does not follow: {step}"] if step is not None else []
    for attr in ("reason", "message", "hint"):
        text = redact(getattr(step, attr, None) or getattr(check, attr, None))
        if text:
            details.append(text)
            break
    return Grade(name, float(score), False, f"{where} is wrong", tuple(details), _STEPS)


_STEPS = "steps before the first wrong one"


def _index_of(steps: list, step) -> int | None:
    for i, s in enumerate(steps):
        if s is step:
            return i
    return None


def _from_gradient(check, name: str) -> Grade:
    rows = list(check.summary)
    good = [r["name"] for r in rows if r["checked"] and not r["failed"]]
    bad = [r["name"] for r in rows if r["failed"]]
    parts = tuple((r["name"], check.verdict != "inconclusive" and r["name"] in good) for r in rows)
    if check.verdict == "pass":
        return Grade(name, 1.0, True, f"correct: {_join(good)} agree with finite differences",
                     (), "per parameter", parts)  # fmt: skip
    score = 0.0 if check.verdict != "fail" else len(good) / max(len(rows), 1)
    if check.verdict == "fail":
        verdict = f"{_join(bad)} wrong"
        if good:
            verdict += f", {_join(good)} right"
    else:
        verdict = "no verdict: finite differences could not decide (ask your instructor)"
    details = tuple(d for d in (redact(line) for line in check.diagnosis) if d)
    return Grade(name, float(score), False, verdict, details, "per parameter", parts)


def _join(names: list) -> str:
    return " and ".join(str(n) for n in names) or "no parameter"
