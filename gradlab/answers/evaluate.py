"""Numbers from a parsed answer: a small interpreter over the SymPy tree.

It understands exactly the node types the parser builds, with concrete values
for C, m, the indices and random draws of x, W, b (hence z and f). Index
arithmetic stays in Python ints; everything else is an array of shape (n, 1)
for a number or (n, d) for a feature vector, one row per random draw.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from gradlab.answers import symbols as S

__all__ = [
    "NETWORK",
    "Case",
    "EvaluationError",
    "TooMuchWork",
    "Unbound",
    "dphi",
    "evaluate",
    "phi_prime",
    "work_budget",
]

MAX_TERMS = 1000  # per sum; bounds come from C and m, which are small
MAX_EXACT = 10**15  # index arithmetic stays exact below this; beyond it floats (inf) take over
MAX_EXACT_EXPONENT = 64  # k^{k^{k^k}} must not be computed as an exact integer


class dphi(sp.Function):
    """``dphi(a) = φ′(a)``: the derivative of the network's activation, at ``a``."""

    nargs = 1


# The two-layer network's letters (issue 14), in the form the answer parser is to build them
# for the "mlp" notation: h[i, j] = h_j and z1[i, j] = z¹_j of sample i, W1[l, j] = W¹_lj,
# W2[j, k] = W²_jk, b1[j], b2[k], x[i, l] (feature l of sample i), dphi(z1[i, j]) = φ′(z¹_j),
# Heaviside(z1[i, j], 0) = 𝕀(z¹_j > 0). The output layer keeps the softmax letters:
# f[i, k] = softmax(z²)_k, z[i, k] = z²_k, y[i].
NETWORK = {
    "h": sp.IndexedBase("h", real=True),
    "z1": sp.IndexedBase("z1", real=True),
    "W1": sp.IndexedBase("W1", real=True),
    "W2": sp.IndexedBase("W2", real=True),
    "b1": sp.IndexedBase("b1", real=True),
    "b2": sp.IndexedBase("b2", real=True),
    "x": S.x,
    "dphi": dphi,
}


class EvaluationError(ValueError):
    """The answer has no value in this case (an index out of range, ...)."""


class TooMuchWork(Exception):
    """Grading this answer would take too long (nested sums over many classes)."""


class _Work:
    def __init__(self, steps: int):
        self.left = steps

    def spend(self):
        self.left -= 1
        if self.left < 0:
            raise TooMuchWork


_WORK: ContextVar[_Work | None] = ContextVar("gradlab_answers_work", default=None)


@contextmanager
def work_budget(steps: int):
    """Allow at most ``steps`` evaluation steps over all :func:`evaluate` calls inside."""
    token = _WORK.set(_Work(steps))
    try:
        yield
    finally:
        _WORK.reset(token)


