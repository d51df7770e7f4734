"""The truth for each topic: a SymPy reference expression and its numbers.

The numbers are written out here with NumPy from the lecture's formulas
(eq 2 and eq 3 for softmax regression), independently of the student's parse,
so that grading compares two separate computations.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np
import sympy as sp

from gradlab.answers import symbols as S
from gradlab.answers.evaluate import Case
from gradlab.model import softmax

__all__ = ["TOPICS", "Topic", "get_topic"]

N_DRAWS = 3  # random draws of x, W, b per case
N_FEATURES = 2
SEED = 20221014  # the lecture's date: verdicts are reproducible
CLASS_COUNTS = (2, 3, 5)
OTHER_M = 4  # the mean topics draw m = 3 samples, and then m = 4
MAX_NEAR = 12  # the largest C or m tried because the answer mentions a number near it


def sigmoid(Z):
    return 1.0 / (1.0 + np.exp(-Z))


@dataclass(frozen=True)
class Topic:
    """One derivative a student can be asked for."""

    name: str
    family: str  # "softmax", "logistic" or "linear"
    title: str  # what is differentiated, for messages
    aggregate: str  # "one" (sample i = 1), "mean" or "mean_x" over the m samples
    formula: str  # the answer in plain text, for messages

    @property
    def kind(self) -> str:
        return "vec" if self.aggregate == "mean_x" else "num"

    @property
    def free(self) -> tuple[str, ...]:
        """The free indices of the answer (besides the sample i)."""
        if self.family != "softmax":
            return ()
        return ("j", "k") if self.name == "softmax_jacobian" else ("k",)

    def reference(self) -> sp.Expr:
        """The lecture's answer as a SymPy expression in the parser's canonical symbols."""
        i, k, j, m = S.i, S.k, S.j, S.m
        if self.family == "softmax":
            if self.name == "softmax_jacobian":
                return S.f[i, j] * (sp.KroneckerDelta(j, k) - S.f[i, k])
            g = S.f[i, k] - sp.KroneckerDelta(S.y[i], k)
        elif self.family == "logistic":
            g = 1 / (1 + sp.exp(-S.z[i])) - S.y[i]
        else:
            g = S.dot(S.w_vec, S.x[i]) + S.b_scalar - S.y[i]
        if self.aggregate == "one":
            return g
        body = g * S.x[i] if self.aggregate == "mean_x" else g
        return sp.Sum(body, (i, 1, m)) / m

    def per_sample(self, case: Case) -> np.ndarray:
        """dJ_i/dz (the per-sample factor of the answer), shape (n, m)."""
        if self.family == "softmax":
            k = case.indices["k"] - 1
            if self.name == "softmax_jacobian":
                j = case.indices["j"] - 1
                return case.F[:, :, j] * (float(j == k) - case.F[:, :, k])
            return case.F[:, :, k] - (np.asarray(case.labels) == k + 1)
        if self.family == "logistic":
            return sigmoid(case.Z) - np.asarray(case.labels)
        return case.Z - case.Y

    def truth(self, case: Case) -> np.ndarray:
        return combine(self.per_sample(case), case, self.aggregate)

    def cases(self, later_sample: bool = False, near: tuple = ()) -> list[Case]:
        """The grading cases; with ``later_sample`` each again with the free i = 2.

        An answer with a free sample index i (f_{i,k}, or i used as a number) must
        not be right for sample 1 only. ``near`` are numbers the answer itself
        mentions (and their neighbours): they are tried as C and m too, so that
        [C = 4] or \\sum_{i=1}^{5} cannot hide between the usual C and m.
        """
        cases = _cases(self)
        if later_sample:
            cases += [replace(case, indices={**case.indices, "i": 2}) for case in cases]
        return cases + _cases_near(self, near)


def combine(G: np.ndarray, case: Case, how: str) -> np.ndarray:
    """Per-sample values G (n, m) to the topic's answer: (n, 1) or (n, d)."""
    i = case.indices.get("i", 1) - 1  # the free sample index: 1, or 2 in the later-sample cases
    if how == "one":
        return G[:, i : i + 1]
    if how == "sum":
        return G.sum(axis=1, keepdims=True)
    if how == "sum_x":
        return np.einsum("nm,nmd->nd", G, case.X)
    if how == "one_x":
        return G[:, i : i + 1] * case.X[:, i, :]
    if how == "mean":
        return G.mean(axis=1, keepdims=True)
    if how == "mean_x":
        return np.einsum("nm,nmd->nd", G, case.X) / case.m
    raise ValueError(how)


def _draw(rng, family: str, C: int, m: int) -> dict:
    X = rng.normal(size=(N_DRAWS, m, N_FEATURES))
    if family == "softmax":
        W = rng.normal(size=(N_DRAWS, C, N_FEATURES))
        B = rng.normal(size=(N_DRAWS, C))
        Z = np.einsum("nmd,ncd->nmc", X, W) + B[:, None, :]
        return {"X": X, "W": W, "B": B, "Z": Z, "F": softmax(Z, axis=-1)}
    W = rng.normal(size=(N_DRAWS, N_FEATURES))
    B = rng.normal(size=N_DRAWS)
    Z = np.einsum("nmd,nd->nm", X, W) + B[:, None]
    F = sigmoid(Z) if family == "logistic" else Z
    Y = rng.normal(size=(N_DRAWS, m)) if family == "linear" else None
    return {"X": X, "W": W, "B": B, "Z": Z, "F": F, "Y": Y}


