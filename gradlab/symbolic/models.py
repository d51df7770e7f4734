"""What the symbols of a derivation mean, so that its steps can be evaluated.

A model turns a step's expression, written for a general ``C`` with the
abbreviations ``f_j`` and ``J_i``, into a concrete SymPy expression for a given
number of classes, supplies random points (every label and index on its own
axis), and checks a final result against finite differences of gradlab's
numeric model.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from gradlab.symbolic.notation import (
    C,
    Dot,
    J,
    J_i,
    J_sample,
    Sigmoid,
    b,
    b_scalar,
    f,
    grad_W,
    grad_w,
    j,
    k,
    label,
    lam,
    m,
    sigma,
    softmax_definition,
    w,
    w_vec,
    x,
    y,
    y_i,
    z,
    zeta,
)

GENERAL_SIZES = (2, 3, 4, 5, 6)


def _is_f(a) -> bool:
    return isinstance(a, sp.Indexed) and a.base == f


_LOGIT = sp.Function("_z")


def expand_sums(expr):
    """Write out every sum whose bounds are integers (no Piecewise from ``Sum.doit``)."""

    def write_out(s):
        (v, lo, hi), *rest = s.limits
        if not (lo.is_Integer and hi.is_Integer):
            return s
        terms = [s.function.xreplace({v: t}) for t in range(int(lo), int(hi) + 1)]
        out = sp.Add(*terms)
        return expand_sums(sp.Sum(out, *rest)) if rest else out

    return expr.replace(lambda e: isinstance(e, sp.Sum), write_out)


def _swap(expr, base, build):
    """Replace every ``base[...]`` in ``expr`` by ``build(it)``, in one pass."""
    mapping = {a: build(a) for a in expr.atoms(sp.Indexed) if a.base == base}
    return expr.xreplace(mapping) if mapping else expr


def central_difference(fun, v: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central differences of the scalar function ``fun`` at ``v``."""
    g = np.empty_like(v)
    for n in range(v.size):
        e = np.zeros_like(v)
        e.flat[n] = h
        g.flat[n] = (fun(v + e) - fun(v - e)) / (2 * h)
    return g


class OneSample:
    """One sample: logits ``z_1..z_C``, label ``y_i`` and indices ``j, k`` in ``1..C``.

    ``reference`` names the numeric function the result is checked against:
    ``"loss"`` (the result is ``dJ_i/dz_k``) or ``"softmax"`` (``df_j/dz_k``).
    """

    index_symbols = (y_i, j, k)

    def __init__(self, loss, reference: str = "loss"):
        self.loss = loss
        self.reference = reference
        self.cache_key = ("one sample", loss.__module__, loss.__qualname__, reference)

    def sizes(self, n_classes):
        return GENERAL_SIZES if n_classes is None else (n_classes,)

    def expand_definitions(self, expr, n):
        e = expr.xreplace({C: n}) if n is not C else expr
        if e.has(J_i):
            e = e.xreplace({J_i: self.loss(n)})
        return e.replace(_is_f, lambda a: softmax_definition(a.indices[-1], n))

    def assumptions(self, n):
        """Every label and class index lies in ``1..C``."""
        return sp.And(*(sp.Q.ge(s, 1) & sp.Q.le(s, n) for s in self.index_symbols))

    def instantiate(self, expr, n: int):
        """``expr`` for ``C = n``: definitions in, sums written out, derivatives taken.

        The logits become ``_z(index)`` so that ``z_k`` with a symbolic ``k`` can be
        looked up on the grid of :meth:`points`.
        """
        e = expand_sums(self.expand_definitions(expr, n)).doit()
        return _swap(e, z, lambda a: _LOGIT(a.indices[-1]))

    def points(self, n: int, rng: np.random.Generator, n_points: int):
        """Random logits, and every value of ``y_i, j, k`` on its own axis of the grid."""
        logits = rng.normal(scale=2.0, size=(n_points, n))
        shape = (n_points, n, n, n)
        arrays = []
        for axis in range(1, 4):
            index_shape = [1, 1, 1, 1]
            index_shape[axis] = n
            arrays.append(np.arange(1, n + 1).reshape(index_shape))
        table = np.broadcast_to(logits[:, None, None, None, :], (*shape, n))
        columns = [logits[:, a].reshape(-1, 1, 1, 1) for a in range(n)]

        def logit(index):
            if np.ndim(index) == 0:  # z_1, z_2, ...: no gather needed
                return columns[int(index) - 1]
            index = np.broadcast_to(np.asarray(index) - 1, shape)[..., None]
            return np.take_along_axis(table, index, axis=-1)[..., 0]

        return list(self.index_symbols), arrays, shape, logits, {"_z": logit}

    def reference_values(self, logits: np.ndarray, n: int) -> np.ndarray:
        """Finite differences of gradlab's numeric model, on the grid of :meth:`points`."""
        import gradlab

        out = np.empty((logits.shape[0], n, n, n))
        X, W = np.zeros((1, 1)), np.zeros((1, n))
        for p, zp in enumerate(logits):
            if self.reference == "loss":
                for label in range(n):
                    g = central_difference(lambda v, t=label: gradlab.loss(W, v, X, [t]), zp)
                    out[p, label, :, :] = g[None, :]
            else:
                for jj in range(n):
                    g = central_difference(lambda v, t=jj: gradlab.softmax(v)[t], zp)
                    out[p, :, jj, :] = g[None, :]
        return out


