"""Gradients with respect to the weights: eq (3) for softmax, logistic and linear regression.

Each follows the lecture's last line: J is the mean of the per-sample losses
J_i, a weight reaches J_i only through the logit z (chain rule), dz/dw = x_i,
and dJ_i/dz comes from the per-sample derivation (eq 2 or its binary twin).
"""

from __future__ import annotations

import sympy as sp

from gradlab.symbolic import prose, rules
from gradlab.symbolic.models import BinarySample, Dataset
from gradlab.symbolic.notation import (
    C,
    Dot,
    J,
    J_i,
    J_sample,
    Sigmoid,
    b,
    b_scalar,
    c,
    d,
    f,
    grad_W,
    grad_w,
    i,
    indicator,
    k,
    label,
    lam,
    m,
    sigma,
    w,
    w_vec,
    x,
    y,
    y_i,
    z,
    zeta,
)
from gradlab.symbolic.steps import Derivation, Lines

_PENALTY = r" plus the L2 penalty $(\lambda/2) \|\mathbf{W}\|^2$ (the bias is not penalized)"
_PENALTY_W_GRADIENT = r"; $(\lambda/2) \mathbf{w}^\top \mathbf{w}$ contributes $\lambda \mathbf{w}$"
_PENALTY_W = r" plus the L2 penalty $(\lambda/2) \|\mathbf{w}\|^2$ (the bias is not penalized)"


def _is_sample_loss(a) -> bool:
    return isinstance(a, sp.Indexed) and a.base == J_sample


def _chain_through_logit(lines, loss, param, logit_of, penalty_note):
    rhs = rules.chain_rule(sp.Derivative(loss, param), _is_sample_loss)
    rhs = rules.on_sums(rhs, lambda s: rules.sift(s, param.indices[0]) if param.is_Indexed else s)
    rhs = rules.through_logit(rhs, param, logit_of)
    reason = "$J$ is the mean of the $J_i$, and the parameter enters $J_i$ only through its logit"
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


def softmax_dw(n_classes=None, l2=0.0) -> Derivation:
    from gradlab.symbolic import derive

    n = C if n_classes is None else n_classes
    loss = sp.Sum(J_sample[i], (i, 1, m)) / m
    if l2:
        loss += lam / 2 * sp.Sum(Dot(w[c], w[c]), (c, 1, n))
    lines = Lines()
    lines.add(
        loss,
        r"eq (1): the mean over the samples of $J_i = -\sum_j \mathbb{I}(y_i = j) \log f_j$, "
        r"with $z_k = \mathbf{w}_k^\top \mathbf{x}_i + b_k$" + (_PENALTY if l2 else ""),
        "definition",
        lhs=J,
    )
    # eq (2), from its own derivation, for sample i: y_i -> y[i], f_k -> f_k(x_i)
    eq2 = derive("softmax_dz", n_classes=n_classes).result
    eq2 = eq2.xreplace({y_i: y[i], f[k]: f[i, k]})

    def logit(sample):
        return z[sample, k]

    note = (
        r"; $(\lambda/2) \sum_c \mathbf{w}_c^\top \mathbf{w}_c$ contributes "
        r"$\lambda \mathbf{w}_k$"
        if l2
        else ""
    )
    rhs = _chain_through_logit(lines, loss, w[k], logit, note)
    rhs = lines.add(
        _logit_derivative(rhs, lambda s: Dot(w[k], x[s]) + b[k]),
        r"$z_k = \mathbf{w}_k^\top \mathbf{x}_i + b_k$, so "
        r"$\partial z_k/\partial \mathbf{w}_k = \mathbf{x}_i$",
        "derivative of z",
    )
    rhs = lines.add(
        _substitute(rhs, eq2),
        r"eq (2): $\partial J_i/\partial z_k = f_k - \mathbb{I}(y_i = k)$, derived "
        r"in topic $\mathtt{softmax\_dz}$",
        "eq (2)",
    )
    result_w = rhs

    rhs = _chain_through_logit(lines, loss, b[k], logit, "")
    lines.add(
        _substitute(_logit_derivative(rhs, lambda s: Dot(w[k], x[s]) + b[k]), eq2),
        r"$\partial z_k/\partial b_k = 1$, and eq (2)",
        "eq (2)",
    )

    X = sp.MatrixSymbol("X", m, d)
    F = sp.MatrixSymbol("F", m, n)
    Y = sp.MatrixSymbol("Y", m, n)
    W = sp.MatrixSymbol("W", d, n)
    stacked = rules.stack_samples(
        result_w, i, lambda s: x[s], {f[i, k]: F, indicator(y[i], k): Y}, X
    ).xreplace({w[k]: W})
    lines.add(
        stacked,
        r"stack the columns $\mathbf{w}_k$ into $\mathbf{W}$: row $i$ of $\mathbf{X}$ is "
        r"$\mathbf{x}_i^\top$, $\mathbf{F}$ holds $f_k(\mathbf{x}_i)$, $\mathbf{Y}$ holds "
        r"$\mathbb{I}(y_i = k)$ (one-hot)",
        "matrix form",
        lhs=grad_W,
    )
    where = "general $C$" if n_classes is None else f"$C = {n_classes}$"
    title = (
        r"$\partial J/\partial \mathbf{w}_k$, $\partial J/\partial b_k$ and "
        rf"$\nabla_{{\mathbf{{W}}}} J$ for softmax regression, {where} (eq 3)"
        + (", L2-regularized" if l2 else "")
    )
    return Derivation(
        topic="softmax_dw",
        title=prose.plain(title),
        title_latex=title,
        steps=lines.steps,
        n_classes=n_classes,
        l2=l2,
        tag="3",
        _model=Dataset("softmax", l2, loss),
    )


