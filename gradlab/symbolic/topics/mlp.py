r"""Backpropagation through a two-layer network, one sample, in index form.

The network of :mod:`gradlab.mlp` for one sample ``x`` with label ``y_i``:
``z¹_j = Σ_l W¹_{lj} x_l + b¹_j``, ``h_j = φ(z¹_j)``, ``z²_k = Σ_j W²_{jk} h_j + b²_k``,
``f = softmax(z²)`` and ``J_i = -Σ_c I(y_i = c) log f_c`` (eq 1 for one sample).

Each topic walks the chain rule one factor per line, from the loss down to the parameter;
eq (2) is reused for ``∂J_i/∂z²``. :class:`~gradlab.symbolic.topics.mlp_model.NetworkSample`
says what every symbol means, so that :meth:`Derivation.verify` checks each line at random
networks and the result against finite differences of gradlab's numeric model.
"""

from __future__ import annotations

import sympy as sp

from gradlab.symbolic import prose
from gradlab.symbolic.notation import C, J_i, c, f, indicator, j, k, l, y_i
from gradlab.symbolic.steps import Derivation, Lines
from gradlab.symbolic.topics.mlp_model import (
    ACTIVATIONS,
    B1,
    B2,
    W1,
    W2,
    Z1,
    Z2,
    Chain,
    DPhi,
    Hj,
    NetworkSample,
    Positive,
    Xl,
)

__all__ = ["TOPICS"]


# ----------------------------------------------------------------------------- the topics


def _d(a, b):
    return sp.Derivative(a, b, evaluate=False)


def _product(*factors):
    return Chain(*factors)


def _eq2(index):
    """Eq (2) from its own derivation, for class ``index``: ``f - I(y_i = index)``."""
    from gradlab.symbolic import derive

    return derive("softmax_dz").result.xreplace({k: index})


def _no_l2(topic, l2):
    if l2:
        raise ValueError(
            f"l2=True changes only the weight gradients of the mean loss J; {topic!r} derives "
            "the gradient of one sample's loss J_i, which has no penalty"
        )


def _derivation(topic, title, lines, n_classes, wrt, activations=ACTIVATIONS):
    where = "general $C$" if n_classes is None else f"$C = {n_classes}$"
    title = f"{title}, {where}"
    return Derivation(
        topic=topic, title=prose.plain(title), title_latex=title, steps=lines.steps,
        n_classes=n_classes, l2=False, tag="", _model=NetworkSample(wrt, activations),
    )  # fmt: skip


_DZ2 = r"$\partial J_i/\partial z^{2}_k = f_k - \mathbb{I}(y_i = k)$"
_OUTPUT = r"the output layer is softmax regression on $h$: eq (2) with $z = z^{2}$"


def mlp_dz2(n_classes=None, l2=False) -> Derivation:
    _no_l2("mlp_dz2", l2)
    n = C if n_classes is None else n_classes
    lines = Lines()
    lines.add(
        -sp.Sum(indicator(y_i, c) * sp.log(f[c]), (c, 1, n)),
        r"the loss of one sample, eq (1), with $f = \mathrm{softmax}(z^{2})$ and "
        r"$z^{2}_k = \sum_j W^{2}_{jk} h_j + b^{2}_k$",
        "definition",
        lhs=J_i,
    )
    lines.add(_eq2(k), _OUTPUT + r", derived in topic $\mathtt{softmax\_dz}$", "eq (2)",
              lhs=_d(J_i, Z2(k)))  # fmt: skip
    title = r"$\partial J_i/\partial z^{2}_k$ at the output of a two-layer network"
    return _derivation("mlp_dz2", title, lines, n_classes, "Z2")


def mlp_dw2(n_classes=None, l2=False) -> Derivation:
    _no_l2("mlp_dw2", l2)
    n = C if n_classes is None else n_classes
    lines = Lines()
    lines.add(
        _product(_d(J_i, Z2(k)), _d(Z2(k), B2(k))),
        r"chain rule: $b^{2}_k$ reaches $J_i$ only through $z^{2}_k$",
        "chain rule",
        lhs=_d(J_i, B2(k)),
    )
    lines.add(_eq2(k), r"$\partial z^{2}_k/\partial b^{2}_k = 1$, and eq (2): " + _DZ2,
              "eq (2)")  # fmt: skip
    lines.add(
        sp.Sum(_product(_d(J_i, Z2(c)), _d(Z2(c), W2(j, k))), (c, 1, n)),
        r"chain rule: $W^{2}_{jk}$ reaches $J_i$ only through the logits $z^{2}_c$",
        "chain rule",
        lhs=_d(J_i, W2(j, k)),
    )
    lines.add(
        _product(_d(J_i, Z2(k)), _d(Z2(k), W2(j, k))),
        r"$z^{2}_c = \sum_j W^{2}_{jc} h_j + b^{2}_c$ holds $W^{2}_{jk}$ only "
        r"for $c = k$: the single term $c = k$",
        "single term",
    )
    lines.add(_product(_d(J_i, Z2(k)), Hj(j)),
              r"$\partial z^{2}_k/\partial W^{2}_{jk} = h_j$", "derivative of z")  # fmt: skip
    lines.add(_product(_eq2(k), Hj(j)), "eq (2): " + _DZ2 + " (topic $\\mathtt{mlp\\_dz2}$)",
              "eq (2)")  # fmt: skip
    title = r"$\partial J_i/\partial b^{2}_k$ and $\partial J_i/\partial W^{2}_{jk}$"
    return _derivation("mlp_dw2", title, lines, n_classes, "W2")


