"""Gradients with respect to the weights: eq (3) for softmax, logistic and linear regression.

Each follows the lecture's last line: J is the mean of the per-sample losses
J_i, a weight reaches J_i only through the logit z (chain rule), dz/dw = x_i,
and dJ_i/dz comes from the per-sample derivation (eq 2 or its binary twin).
"""

from __future__ import annotations

import sympy as sp

from gradlab.symbolic import rules
from gradlab.symbolic.models import Dataset
from gradlab.symbolic.notation import (
    C,
    Dot,
    J,
    J_sample,
    b,
    c,
    d,
    f,
    grad_W,
    i,
    indicator,
    k,
    lam,
    m,
    w,
    x,
    y,
    z,
)
from gradlab.symbolic.steps import Derivation, Step

_PENALTY = " plus the L2 penalty (λ/2)‖W‖² (the bias is not penalized)"


class _Lines:
    """Collects steps; a new left-hand side starts a new group in the rendering."""

    def __init__(self):
        self.steps: list[Step] = []
        self.lhs = None

    def add(self, rhs, reason, rule, lhs=None):
        self.lhs = lhs if lhs is not None else self.lhs
        self.steps.append(Step(sp.Eq(self.lhs, rhs, evaluate=False), reason, rule))
        return rhs


def _is_sample_loss(a) -> bool:
    return isinstance(a, sp.Indexed) and a.base == J_sample


def _chain_through_logit(lines, loss, param, logit_of, penalty_note):
    rhs = rules.chain_rule(sp.Derivative(loss, param), _is_sample_loss)
    rhs = rules.on_sums(rhs, lambda s: rules.sift(s, param.indices[0]) if param.is_Indexed else s)
    rhs = rules.through_logit(rhs, param, logit_of)
    reason = "J is the mean of the J_i, and the parameter enters J_i only through its logit"
    return lines.add(
        rhs,
        reason + (penalty_note if penalty_note else ""),
        "chain rule",
        lhs=sp.Derivative(J, param),
    )


def _logit_derivative(expr, definition):
    """``dz_i/dparam`` evaluated by SymPy from the logit's definition ``z_i = ...``."""

    def rule(e):
        return sp.diff(definition(e.expr.indices[0]), e.variables[0])

    return expr.replace(
        lambda e: (
            isinstance(e, sp.Derivative) and isinstance(e.expr, sp.Indexed) and e.expr.base == z
        ),
        rule,
    )


def _substitute(expr, result):
    """Put the per-sample result ``dJ_i/dz`` (eq 2 or its binary twin) in."""
    return expr.replace(
        lambda e: isinstance(e, sp.Derivative) and _is_sample_loss(e.expr), lambda e: result
    )


def softmax_dw(n_classes=None, l2=False) -> Derivation:
    from gradlab.symbolic import derive

    n = C if n_classes is None else n_classes
    loss = sp.Sum(J_sample[i], (i, 1, m)) / m
    if l2:
        loss += lam / 2 * sp.Sum(Dot(w[c], w[c]), (c, 1, n))
    lines = _Lines()
    lines.add(
        loss,
        "eq (1): the mean over the samples of J_i = -Σ_j 𝕀(y_i = j) log f_j, "
        "with z_k = w_kᵀx_i + b_k" + (_PENALTY if l2 else ""),
        "definition",
        lhs=J,
    )
    # eq (2), from its own derivation, for sample i: y_i -> y[i], f_k -> f_k(x_i)
    from gradlab.symbolic.notation import f as f_base
    from gradlab.symbolic.notation import y_i

    eq2 = derive("softmax_dz", n_classes=n_classes).result
    eq2 = eq2.xreplace({y_i: y[i], f_base[k]: f[i, k]})
    logit = lambda s: z[s, k]

    note = "; (λ/2) Σ_c w_cᵀw_c contributes λ w_k" if l2 else ""
    rhs = _chain_through_logit(lines, loss, w[k], logit, note)
    rhs = lines.add(
        _logit_derivative(rhs, lambda s: Dot(w[k], x[s]) + b[k]),
        "z_k = w_kᵀx_i + b_k, so ∂z_k/∂w_k = x_i",
        "derivative of z",
    )
    rhs = lines.add(
        _substitute(rhs, eq2),
        "eq (2): ∂J_i/∂z_k = f_k - 𝕀(y_i = k), derived in derive('softmax_dz')",
        "eq (2)",
    )
    result_w = rhs

    rhs = _chain_through_logit(lines, loss, b[k], logit, "")
    lines.add(
        _substitute(_logit_derivative(rhs, lambda s: Dot(w[k], x[s]) + b[k]), eq2),
        "∂z_k/∂b_k = 1, and eq (2)",
        "eq (2)",
    )

    X = sp.MatrixSymbol("X", m, d)
    F = sp.MatrixSymbol("F", m, n)
    Y = sp.MatrixSymbol("Y", m, n)
    W = sp.MatrixSymbol("W", d, n)
    stacked = rules.stack_samples(
        result_w.xreplace({lam * w[k]: 0}) if l2 else result_w,
        i,
        lambda s: x[s],
        {f[i, k]: F, indicator(y[i], k): Y},
        X,
    )
    if l2:
        stacked = stacked + lam * W
    lines.add(
        stacked,
        "stack the columns w_k into W: row i of X is x_iᵀ, F holds f_k(x_i), "
        "Y holds 𝕀(y_i = k) (one-hot)",
        "matrix form",
        lhs=grad_W,
    )
    where = "general C" if n_classes is None else f"C = {n_classes}"
    return Derivation(
        topic="softmax_dw",
        title=f"∂J/∂w_k, ∂J/∂b_k and ∇_W J for softmax regression, {where} (eq 3)"
        + (", L2-regularized" if l2 else ""),
        steps=lines.steps,
        n_classes=n_classes,
        l2=l2,
        tag="3",
        _model=Dataset("softmax", l2, loss),
    )