# ----------------------------------------------------------------------------- logistic


def binary_cross_entropy():
    """``J_i = -(y_i log sigma + (1 - y_i) log(1 - sigma))`` with ``sigma = sigma(z)``."""
    return -(label * sp.log(sigma) + (1 - label) * sp.log(1 - sigma))


def sigmoid_derivative(derivative: sp.Derivative):
    """``d sigma/dz = sigma (1 - sigma)``, checked by SymPy against ``sigma = 1/(1 + exp(-z))``."""
    definition = 1 / (1 + sp.exp(-zeta))
    claim = sigma * (1 - sigma)
    if sp.simplify(sp.diff(definition, zeta) - claim.xreplace({sigma: definition})) != 0:
        raise AssertionError("the sigmoid derivative rule does not hold")  # pragma: no cover
    return claim


def logistic_dz(n_classes=None, l2=0.0) -> Derivation:
    _binary_only("logistic_dz", n_classes)
    if l2:
        raise ValueError(
            "an L2 weight changes only weight gradients: the penalty (λ/2)‖w‖² does not depend "
            "on z; derive 'logistic_dw' with l2 > 0"
        )
    lines = Lines()
    loss = binary_cross_entropy()
    lines.add(
        loss,
        r"binary cross-entropy of one sample, label $y_i \in \{0, 1\}$, "
        r"$\sigma = \sigma(z) = 1 / (1 + \exp(-z))$",
        "definition",
        lhs=J_i,
    )
    rhs = rules.chain_rule(sp.Derivative(loss, zeta), lambda a: a == sigma)
    lines.add(
        rhs,
        r"chain rule through log: $\partial \log \sigma / \partial z = "
        r"(1/\sigma)\, \partial \sigma/\partial z$",
        "chain rule",
        lhs=sp.Derivative(J_i, zeta),
    )
    rhs = rhs.replace(
        lambda e: isinstance(e, sp.Derivative) and e.expr == sigma, sigmoid_derivative
    )
    lines.add(
        rhs,
        r"$\partial \sigma/\partial z = \sigma (1 - \sigma)$; cancel $\sigma$ and "
        r"$1 - \sigma$",
        "sigmoid derivative",
    )
    # the result names its argument, sigma(z), so that it reads (and is typed) as one formula
    lines.add(
        sp.expand(rhs).xreplace({sigma: Sigmoid(zeta)}),
        r"multiply out: the $y_i \sigma$ terms cancel",
        "expand",
    )
    title = (
        r"$\partial J_i/\partial z$ for logistic regression "
        "(binary cross-entropy with a sigmoid)"
    )
    return Derivation(
        topic="logistic_dz",
        title=prose.plain(title),
        title_latex=title,
        steps=lines.steps,
        n_classes=None,
        _model=BinarySample(binary_cross_entropy),
    )


def _binary_only(topic, n_classes):
    if n_classes not in (None, 2):
        raise ValueError(f"{topic} is a binary model: n_classes must be None or 2; got {n_classes}")


def _weights_topic(kind, l2):
    """J for logistic or linear regression, as the topic records define it."""
    if kind == "logistic":
        data = sp.Sum(J_sample[i], (i, 1, m)) / m
    else:
        data = sp.Sum((Dot(w_vec, x[i]) - y[i]) ** 2, (i, 1, m)) / (2 * m)
    penalty = lam / 2 * Dot(w_vec, w_vec) if l2 else 0
    return data + penalty


def _logistic_dz_of_sample():
    """``dJ_i/dz_i`` from the derivation of topic logistic_dz, for sample i."""
    from gradlab.symbolic import derive

    return derive("logistic_dz").result.xreplace({zeta: z[i], label: y[i]})