class Unbound(EvaluationError):
    """A symbol without a value in this topic (a free j in dJ_i/dz_k, ...)."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(name)


@dataclass
class Case:
    """One concrete setting: the class count, the labels, the free indices and the draws."""

    family: str
    C: int
    labels: tuple  # y_1..y_m: ints 1..C (softmax), 0/1 (logistic); empty for linear
    indices: dict  # free index symbol name -> int, e.g. {"k": 2, "i": 1}
    X: np.ndarray  # (n, m, d)
    W: np.ndarray  # (n, C, d) softmax, (n, d) otherwise
    B: np.ndarray | None  # (n, C) softmax, (n,) otherwise; None for a model without a bias
    Z: np.ndarray  # (n, m, C) softmax, (n, m) otherwise
    F: np.ndarray  # softmax(Z), sigmoid(Z) or Z; same shape as Z
    Y: np.ndarray | None = None  # (n, m) real targets of linear regression
    # the network ("mlp"): W is W² (n, H, C), B is b² (n, C), Z is z² and F softmax(z²);
    # extra holds "activation", "W1" (n, d, H), "b1" (n, H), "Z1" and "H" (n, m, H)
    extra: dict = field(default_factory=dict)

    @property
    def m(self) -> int:
        return self.X.shape[1]


def _index(value, what: str) -> int:
    if isinstance(value, int):
        return value
    raise EvaluationError(f"{what} is not a whole number here")


def _check_range(value: int, top: int, what: str, letter: str) -> int:
    if not 1 <= value <= top:
        raise EvaluationError(
            f"{what} = {value} is outside 1..{letter} = {top} (indices count from 1 "
            "as in the lecture note)"
        )
    return value - 1


_MEMO: ContextVar[dict | None] = ContextVar("gradlab_answers_memo", default=None)


def evaluate(expr, case: Case, bound: dict | None = None):
    """The value of ``expr`` in ``case``: a Python int or an ndarray over the draws."""
    bound = bound or {}
    token = _MEMO.set({})
    try:
        with np.errstate(all="ignore"):
            return _eval(expr, case, bound)
    finally:
        _MEMO.reset(token)


def _eval(e, case: Case, bound: dict):
    work = _WORK.get()
    if work is not None:
        work.spend()
    if isinstance(e, sp.Integer):
        value = int(e)
        return value if abs(value) <= MAX_EXACT else _float(e)
    if e.is_Number or isinstance(e, sp.NumberSymbol):
        return _float(e) if e.is_finite else float("nan")
    if isinstance(e, sp.Symbol):
        if e in bound:
            return bound[e]
        if e.name in case.indices:
            return case.indices[e.name]
        # (the parser builds its symbols from gradlab.answers.symbols: identity is enough)
        if e is S.C and case.family in ("softmax", "mlp"):
            return case.C
        if e is S.m:
            return case.m
        if e is S.w_vec and case.family != "softmax":
            return case.W
        if e is S.b_scalar and case.family != "softmax" and case.B is not None:
            return case.B[:, None]
        raise Unbound(e.name)
    if isinstance(e, sp.Indexed):
        return _indexed(e, case, bound)
    if isinstance(e, sp.Add):
        total = 0
        for arg in e.args:
            total = _exact(total + _eval(arg, case, bound))
        return total
    if isinstance(e, sp.Mul):
        product = 1
        for arg in e.args:
            product = _exact(product * _eval(arg, case, bound))
        return product
    if isinstance(e, sp.Pow):
        base, exponent = (_eval(arg, case, bound) for arg in e.args)
        if (
            isinstance(base, int)
            and isinstance(exponent, int)
            and 0 <= exponent <= MAX_EXACT_EXPONENT
            and abs(base) <= MAX_EXACT
        ):
            return _exact(base**exponent)
        return np.power(np.asarray(base, dtype=float), np.asarray(exponent, dtype=float))
    if isinstance(e, sp.exp):
        return np.exp(np.asarray(_eval(e.args[0], case, bound), dtype=float))
    if isinstance(e, sp.log):
        return np.log(np.asarray(_eval(e.args[0], case, bound), dtype=float))
    if isinstance(e, sp.KroneckerDelta):
        a, b = (_eval(arg, case, bound) for arg in e.args)
        if isinstance(a, int) and isinstance(b, int):
            return int(a == b)
        return np.equal(a, b).astype(float)
    if isinstance(e, sp.Sum):
        return _sum(e, case, bound)
    if isinstance(e, dphi):
        return phi_prime(_eval(e.args[0], case, bound), case.extra.get("activation"))
    if isinstance(e, sp.Heaviside):  # 𝕀(a > 0): the parser builds Heaviside(a, 0)
        return (np.asarray(_eval(e.args[0], case, bound), dtype=float) > 0).astype(float)
    if isinstance(e, sp.tanh):
        return np.tanh(np.asarray(_eval(e.args[0], case, bound), dtype=float))
    if isinstance(e, S.dot):
        u, v = (np.asarray(_eval(arg, case, bound), dtype=float) for arg in e.args)
        return (u * v).sum(axis=-1, keepdims=True)
    raise EvaluationError(f"cannot evaluate {type(e).__name__}")


def _float(number) -> float:
    """A SymPy number as a float; too large for a float means infinite, not OverflowError."""
    try:
        return float(number)
    except OverflowError:
        return float("inf") if number > 0 else float("-inf")


def _exact(value):
    """Keep Python ints small: a huge one becomes a float (possibly inf) before NumPy sees it."""
    if isinstance(value, int) and abs(value) > MAX_EXACT:
        return float(value) if abs(value) < 10**300 else _float(sp.Integer(value))
    return value


def _sum(e: sp.Sum, case: Case, bound: dict):
    # A sum inside another sum often does not depend on the outer index (Σ_c e^{z_c} inside
    # Σ_j): its value is kept for the bound values it depends on, so nested sums over
    # the classes cost C + C steps, not C * C.
    memo = _MEMO.get()
    if memo is None:
        return _nested_sum(e.function, list(e.limits), case, bound)
    key = (e, tuple(bound.get(s) for s in _free(e)))
    if key not in memo:
        # SymPy merges nested sums into one Sum whose limits run innermost first.
        memo[key] = _nested_sum(e.function, list(e.limits), case, bound)
    return memo[key]


@functools.lru_cache(maxsize=4096)
def _free(e: sp.Sum) -> tuple:
    return tuple(sorted(e.free_symbols, key=str))


def _nested_sum(body, limits: list, case: Case, bound: dict):
    if not limits:
        return _eval(body, case, bound)
    var, lower, upper = limits[-1]
    lo = _index(_eval(lower, case, bound), "the lower limit of a sum")
    hi = _index(_eval(upper, case, bound), "the upper limit of a sum")
    if hi - lo + 1 > MAX_TERMS:
        raise EvaluationError(f"a sum of more than {MAX_TERMS} terms")
    total = 0
    for value in range(lo, hi + 1):
        total = total + _nested_sum(body, limits[:-1], case, {**bound, var: value})
    return total


def phi_prime(Z, activation: str) -> np.ndarray:
    """φ′ at the input Z of the activation: relu′ = 𝕀(z > 0), 1 − tanh²(z), σ(z)(1 − σ(z))."""
    Z = np.asarray(Z, dtype=float)
    if activation == "relu":
        return (Z > 0).astype(float)
    if activation == "tanh":
        return 1 - np.tanh(Z) ** 2
    if activation == "sigmoid":
        s = 1 / (1 + np.exp(-Z))
        return s * (1 - s)
    raise EvaluationError("φ′ has no meaning here: there is no activation in this model")


def _network(name: str, idx: list, case: Case):
    """The network's quantities (the letters of NETWORK), one row per draw."""
    n_features, n_hidden = case.extra["W1"].shape[1:]
    if name in ("h", "z1"):
        i = _check_range(idx[0], case.m, "the sample index i", "m")
        j = _check_range(idx[1], n_hidden, "the hidden unit j", "H")
        return case.extra["H" if name == "h" else "Z1"][:, i, j][:, None]
    if name == "W1":
        l_ = _check_range(idx[0], n_features, "the row (feature) of W¹", "d")
        return case.extra["W1"][:, l_, _check_range(idx[1], n_hidden, "the column of W¹", "H")][
            :, None
        ]
    if name == "W2":
        j = _check_range(idx[0], n_hidden, "the row (hidden unit) of W²", "H")
        return case.W[:, j, _check_range(idx[1], case.C, "the column (class) of W²", "C")][:, None]
    if name == "b1":
        return case.extra["b1"][:, _check_range(idx[0], n_hidden, "the index of b¹", "H")][:, None]
    if name in ("b2", "b"):  # b_k in the output layer's letters is b²_k
        return case.B[:, _check_range(idx[0], case.C, "the index of b²", "C")][:, None]
    if name == "x" and len(idx) == 2:
        i = _check_range(idx[0], case.m, "the sample index i", "m")
        return case.X[:, i, _check_range(idx[1], n_features, "the feature index", "d")][:, None]
    raise EvaluationError(
        f"{name} has no value in the two-layer network: its letters are h_j, z^1_j, W^1_lj, "
        "W^2_jk, b^1_j, b^2_k, x_l and, at the output, f_k, z_k (= z^2_k) and y_i"
    )