# ----------------------------------------------------------------------------- binary, one sample


class BinarySample:
    """One sample of logistic regression: a logit ``z``, a label ``y_i`` in {0, 1}."""

    def __init__(self, loss):
        self.loss = loss
        self.cache_key = ("binary sample", loss.__module__, loss.__qualname__)

    def sizes(self, n_classes):
        return (2,)

    def expand_definitions(self, expr, n):
        e = expr.xreplace({J_i: self.loss()}) if expr.has(J_i) else expr
        e = e.replace(lambda a: isinstance(a, Sigmoid), lambda a: 1 / (1 + sp.exp(-a.args[0])))
        return e.xreplace({sigma: 1 / (1 + sp.exp(-zeta))})

    def assumptions(self, n):
        """The logit is real; the label enters polynomially, so no range is needed."""
        return sp.Q.real(zeta)

    def instantiate(self, expr, n: int):
        return self.expand_definitions(expr, n).doit()

    def points(self, n: int, rng: np.random.Generator, n_points: int):
        logits = rng.normal(scale=2.0, size=n_points)
        shape = (n_points, 2)
        arrays = [logits.reshape(-1, 1), np.arange(2).reshape(1, 2)]
        return [zeta, label], arrays, shape, logits, {}

    def reference_values(self, logits: np.ndarray, n: int) -> np.ndarray:
        """Binary cross-entropy is softmax regression with logits (0, z): use gradlab.loss."""
        import gradlab

        out = np.empty((logits.shape[0], 2))
        X, W = np.zeros((1, 1)), np.zeros((1, 2))
        for p, zp in enumerate(logits):
            for t in (0, 1):
                g = central_difference(
                    lambda v, t=t: gradlab.loss(W, np.array([0.0, v[0]]), X, [t]), np.array([zp])
                )
                out[p, t] = g[0]
        return out


# ----------------------------------------------------------------------------- data sets

LAMBDA = 0.7  # the L2 weight l2=True stands for: any value not 0 or 1 tests the scaling
# The size of the concrete problem a data-set step is checked on: the written-out loss
# grows with m * C, and m = 2 already tells 1/m from 1 or 1/(m - 1).
M_SAMPLES, D_FEATURES = 2, 2


