r"""Backpropagation in matrix form: all ``m`` samples at once, with the shape of every factor.

Row ``i`` of each matrix is sample ``i``: ``Z¹ = X W¹ + 𝟏 b¹ᵀ`` (m×H), ``H = φ(Z¹)``,
``Z² = H W² + 𝟏 b²ᵀ`` (m×C), ``F = softmax(Z²)`` row by row, and
``J = (1/m) Σ_i J_i`` (+ ``(λ/2)(‖W¹‖² + ‖W²‖²)``). :class:`NetworkBatch` instantiates
every matrix for ``m = 3`` samples, ``d = 2``, ``H = 3`` and ``C = 2, 3`` at random
networks and labels, so that each line is checked entry by entry, and the result against
finite differences of :func:`gradlab.mlp.loss`.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from gradlab.symbolic import prose
from gradlab.symbolic.models import LAMBDA, central_difference
from gradlab.symbolic.notation import C, J, indicator, lam, m
from gradlab.symbolic.steps import Derivation, Step
from gradlab.symbolic.topics.mlp_model import (
    ACTIVATIONS,
    D_FEATURES,
    H_UNITS,
    Chain,
    _dphi,
    _dphi_num,
    _phi_num,
    _PhiNumeric,
)

__all__ = ["TOPICS", "NetworkBatch"]

M_SAMPLES = 3


def _grid(n):
    """Rows and columns of the grid: every matrix of the network fits in it."""
    return max(M_SAMPLES, D_FEATURES, H_UNITS, n)


def _mat(name):
    return sp.Symbol(name, commutative=False)


X, F, Y, Hm = _mat("X"), _mat("F"), _mat("Y"), _mat("H")
W1, W2, b1, b2 = _mat("W¹"), _mat("W²"), _mat("b¹"), _mat("b²")
Z1, Z2, ONES = _mat("Z¹"), _mat("Z²"), _mat("𝟏")


class T(sp.Function):
    """The transpose ``Aᵀ``."""

    nargs = 1

    def _latex(self, printer):
        from gradlab.symbolic.render import to_latex

        inner = to_latex(self.args[0])
        if isinstance(self.args[0], sp.Derivative):
            inner = rf"\left({inner}\right)"
        return inner + r"^{\top}"

    def _sympystr(self, printer):
        from gradlab.symbolic.render import to_unicode

        inner = to_unicode(self.args[0])
        return (f"({inner})" if isinstance(self.args[0], sp.Derivative) else inner) + "ᵀ"


class Hadamard(sp.Function):
    """The elementwise product ``A ⊙ B``."""

    nargs = 2

    def _latex(self, printer):
        from gradlab.symbolic.render import to_latex

        return r" \odot ".join(to_latex(a) for a in self.args)

    def _sympystr(self, printer):
        from gradlab.symbolic.render import to_unicode

        return " ⊙ ".join(to_unicode(a) for a in self.args)


class DPhiM(sp.Function):
    """``φ′(A)`` elementwise."""

    nargs = 1

    def _latex(self, printer):
        from gradlab.symbolic.render import to_latex

        return rf"\varphi'\left({to_latex(self.args[0])}\right)"

    def _sympystr(self, printer):
        from gradlab.symbolic.render import to_unicode

        return f"φ′({to_unicode(self.args[0])})"


_act = sp.Symbol("a_", integer=True)
_row, _col = sp.symbols("r_ q_", integer=True)
_LOOKUP = {name: sp.Function(f"_{name}") for name in ("X", "W1", "B1", "W2", "B2", "Y")}


class NetworkBatch:
    """``m`` samples through the network, every matrix written out, for :func:`verify`.

    A line's value is a matrix; entry ``(r, q)`` goes to row ``r`` and column ``q`` of
    the grid (zeros outside it), on an axis per activation.
    """

    def __init__(self, wrt: str, l2: bool):
        self.wrt, self.l2 = wrt, l2
        self.codes = list(range(len(ACTIVATIONS)))
        self.cache_key = ("network batch", wrt, l2)
        self._memo: dict = {}  # SymPy's gradient of each matrix: the slow part, done once

    def sizes(self, n_classes):
        return (2, 3) if n_classes is None else (n_classes,)

    def expand_definitions(self, expr, n):
        return expr

    # -- the matrices --------------------------------------------------------------
    def _params(self, n):
        look = _LOOKUP
        return {
            X: sp.Matrix(M_SAMPLES, D_FEATURES, lambda i, l: look["X"](i + 1, l + 1)),
            W1: sp.Matrix(D_FEATURES, H_UNITS, lambda l, j: look["W1"](l + 1, j + 1)),
            b1: sp.Matrix(H_UNITS, 1, lambda j, _: look["B1"](j + 1)),
            W2: sp.Matrix(H_UNITS, n, lambda j, k: look["W2"](j + 1, k + 1)),
            b2: sp.Matrix(n, 1, lambda k, _: look["B2"](k + 1)),
            ONES: sp.ones(M_SAMPLES, 1),
            Y: sp.Matrix(M_SAMPLES, n, lambda i, k: indicator(look["Y"](i + 1), k + 1)),
        }

    def _forward(self, n, level=None, free=None):
        """Z¹, H, Z², F from the parameters, or from the free matrix ``free`` at ``level``."""
        p = self._params(n)
        values = dict(p)
        z1 = p[X] * p[W1] + p[ONES] * p[b1].T
        values[Z1] = free if level == Z1 else z1
        h = values[Z1].applyfunc(lambda e: _PhiNumeric(e, _act))
        values[Hm] = free if level == Hm else h
        z2 = values[Hm] * p[W2] + p[ONES] * p[b2].T
        values[Z2] = free if level == Z2 else z2
        E = values[Z2].applyfunc(sp.exp)
        values[F] = sp.Matrix(M_SAMPLES, n, lambda i, k: E[i, k] / sum(E.row(i)))
        return values

    def _loss(self, values):
        Z, Yv = values[Z2], values[Y]
        total = 0
        for i in range(M_SAMPLES):
            lse = sp.log(sum(sp.exp(Z[i, a]) for a in range(Z.cols)))
            total += sum(Yv[i, a] * (lse - Z[i, a]) for a in range(Z.cols))
        J_value = total / M_SAMPLES
        if self.l2:
            squares = sum(e**2 for e in values[W1]) + sum(e**2 for e in values[W2])
            J_value += lam * squares / 2
        return J_value

    def _gradient(self, var, n):
        """``∂J/∂var`` as a matrix shaped like ``var``, by SymPy entry by entry (kept)."""
        key = (var, n)
        if key not in self._memo:
            self._memo[key] = self._compute_gradient(var, n)
        return self._memo[key]

    def _compute_gradient(self, var, n):
        shapes = {Z1: (M_SAMPLES, H_UNITS), Hm: (M_SAMPLES, H_UNITS), Z2: (M_SAMPLES, n)}
        if var in shapes:
            free = sp.Matrix(*shapes[var], lambda r, q: sp.Symbol(f"v_{r}_{q}"))
            J_value = self._loss(self._forward(n, level=var, free=free))
            grad = free.applyfunc(lambda v: sp.diff(J_value, v))
            back = self._forward(n)[var]
            return grad.xreplace({free[r, q]: back[r, q] for r in range(free.rows)
                                  for q in range(free.cols)})  # fmt: skip
        values = self._forward(n)
        J_value = self._loss(values)
        return values[var].applyfunc(lambda v: sp.diff(J_value, v))

    def _value(self, e, n, values):
        if isinstance(e, sp.Derivative):
            return self._gradient(e.variables[0], n)
        if e in values:
            return values[e]
        if isinstance(e, Chain):
            out = self._value(e.args[0], n, values)
            for a in e.args[1:]:
                out = out * self._value(a, n, values)
            return out
        if isinstance(e, T):
            return self._value(e.args[0], n, values).T
        if isinstance(e, Hadamard):
            A, B = (self._value(a, n, values) for a in e.args)
            return A.multiply_elementwise(B)
        if isinstance(e, DPhiM):
            return self._value(e.args[0], n, values).applyfunc(lambda z: _dphi(z, _act))
        if isinstance(e, sp.Add):
            parts = [self._value(a, n, values) for a in e.args]
            return sum(parts[1:], parts[0])
        if isinstance(e, sp.Mul):
            scalar = sp.Mul(*(a for a in e.args if a.is_commutative))
            rest = [a for a in e.args if not a.is_commutative]
            (matrix,) = rest
            return scalar.xreplace({m: M_SAMPLES}) * self._value(matrix, n, values)
        raise ValueError(f"cannot evaluate {e} as a matrix")

    def instantiate(self, expr, n: int):
        matrix = self._value(expr.xreplace({C: n}), n, self._forward(n))
        matrix = matrix.xreplace({lam: LAMBDA})
        return sum(
            indicator(_row, r + 1) * indicator(_col, q + 1) * matrix[r, q]
            for r in range(matrix.rows)
            for q in range(matrix.cols)
        )

    def points(self, n: int, rng: np.random.Generator, n_points: int):
        P, A = n_points, len(self.codes)
        tables = (
            rng.normal(size=(P, M_SAMPLES + 1, D_FEATURES + 1)),
            rng.normal(size=(P, D_FEATURES + 1, H_UNITS + 1)),
            rng.normal(size=(P, H_UNITS + 1)),
            rng.normal(size=(P, H_UNITS + 1, n + 1)),
            rng.normal(size=(P, n + 1)),
            rng.integers(1, n + 1, size=(P, M_SAMPLES + 1)),
        )
        p_index = np.arange(P).reshape(P, 1, 1, 1)

        def lookup(table):
            return lambda *index: table[(p_index, *(np.asarray(a) for a in index))]

        names = ("X", "W1", "B1", "W2", "B2", "Y")
        namespace = {f"_{k}": lookup(t) for k, t in zip(names, tables, strict=True)}
        namespace.update({"_PhiNumeric": _phi_num, "_dphi": _dphi_num})
        G = _grid(n)
        axes = [
            np.array(self.codes).reshape(1, A, 1, 1),
            np.arange(1, G + 1).reshape(1, 1, G, 1),
            np.arange(1, G + 1).reshape(1, 1, 1, G),
        ]
        return [_act, _row, _col], axes, (P, A, G, G), tables, namespace

    def reference_values(self, tables, n: int) -> np.ndarray:
        """Finite differences of :func:`gradlab.mlp.loss` in ``wrt``, on the grid."""
        from gradlab import mlp

        Xt, W1t, B1t, W2t, B2t, Yt = tables
        P = Xt.shape[0]
        out = np.zeros((P, len(self.codes), _grid(n), _grid(n)))
        key = {W1: "W1", b1: "b1", W2: "W2", b2: "b2"}[self.wrt]
        for p in range(P):
            params = {"W1": W1t[p, 1:, 1:], "b1": B1t[p, 1:], "W2": W2t[p, 1:, 1:],
                      "b2": B2t[p, 1:]}  # fmt: skip
            data = (Xt[p, 1:, 1:], Yt[p, 1:] - 1)
            for a, code in enumerate(self.codes):

                def fun(v, act=ACTIVATIONS[code], params=params, data=data):
                    return mlp.loss({**params, key: v}, *data, activation=act,
                                    l2=LAMBDA if self.l2 else 0.0)  # fmt: skip

                g = np.atleast_2d(central_difference(fun, params[key].copy()))
                g = g.T if key.startswith("b") else g  # b as a column, like the matrix form
                out[p, a, : g.shape[0], : g.shape[1]] = g
        return out


# ----------------------------------------------------------------------------- the topic


def mlp_matrix(n_classes=None, l2=False) -> Derivation:
    steps = []

    def add(lhs, rhs, source, rule):
        steps.append(Step.from_source(sp.Eq(lhs, rhs, evaluate=False), source, rule))

    def grad(v):
        return sp.Derivative(J, v, evaluate=False)

    penalty = r"; the penalty $(\lambda/2)\|\mathbf{W}\|^2$ adds $\lambda \mathbf{W}$" if l2 else ""
    add(grad(Z2), (F - Y) / m,
        r"eq (2) for every sample, averaged: row $i$ is $(f - \mathbb{I}(y_i = \cdot))/m$; "
        r"shape (m×C)", "eq (2)")  # fmt: skip
    add(grad(W2), Chain(T(Hm), grad(Z2)) + (lam * W2 if l2 else 0),
        r"$\partial J_i/\partial W^{2}_{jk} = (f_k - \mathbb{I}(y_i = k))\, h_j$ summed over "
        r"the samples: (H×C) = (H×m)(m×C)" + penalty, "matrix form")  # fmt: skip
    add(grad(b2), Chain(T(grad(Z2)), ONES),
        r"$\partial J_i/\partial b^{2}_k = f_k - \mathbb{I}(y_i = k)$ summed over the samples "
        r"(a column sum): (C×1) = (C×m)(m×1)", "matrix form")  # fmt: skip
    add(grad(Hm), Chain(grad(Z2), T(W2)),
        r"$\partial J_i/\partial h_j = \sum_c (f_c - \mathbb{I}(y_i = c))\, W^{2}_{jc}$ for "
        r"every sample at once: (m×H) = (m×C)(C×H)", "matrix form")  # fmt: skip
    add(grad(Z1), Hadamard(grad(Hm), DPhiM(Z1)),
        r"$\partial J_i/\partial z^{1}_j = (\partial J_i/\partial h_j)\, φ'(z^{1}_j)$ "
        r"entry by entry (⊙, not a matrix product): (m×H) = (m×H) ⊙ (m×H)", "matrix form")  # fmt: skip
    add(grad(b1), Chain(T(grad(Z1)), ONES),
        r"$\partial J_i/\partial b^{1}_j = \partial J_i/\partial z^{1}_j$ summed over the "
        r"samples, axis 0: (H×1) = (H×m)(m×1)", "matrix form")  # fmt: skip
    add(grad(W1), Chain(T(X), grad(Z1)) + (lam * W1 if l2 else 0),
        r"$\partial J_i/\partial W^{1}_{lj} = (\partial J_i/\partial z^{1}_j)\, x_l$ summed "
        r"over the samples: (d×H) = (d×m)(m×H)" + penalty, "matrix form")  # fmt: skip
    where = "general $C$" if n_classes is None else f"$C = {n_classes}$"
    title = ("backpropagation in matrix form, every factor with its shape, " + where
             + (", L2-regularized" if l2 else ""))  # fmt: skip
    return Derivation(topic="mlp_matrix", title=prose.plain(title), title_latex=title,
                      steps=steps, n_classes=n_classes, l2=l2, tag="",
                      _model=NetworkBatch(W1, l2))  # fmt: skip


TOPICS = {
    "mlp_matrix": (
        mlp_matrix,
        (
            "backprop for all m samples: dZ² = (F - Y)/m, ∇W² = Hᵀ dZ², dH = dZ² W²ᵀ, "
            "dZ¹ = dH ⊙ φ′(Z¹), ∇W¹ = Xᵀ dZ¹, with shapes"
        ),
    ),
}
