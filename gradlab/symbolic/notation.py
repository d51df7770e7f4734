"""The lecture's symbols as SymPy objects, and the definitions behind them.

Class indices run over 1..C as in the note. ``f_j`` is kept as an abbreviation
(``f[j]``) so that the steps read like the lecture; :func:`expand_definitions`
puts ``f_j = exp(z_j) / sum_c exp(z_c)`` back in when a step is checked.
"""

from __future__ import annotations

import sympy as sp

__all__ = ["Exp", "indicator", "neg", "softmax_definition"]


class Exp(sp.Function):
    """``exp`` kept unevaluated, so ``exp(z_j) exp(z_k)`` is not merged into ``exp(z_j + z_k)``.

    SymPy folds products of exponentials into one; the lecture writes them apart.
    """

    nargs = 1

    def fdiff(self, argindex=1):
        return self

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return sp.exp(arg)


# Indices are positive integers: classes 1..C, samples 1..m, features 1..d.
i, j, k, c, l = sp.symbols("i j k c l", integer=True, positive=True)
C, m = sp.symbols("C m", integer=True, positive=True)
lam = sp.Symbol("lambda", positive=True)

z = sp.IndexedBase("z")  # logits: z[k] for one sample, z[i, k] for sample i
f = sp.IndexedBase("f")  # probabilities, same indexing as z
x = sp.IndexedBase("x")  # x[i] is the sample vector x_i
w = sp.IndexedBase("w")  # w[k] is the weight vector w_k
b = sp.IndexedBase("b")  # b[k] is the bias b_k
y = sp.IndexedBase("y")  # y[i] is the label of sample i
y_i = sp.Symbol("y_i", integer=True, positive=True)  # the label of "one sample"

J = sp.Symbol("J")
J_i = sp.Symbol("J_i")


def indicator(a, b_):
    """``I(a = b)``, the lecture's indicator, as a Kronecker delta."""
    return sp.KroneckerDelta(a, b_)


def neg(inner):
    """``-(inner)`` with the bracket kept, as the lecture writes ``-( ... )``."""
    return sp.Mul(sp.S.NegativeOne, inner, evaluate=False)


def softmax_sum(n_classes, sample=None):
    """``sum_{c=1}^C exp(z_c)``; written out term by term for an integer ``C``."""
    zc = z[c] if sample is None else z[sample, c]
    total = sp.Sum(Exp(zc), (c, 1, n_classes))
    return total.doit() if isinstance(n_classes, int) else total


def softmax_definition(a, n_classes, sample=None):
    """``f_a = exp(z_a) / sum_c exp(z_c)``."""
    za = z[a] if sample is None else z[sample, a]
    return Exp(za) / softmax_sum(n_classes, sample)
