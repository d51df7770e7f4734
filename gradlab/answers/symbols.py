"""The SymPy objects an answer is built from: the lecture's symbols, one of each.

Names come from this fixed list only, never from the student's text.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["C", "E", "b", "c", "dot", "f", "i", "j", "k", "l", "m", "w", "x", "y", "z"]

i, j, k, c, l = (sp.Symbol(name, integer=True, positive=True) for name in "ijkcl")
C = sp.Symbol("C", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
E = sp.E

# Softmax: z[i, k], f[i, k], y[i] (a label), x[i] (a feature vector), w[k], b[k].
# Logistic and linear regression use z[i], f[i], y[i], x[i] and the plain symbols w, b.
z = sp.IndexedBase("z", real=True)
f = sp.IndexedBase("f", positive=True)
y = sp.IndexedBase("y", integer=True)
x = sp.IndexedBase("x", real=True)
w = sp.IndexedBase("w", real=True)
b = sp.IndexedBase("b", real=True)
w_vec = sp.Symbol("w", real=True)
b_scalar = sp.Symbol("b", real=True)


class dot(sp.Function):
    """``dot(u, v) = u^T v`` for two feature-space vectors."""

    nargs = 2

    def _latex(self, printer):
        u, v = (printer._print(arg) for arg in self.args)
        return rf"{u}^{{\top}} {v}"


INDEX_SYMBOLS = {"i": i, "j": j, "k": k, "c": c, "l": l}
