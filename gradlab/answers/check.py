"""``check_answer``: parse a student's derivative, grade it, explain the verdict."""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from gradlab.answers.grade import Outcome, grade
from gradlab.answers.lexer import AnswerSyntaxError
from gradlab.answers.reading import read_answer
from gradlab.answers.topics import CLASS_COUNTS, TOPICS, get_topic

__all__ = ["AnswerCheck", "Counterexample", "check_answer"]


class _Printer(StrPrinter):
    """Plain text in the lecture's notation: f_{i,k}, 𝕀(y_i = k), Σ_{c=1}^{C}."""

    def _print(self, expr, **kwargs):
        # Indexed brings its own _sympystr, which would win over a _print_Indexed method.
        if isinstance(expr, sp.Indexed):
            return self._indexed(expr)
        return super()._print(expr, **kwargs)

    def _indexed(self, expr):
        idx = [self._print(i) for i in expr.indices]
        sub = idx[0] if len(idx) == 1 and len(idx[0]) == 1 else "{" + ",".join(idx) + "}"
        return f"{expr.base.label.name}_{sub}"

    def _print_KroneckerDelta(self, expr):
        a, b = sorted(expr.args, key=lambda arg: not isinstance(arg, sp.Indexed))
        return f"𝕀({self._print(a)} = {self._print(b)})"

    def _print_Sum(self, expr):
        signs = "".join(
            f"Σ_{{{var}={self._print(lower)}}}^{{{self._print(upper)}}} "
            for var, lower, upper in reversed(expr.limits)
        )
        return f"{signs}({self._print(expr.function)})"

    def _print_dot(self, expr):
        u, v = (self._print(arg) for arg in expr.args)
        return f"{u}^T {v}"


class _Latex(LatexPrinter):
    """LaTeX in the lecture's notation: f_{i,k}, \\mathbb{I}(y_{i} = k)."""

    def _print_Indexed(self, expr):
        return f"{expr.base.label.name}_{{{','.join(self._print(i) for i in expr.indices)}}}"

    def _print_KroneckerDelta(self, expr, exp=None):
        a, b = sorted(expr.args, key=lambda arg: not isinstance(arg, sp.Indexed))
        tex = rf"\mathbb{{I}}({self._print(a)} = {self._print(b)})"
        return f"{tex}^{{{exp}}}" if exp else tex


def show(expr) -> str:
    """``expr`` in plain text, the lecture's notation."""
    return _Printer().doprint(expr)


def _value(row: np.ndarray, kind: str):
    """A number as a float, a vector as a 1-D array."""
    return float(row[0]) if kind == "num" and row.size == 1 else np.array(row)


def _fmt(value) -> str:
    if value is None:
        return "undefined"
    arr = np.asarray(value, dtype=float)
    if arr.size == 1:
        return f"{float(arr.ravel()[0]):.4g}"
    return "[" + ", ".join(f"{v:.4g}" for v in arr.ravel()) + "]"


