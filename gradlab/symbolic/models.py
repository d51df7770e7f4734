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

from gradlab.symbolic.notation import C, J_i, f, j, k, softmax_definition, y_i, z

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

    def sizes(self, n_classes):
        return GENERAL_SIZES if n_classes is None else (n_classes,)

    def expand_definitions(self, expr, n):
        e = expr.xreplace({C: n}) if n is not C else expr
        if e.has(J_i):
            e = e.xreplace({J_i: self.loss(n)})
        return e.replace(_is_f, lambda a: softmax_definition(a.indices[-1], n))

    def instantiate(self, expr, n: int):
        """``expr`` for ``C = n``: definitions in, sums written out, derivatives taken.

        The logits become ``_z(index)`` so that ``z_k`` with a symbolic ``k`` can be
        looked up on the grid of :meth:`points`.
        """
        e = expand_sums(self.expand_definitions(expr, n)).doit()
        return e.replace(
            lambda a: isinstance(a, sp.Indexed) and a.base == z,
            lambda a: _LOGIT(a.indices[-1]),
        )

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

        def logit(index):
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