def _cases(topic: Topic) -> list[Case]:
    rng = np.random.default_rng(SEED)
    # Single-sample topics still draw m = 2 samples, so that an answer summed
    # over the samples is not mistaken for the derivative of one J_i.
    m = 2 if topic.aggregate == "one" else 3
    out = _cases_with_m(topic, rng, m)
    if topic.aggregate != "one":
        # A second sample count, so that \frac{1}{3}\sum_{i=1}^{3} is not right "for m = 3".
        out += _cases_with_m(topic, rng, OTHER_M, few=True)
    return out


def _cases_near(topic: Topic, near: tuple) -> list[Case]:
    """Cases with C and m among ``near`` (the numbers an answer mentions, 2..MAX_NEAR)."""
    out = []
    one = topic.aggregate == "one"
    counts = tuple(C for C in near if 2 <= C <= MAX_NEAR and C not in CLASS_COUNTS)
    if topic.family == "softmax" and counts:
        rng = np.random.default_rng([SEED, 1])
        for case in _cases_with_m(topic, rng, 2 if one else 3, class_counts=counts):
            # Only the indices that can meet a mentioned number, and the extremes.
            C, idx = case.C, case.indices
            seen = {v for v in (1, 2, C - 1, C, *near) if 1 <= v <= C}
            if idx["k"] in seen and idx.get("j", 1) in seen and (not one or case.labels[0] in seen):
                out.append(case)
    rng = np.random.default_rng([SEED, 2])
    for m in near:
        if 2 <= m <= MAX_NEAR and m not in ((2,) if one else (3, OTHER_M)):
            out += _cases_with_m(topic, rng, m, few=True)
    return out


def _cases_with_m(
    topic: Topic, rng, m: int, few: bool = False, class_counts: tuple = CLASS_COUNTS
) -> list[Case]:
    out = []
    if topic.family == "softmax":
        for C in class_counts:
            arrays = _draw(rng, "softmax", C, m)
            if topic.aggregate == "one":
                # Every label for sample 1; the next labels for the other samples.
                label_sets = [tuple((y - 1 + s) % C + 1 for s in range(m)) for y in range(1, C + 1)]
            elif few:  # mixed labels only: the m = 3 cases already cover every label
                label_sets = [tuple(int(v) for v in rng.integers(1, C + 1, m)) for _ in range(2)]
            elif C == 2:
                label_sets = list(itertools.product((1, 2), repeat=m))
            else:  # every label at every position, and mixed labels
                label_sets = [(y,) * m for y in range(1, C + 1)]
                label_sets += [tuple(int(v) for v in rng.integers(1, C + 1, m)) for _ in range(3)]
            pairs = (
                itertools.product(range(1, C + 1), repeat=2)
                if topic.name == "softmax_jacobian"
                else ((None, k) for k in range(1, C + 1))
            )
            pairs = list(pairs)
            for labels in label_sets[:1] if topic.name == "softmax_jacobian" else label_sets:
                for j, k in pairs:
                    indices = {"k": k, "i": 1} | ({"j": j} if j is not None else {})
                    out.append(Case("softmax", C, labels, indices, **arrays))
    elif topic.family == "logistic":
        for _ in range(1 if few else 2):
            arrays = _draw(rng, "logistic", 0, m)
            label_sets = list(itertools.product((0, 1), repeat=m))
            if few:
                label_sets = [label_sets[n] for n in rng.choice(len(label_sets), 4, replace=False)]
            for labels in label_sets:
                out.append(Case("logistic", 0, labels, {"i": 1}, **arrays))
    else:
        for _ in range(2 if few else 4):
            out.append(Case("linear", 0, (), {"i": 1}, **_draw(rng, "linear", 0, m)))
    return out


TOPICS = {
    topic.name: topic
    for topic in (
        Topic("softmax_dz", "softmax", "∂J_i/∂z_k", "one", "f_k - I(y_i = k)"),
        Topic("softmax_dw", "softmax", "∂J/∂w_k", "mean_x", "(1/m) sum_i (f_k - I(y_i = k)) x_i"),
        Topic("softmax_db", "softmax", "∂J/∂b_k", "mean", "(1/m) sum_i (f_k - I(y_i = k))"),
        Topic("softmax_jacobian", "softmax", "∂f_j/∂z_k", "one", "f_j (δ_jk - f_k)"),
        Topic("logistic_dz", "logistic", "∂J_i/∂z", "one", "σ(z) - y"),
        Topic("logistic_dw", "logistic", "∂J/∂w", "mean_x", "(1/m) sum_i (σ(z_i) - y_i) x_i"),
        Topic(
            "linear_dw",
            "linear",
            "∂J/∂w (for J = (1/2m) Σ_i (w^T x_i + b − y_i)²)",
            "mean_x",
            "(1/m) sum_i (w^T x_i + b - y_i) x_i",
        ),
    )
}


def get_topic(name) -> Topic:
    if not isinstance(name, str):
        raise TypeError(f"topic must be a str, one of {sorted(TOPICS)}; got {name!r}")
    if name not in TOPICS:
        raise ValueError(f"topic must be one of {sorted(TOPICS)}; got {name!r}")
    return TOPICS[name]