@dataclass(frozen=True, eq=False)
class Counterexample:
    """A concrete case where the answer differs from the true derivative.

    Attributes
    ----------
    C : int or None
        The number of classes (``None`` for logistic and linear regression).
    m : int
        The number of samples drawn (the single-sample topics use sample 1).
    y : tuple
        The labels ``y_1..y_m`` (1..C, as in the lecture note), or ``(y_i,)``.
    k, j : int or None
        The class indices of the derivative.
    z : ndarray
        The logits: ``(C,)`` for one sample, one row per sample for the w- and b-topics.
    x : ndarray or None
        The features, one row per sample (w- and b-topics only).
    student, true : float or ndarray
        The answer's value and the true derivative; ``student`` is ``None`` where
        the answer has no value (``note`` says why).
    i : int
        The value of the free sample index i (1, or 2 when the answer is
        right for the first sample only); ``y`` and ``z`` are that sample's.
    l : int or None
        The feature index of ∂J_i/∂W¹_lj (network topics).
    activation : str or None
        The network's activation φ in this case; ``z`` is then z² and ``h`` the
        hidden layer of the sample.
    h : ndarray or None
        The hidden layer h = φ(z¹) of the sample (network topics).

    Examples
    --------
    >>> from gradlab import check_answer
    >>> cx = check_answer("f_k").counterexample
    >>> cx.k == cx.y[0]  # f_k is right whenever k != y_i
    True
    >>> print(f"{cx.student:.3f} vs {cx.true:.3f}")
    0.932 vs -0.068
    """

    C: int | None
    m: int
    y: tuple
    k: int | None
    j: int | None
    z: np.ndarray
    x: np.ndarray | None
    student: float | np.ndarray | None
    true: float | np.ndarray
    note: str = ""
    i: int = 1
    l: int | None = None
    activation: str | None = None
    h: np.ndarray | None = None

    @classmethod
    def from_outcome(cls, outcome: Outcome, topic) -> Counterexample:
        case = outcome.case
        n = 0
        if outcome.student is not None:
            bad = ~np.isclose(outcome.student, outcome.truth, rtol=1e-7, atol=1e-9).all(axis=1)
            n = int(np.argmax(bad))
        one = topic.aggregate == "one"
        i = case.indices.get("i", 1)
        rows = slice(i - 1, i) if one else slice(None)
        y = tuple(case.Y[n, rows].round(4)) if case.Y is not None else case.labels[rows]
        if topic.name == "softmax_jacobian":
            y = ()  # f_j does not depend on the label
        network = topic.family == "mlp"
        return cls(
            C=case.C if topic.family in ("softmax", "mlp") else None,
            m=case.m,
            y=tuple(float(v) if case.Y is not None else int(v) for v in y),
            k=case.indices.get("k"),
            j=case.indices.get("j"),
            z=case.Z[n, i - 1] if one else case.Z[n],
            x=None if one else case.X[n],
            student=None if outcome.student is None else _value(outcome.student[n], topic.kind),
            true=_value(outcome.truth[n], topic.kind),
            note=outcome.note,
            i=i,
            l=case.indices.get("l"),
            activation=case.extra["activation"] if network else None,
            h=case.extra["H"][n, i - 1] if network and one else None,
        )

    def lines(self) -> list[str]:
        setting = []
        if self.C is not None:
            setting.append(f"C = {self.C}")
        if self.x is not None:
            setting.append(f"m = {self.m}")
        one = self.x is None
        if self.i != 1:
            setting.append(f"i = {self.i}")
        if self.y:
            ys = self.y[0] if one else list(self.y)
            setting.append(f"y_i = {ys}" if one else f"y = {ys}")
        if self.activation is not None:
            setting.append(f"φ = {self.activation}")
        if self.l is not None:
            setting.append(f"l = {self.l}")
        if self.j is not None:
            setting.append(f"j = {self.j}")
        if self.k is not None:
            setting.append(f"k = {self.k}")
        out = [", ".join(setting)]
        if one and self.h is not None:
            out.append(f"h = {_fmt(self.h)}, z² = {_fmt(self.z)}")
        elif one:
            out.append(f"z = {_fmt(self.z)}")
        else:
            out += [f"sample {s + 1}: z = {_fmt(self.z[s])}, x = {_fmt(self.x[s])}"
                    for s in range(self.m)]  # fmt: skip
        out.append(f"your answer = {_fmt(self.student)}, true value = {_fmt(self.true)}")
        if self.note:
            out.append(f"({self.note})")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


