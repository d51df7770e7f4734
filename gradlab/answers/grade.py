"""Deciding: is a parsed answer the topic's derivative in every case?

The verdict comes from three named stages, with the thresholds in one table below:

1. ``numeric``: the answer is evaluated on every case of the topic (every label y
   and index k over C in {2, 3, 5}; C up to 60 and m up to 40 with k at every
   position relative to y_i; C and m next to every number the answer mentions) and
   compared with the truth within RTOL/ATOL. One failing case makes it wrong, and
   that case becomes the counterexample.
2. ``exact``: an answer that passed is compared with the topic's result exactly, at
   a concrete C (and m) for every y and k: SymPy cancels the difference as a
   rational function of t = e^z. Zero everywhere is a proof for exactly that C and m
   (the message names them). A nonzero rational function, or a nonzero value at a
   rational point computed to EXACT_DIGITS digits, makes the answer wrong however
   small the difference: a term like 10^{-12} z_k is never accepted inside the
   numerical tolerance. SymPy's work is bounded by a count (MAX_PROOF_WORK), not by
   the clock, so the verdict is the same on a fast and a busy machine.
3. ``rounding``: where the exact stage cannot decide (an answer too large for it),
   the numeric differences must be rounding-sized (ROUND_RTOL), not just within RTOL.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import sympy as sp

from gradlab.answers import symbols as S
from gradlab.answers.evaluate import (
    Case,
    EvaluationError,
    TooMuchWork,
    Unbound,
    evaluate,
    work_budget,
)
from gradlab.answers.exact import prove_exactly
from gradlab.answers.hints import mistakes_for
from gradlab.answers.lexer import AnswerSyntaxError
from gradlab.answers.topics import CLASS_COUNTS, MAX_NEAR, Topic

__all__ = ["Grade", "grade"]

# ---- the thresholds of every stage, in one table
RTOL, ATOL = 1e-7, 1e-9  # numeric: agreement with the truth in every case
# numeric: evaluation steps over all cases (about 0.5 s of CPU); eq (2)'s first line written out
# in full inside eq (3)'s average needs about 100,000.
MAX_WORK = 250_000
MAX_PROOF_OPS = 150  # exact: larger answers go to the rounding stage
MAX_PROOF_DEGREE = 16  # exact: the sum of |exponents|; the quotient rule's (Σ e^z)^2 needs 2
MAX_PROOF_WORK = 4_000  # exact: SymPy operations (count_ops) over all settings cancelled
EXACT_DIGITS = 40  # exact: digits of the evaluation at a rational point, beyond the answer's
ROUND_RTOL = 1e-11  # rounding: the largest relative difference float rounding explains


@dataclass
class Outcome:
    case: Case
    student: np.ndarray | None  # None when the answer has no value in this case
    truth: np.ndarray
    ok: bool
    note: str = ""


@dataclass
class Grade:
    correct: bool
    outcomes: list
    hint: str | None
    mistake: str | None
    proof: str | None
    stage: str = "numeric"  # the stage that decided: "numeric", "exact" or "rounding"

    @property
    def failures(self) -> list:
        return [o for o in self.outcomes if not o.ok]


@functools.lru_cache(maxsize=64)
def _cases(topic: Topic, later_sample: bool, near: tuple = ()) -> tuple:
    return tuple(topic.cases(later_sample, near))


@functools.cache
def _mistakes(topic: Topic) -> tuple:
    return tuple(mistakes_for(topic))


def _agrees(a, b) -> bool:
    return (
        a is not None
        and a.shape == b.shape
        and bool(np.isfinite(a).all())
        and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL))
    )


def _student_value(expr, kind: str, case: Case, topic: Topic):
    value = evaluate(expr, case)
    shape = (case.X.shape[0], case.X.shape[2] if kind == "vec" else 1)
    return np.broadcast_to(np.asarray(value, dtype=float), shape)


def _unbound_message(name: str, topic: Topic) -> str:
    if name == "C":
        return f"C (the number of classes) has no meaning in {topic.family} regression"
    if name == "b" and not topic.bias:
        return f"b has no value in {topic.name}: its model has no bias, {topic.record.loss}"
    free = ", ".join([*topic.free, "i (the sample)"])
    return (
        f"{name} has no value in {topic.title}: its free indices are {free}; "
        f"a summation index needs its sum, e.g. \\sum_{{{name}=1}}^{{C}}"
    )


def grade(expr, kind: str, topic: Topic, prove: bool = True) -> Grade:
    """Grade the parsed answer ``expr`` of ``kind`` ("num" or "vec") for ``topic``."""
    later_sample = S.i in expr.free_symbols
    _refuse_untestable_numbers(expr)
    cases = _cases(topic, later_sample, _near(expr))
    try:
        with work_budget(MAX_WORK):
            outcomes = [_outcome(expr, kind, topic, case) for case in cases]
    except TooMuchWork:
        raise AnswerSyntaxError(
            "this answer takes too long to check (nested sums over many classes or "
            "samples); simplify it, e.g. sum over one index at a time"
        ) from None
    correct = all(o.ok for o in outcomes)
    hint = mistake = proof = None
    stage = "numeric"
    if correct and prove:
        proof, disproof = prove_exactly(
            expr,
            topic,
            max_ops=MAX_PROOF_OPS,
            max_degree=MAX_PROOF_DEGREE,
            max_work=MAX_PROOF_WORK,
            digits=EXACT_DIGITS,
        )
        stage = "exact" if proof or disproof else "rounding"
        if stage == "rounding" and _beyond_rounding(outcomes):
            disproof = (
                "the differences are larger than rounding explains, and the answer is too "
                "large to compare exactly"
            )
        if disproof:
            # Right to within the tolerance, but the difference is not zero.
            correct, hint = False, _TINY_HINT
            _mark_tiny_differences(outcomes, disproof)
    if not correct and hint is None:
        mistake, hint = _hint(expr, kind, outcomes, topic)
    return Grade(correct, outcomes, hint, mistake, proof, stage)


def _beyond_rounding(outcomes: list) -> bool:
    return any(
        np.abs(o.student - o.truth).max() > ROUND_RTOL * (1 + np.abs(o.truth).max())
        for o in outcomes
    )


def _outcome(expr, kind: str, topic: Topic, case: Case) -> Outcome:
    truth = topic.truth(case)
    try:
        student = _student_value(expr, kind, case, topic)
        note = ""
    except Unbound as exc:
        raise AnswerSyntaxError(_unbound_message(exc.name, topic)) from None
    except EvaluationError as exc:
        student, note = None, str(exc)
    if student is not None and kind != topic.kind:
        note = (
            f"your answer is a {'vector' if kind == 'vec' else 'number'} but {topic.title} "
            f"is a {'vector' if topic.kind == 'vec' else 'number'}"
        )
    return Outcome(case, student, truth, not note and _agrees(student, truth), note)


_TINY_HINT = (
    "This agrees with the true derivative to many digits but not exactly: look for a tiny "
    "extra term or a rounded constant."
)


def _mark_tiny_differences(outcomes: list, disproof: str) -> None:
    gaps = [float(np.abs(o.student - o.truth).max()) for o in outcomes]
    for outcome, gap in zip(outcomes, gaps, strict=True):
        if gap > 0 or (max(gaps) == 0 and outcome is outcomes[0]):
            outcome.ok = False
            outcome.note = f"the difference here is only {gap:.1e}, but {disproof}"


def _near(expr) -> tuple:
    """Whole numbers within 1 of a number the answer mentions: C and m to try as well.

    [C = 4], [k = 6] or (C - 2)(C - 3)(C - 5) agree with the truth for C in {2, 3, 5};
    trying C (and m) next to every number in the answer exposes them.
    """
    mentioned = set()
    for number in expr.atoms(sp.Rational):
        mentioned |= {abs(int(number.p)), abs(int(number.q))}
    return tuple(sorted({v for n in mentioned if n <= MAX_NEAR + 1 for v in (n - 1, n, n + 1)}))


_COUNTS_AND_INDICES = (S.C, S.m, S.i, S.j, S.k, S.c, S.l)


def _refuse_untestable_numbers(expr) -> None:
    """A whole number beyond MAX_NEAR compared with C, m or an index could hide a wrong case.

    [C = 5000] or (C - 5000) vanish only at a C gradlab cannot try; no gradient needs
    such a comparison. (A sum's bound is not a comparison: a sum too long to add up
    has no value, which is a wrong verdict.)
    """
    for node in sp.preorder_traversal(expr):
        if not isinstance(node, (sp.KroneckerDelta, sp.Add)):
            continue
        big = [a for a in node.args if isinstance(a, sp.Integer) and abs(int(a)) > MAX_NEAR]
        if big and node.has(*_COUNTS_AND_INDICES, S.y):
            raise AnswerSyntaxError(
                f"this answer compares C, m or an index with {big[0]}, beyond the class and "
                f"sample counts gradlab can try (up to {MAX_NEAR}); a gradient formula needs "
                "no such number"
            )


def _matches(student, predicted) -> bool:
    """Whether an answer's value is the mistake's: both a value, or both none (W²_cj out of range)."""
    return student is None if predicted is None else _agrees(student, predicted)


def _hint(expr, kind: str, outcomes: list, topic: Topic) -> tuple[str | None, str]:
    for mistake in _mistakes(topic):
        # Lazily, case by case: most mistakes disagree with the answer in the first case.
        if all(_matches(o.student, mistake.values(o.case)) for o in outcomes):
            return mistake.name, mistake.hint
    kind = (
        "vec" if any(o.student is not None and o.student.shape[1] > 1 for o in outcomes) else None
    )
    if kind is None and topic.kind == "vec" and all(o.student is not None for o in outcomes):
        return None, (
            f"{topic.title} is a vector like x_i: the chain rule through z = w^T x_i + b brings "
            "the factor x_i."
        )
    if kind == "vec" and topic.kind == "num":
        return None, (
            f"{topic.title} is a number: x_i enters the loss only through z, so it does not "
            "appear in a derivative with respect to z."
        )
    if topic.family in ("softmax", "mlp") and _label_as_number(expr):
        return None, (
            "y_i is a class label (1..C), not a number to subtract: compare it with k, "
            "𝕀(y_i = k), or use the one-hot entry y_k."
        )
    # No known mistake fits: say where the answer is right, if that is informative.
    if topic.name != "softmax_jacobian" and "k" in topic.free and topic.family != "logistic":
        same = [o.ok for o in outcomes if _label(o.case) == o.case.indices["k"]]
        other = [o.ok for o in outcomes if _label(o.case) != o.case.indices["k"]]
        if topic.aggregate == "one" and all(other) and not all(same):
            return None, (
                "Right when k ≠ y_i but wrong when k = y_i: check the term only the true class "
                "gets, the indicator 𝕀(y_i = k)."
            )
        if topic.aggregate == "one" and all(same) and not all(other):
            return None, (
                "Right only when k = y_i: for every other class the indicator is 0 and the "
                "derivative is f_k."
            )
    # Vary one of C and m at a time: the extra C are drawn with the usual m only.
    usual_m = 2 if topic.aggregate == "one" else 3
    right_for_C = _right_for([o for o in outcomes if o.case.m == usual_m], lambda case: case.C)
    classes = topic.family in ("softmax", "mlp")
    if classes and right_for_C == [2]:
        return None, (
            "Right for C = 2 classes only: with more classes it differs. The softmax's "
            "denominator sums over all C classes."
        )
    if classes and right_for_C:
        wrong = sorted({o.case.C for o in outcomes if not o.ok and o.case.m == usual_m})
        return None, (
            f"Right for C = {_listed(right_for_C)} classes but not for C = {_listed(wrong)}: "
            "a gradient formula must hold for every number of classes."
        )
    usual_C = [o for o in outcomes if o.case.C in (0, *CLASS_COUNTS)]
    right_for_m = _right_for(usual_C, lambda case: case.m)
    if right_for_m:
        wrong = sorted({o.case.m for o in usual_C if not o.ok})
        why = (
            f"{topic.title} is about one sample; it does not depend on the number of samples."
            if topic.aggregate == "one"
            else "the average runs over all m samples, Σ_{i=1}^{m}, with the factor 1/m."
        )
        return None, (
            f"Right for m = {_listed(right_for_m)} samples but not for m = {_listed(wrong)}: " + why
        )
    return (
        None,
        "No hint: this does not match a mistake gradlab knows; compare with the counterexample.",
    )


def _right_for(outcomes: list, key) -> list:
    """The values of ``key(case)`` for which every case is right, if some are wrong."""
    groups: dict = {}
    for o in outcomes:
        groups.setdefault(key(o.case), []).append(o.ok)
    right = sorted(value for value, oks in groups.items() if all(oks))
    return right if len(right) < len(groups) else []


def _listed(values: list) -> str:
    return ", ".join(str(v) for v in values)


def _label(case: Case) -> int:
    """The label y_i of the case's free sample i."""
    return case.labels[case.indices.get("i", 1) - 1]


def _label_as_number(expr) -> bool:
    """Whether the label y_i is used as a number, not as an index or inside an indicator."""
    if isinstance(expr, sp.Indexed):
        return expr.base == S.y
    if isinstance(expr, sp.KroneckerDelta):
        return False
    return any(_label_as_number(arg) for arg in expr.args)