class Dataset:
    """m samples ``x_i`` with labels ``y_i`` and the parameters, for the ``*_dw`` topics.

    ``kind`` is ``"softmax"`` (``w_k, b_k``, labels 1..C), ``"logistic"`` (``w, b``,
    labels 0/1) or ``"linear"`` (``w``, real targets). Vector quantities are read
    component by component: the grid has an axis for the class ``k`` and one for
    the feature ``l``, and ``dJ/dw_k`` at ``l`` means ``dJ/dW[l, k]``.
    """

    def __init__(self, kind: str, l2: float, definition):
        self.kind = kind
        self.l2 = float(l2)  # the L2 weight lambda the checks substitute (0: no penalty)
        self.definition = definition  # J as the derivation's first step defines it
        self.Xn = sp.IndexedBase("Xn")
        self.Wn = sp.IndexedBase("Wn")
        self.Bn = sp.IndexedBase("Bn")
        self.Yn = sp.IndexedBase("Yn")
        self.comp = sp.Symbol("l_", integer=True, positive=True)  # the feature on the grid
        self.cache_key = ("data set", kind, l2, definition)

    def sizes(self, n_classes):
        if self.kind != "softmax":
            return (2,)
        # every class index and feature is on the grid, so C = 3 alone covers the cases
        # k = y_i, k != y_i and several classes competing in the denominator (C = 2 as
        # well doubled the cost of verify() and caught nothing C = 3 misses)
        return (3,) if n_classes is None else (n_classes,)

    def expand_definitions(self, expr, n):
        return expr

    # -- meaning of the symbols -------------------------------------------------
    def _w(self, a, t):
        return self.Wn[t, a] if self.kind == "softmax" else self.Wn[t, 1]

    def _vector(self, v):
        """The components of a vector symbol, or None if ``v`` is not a vector."""
        if isinstance(v, sp.Indexed) and v.base == x:
            return [self.Xn[v.indices[0], t] for t in range(1, D_FEATURES + 1)]
        if isinstance(v, sp.Indexed) and v.base == w:
            return [self._w(v.indices[0], t) for t in range(1, D_FEATURES + 1)]
        if v == w_vec:
            return [self._w(None, t) for t in range(1, D_FEATURES + 1)]
        return None

    def _logit(self, i, a):
        s = sum(self._w(a, t) * self.Xn[i, t] for t in range(1, D_FEATURES + 1))
        if self.kind == "linear":
            return s
        return s + (self.Bn[a] if self.kind == "softmax" else self.Bn[1])

    def _definitions(self, expr, n):
        e = expr.xreplace({J: self.definition}) if expr.has(J) else expr
        e = e.xreplace({C: n, m: M_SAMPLES})
        e = _swap(e, J_sample, lambda a: self.sample_loss(a.indices[0], n))
        e = _swap(
            e,
            f,
            lambda a: (
                sp.exp(z[a.indices[0], a.indices[1]])
                / sp.Add(*(sp.exp(z[a.indices[0], c_]) for c_ in range(1, n + 1)))
            ),
        )
        e = _swap(e, y, lambda a: self.Yn[a.indices[0]])
        return expand_sums(e)

    def sample_loss(self, i_, n):
        if self.kind == "softmax":
            return -sp.Add(
                *(sp.KroneckerDelta(self.Yn[i_], a) * sp.log(f[i_, a]) for a in range(1, n + 1))
            )
        if self.kind == "logistic":
            s = 1 / (1 + sp.exp(-z[i_]))
            return -(self.Yn[i_] * sp.log(s) + (1 - self.Yn[i_]) * sp.log(1 - s))
        raise ValueError("linear regression writes its loss out; it has no J_i")

    def _parameters(self, e):
        """Write the logits, dot products and vectors out in the components of W, X, b."""
        # One xreplace, top-down: a dot product is replaced whole, so the vectors inside
        # it are not read as bare components.
        mapping = {w_vec: self._w(None, self.comp), b_scalar: self.Bn[1]}
        for a in e.atoms(sp.Indexed):
            if a.base == z:
                mapping[a] = self._logit(
                    a.indices[0], a.indices[-1] if self.kind == "softmax" else None
                )
            elif a.base == b:
                mapping[a] = self.Bn[a.indices[0]]
            elif self._vector(a) is not None:
                mapping[a] = self._component(a)
        for a in e.atoms(Dot):
            u, v = (self._vector(arg) for arg in a.args)
            mapping[a] = sp.Add(*(p * q for p, q in zip(u, v, strict=True)))
        for a in e.atoms(Sigmoid):
            mapping[a] = 1 / (1 + sp.exp(-self._parameters(a.args[0])))
        return e.xreplace(mapping)

    def _component(self, v):
        """A bare vector ``x_i``, ``w_k`` or ``w`` read at the grid's feature ``l``."""
        if isinstance(v, sp.Indexed) and v.base == x:
            return self.Xn[v.indices[0], self.comp]
        return self._w(v.indices[0] if isinstance(v, sp.Indexed) else None, self.comp)

    def to_numeric(self, expr):
        """Table look-ups ``_X(i, l)`` ... in place of ``Xn[i, l]`` for lambdify."""
        names = {self.Xn: "_X", self.Wn: "_W", self.Bn: "_B", self.Yn: "_Y"}
        mapping = {lam: self.l2}
        for a in expr.atoms(sp.Indexed):
            if a.base in names:
                mapping[a] = sp.Function(names[a.base])(*a.indices)
        return expr.xreplace(mapping)

    def canonical(self, expr):
        """The gradient matrix is checked entry by entry as dJ/dW[l, k] on the grid."""
        if expr == grad_W:
            return sp.Derivative(J, w[k])
        if expr == grad_w:
            return sp.Derivative(J, w_vec)
        return expr

    def _derivative(self, D):
        expr, var = D.expr, D.variables[0]
        if isinstance(var, sp.Indexed) and var.base == z:
            return sp.diff(expr, var)
        e = self._parameters(expr)
        if isinstance(var, sp.Indexed) and var.base == w:
            return sp.diff(e, self._w(var.indices[0], self.comp))
        if var == w_vec:
            return sp.diff(e, self._w(None, self.comp))
        if isinstance(var, sp.Indexed) and var.base == b:
            return sp.diff(e, self.Bn[var.indices[0]])
        if var == b_scalar:
            return sp.diff(e, self.Bn[1])
        raise ValueError(f"cannot differentiate with respect to {var}")

    def _matrices(self, e, n):
        M, D = M_SAMPLES, D_FEATURES
        e = e.xreplace({m: M, C: n})
        table = {}
        for s in e.atoms(sp.MatrixSymbol):
            name = s.name
            if name == "X":
                table[s] = sp.Matrix(M, D, lambda r, q: self.Xn[r + 1, q + 1])
            elif name == "F":
                table[s] = sp.Matrix(M, n, lambda r, q: f[r + 1, q + 1])
            elif name == "Y":
                table[s] = sp.Matrix(M, n, lambda r, q: sp.KroneckerDelta(self.Yn[r + 1], q + 1))
            elif name == "W":
                table[s] = sp.Matrix(D, n, lambda r, q: self.Wn[r + 1, q + 1])
            elif name == "w":
                table[s] = sp.Matrix(D, 1, lambda r, q: self.Wn[r + 1, 1])
            elif name == "y_vec":
                table[s] = sp.Matrix(M, 1, lambda r, q: self.Yn[r + 1])
            elif name == "s_Xw":
                table[s] = sp.Matrix(M, 1, lambda r, q: Sigmoid(z[r + 1]))
        if not table:
            return None
        explicit = sp.Matrix(e.xreplace(table).doit())
        return explicit.applyfunc(lambda a: self._parameters(self._definitions(a, n)))

    def instantiate(self, expr, n: int):
        matrix = self._matrices(expr, n)
        if matrix is not None:
            return matrix
        e = self._definitions(expr, n)
        e = e.replace(lambda a: isinstance(a, sp.Derivative), self._derivative)
        return self._parameters(e.doit())

    # -- the grid ----------------------------------------------------------------
    def points(self, n: int, rng: np.random.Generator, n_points: int):
        P, M, D = n_points, M_SAMPLES, D_FEATURES
        ncol = n if self.kind == "softmax" else 1
        X = rng.normal(size=(P, M + 1, D + 1))  # index 0 unused: the note counts from 1
        W = rng.normal(size=(P, D + 1, ncol + 1))
        B = rng.normal(size=(P, ncol + 1))
        if self.kind == "softmax":
            Y = rng.integers(1, n + 1, size=(P, M + 1))
        elif self.kind == "logistic":
            Y = rng.integers(0, 2, size=(P, M + 1))
        else:
            Y = rng.normal(size=(P, M + 1))
        shape = (P, ncol, D)
        p_index = np.arange(P).reshape(P, 1, 1)

        def lookup(table):
            def get(*index):
                return table[(p_index, *(np.asarray(a) for a in index))]

            return get

        namespace = {"_" + name: lookup(t) for name, t in zip("XWBY", (X, W, B, Y), strict=True)}
        symbols = [k, self.comp]
        arrays = [np.arange(1, ncol + 1).reshape(1, ncol, 1), np.arange(1, D + 1).reshape(1, 1, D)]
        return symbols, arrays, shape, (X, W, B, Y), namespace

    def reference_values(self, tables, n: int) -> np.ndarray:
        """Finite differences of the numeric loss in W, on the grid ``(point, k, l)``."""

        X, W, B, Y = tables
        P = X.shape[0]
        ncol = n if self.kind == "softmax" else 1
        out = np.empty((P, ncol, D_FEATURES))
        strength = self.l2
        for p in range(P):
            fun = _numeric_loss(self.kind, X[p, 1:, 1:], B[p, 1:], Y[p, 1:], strength)
            out[p] = central_difference(fun, W[p, 1:, 1:].copy()).T
        return out


def _numeric_loss(kind: str, X, B, Y, strength: float):
    """The loss as a NumPy function of the weights, for the finite-difference check."""
    import gradlab

    if kind == "softmax":
        return lambda V: gradlab.loss(V, B, X, Y - 1, l2=strength)
    if kind == "logistic":
        # binary cross-entropy is softmax regression with logits (0, z)
        zero = np.zeros((X.shape[1], 1))
        return lambda V: gradlab.loss(
            np.hstack([zero, V]), np.array([0.0, B[0]]), X, Y, l2=strength
        )
    # squared error: gradlab has no linear model, so it is written out here
    return lambda V: 0.5 * np.mean((X @ V[:, 0] - Y) ** 2) + 0.5 * strength * np.sum(V**2)
