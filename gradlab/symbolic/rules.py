"""Rewrite rules: the moves of a hand derivation, each one a SymPy operation.

SymPy differentiates, but it neither splits a sum into ``j = k`` and ``j != k``
nor knows that the labels are one-hot; these rules supply exactly those moves
and nothing more. Each takes an expression and returns the rewritten one;
``Derivation.verify`` then checks independently that the value did not change.
"""

from __future__ import annotations

import sympy as sp

from gradlab.symbolic.notation import Exp

__all__ = [
    "chain_rule",
    "drop_delta_in_neq_sums",
    "evaluate_derivatives",
    "join_split_sum",
    "on_sums",
    "one_hot_sum",
    "pull_constants_out_of_sums",
    "pull_sign_out_of_sums",
    "quotient_rule",
    "rewrite_exp_as_f",
    "sift",
    "sift_written_out",
    "split_sum",
    "stack_samples",
    "through_logit",
]


def on_sums(expr, rule):
    """Apply ``rule`` to every ``Sum`` inside ``expr`` (innermost first)."""
    return expr.replace(lambda e: isinstance(e, sp.Sum), rule)


def chain_rule(derivative: sp.Derivative, depends_on):
    """Differentiate the outer function, keep ``d(inner)/d(var)`` unevaluated.

    ``depends_on(e)`` says which atoms (the abbreviations ``f_j``, ``z_k`` ...)
    are themselves functions of the variable. SymPy differentiates with each of
    them replaced by an unknown function of the variable, so ``d log f_j / dz_k``
    becomes ``(1/f_j) df_j/dz_k``: the chain rule, done by SymPy.
    """
    expr, var = derivative.expr, derivative.variables[0]
    candidates = expr.atoms(sp.Indexed, sp.Symbol, sp.Function)
    atoms = sorted((a for a in candidates if depends_on(a)), key=str)
    unknown = {a: sp.Function(f"_u{n}")(var) for n, a in enumerate(atoms)}
    back = {u: a for a, u in unknown.items()}
    d = sp.diff(expr.xreplace(unknown), var)
    d = d.replace(
        lambda e: isinstance(e, sp.Derivative) and e.expr in back,
        lambda e: sp.Derivative(back[e.expr], var, evaluate=False),
    )
    return d.xreplace(back)


def split_sum(s: sp.Sum, k):
    """``sum_j g = sum_{j=k} g + sum_{j!=k} g``, written with ``I(j = k)`` and ``1 - I(j = k)``."""
    j = s.limits[0][0]
    delta = sp.KroneckerDelta(j, k)
    return sp.Add(
        sp.Sum(s.function * delta, *s.limits), sp.Sum(s.function * (1 - delta), *s.limits)
    )


def sift(s: sp.Sum, k):
    """``sum_j g I(j = k) = g|_{j=k}`` (given ``1 <= k <= C``); other sums are left alone."""
    j = s.limits[0][0]
    delta = sp.KroneckerDelta(j, k)
    if not (isinstance(s.function, sp.Mul) and delta in s.function.args):
        return s
    return (s.function / delta).xreplace({j: k})


def drop_delta_in_neq_sums(s: sp.Sum, k):
    """Inside ``sum_{j != k}``, ``I(j = k) = 0``."""
    j = s.limits[0][0]
    delta = sp.KroneckerDelta(j, k)
    if not (isinstance(s.function, sp.Mul) and (1 - delta) in s.function.args):
        return s
    rest = s.function / (1 - delta)
    return sp.Sum(sp.expand_mul(rest).xreplace({delta: 0}) * (1 - delta), *s.limits)


def quotient_rule(derivative: sp.Derivative, definitions: dict, total):
    """``d(u/v)/dx = u'/v - u v'/v^2`` for an abbreviation ``f_a = u / v``.

    ``definitions`` maps the abbreviation to ``u / v``; ``total`` is the
    denominator ``v = sum_c exp(z_c)``, whose derivative SymPy gives as
    ``sum_c I(c = k) exp(z_c)`` and :func:`sift` reduces to ``exp(z_k)``.
    """
    var = derivative.variables[0]
    fraction = definitions[derivative.expr]
    u = fraction * total
    du = sp.diff(u, var)
    dv = sp.diff(total, var)
    k = var.indices[-1]
    dv = sift(dv, k) if isinstance(total, sp.Sum) else sift_written_out(dv, var)
    return du / total - u * dv / total**2


