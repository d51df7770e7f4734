"""Softmax regression: eq (2) along the lecture's route, eq (3), and the softmax Jacobian."""

from __future__ import annotations

import sympy as sp

from gradlab.symbolic import prose, rules
from gradlab.symbolic.models import OneSample
from gradlab.symbolic.notation import (
    C,
    J_i,
    f,
    indicator,
    j,
    k,
    neg,
    softmax_definition,
    softmax_sum,
    y_i,
    z,
)
from gradlab.symbolic.steps import Derivation, Step


def _where(n_classes) -> str:
    return "general $C$" if n_classes is None else f"$C = {n_classes}$"


def _is_f(a) -> bool:
    return isinstance(a, sp.Indexed) and a.base == f


def per_sample_loss(n_classes):
    """``J_i = -sum_j I(y_i = j) log f_j``: eq (1) for one sample."""
    return -sp.Sum(indicator(y_i, j) * sp.log(f[j]), (j, 1, n_classes))


def dz_steps(n_classes) -> list[Step]:
    """The lecture's eq (2), one rule per line."""
    total = softmax_sum(n_classes)
    definitions = {f[a]: softmax_definition(a, n_classes) for a in (j, k)}
    loss = per_sample_loss(n_classes)
    steps = [
        Step.from_source(
            sp.Eq(J_i, loss, evaluate=False),
            r"the loss of one sample, eq (1), with $f_j = \exp(z_j) \,/\, \sum_c\, \exp(z_c)$",
            "definition",
        )
    ]
    lhs = sp.Derivative(J_i, z[k])

    def add(rhs, reason, rule):
        steps.append(Step.from_source(sp.Eq(lhs, rhs, evaluate=False), reason, rule))

    # -sum_j ... : keep the minus sign outside, as the lecture does, and rewrite inside.
    inner = -rules.chain_rule(sp.Derivative(loss, z[k]), _is_f)
    add(
        -inner,
        r"chain rule through log: $\partial \log f_j / \partial z_k = "
        r"(1/f_j)\, \partial f_j/\partial z_k$",
        "chain rule",
    )

    inner = rules.on_sums(inner, lambda s: rules.split_sum(s, k))
    add(
        neg(inner),
        r"split the sum over $j$ into the term $j = k$ and the terms $j \neq k$",
        "split sum",
    )

    inner = rules.on_sums(inner, lambda s: rules.sift(s, k))
    add(neg(inner), "the sum over $j = k$ has the single term $j = k$", "single term")

    inner = inner.replace(
        lambda e: isinstance(e, sp.Derivative) and e.expr in definitions,
        lambda e: rules.quotient_rule(e, definitions, total),
    )
    inner = rules.on_sums(inner, lambda s: rules.drop_delta_in_neq_sums(s, k))
    add(
        neg(inner),
        r"quotient rule on $f_j = \exp(z_j) \,/\, \sum_c\, \exp(z_c)$; for $j \neq k$ only "
        r"the denominator depends on $z_k$",
        "quotient rule",
    )

    inner = rules.rewrite_exp_as_f(inner, lambda zz: f[zz.indices[-1]], total, (j, k))
    add(
        neg(inner),
        r"$\exp(z_k) \,/\, \sum_c\, \exp(z_c) = f_k$: so $f_k - f_k^2$ for $j = k$, and "
        r"$f_j\, f_k$ for $j \neq k$, whose $f_j$ cancels the $1/f_j$ before it",
        "definition of f",
    )

    inner = sp.Add(*(t if t.has(sp.Sum) else sp.expand_mul(t) for t in sp.Add.make_args(inner)))
    inner = rules.pull_sign_out_of_sums(inner)
    add(
        neg(inner),
        r"multiply out the term $j = k$: $1/f_k$ cancels against $f_k$; take the minus sign "
        r"out of the sum over $j \neq k$",
        "cancel",
    )

    inner = rules.join_split_sum(inner, k)
    add(
        neg(inner),
        r"the term $j = k$ rejoins the sum over $j \neq k$; note that "
        r"$\sum_j \mathbb{I}(y_i = j) = 1$",
        "join sum",
    )

    inner = rules.one_hot_sum(inner, y_i)
    add(-inner, r"exactly one class is the label: $\sum_j \mathbb{I}(y_i = j) = 1$", "one-hot sum")
    return steps


def softmax_dz(n_classes=None, l2=0.0) -> Derivation:
    if l2:
        # accepting it would label an unregularized derivation as regularized
        raise ValueError(
            "an L2 weight changes only weight gradients: the penalty (λ/2)‖W‖² does not depend "
            "on z, so eq (2) is the same; derive 'softmax_dw' with l2 > 0"
        )
    n = C if n_classes is None else n_classes
    title = (
        r"$\partial J_i/\partial z_k$ for softmax cross-entropy, "
        f"{_where(n_classes)} (eq 2)"
    )
    return Derivation(
        topic="softmax_dz",
        title=prose.plain(title),
        title_latex=title,
        steps=dz_steps(n),
        n_classes=n_classes,
        l2=l2,
        tag="2",
        _model=OneSample(per_sample_loss),
    )


def softmax_jacobian(n_classes=None, l2=0.0) -> Derivation:
    if l2:
        raise ValueError(
            "an L2 weight needs a loss to penalize; the softmax Jacobian df_j/dz_k has none "
            "(derive 'softmax_dw' with l2 > 0 for the regularized gradient)"
        )
    n = C if n_classes is None else n_classes
    total = softmax_sum(n)
    definitions = {f[a]: softmax_definition(a, n) for a in (j, k)}
    steps = [
        Step.from_source(
            sp.Eq(f[j], definitions[f[j]], evaluate=False),
            "the softmax probability of class $j$",
            "definition",
        )
    ]
    lhs = sp.Derivative(f[j], z[k])

    def add(rhs, reason, rule):
        steps.append(Step.from_source(sp.Eq(lhs, rhs, evaluate=False), reason, rule))

    rhs = rules.quotient_rule(lhs, definitions, total)
    add(
        rhs,
        r"quotient rule: $\partial \exp(z_j)/\partial z_k = \mathbb{I}(j = k) \exp(z_j)$ "
        r"and $\partial \sum_c\, \exp(z_c) / \partial z_k = \exp(z_k)$",
        "quotient rule",
    )
    rhs = rules.rewrite_exp_as_f(rhs, lambda zz: f[zz.indices[-1]], total, (j, k))
    add(rhs, r"$\exp(z_j) \,/\, \sum_c\, \exp(z_c) = f_j$", "definition of f")
    add(sp.factor_terms(rhs), "take out the common factor $f_j$", "factor")
    title = r"$\partial f_j/\partial z_k$, the Jacobian of softmax, " + _where(n_classes)
    return Derivation(
        topic="softmax_jacobian",
        title=prose.plain(title),
        title_latex=title,
        steps=steps,
        n_classes=n_classes,
        tag="",
        _model=OneSample(per_sample_loss, reference="softmax"),
    )