def logistic_dw(n_classes=None, l2=0.0) -> Derivation:
    _binary_only("logistic_dw", n_classes)
    loss = _weights_topic("logistic", l2)
    eq_dz = _logistic_dz_of_sample()
    lines = Lines()
    lines.add(
        loss,
        r"the mean binary cross-entropy, with $z_i = \mathbf{w}^\top \mathbf{x}_i + b$"
        + (_PENALTY_W if l2 else ""),
        "definition",
        lhs=J,
    )
    note = _PENALTY_W_GRADIENT if l2 else ""
    rhs = _chain_through_logit(lines, loss, w_vec, lambda s: z[s], note)
    rhs = lines.add(
        _logit_derivative(rhs, lambda s: Dot(w_vec, x[s]) + b_scalar),
        r"$z_i = \mathbf{w}^\top \mathbf{x}_i + b$, so "
        r"$\partial z_i/\partial \mathbf{w} = \mathbf{x}_i$",
        "derivative of z",
    )
    result = lines.add(
        _substitute(rhs, eq_dz),
        r"$\partial J_i/\partial z_i = \sigma(z_i) - y_i$, derived in topic "
        r"$\mathtt{logistic\_dz}$",
        "logistic dz",
    )
    rhs = _chain_through_logit(lines, loss, b_scalar, lambda s: z[s], "")
    lines.add(
        _substitute(_logit_derivative(rhs, lambda s: Dot(w_vec, x[s]) + b_scalar), eq_dz),
        r"$\partial z_i/\partial b = 1$, and "
        r"$\partial J_i/\partial z_i = \sigma(z_i) - y_i$",
        "logistic dz",
    )
    X = sp.MatrixSymbol("X", m, d)
    s_vec = sp.MatrixSymbol("s_Xw", m, 1)
    y_vec = sp.MatrixSymbol("y_vec", m, 1)
    stacked = rules.stack_samples(
        result, i, lambda s: x[s], {Sigmoid(z[i]): s_vec, y[i]: y_vec}, X
    ).xreplace({w_vec: sp.MatrixSymbol("w", d, 1)})
    lines.add(
        stacked,
        r"stack the samples: row $i$ of $\mathbf{X}$ is $\mathbf{x}_i^\top$, "
        r"$\sigma(\mathbf{X}\mathbf{w} + b)$ and $\mathbf{y}$ hold $\sigma(z_i)$ and $y_i$",
        "matrix form",
        lhs=grad_w,
    )
    title = (
        r"$\partial J/\partial \mathbf{w}$, $\partial J/\partial b$ and "
        r"$\nabla_{\mathbf{w}} J$ for logistic regression" + (", L2-regularized" if l2 else "")
    )
    return Derivation(
        topic="logistic_dw",
        title=prose.plain(title),
        title_latex=title,
        steps=lines.steps,
        l2=l2,
        _model=Dataset("logistic", l2, loss),
    )


def linear_dw(n_classes=None, l2=0.0) -> Derivation:
    _binary_only("linear_dw", n_classes)
    loss = _weights_topic("linear", l2)
    lines = Lines()
    lines.add(
        loss,
        r"half the mean squared error of the predictions $\mathbf{w}^\top \mathbf{x}_i$"
        + (r" plus the L2 penalty $(\lambda/2) \|\mathbf{w}\|^2$" if l2 else ""),
        "definition",
        lhs=J,
    )
    rhs = rules.chain_rule(sp.Derivative(loss, w_vec), lambda a: isinstance(a, Dot) and a.has(x))
    lines.add(
        rhs,
        r"power rule and chain rule: $\partial (r^2)/\partial \mathbf{w} = "
        r"2r\, \partial r/\partial \mathbf{w}$ for the residual "
        r"$r = \mathbf{w}^\top \mathbf{x}_i - y_i$" + (_PENALTY_W_GRADIENT if l2 else ""),
        "chain rule",
        lhs=sp.Derivative(J, w_vec),
    )
    rhs = rules.evaluate_derivatives(rhs, lambda e: isinstance(e.expr, Dot))
    lines.add(
        rhs,
        r"$\partial (\mathbf{w}^\top \mathbf{x}_i) / \partial \mathbf{w} = \mathbf{x}_i$",
        "inner derivative",
    )
    rhs = rules.pull_constants_out_of_sums(rhs)
    result = lines.add(rhs, r"take the 2 out of the sum: $2/(2m) = 1/m$", "cancel")
    X = sp.MatrixSymbol("X", m, d)
    wm = sp.MatrixSymbol("w", d, 1)
    y_vec = sp.MatrixSymbol("y_vec", m, 1)
    stacked = rules.stack_samples(
        result, i, lambda s: x[s], {Dot(w_vec, x[i]): X * wm, y[i]: y_vec}, X
    ).xreplace({w_vec: wm})
    lines.add(
        stacked,
        r"stack the samples: row $i$ of $\mathbf{X}$ is $\mathbf{x}_i^\top$, so "
        r"$\mathbf{X}\mathbf{w}$ holds the $\mathbf{w}^\top \mathbf{x}_i$ and $\mathbf{y}$ "
        r"the $y_i$",
        "matrix form",
        lhs=grad_w,
    )
    title = (
        r"$\partial J/\partial \mathbf{w}$ and $\nabla_{\mathbf{w}} J$ for linear "
        "regression (squared error)" + (", L2-regularized" if l2 else "")
    )
    return Derivation(
        topic="linear_dw",
        title=prose.plain(title),
        title_latex=title,
        steps=lines.steps,
        l2=l2,
        _model=Dataset("linear", l2, loss),
    )