def sift_written_out(terms, var):
    """``I(1 = k) exp(z_1) + ... + I(C = k) exp(z_C) = exp(z_k)`` for ``k`` in ``1..C``.

    The written-out form of :func:`sift`; every term must have that shape.
    """
    k = var.indices[-1]
    seen = set()
    for term in sp.Add.make_args(sp.expand(terms)):
        deltas = [a for a in sp.Mul.make_args(term) if isinstance(a, sp.KroneckerDelta)]
        if len(deltas) != 1 or k not in deltas[0].args:
            raise ValueError(f"sift_written_out: {term} is not I(c = k) g(c)")
        c_ = deltas[0].args[0] if deltas[0].args[1] == k else deltas[0].args[1]
        if term / deltas[0] != Exp(var).xreplace({k: c_}):
            raise ValueError(f"sift_written_out: {term} is not I(c = k) exp(z_c)")
        seen.add(int(c_))
    if seen != set(range(1, len(seen) + 1)):
        raise ValueError("sift_written_out: the classes are not 1..C")
    return Exp(var)


def rewrite_exp_as_f(expr, f_of, total, indices):
    """Replace ``exp(z_a)`` by ``f_a * sum_c exp(z_c)`` for ``a`` in ``indices`` so the sums cancel."""
    # Only the classes named in the numerators: exp(z_c) inside the denominator, or the
    # exp(z_1), exp(z_2), ... of a written-out one, stay as they are.
    mapping = {
        e: f_of(e.args[0]) * total for e in expr.atoms(Exp) if e.args[0].indices[-1] in indices
    }
    return expr.xreplace(mapping)


def pull_sign_out_of_sums(expr):
    """``sum_j (-g) = -sum_j g``."""

    def rule(s):
        coeff, rest = s.function.as_coeff_Mul()
        if coeff.is_negative:
            return coeff * sp.Sum(rest, *s.limits)
        return s

    return on_sums(expr, rule)


def pull_constants_out_of_sums(expr):
    """``sum_i a g_i = a sum_i g_i`` for a number ``a``."""

    def rule(s):
        coeff, rest = s.function.as_coeff_Mul()
        return coeff * sp.Sum(rest, *s.limits) if coeff != 1 else s

    return on_sums(expr, rule)


def through_logit(expr, param, logit_of):
    """``dJ_i/dparam = dJ_i/dz dz/dparam``: the parameter reaches ``J_i`` only through the logit.

    ``logit_of(sample)`` is the logit of that sample that ``param`` enters.
    """

    def rule(e):
        loss_i = e.expr
        z_i = logit_of(loss_i.indices[0])
        return sp.Derivative(loss_i, z_i, evaluate=False) * sp.Derivative(
            z_i, param, evaluate=False
        )

    return expr.replace(
        lambda e: isinstance(e, sp.Derivative) and e.variables == (param,) and e.expr != param,
        rule,
    )


def evaluate_derivatives(expr, which):
    """Let SymPy evaluate the derivatives for which ``which(derivative)`` is true."""
    return expr.replace(lambda e: isinstance(e, sp.Derivative) and which(e), lambda e: e.doit())


def stack_samples(expr, sample, vector, entries, matrix):
    """``sum_i g(i) x_i = X^T G``: the per-sample sum of eq (3) as a matrix product.

    ``entries`` maps each per-sample scalar (``f_k`` of sample i, ``I(y_i = k)``) to the
    matrix holding it (``F``, ``Y``); ``matrix`` is ``X`` whose row ``i`` is ``x_i^T``.
    """

    def rule(s):
        i_ = s.limits[0][0]
        if i_ != sample:
            return s
        g = s.function / vector(i_)
        stacked = g.xreplace(entries)
        if stacked.has(i_):
            raise ValueError(f"stack_samples: no matrix for a term of {g}")
        return matrix.T * stacked

    return on_sums(expr, rule)


def join_split_sum(expr, k):
    """``a g|_{j=k} + a sum_{j!=k} g = a sum_j g``: the term ``j = k`` rejoins the sum."""
    terms = list(sp.Add.make_args(expr))
    for n, term in enumerate(terms):
        coeff, rest = term.as_coeff_Mul()
        if not isinstance(rest, sp.Sum):
            continue
        j = rest.limits[0][0]
        delta = sp.KroneckerDelta(j, k)
        body = rest.function
        if not (isinstance(body, sp.Mul) and (1 - delta) in body.args):
            continue
        g = body / (1 - delta)
        missing = coeff * g.xreplace({j: k})
        for m_, other in enumerate(terms):
            if m_ != n and sp.expand(other - missing) == 0:
                kept = [t for q, t in enumerate(terms) if q not in (n, m_)]
                return sp.Add(*kept, coeff * sp.Sum(g, *rest.limits))
    raise ValueError("join_split_sum: no term j = k matches the sum over j != k")


def one_hot_sum(expr, label):
    """``sum_j I(y = j) h = h`` when ``h`` does not depend on ``j``: exactly one class is ``y``."""

    def rule(s):
        j = s.limits[0][0]
        delta = sp.KroneckerDelta(label, j)
        body = s.function
        if isinstance(body, sp.Mul) and delta in body.args:
            h = body / delta
            if not h.has(j):
                return h
        if body == delta:
            return sp.S.One
        return s

    return on_sums(expr, rule)