@dataclass(frozen=True, eq=False)
class AnswerCheck:
    """The verdict of :func:`check_answer` on one answer.

    Attributes
    ----------
    answer : str
        The answer as typed.
    topic : str
        The topic it was checked against.
    correct : bool
        ``True`` only if it agrees with the true derivative in every case.
    expr : sympy.Expr
        The answer as parsed, in canonical symbols: ``f[i, k]`` is f_k of sample
        i, ``KroneckerDelta(k, y[i])`` is 𝕀(y_i = k), ``x[i]`` is x_i.
    message : str
        The verdict in one sentence.
    counterexample : Counterexample or None
        A case where the answer is wrong (``None`` if correct).
    hint : str or None
        The most specific hint that fits, or an honest "No hint" (``None`` if correct).
    mistake : str or None
        The name of the catalogued mistake the answer matches, if any.
    proof : str or None
        What SymPy proved symbolically, if it found a proof.
    stage : str
        The stage of :mod:`gradlab.answers.grade` that decided: ``"numeric"`` (a case
        where the values differ), ``"exact"`` (SymPy's exact comparison) or
        ``"rounding"`` (too large to compare exactly; differences of rounding size).

    ``str()`` is a terminal report; Jupyter renders ``_repr_markdown_`` with
    the parsed answer typeset. ``bool(check)`` is ``check.correct``.

    Examples
    --------
    >>> from gradlab import check_answer
    >>> result = check_answer(r"\\frac{1}{m}\\sum_i (f_k - [y_i = k])", topic="softmax_dw")
    >>> print(result.correct, "|", result.mistake)
    False | forgot x_i
    >>> print(str(result).splitlines()[0])
    ✗ Not correct: this differs from ∂J/∂w_k in 137 of 137 cases.
    """

    answer: str
    topic: str
    correct: bool
    expr: sp.Expr
    message: str
    counterexample: Counterexample | None
    hint: str | None
    mistake: str | None = None
    proof: str | None = None
    stage: str = "numeric"

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        out = [("✓ " if self.correct else "✗ ") + self.message, f"  read as: {show(self.expr)}"]
        if self.counterexample is not None:
            out.append("  counterexample:")
            out += [f"    {line}" for line in self.counterexample.lines()]
        if self.hint:
            out.append(f"  hint: {self.hint}")
        return "\n".join(out)

    def _repr_markdown_(self) -> str:
        mark = "✅" if self.correct else "❌"
        out = [
            f"{mark} **{html.escape(self.message)}**",
            "",
            f"read as: ${_Latex().doprint(self.expr)}$",
        ]
        if self.counterexample is not None:
            out += ["", "counterexample:", ""]
            out += [f"- {html.escape(line)}" for line in self.counterexample.lines()]
        if self.hint:
            out += ["", f"*hint:* {html.escape(self.hint)}"]
        return "\n".join(out)


def _where(spec, outcomes) -> str:
    """Where a correct answer was tested, as the verdict states it."""
    if spec.family == "mlp":
        counts = sorted({o.case.C for o in outcomes})
        activations = sorted({o.case.extra["activation"] for o in outcomes})
        free = " and ".join(["y", *spec.free])
        return (
            f"on random networks (φ ∈ {{{', '.join(activations)}}}) for every {free} "
            f"with C ∈ {{{', '.join(map(str, counts))}}}"
        )
    if spec.family != "softmax":
        ms = sorted({o.case.m for o in outcomes})
        what = "for every label" if spec.family == "logistic" else "on random data"
        return f"{what} with m ∈ {{{', '.join(map(str, ms))}}}"
    every = sorted({o.case.C for o in outcomes if o.case.C in CLASS_COUNTS})
    wide = sorted({o.case.C for o in outcomes if o.case.C not in CLASS_COUNTS})
    pair = "j and k" if spec.name == "softmax_jacobian" else "y and k"
    where = f"for every {pair} with C ∈ {{{', '.join(map(str, every))}}}"
    if wide:
        where += (
            f" and k at every position relative to y_i with C ∈ {{{', '.join(map(str, wide))}}}"
        )
        if spec.name == "softmax_jacobian":
            where = where.replace("relative to y_i", "relative to j")
    return where


