"""The lecture's symbols as SymPy objects, and the definitions behind them.

Class indices run over 1..C as in the note. ``f_j`` is kept as an abbreviation
(``f[j]``) so that the steps read like the lecture; :func:`expand_definitions`
puts ``f_j = exp(z_j) / sum_c exp(z_c)`` back in when a step is checked.
"""

from __future__ import annotations

import functools

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


class Dot(sp.Function):
    """``a^T b`` of two vectors, kept as a product of symbols.

    Its derivative with respect to a vector is the other vector (``d(w^T x)/dw = x``),
    which is all the vector calculus the derivations need.
    """

    nargs = 2

    def fdiff(self, argindex=1):
        return self.args[1] if argindex == 1 else self.args[0]


class Sigmoid(sp.Function):
    """The logistic function ``sigma(z) = 1 / (1 + exp(-z))``; SymPy knows ``sigma' = sigma (1 - sigma)``."""

    nargs = 1

    def fdiff(self, argindex=1):
        return self * (1 - self)


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

# Bases whose label is also the name of a plain symbol get a label with assumptions, so
# that substituting the symbol J (or z, w, b) never reaches inside J_i (or z_k, w_k, b_k).
J_sample = sp.IndexedBase(sp.Symbol("J", real=True))  # J_sample[i] is the loss J_i of sample i
sigma = sp.Symbol("sigma")  # sigma(z), the logistic sigmoid of one sample
zeta = sp.Symbol("z", real=True)  # the single logit of binary logistic regression
label = sp.Symbol("y_i", integer=True, nonnegative=True)  # a binary label 0 or 1
w_vec = sp.Symbol("w", real=True)  # the weight vector of a binary model
b_scalar = sp.Symbol("b", real=True)
d = sp.Symbol("d", integer=True, positive=True)
grad_W = sp.Symbol("grad_W J")
grad_w = sp.Symbol("grad_w J")

J = sp.Symbol("J")
J_i = sp.Symbol("J_i")


def indicator(a, b_):
    """``I(a = b)``, the lecture's indicator, as a Kronecker delta."""
    return sp.KroneckerDelta(a, b_)


def neg(inner):
    """``-(inner)`` with the bracket kept, as the lecture writes ``-( ... )``."""
    return sp.Mul(sp.S.NegativeOne, inner, evaluate=False)


@functools.lru_cache(maxsize=256)  # built again and again while verifying a written-out C
def softmax_sum(n_classes, sample=None):
    """``sum_{c=1}^C exp(z_c)``; written out term by term for an integer ``C``."""
    zc = z[c] if sample is None else z[sample, c]
    total = sp.Sum(Exp(zc), (c, 1, n_classes))
    return total.doit() if isinstance(n_classes, int) else total


def softmax_definition(a, n_classes, sample=None):
    """``f_a = exp(z_a) / sum_c exp(z_c)``."""
    za = z[a] if sample is None else z[sample, a]
    return Exp(za) / softmax_sum(n_classes, sample)
