"""The catalogue of common mistakes, each as the numbers it would produce.

A wrong answer is matched against every known mistake on the same cases as
the grading; the first mistake whose numbers agree everywhere gives the hint.
The list runs from the most specific mistake to the least.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gradlab.answers.evaluate import Case, phi_prime
from gradlab.answers.topics import Topic, combine, network_parts, network_truth, sigmoid

__all__ = ["Mistake", "mistakes_for"]


@dataclass(frozen=True)
class Mistake:
    name: str
    hint: str
    # (n, 1) or (n, d), like Topic.truth; None where the mistake has no value (an index out
    # of range, as W²_cj is for a hidden unit j > C)
    values: Callable[[Case], np.ndarray | None]
    kind: str


HINTS = {
    "sign error": (
        "Sign error: the loss is the *negative* log-likelihood, so the derivative is "
        "f_k − 𝕀(y_i = k), not 𝕀(y_i = k) − f_k."
    ),
    "missing indicator": (
        "Missing indicator term: for the true class k = y_i the derivative has an extra −1; "
        "write it as −𝕀(y_i = k)."
    ),
    "missing indicator, sign error": (
        "Missing indicator term and a sign error: the derivative is f_k minus the indicator "
        "𝕀(y_i = k)."
    ),
    "indicator on the wrong index": (
        "Indicator on the wrong index: it compares the sample index i with k; compare the "
        "label y_i with k: 𝕀(y_i = k)."
    ),
    "probability on the wrong index": (
        "Wrong index: f_{y_i} is the probability of the true class; the derivative with "
        "respect to z_k involves f_k."
    ),
    "only the true class": (
        "This is only the case k = y_i: for k ≠ y_i the derivative is f_k (the indicator is "
        "0). One formula covers both: f_k − 𝕀(y_i = k)."
    ),
    "Jacobian diagonal": (
        "f_k(1 − f_k) is ∂f_k/∂z_k, the diagonal of the softmax Jacobian, not the derivative "
        "of the loss. Chain it through the log: ∂J_i/∂z_k = −(1/f_{y_i}) ∂f_{y_i}/∂z_k."
    ),
    "dropped log factor": (
        "Dropped the log's chain-rule factor: ∂(log f)/∂z = (1/f) ∂f/∂z; the 1/f_{y_i} "
        "cancels the f_{y_i} of the Jacobian."
    ),
    "sigmoid instead of softmax": (
        "σ(z_k) is the logistic sigmoid of one logit; softmax regression uses "
        "f_k = e^{z_k} / Σ_c e^{z_c}, which depends on all C logits."
    ),
    "jacobian sign error": (
        "Sign error: ∂f_j/∂z_k = f_j(δ_jk − f_k); the off-diagonal entries are negative."
    ),
    "diagonal only": (
        "This is only the diagonal j = k. For j ≠ k, ∂f_j/∂z_k = −f_j f_k; a Kronecker delta "
        "δ_jk joins both cases."
    ),
    "missing delta": "The 1 should be a Kronecker delta δ_jk: f_j(δ_jk − f_k).",
    "off-diagonal only": "This is only the case j ≠ k; add the diagonal term f_j δ_jk.",
    "logistic sign error": (
        "Sign error: the loss is the negative log-likelihood, so the derivative is σ(z) − y, "
        "not y − σ(z)."
    ),
    "missing label term": "Missing the label term: the derivative is σ(z) minus y.",
    "sigmoid derivative": (
        "σ(z)(1 − σ(z)) is dσ/dz, not the derivative of the loss; chain it through the log: "
        "d(log σ)/dz = 1 − σ(z)."
    ),
    "logistic dropped log factor": (
        "Dropped the log's chain-rule factor: d(log σ)/dz = (1/σ) dσ/dz; the 1/σ and "
        "1/(1 − σ) cancel the σ(1 − σ)."
    ),
    "squared error": (
        "This is the gradient of the squared error (σ(z) − y)²/2; the cross-entropy's log "
        "cancels the factor σ(z)(1 − σ(z))."
    ),
    "linear sign error": (
        "Sign error: the residual is the prediction minus the target, w^T x_i − y_i."
    ),
    "missing target": "Missing the target: the residual is w^T x_i − y_i.",
    "factor 2": ("Extra factor 2: the 1/2 in J = (1/2m) Σ_i (...)² cancels the 2 from the square."),
    "factor 1/2": (
        "Extra factor 1/2: the 2 from differentiating the square cancels the 1/2 in "
        "J = (1/2m) Σ_i (...)²."
    ),
    "squared-error factor 2": (
        "A factor 2 (or 1/2) from a squared error: the cross-entropy has no square. Its "
        "derivative is the prediction minus the target, with factor 1."
    ),
    "wrote the loss": (
        "This is the loss −log f_{y_i} itself, not its derivative: differentiate it with respect "
        "to z_k through f (the chain rule), which gives f_k − 𝕀(y_i = k)."
    ),
    "logistic wrote the loss": (
        "This is the loss −y log σ(z) − (1 − y) log(1 − σ(z)) itself, not its derivative: "
        "differentiate it with respect to z, which gives σ(z) − y."
    ),
    "stopped at dJ/df": (
        "This is ∂J_i/∂f_k = −𝕀(y_i = k)/f_k, the derivative with respect to the probability. "
        "Continue the chain rule through f = softmax(z): multiply by ∂f_j/∂z_k and sum over j."
    ),
    "stopped at dJ/dsigma": (
        "This is ∂J_i/∂σ = −y/σ + (1 − y)/(1 − σ), the derivative with respect to σ. Continue "
        "the chain rule: multiply by σ′(z) = σ(z)(1 − σ(z))."
    ),
    "logits as probabilities": (
        "z_k is a logit (a score), not a probability: the derivative uses the softmax "
        "probability f_k = e^{z_k} / Σ_c e^{z_c}."
    ),
    "logistic logits as probabilities": (
        "z is a logit (a score), not a probability: the derivative uses σ(z) = 1/(1 + e^{−z})."
    ),
    "missing f_j factor": (
        "δ_jk − f_k is missing the factor f_j: the quotient rule gives ∂f_j/∂z_k = f_j(δ_jk − f_k)."
    ),
    "diagonal for every pair": (
        "f_j(1 − f_j) is the diagonal entry ∂f_j/∂z_j; for j ≠ k, ∂f_j/∂z_k = −f_j f_k. "
        "Both in one formula: f_j(δ_jk − f_k)."
    ),
    "missing phi prime": (
        "Missing φ′: h_j = φ(z¹_j), so the chain rule through the activation multiplies "
        "∂J_i/∂h_j by ∂h_j/∂z¹_j = φ′(z¹_j)."
    ),
    "phi prime at the output": (
        "φ′ evaluated at the output: the activation's derivative is taken at its input, "
        "φ′(z¹_j); φ′(h_j) is φ′ at the wrong place (tanh′(z) = 1 − h_j², not 1 − tanh²(h_j))."
    ),
    "phi instead of phi prime": (
        "This multiplies by φ(z¹_j) = h_j, the activation itself; the chain rule needs its "
        "derivative φ′(z¹_j)."
    ),
    "tanh prime of z": (
        "tanh′(z¹_j) = 1 − tanh²(z¹_j) = 1 − h_j²: square the output h_j, not the input z¹_j."
    ),
    "transposed weight": (
        "Transposed weight: W² is H×C and z²_c = Σ_j W²_jc h_j, so ∂z²_c/∂h_j = W²_jc "
        "(row j, column c), not W²_cj."
    ),
    "network sign error": (
        "Sign error: at the output ∂J_i/∂z²_c = f_c − 𝕀(y_i = c) (eq 2), not 𝕀(y_i = c) − f_c; "
        "every factor below it keeps that sign."
    ),
    "forgot h_j": (
        "Forgot the factor ∂z²_k/∂W²_jk = h_j (z²_k = Σ_j W²_jk h_j + b²_k): this is ∂J_i/∂b²_k."
    ),
    "forgot x_l": (
        "Forgot the factor ∂z¹_j/∂W¹_lj = x_l (z¹_j = Σ_l W¹_lj x_l + b¹_j): this is ∂J_i/∂b¹_j."
    ),
    "summed over samples": (
        "∂J_i is the derivative of one sample's loss: no sum over the samples (the mean J "
        "would need the factor 1/m as well)."
    ),
    "bias missing": (
        "The bias is missing from the logit: z = w^T x_i + b, so the probability is computed "
        "from w^T x_i + b, not from w^T x_i alone."
    ),
}


def _parts(case: Case):
    """f_k, f_{y_i}, I(y_i = k) and I(i = k) for every sample, each (n, m) or (m,)."""
    k = case.indices["k"]
    labels = np.asarray(case.labels)
    Fk = case.F[:, :, k - 1]
    Fy = case.F[:, np.arange(case.m), labels - 1]
    return Fk, Fy, (labels == k).astype(float), (np.arange(1, case.m + 1) == k).astype(float)


def _jacobian(case: Case):
    j, k = case.indices["j"] - 1, case.indices["k"] - 1
    return case.F[:, :, j], case.F[:, :, k], float(j == k)


def _logistic(case: Case):
    return sigmoid(case.Z), np.asarray(case.labels, dtype=float)


def _unbiased(case: Case) -> np.ndarray:
    """The logits without the bias, w^T x_i: (n, m, C) softmax, (n, m) otherwise."""
    if case.B is None:
        return case.Z
    return case.Z - (case.B[:, None, :] if case.Z.ndim == 3 else case.B[:, None])


def _softmax_unbiased(case: Case) -> np.ndarray:
    Z = _unbiased(case)
    E = np.exp(Z - Z.max(axis=-1, keepdims=True))
    return E / E.sum(axis=-1, keepdims=True)


def _dz(c: Case):
    return _parts(c)[0] - _parts(c)[2]


def _logistic_dz(c: Case):
    return _logistic(c)[0] - _logistic(c)[1]


# Per-sample mistakes: (name, dJ_i/dz as the mistake computes it, shape (n, m)).
_SOFTMAX = [
    ("sign error", lambda c: _parts(c)[2] - _parts(c)[0]),
    ("missing indicator", lambda c: _parts(c)[0]),
    ("missing indicator, sign error", lambda c: -_parts(c)[0]),
    ("indicator on the wrong index", lambda c: _parts(c)[0] - _parts(c)[3]),
    ("probability on the wrong index", lambda c: _parts(c)[1] - _parts(c)[2]),
    ("only the true class", lambda c: _parts(c)[1] - 1.0),
    ("Jacobian diagonal", lambda c: _parts(c)[0] * (1 - _parts(c)[0])),
    ("dropped log factor", lambda c: _parts(c)[1] * (_parts(c)[0] - _parts(c)[2])),
    (
        "sigmoid instead of softmax",
        lambda c: sigmoid(c.Z[:, :, c.indices["k"] - 1]) - _parts(c)[2],
    ),
    ("squared-error factor 2", lambda c: 2 * _dz(c)),
    ("squared-error factor 2", lambda c: _dz(c) / 2),
    ("wrote the loss", lambda c: -np.log(_parts(c)[1])),
    ("wrote the loss", lambda c: -np.log(_parts(c)[0])),
    ("stopped at dJ/df", lambda c: -_parts(c)[2] / _parts(c)[0]),
    ("logits as probabilities", lambda c: c.Z[:, :, c.indices["k"] - 1] - _parts(c)[2]),
    (
        "bias missing",
        lambda c: _softmax_unbiased(c)[:, :, c.indices["k"] - 1] - _parts(c)[2],
    ),
]
_JACOBIAN = [
    ("jacobian sign error", lambda c: -_jacobian(c)[0] * (_jacobian(c)[2] - _jacobian(c)[1])),
    ("diagonal only", lambda c: _jacobian(c)[1] * (1 - _jacobian(c)[1])),
    ("missing delta", lambda c: _jacobian(c)[0] * (1 - _jacobian(c)[1])),
    ("off-diagonal only", lambda c: -_jacobian(c)[0] * _jacobian(c)[1]),
    ("missing f_j factor", lambda c: _jacobian(c)[2] - _jacobian(c)[1]),
    ("diagonal for every pair", lambda c: _jacobian(c)[0] * (1 - _jacobian(c)[0])),
]
_LOGISTIC = [
    ("logistic sign error", lambda c: _logistic(c)[1] - _logistic(c)[0]),
    ("missing label term", lambda c: _logistic(c)[0]),
    ("sigmoid derivative", lambda c: _logistic(c)[0] * (1 - _logistic(c)[0])),
    (
        "logistic dropped log factor",
        lambda c: _logistic(c)[0] * (1 - _logistic(c)[0]) * (1 - 2 * _logistic(c)[1]),
    ),
    (
        "squared error",
        lambda c: (_logistic(c)[0] - _logistic(c)[1]) * _logistic(c)[0] * (1 - _logistic(c)[0]),
    ),
    ("squared-error factor 2", lambda c: 2 * _logistic_dz(c)),
    ("squared-error factor 2", lambda c: _logistic_dz(c) / 2),
    (
        "stopped at dJ/dsigma",
        lambda c: _logistic_dz(c) / (_logistic(c)[0] * (1 - _logistic(c)[0])),
    ),
    (
        "logistic wrote the loss",
        lambda c: (
            -(
                _logistic(c)[1] * np.log(_logistic(c)[0])
                + (1 - _logistic(c)[1]) * np.log(1 - _logistic(c)[0])
            )
        ),
    ),
    ("logistic logits as probabilities", lambda c: c.Z - _logistic(c)[1]),
    ("bias missing", lambda c: sigmoid(_unbiased(c)) - _logistic(c)[1]),
]
_LINEAR = [
    ("linear sign error", lambda c: c.Y - c.Z),
    ("missing target", lambda c: c.Z),
    ("factor 2", lambda c: 2 * (c.Z - c.Y)),
    ("factor 1/2", lambda c: (c.Z - c.Y) / 2),
]

_FORGOT_M = "Forgot the 1/m average: J is a mean over the m samples, so is its gradient."
_ONE_SAMPLE = (
    "This is the gradient of one sample's loss J_i; the gradient of J averages over all m "
    "samples: (1/m) Σ_i ..."
)
_NO_X = "Forgot the factor ∂z/∂w = x_i (the chain rule through z = w^T x_i + b)."
_EXTRA_X = "∂z_k/∂b_k = 1: there is no x_i in the derivative with respect to the bias."
_NO_SUM = (
    "Forgot the sum over the samples: J = (1/m) Σ_i J_i, so its gradient is (1/m) Σ_{i=1}^{m} "
    "of the per-sample gradients, not 1/m times one of them."
)
_SUM_COVERS_F = (
    "The parentheses: (1/m) Σ_i covers the whole per-sample gradient, {result}, not only "
    "its first term."
)

# Mistakes in combining the samples: (name, hint, how per-sample values are combined).
_AGGREGATION = {
    "mean_x": [
        ("forgot 1/m", _FORGOT_M, "sum_x"),
        ("one sample", _ONE_SAMPLE, "one_x"),
        ("forgot the sum", _NO_SUM, "one_x/m"),
        ("forgot x_i", _NO_X, "mean"),
        ("forgot x_i and 1/m", f"{_NO_X} Also: {_FORGOT_M}", "sum"),
    ],
    "mean": [
        ("forgot 1/m", _FORGOT_M, "sum"),
        ("one sample", _ONE_SAMPLE, "one"),
        ("forgot the sum", _NO_SUM, "one/m"),
        ("extra x_i", _EXTRA_X, "mean_x"),
    ],
    "one": [
        ("averaged", "∂J_i is the derivative of one sample's loss: no average over the samples.",
         "mean"),
        ("summed over samples", HINTS["summed over samples"], "sum"),
    ],
}  # fmt: skip


def _kind(how: str) -> str:
    return "vec" if how.rstrip("/m").endswith("_x") else "num"


def _split(topic: Topic):
    """The per-sample gradient as (prediction term, label term), or None (the Jacobian)."""
    if topic.name == "softmax_jacobian" or topic.family == "mlp":
        return None
    if topic.family == "softmax":
        return lambda c: _parts(c)[0], lambda c: _parts(c)[2]
    if topic.family == "logistic":
        return lambda c: _logistic(c)[0], lambda c: _logistic(c)[1]
    return lambda c: c.Z, lambda c: c.Y


def _sum_covers_first_term(topic: Topic) -> list:
    """(1/m) Σ_i P_i − L_i: the average taken of the prediction term only."""
    split = _split(topic)
    if split is None or topic.aggregate == "one":
        return []
    P, L = split
    x = "_x" if topic.aggregate == "mean_x" else ""

    def values(case):
        p = P(case)
        label = np.broadcast_to(L(case), p.shape)  # the labels are the same in every draw
        return combine(p, case, "mean" + x) - combine(label, case, "one" + x)

    hint = _SUM_COVERS_F.format(result=topic.formula)
    return [Mistake("sum covers only the first term", hint, values, _kind("one" + x))]


def _transposed_dh(case: Case):
    """Σ_c (f_c − 𝕀(y_i = c)) W²_cj: no value where W²_cj is out of range (C > H or j > C)."""
    j = case.indices["j"]
    n_hidden = case.W.shape[1]
    if case.C > n_hidden or j > case.C:
        return None
    dz2 = network_parts(case)["dz2"]
    return np.einsum("nmc,ncj->nmj", dz2, case.W[:, : case.C, : case.C])[:, :, j - 1]


def _unit(case: Case, name: str) -> np.ndarray:
    """The hidden layer's ``"H"`` (h) or ``"Z1"`` (z¹) at the case's unit j, (n, m)."""
    return case.extra[name][:, :, case.indices["j"] - 1]


def _dh(case: Case) -> np.ndarray:
    return network_parts(case)["dh"][:, :, case.indices["j"] - 1]


def _with_x(case: Case, values: np.ndarray | None) -> np.ndarray | None:
    """Times x_l for the topics with a free l (∂J_i/∂W¹_lj); no value stays no value."""
    if values is None or "l" not in case.indices:
        return values
    return values * case.X[:, :, case.indices["l"] - 1]


def _through_phi(case: Case, dh: np.ndarray | None) -> np.ndarray | None:
    return None if dh is None else dh * phi_prime(_unit(case, "Z1"), case.extra["activation"])


def _network_mistakes(topic: Topic) -> list:
    """Per-sample (name, values) of the network's mistakes, by the topic's derivative."""
    wrt = topic.record.wrt
    if wrt in ("z²ₖ", "b²ₖ"):  # the output layer is softmax regression on h
        return _SOFTMAX
    if wrt == "W²ⱼₖ":
        return [("forgot h_j", lambda c: network_truth("z²ₖ", c))] + [
            (name, lambda c, G=G: G(c) * _unit(c, "H")) for name, G in _SOFTMAX
        ]
    if wrt == "hⱼ":
        return [("transposed weight", _transposed_dh), ("network sign error", lambda c: -_dh(c))]
    out = [
        ("missing phi prime", lambda c: _with_x(c, _dh(c))),
        ("phi prime at the output", lambda c: _with_x(
            c, _dh(c) * phi_prime(_unit(c, "H"), c.extra["activation"]))),
        ("phi instead of phi prime", lambda c: _with_x(c, _dh(c) * _unit(c, "H"))),
        ("transposed weight", lambda c: _with_x(c, _through_phi(c, _transposed_dh(c)))),
        ("network sign error", lambda c: -network_truth(wrt, c)),
    ]  # fmt: skip
    if topic.record.activations == ("tanh",):
        out.append(("tanh prime of z", lambda c: _with_x(c, _dh(c) * (1 - _unit(c, "Z1") ** 2))))
    if wrt == "W¹ₗⱼ":
        out.append(("forgot x_l", lambda c: network_truth("z¹ⱼ", c)))
    return out


def mistakes_for(topic: Topic) -> list[Mistake]:
    """Every known mistake for ``topic``, most specific first."""
    if topic.family == "mlp":
        per_sample = _network_mistakes(topic)
    elif topic.name == "softmax_jacobian":
        per_sample = _JACOBIAN
    else:
        per_sample = {"softmax": _SOFTMAX, "logistic": _LOGISTIC, "linear": _LINEAR}[topic.family]
    how = topic.aggregate
    out = [Mistake(name, HINTS[name], _combined(G, how), _kind(how)) for name, G in per_sample]
    for agg_name, agg_hint, agg_how in _AGGREGATION[how]:
        out.append(
            Mistake(agg_name, agg_hint, _combined(topic.per_sample, agg_how), _kind(agg_how))
        )
    out += _sum_covers_first_term(topic)
    for agg_name, agg_hint, agg_how in _AGGREGATION[how]:
        for name, G in per_sample:
            hint = f"{HINTS[name]} Also: {agg_hint}"
            out.append(Mistake(f"{name}; {agg_name}", hint, _combined(G, agg_how), _kind(agg_how)))
    return out


def _combined(G: Callable, how: str) -> Callable[[Case], np.ndarray | None]:
    def values(case):
        per_sample = G(case)
        if per_sample is None:
            return None
        if how.endswith("/m"):  # 1/m times one sample's gradient: the sum forgotten
            return combine(per_sample, case, how[:-2]) / case.m
        return combine(per_sample, case, how)

    return values