def _dh_lines(lines, n):
    lines.add(
        sp.Sum(_product(_d(J_i, Z2(c)), _d(Z2(c), Hj(j))), (c, 1, n)),
        r"chain rule: $h_j$ feeds every logit $z^{2}_c$ (a fork), so the "
        r"contributions of all $C$ paths add up",
        "chain rule",
        lhs=_d(J_i, Hj(j)),
    )
    lines.add(
        sp.Sum(_product(_d(J_i, Z2(c)), W2(j, c)), (c, 1, n)),
        r"$\partial z^{2}_c/\partial h_j = W^{2}_{jc}$",
        "derivative of z",
    )
    return lines.add(sp.Sum(_product(_eq2(c), W2(j, c)), (c, 1, n)),
                     "eq (2) for every class $c$", "eq (2)")  # fmt: skip


def mlp_dh(n_classes=None, l2=False) -> Derivation:
    _no_l2("mlp_dh", l2)
    lines = Lines()
    _dh_lines(lines, C if n_classes is None else n_classes)
    title = r"$\partial J_i/\partial h_j$: the gradient reaching the hidden layer"
    return _derivation("mlp_dh", title, lines, n_classes, "H")


_PHI_PRIME = {
    "relu": (lambda: Positive(Z1(j)), r"$\mathrm{relu}'(z) = \mathbb{I}(z > 0)$"),
    "tanh": (lambda: 1 - Hj(j) ** 2,
             r"$\mathrm{tanh}'(z) = 1 - \mathrm{tanh}^2(z)$, and $h_j = \mathrm{tanh}(z^{1}_j)$"),
    "sigmoid": (lambda: _product(Hj(j), 1 - Hj(j)),
                r"$\sigma'(z) = \sigma(z)(1 - \sigma(z))$, and $h_j = \sigma(z^{1}_j)$"),
}  # fmt: skip


def _dz1_lines(lines, n, activation=None):
    lines.add(
        _product(_d(J_i, Hj(j)), _d(Hj(j), Z1(j))),
        r"chain rule: $z^{1}_j$ reaches $J_i$ only through $h_j = φ(z^{1}_j)$",
        "chain rule",
        lhs=_d(J_i, Z1(j)),
    )
    lines.add(
        _product(_d(J_i, Hj(j)), DPhi(Z1(j))),
        r"$\partial h_j/\partial z^{1}_j = φ'(z^{1}_j)$: the derivative at the "
        r"input $z^{1}_j$ of the activation",
        "derivative of φ",
    )
    dh = sp.Sum(_product(_eq2(c), W2(j, c)), (c, 1, n))
    rhs = lines.add(_product(dh, DPhi(Z1(j))),
                    r"$\partial J_i/\partial h_j$ from topic $\mathtt{mlp\_dh}$", "backprop")  # fmt: skip
    if activation is not None:
        prime, reason = _PHI_PRIME[activation]
        rhs = lines.add(_product(dh, prime()), reason, f"derivative of {activation}")
    return rhs


def _dz1_topic(activation):
    def build(n_classes=None, l2=False) -> Derivation:
        topic = "mlp_dz1" + ("" if activation is None else f"_{activation}")
        _no_l2(topic, l2)
        lines = Lines()
        _dz1_lines(lines, C if n_classes is None else n_classes, activation)
        what = "any φ" if activation is None else f"φ = {activation}"
        title = rf"$\partial J_i/\partial z^{{1}}_j$ through the activation, {what}"
        acts = ACTIVATIONS if activation is None else (activation,)
        return _derivation(topic, title, lines, n_classes, "Z1", acts)

    return build