def check_answer(answer, topic="softmax_dz", *, notation=None) -> AnswerCheck:
    """Check a student's derivative, typed in LaTeX or plain text.

    The answer is parsed by gradlab's own grammar (never evaluated as Python),
    then compared with the true derivative for every label ``y`` and index
    ``k`` over ``C`` in {2, 3, 5} classes, for C up to 60 and m up to 40 with k
    at every position relative to y_i, and for C and m next to every number the
    answer mentions, on random logits ``z`` (and features ``x`` for the w- and
    b-topics; for the network topics, on random networks with 3 hidden units,
    each activation of the topic and every hidden unit j and feature l). One failing case makes it wrong; the simplest becomes the
    counterexample and the known mistakes are searched for a hint. An answer that
    passes is compared exactly with the topic's result (SymPy, at a concrete C),
    so that no term that is not identically zero hides inside the tolerance; the
    stages are described in :mod:`gradlab.answers.grade`.

    Parameters
    ----------
    answer : str
        What the student derived, e.g. ``"f_k - \\mathbb{I}(y_i = k)"`` or
        ``"exp(z_k)/sum(exp(z_c), c) - delta(y, k)"``. See
        :func:`gradlab.answers.vocabulary_table` for the accepted notation.
    topic : str, default "softmax_dz"
        ``"softmax_dz"`` (∂J_i/∂z_k), ``"softmax_dw"`` (∂J/∂w_k, eq 3),
        ``"softmax_db"`` (∂J/∂b_k), ``"softmax_jacobian"`` (∂f_j/∂z_k),
        ``"logistic_dz"``, ``"logistic_dw"`` or ``"linear_dw"``
        (for J = (1/2m) Σ_i (w^T x_i − y_i)², without a bias); for the two-layer
        network, ``"mlp_dz2"`` and ``"mlp_db2"`` (∂J_i/∂z²_k, ∂J_i/∂b²_k, answered in
        the output layer's f_k, z_k = z²_k and y_i), and ``"mlp_dw2"``, ``"mlp_dh"``,
        ``"mlp_dz1"`` (any φ), ``"mlp_dz1_relu"``, ``"mlp_dz1_tanh"``, ``"mlp_dz1_sigmoid"``,
        ``"mlp_db1"``, ``"mlp_dw1"`` and ``"mlp_backprop"``, answered in the network's
        index letters: h_j, z^1_j, W^2_{jk} (also W^{(2)}_{jk}, W_{jk}^{[2]}), W^1_{lj},
        b^1_j, x_l (x_{il}, x_l^{(i)}), φ'(z^1_j), σ'(z^1_j), \\tanh'(z^1_j) and
        𝕀(z^1_j > 0) or [z^1_j > 0]. The matrix form ``"mlp_matrix"`` is not read yet: it
        raises :class:`AnswerSyntaxError` saying so. Each topic is defined once, in
        :mod:`gradlab.topics` (see :func:`gradlab.topics.topic_table`).
    notation : str or mapping, optional
        A course's letters: ``"d2l"``, ``"bishop"``, ``"cs229"``,
        ``"deeplearning.ai"``, ``"cs231n"``, or a mapping such as
        ``{"S": "f", "i": "k"}`` (see :data:`gradlab.answers.PROFILES`).
        The default is the lecture note's own notation.

    Returns
    -------
    AnswerCheck

    Raises
    ------
    AnswerSyntaxError
        If the answer is not understood exactly; the message points at the
        part not understood and lists the known symbols.

    Examples
    --------
    >>> from gradlab import check_answer
    >>> check_answer(r"f_k - \\mathbb{I}(y_i = k)").correct
    True
    >>> result = check_answer("f_k")
    >>> result.correct, result.mistake
    (False, 'missing indicator')
    >>> print(result.counterexample.lines()[0])
    C = 2, y_i = 1, k = 1
    """
    spec = get_topic(topic)
    if not spec.readable:
        raise AnswerSyntaxError(
            f"answers to {spec.name} ({spec.title}) are written in the two-layer network's "
            f"{'matrices' if 'matrix' in spec.notation else 'letters'}, which the answer reader "
            f"does not read yet; the topics it reads: {', '.join(readable_topics())}"
        )
    reading = read_answer(answer, spec, notation)  # text -> expression: reading.py
    expr, kind = reading.expr, reading.kind
    result = grade(expr, kind, spec)
    n = len(result.outcomes)
    if result.correct:
        message = (
            f"Correct: this is {spec.title}, {_where(spec, result.outcomes)} ({n} random cases)"
        )
        message += f"; {result.proof}." if result.proof else "."
        message += f" {reading.shape}." if reading.shape else ""
        counterexample = None
    else:
        failures = result.failures
        message = f"Not correct: this differs from {spec.title} in {len(failures)} of {n} cases."
        # the simplest failing case: fewest classes and samples, the first sample
        simplest = min(failures, key=lambda o: (o.case.C, o.case.m, o.case.indices.get("i", 1)))
        counterexample = Counterexample.from_outcome(simplest, spec)
    return AnswerCheck(
        answer=answer,
        topic=spec.name,
        correct=result.correct,
        expr=expr,
        message=message,
        counterexample=counterexample,
        hint=result.hint,
        mistake=result.mistake,
        proof=result.proof,
        stage=result.stage,
    )


def readable_topics() -> list[str]:
    """The topics whose answers :func:`check_answer` reads today."""
    return [name for name, spec in TOPICS.items() if spec.readable]


TOPIC_NAMES = tuple(TOPICS)
