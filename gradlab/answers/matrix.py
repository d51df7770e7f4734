"""Matrix and vector answers: Xᵀ(F − Y)/m, p − y, diag(f) − f fᵀ, 1ᵀ(F − Y)/m.

A matrix value knows the name of each axis (``m`` samples, ``d`` features,
``C`` classes, ``1`` a single row or column) and how to write one entry as a
SymPy expression in the canonical symbols: row i of X is the feature vector
x_i (kind "vec"), entry (i, k) of F is f_{i,k}, of Y is 𝕀(y_i = k). Products
contract the shared axis (a sum over the samples, a sum over the classes or an
inner product over the features), so a matrix answer becomes, entry by entry,
the same kind of expression a student would write by hand, and is graded on the
same random cases: random X, W, b of compatible shapes. Shapes are checked
first, and a mismatch is explained in the student's own terms:
"Xᵀ is d×m and (F − Y) is m×C, so Xᵀ(F − Y) is d×C: the shape of W".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from gradlab.answers import symbols as S

__all__ = ["Mat", "ShapeError", "add", "diag", "elementwise", "matmul", "scale", "transpose"]

AXES = {"m", "d", "C", "1"}
ANY = "*"  # the length of \\mathbf{1}, fixed by what it multiplies


class ShapeError(ValueError):
    """Two shapes that do not fit; the message is written for a student."""


@dataclass(frozen=True)
class Mat:
    """A matrix with named axes and an entry function.

    ``entry(r, c)`` takes a SymPy index for an ``m`` or ``C`` axis and ``None``
    for a ``d`` axis (the features are carried by the vector kind) or a ``1`` axis.
    """

    rows: str
    cols: str
    entry: Callable
    name: str
    compound: bool = False  # a sum or difference: needs brackets inside a product
    why: str = ""  # how a product got its shape, for messages

    @property
    def shape(self) -> str:
        return f"{self.rows}×{self.cols}"

    @property
    def kind(self) -> str:
        """The kind of one entry: a feature vector if an axis is the features."""
        return "vec" if "d" in (self.rows, self.cols) else "num"

    @property
    def bracketed(self) -> str:
        return f"({self.name})" if self.compound else self.name

    def at(self, r, c):
        return self.entry(r, c)


def transpose(a: Mat) -> Mat:
    return Mat(a.cols, a.rows, lambda r, c: a.entry(c, r), f"{a.bracketed}ᵀ")


def _fits(a: Mat, b: Mat) -> str:
    """The shared axis of a product a·b (the ones of \\mathbf{1} fit any length: ``*``)."""
    if a.cols == b.rows:
        return a.cols
    if a.cols == ANY or b.rows == ANY:
        return b.rows if a.cols == ANY else a.cols
    raise ShapeError(
        f"{a.bracketed} is {a.shape} and {b.bracketed} is {b.shape}: the product "
        f"{a.bracketed}{b.bracketed} needs {a.bracketed}'s columns ({a.cols}) to match "
        f"{b.bracketed}'s rows ({b.rows})" + _suggest(a, b)
    )


def _suggest(a: Mat, b: Mat) -> str:
    if a.rows == b.rows:
        t = transpose(a)
        return (
            f"; {t.name} is {t.shape} and {b.bracketed} is {b.shape}, so {t.name}{b.bracketed} "
            f"is {t.rows}×{b.cols}"
        )
    if a.cols == b.cols:
        t = transpose(b)
        return f"; {a.name}{t.name} would be {a.rows}×{t.cols}"
    return ""


def matmul(a: Mat, b: Mat) -> Mat:
    if a.shape == "1×1" and a.kind == "num":  # (pᵀy) p: a number times a vector
        return scale(b, a.entry(None, None))
    if b.shape == "1×1" and b.kind == "num":
        return scale(a, b.entry(None, None))
    axis = _fits(a, b)
    if axis in ("m", "C") and {a.rows, b.cols} & {axis}:
        raise ShapeError(
            f"{a.bracketed}{b.bracketed} is {a.rows}×{b.cols}: a matrix with {axis} on both "
            "sides is not part of this gradient"
        )
    if axis == "d" and "d" in (a.rows, b.cols):
        raise ShapeError(
            f"{a.bracketed}{b.bracketed} is {a.rows}×{b.cols}: not part of this gradient"
        )
    if axis == "1" and a.kind == "vec" and b.kind == "vec":
        raise ShapeError(f"{a.bracketed}{b.bracketed} would be a {a.rows}×{b.cols} outer product")
    # A fresh class index for each sum over the classes, so that nested products never
    # capture each other's index; the samples' sum is the lecture's Σ_i.
    var = S.i if axis == "m" else sp.Dummy("c", integer=True, positive=True)

    def entry(r, c):
        if axis == "d":
            return S.dot(a.entry(r, None), b.entry(None, c))
        if axis == "1":
            return a.entry(r, None) * b.entry(None, c)
        upper = S.m if axis == "m" else S.C
        return sp.Sum(a.entry(r, var) * b.entry(var, c), (var, 1, upper))

    name = f"{a.bracketed}{b.bracketed}"
    why = (
        f"{a.bracketed} is {a.shape} and {b.bracketed} is {b.shape}, so {name} is {a.rows}×{b.cols}"
    )
    return Mat(a.rows, b.cols, entry, name, why=why)


def add(a: Mat, b: Mat, sign: int) -> Mat:
    if (a.rows, a.cols) != (b.rows, b.cols):
        op = "+" if sign > 0 else "−"
        raise ShapeError(
            f"{a.name} is {a.shape} and {b.name} is {b.shape}: only matrices of the same shape "
            f"can be added, so {a.name} {op} {b.name} has no meaning"
        )
    op = " + " if sign > 0 else " − "
    return Mat(a.rows, a.cols, lambda r, c: a.entry(r, c) + sign * b.entry(r, c),
               f"{a.name}{op}{b.bracketed}", compound=True)  # fmt: skip


def add_scalar(a: Mat, value, sign: int, name: str) -> Mat:
    """Xw + b: a number added to every entry (NumPy's and the lecture's broadcasting)."""
    return Mat(a.rows, a.cols, lambda r, c: a.entry(r, c) + sign * value,
               f"{a.name} + {name}", compound=True)  # fmt: skip


def scale(a: Mat, factor, divide: bool = False) -> Mat:
    value = 1 / factor if divide else factor
    return Mat(a.rows, a.cols, lambda r, c: a.entry(r, c) * value, a.name, a.compound, a.why)


def elementwise(a: Mat, function: Callable, name: str) -> Mat:
    if a.kind == "vec":
        raise ShapeError(f"{name} of {a.name} ({a.shape}) is not defined entry by entry here")
    return Mat(a.rows, a.cols, lambda r, c: function(a.entry(r, c)), f"{name}({a.name})")


def diag(a: Mat) -> Mat:
    if a.cols != "1" or a.rows not in ("C", "m"):
        raise ShapeError(f"diag takes a vector; {a.name} is {a.shape}")
    return Mat(a.rows, a.rows, lambda r, c: sp.KroneckerDelta(r, c) * a.entry(r, None),
               f"diag({a.name})")  # fmt: skip


def total(a: Mat):
    """np.sum(v) of a vector over the classes or the samples."""
    if a.cols != "1" or a.rows not in ("C", "m"):
        raise ShapeError(f"sum takes a vector here; {a.name} is {a.shape}")
    var, upper = (S.c, S.C) if a.rows == "C" else (S.i, S.m)
    return sp.Sum(a.entry(var, None), (var, 1, upper))


def explain(a: Mat) -> str:
    """Why ``a`` has its shape: "Xᵀ is d×m and (F − Y) is m×C, so Xᵀ(F − Y) is d×C"."""
    return a.why or f"{a.name} is {a.shape}"