def mlp_dw1(n_classes=None, l2=False) -> Derivation:
    _no_l2("mlp_dw1", l2)
    n = C if n_classes is None else n_classes
    lines = Lines()
    dz1 = _product(sp.Sum(_product(_eq2(c), W2(j, c)), (c, 1, n)), DPhi(Z1(j)))
    lines.add(_product(_d(J_i, Z1(j)), _d(Z1(j), B1(j))),
              r"chain rule: $b^{1}_j$ reaches $J_i$ only through $z^{1}_j$", "chain rule",
              lhs=_d(J_i, B1(j)))  # fmt: skip
    lines.add(_d(J_i, Z1(j)), r"$\partial z^{1}_j/\partial b^{1}_j = 1$", "derivative of z")
    lines.add(dz1, r"$\partial J_i/\partial z^{1}_j$ from topic $\mathtt{mlp\_dz1}$",
              "backprop")  # fmt: skip
    lines.add(_product(_d(J_i, Z1(j)), _d(Z1(j), W1(l, j))),
              r"chain rule: $W^{1}_{lj}$ reaches $J_i$ only through $z^{1}_j = "
              r"\sum_l W^{1}_{lj} x_l + b^{1}_j$", "chain rule", lhs=_d(J_i, W1(l, j)))  # fmt: skip
    lines.add(_product(_d(J_i, Z1(j)), Xl(l)),
              r"$\partial z^{1}_j/\partial W^{1}_{lj} = x_l$", "derivative of z")  # fmt: skip
    lines.add(_product(dz1, Xl(l)), r"$\partial J_i/\partial z^{1}_j$ from topic "
              r"$\mathtt{mlp\_dz1}$", "backprop")  # fmt: skip
    title = r"$\partial J_i/\partial b^{1}_j$ and $\partial J_i/\partial W^{1}_{lj}$"
    return _derivation("mlp_dw1", title, lines, n_classes, "W1")


def mlp_backprop(n_classes=None, l2=False) -> Derivation:
    _no_l2("mlp_backprop", l2)
    n = C if n_classes is None else n_classes
    lines = Lines()
    path = sp.Sum(
        _product(_d(J_i, Z2(c)), _d(Z2(c), Hj(j)), _d(Hj(j), Z1(j)), _d(Z1(j), W1(l, j))),
        (c, 1, n),
    )
    lines.add(path, r"the chain rule along every path from $W^{1}_{lj}$ to $J_i$: through "
              r"$z^{1}_j$, $h_j$ and each of the $C$ logits $z^{2}_c$", "chain rule",
              lhs=_d(J_i, W1(l, j)))  # fmt: skip
    lines.add(
        sp.Sum(_product(_eq2(c), W2(j, c), DPhi(Z1(j)), Xl(l)), (c, 1, n)),
        r"one factor per layer: eq (2), $W^{2}_{jc}$, $φ'(z^{1}_j)$ and $x_l$",
        "local derivatives",
    )
    lines.add(
        _product(sp.Sum(_product(_eq2(c), W2(j, c)), (c, 1, n)), DPhi(Z1(j)), Xl(l)),
        r"take $φ'(z^{1}_j)\, x_l$ out of the sum over $c$: backpropagation computes the "
        r"sum (the gradient at $h_j$) once and reuses it for every $l$",
        "factor",
    )
    title = r"the whole chain: $\partial J_i/\partial W^{1}_{lj}$ from the loss down"
    return _derivation("mlp_backprop", title, lines, n_classes, "W1")


# name -> (builder, one-line description)
TOPICS = {
    "mlp_dz2": (mlp_dz2, "dJ_i/dz²_k = f_k - I(y_i = k) at a two-layer network's output (eq 2)"),
    "mlp_dw2": (mlp_dw2, "dJ_i/db²_k = f_k - I(y_i = k) and dJ_i/dW²_jk = (f_k - I(y_i = k)) h_j"),
    "mlp_dh": (mlp_dh, "dJ_i/dh_j = Σ_c (f_c - I(y_i = c)) W²_jc: the fork h -> every class"),
    "mlp_dz1": (_dz1_topic(None), "dJ_i/dz¹_j = (dJ_i/dh_j) φ′(z¹_j), for any activation φ"),
    "mlp_dz1_relu": (_dz1_topic("relu"), "dJ_i/dz¹_j with relu′(z) = I(z > 0)"),
    "mlp_dz1_tanh": (_dz1_topic("tanh"), "dJ_i/dz¹_j with tanh′(z) = 1 - h_j²"),
    "mlp_dz1_sigmoid": (_dz1_topic("sigmoid"), "dJ_i/dz¹_j with σ′(z) = h_j (1 - h_j)"),
    "mlp_dw1": (mlp_dw1, "dJ_i/db¹_j = dJ_i/dz¹_j and dJ_i/dW¹_lj = (dJ_i/dz¹_j) x_l"),
    "mlp_backprop": (mlp_backprop, "the whole chain from J_i down to W¹_lj, one factor per layer"),
}