def _indexed(e: sp.Indexed, case: Case, bound: dict):
    base, *indices = e.args  # (the properties .base.label.name cost more than the lookup)
    name = base.args[0].name
    idx = [_eval(arg, case, bound) for arg in indices]
    if not all(isinstance(v, int) for v in idx):
        raise EvaluationError(f"the index of {name} is not a whole number here")
    m, C = case.m, case.C
    if case.family == "mlp" and name not in ("z", "f", "y"):
        return _network(name, idx, case)
    if case.family in ("softmax", "mlp"):
        if name in ("z", "f"):
            i = _check_range(idx[0], m, "the sample index i", "m")
            k = _check_range(idx[1], C, f"the class index of {name}", "C")
            return (case.Z if name == "z" else case.F)[:, i, k][:, None]
        if name == "w":
            return case.W[:, _check_range(idx[0], C, "the class index of w", "C"), :]
        if name == "b":
            return case.B[:, _check_range(idx[0], C, "the class index of b", "C")][:, None]
    elif name in ("z", "f"):
        i = _check_range(idx[0], m, "the sample index i", "m")
        return (case.Z if name == "z" else case.F)[:, i][:, None]
    if name == "y":
        i = _check_range(idx[0], m, "the sample index i", "m")
        return case.labels[i] if case.Y is None else case.Y[:, i][:, None]
    if name == "x":
        return case.X[:, _check_range(idx[0], m, "the sample index i", "m"), :]
    raise EvaluationError(f"cannot evaluate {name}")
