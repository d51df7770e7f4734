"""The truth for each topic: the record's reference expression and its numbers.

What a topic is (its loss, result and conventions) is recorded once, in
:mod:`gradlab.topics`; this module adds what grading needs: the record's result
read by the answer parser (the reference for the exact stage), the numbers of the
truth written out with NumPy from the lecture's formulas (eq 2 and eq 3),
independently of the student's parse, and the cases the answer is tried on.

The two-layer network (family ``"mlp"``): random networks with N_FEATURES inputs,
N_HIDDEN hidden units and each activation of the record; the truth of each derivative
(∂J_i/∂z²_k, ∂J_i/∂b²_k, ∂J_i/∂W²_jk, ∂J_i/∂h_j, ∂J_i/∂z¹_j, ∂J_i/∂b¹_j, ∂J_i/∂W¹_lj)
is written out below with NumPy from the chain rule, not taken from gradlab.mlp's
backpropagation; its free indices j and l take every value.

Cases: every label y and index k over C in
CLASS_COUNTS; then wide draws far beyond them, C up to WIDE_C[-1] and m up to
WIDE_M[-1], with k placed at every position relative to y_i (first, last, equal,
just below and above, anywhere below and above); then C and m next to every
number the answer mentions.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass, replace

import numpy as np
import sympy as sp

from gradlab.answers.evaluate import MAX_TERMS, Case, phi_prime
from gradlab.mlp import activate
from gradlab.model import softmax
from gradlab.topics import TOPICS as RECORDS
from gradlab.topics import Topic as Record

__all__ = ["TOPICS", "Topic", "get_topic"]

N_DRAWS = 3  # random draws of x, W, b per case
N_FEATURES = 2
N_HIDDEN = 3  # hidden units of the network topics: not C, so that W²_jk and W²_kj differ in shape
SEED = 20221014  # the lecture's date: verdicts are reproducible
CLASS_COUNTS = (2, 3, 5)  # every label and every k
OTHER_M = 4  # the mean topics draw m = 3 samples, and then m = 4
# One C drawn from each range, with that many positions of k relative to y_i (the
# largest C costs most: an answer with nested sums over classes takes C^2 steps).
WIDE_C = ((6, 15, 9), (16, 30, 5), (31, 60, 3))
WIDE_M = ((5, 12), (13, 40))  # one m drawn from each range
MAX_NEAR = MAX_TERMS  # the largest C or m tried because the answer mentions a number near it


def sigmoid(Z):
    return 1.0 / (1.0 + np.exp(-Z))


@dataclass(frozen=True)
class Topic:
    """A topic record (:class:`gradlab.topics.Topic`) with what grading needs."""

    record: Record

    name = property(lambda self: self.record.name)
    family = property(lambda self: self.record.family)
    title = property(lambda self: self.record.derivative)
    aggregate = property(lambda self: self.record.aggregate)
    formula = property(lambda self: self.record.result)
    free = property(lambda self: self.record.free)
    bias = property(lambda self: self.record.bias)
    kind = property(lambda self: self.record.kind)

    notation = property(lambda self: self.record.reads_as)

    @property
    def readable(self) -> bool:
        """Whether the answer parser reads this topic's notation (the network's matrices: not yet)."""
        from gradlab.answers.parser import FAMILIES

        return self.notation in FAMILIES

    def reference(self) -> sp.Expr:
        """The record's result, read by the answer parser as a student's answer would be."""
        return _reference(self.record)

    def per_sample(self, case: Case) -> np.ndarray:
        """dJ_i/dz (the per-sample factor of the answer), shape (n, m)."""
        if self.family == "mlp":
            return network_truth(self.record.wrt, case)
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
        [C = 4] or \\sum_{i=1}^{50} cannot hide between the drawn C and m.
        """
        cases = _cases(self) + _cases_wide(self)
        if later_sample:
            cases += [replace(case, indices={**case.indices, "i": 2}) for case in cases]
        return cases + _cases_near(self, near)


@functools.cache
def _reference(record: Record) -> sp.Expr:
    from gradlab.answers.parser import parse

    expr, kind = parse(record.result_latex, record.reads_as)
    if kind != record.kind:  # pragma: no cover - a record that contradicts itself
        raise ValueError(f"{record.name}: result_latex is a {kind}, the topic a {record.kind}")
    return expr


def network_parts(case: Case) -> dict:
    """The backward pass of one network case, factor by factor, each (n, m, ...)."""
    onehot = np.asarray(case.labels)[:, None] == np.arange(1, case.C + 1)
    dz2 = case.F - onehot  # eq (2) at the output: (n, m, C)
    dh = np.einsum("nmc,njc->nmj", dz2, case.W)  # the fork: h_j feeds every z²_c
    return {"dz2": dz2, "dh": dh, "dphi": phi_prime(case.extra["Z1"], case.extra["activation"])}


def network_truth(wrt: str, case: Case) -> np.ndarray:
    """∂J_i/∂(wrt) of the two-layer network for every sample, (n, m).

    ``wrt`` is the record's variable: z²ₖ, b²ₖ, W²ⱼₖ, hⱼ, z¹ⱼ, b¹ⱼ or W¹ₗⱼ.
    """
    k, j, l_ = (case.indices.get(name, 1) - 1 for name in "kjl")
    p = network_parts(case)
    if wrt in ("z²ₖ", "b²ₖ"):
        return p["dz2"][:, :, k]
    if wrt == "W²ⱼₖ":
        return p["dz2"][:, :, k] * case.extra["H"][:, :, j]
    if wrt == "hⱼ":
        return p["dh"][:, :, j]
    dz1 = p["dh"][:, :, j] * p["dphi"][:, :, j]
    if wrt in ("z¹ⱼ", "b¹ⱼ"):
        return dz1
    if wrt == "W¹ₗⱼ":
        return dz1 * case.X[:, :, l_]
    raise ValueError(f"no network truth for ∂J_i/∂{wrt}")


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


def _draw_network(rng, C: int, m: int, activation: str) -> dict:
    """A random network and its forward pass on m random samples."""
    X = rng.normal(size=(N_DRAWS, m, N_FEATURES))
    W1 = rng.normal(size=(N_DRAWS, N_FEATURES, N_HIDDEN))
    b1 = rng.normal(size=(N_DRAWS, N_HIDDEN))
    W2 = rng.normal(size=(N_DRAWS, N_HIDDEN, C))
    b2 = rng.normal(size=(N_DRAWS, C))
    Z1 = np.einsum("nmd,ndh->nmh", X, W1) + b1[:, None, :]
    H = activate(Z1, activation)
    Z2 = np.einsum("nmh,nhc->nmc", H, W2) + b2[:, None, :]
    extra = {"activation": activation, "W1": W1, "b1": b1, "Z1": Z1, "H": H}
    return {"X": X, "W": W2, "B": b2, "Z": Z2, "F": softmax(Z2, axis=-1), "extra": extra}


def _network_cases(topic: Topic, rng, C: int, m: int, pairs) -> list[Case]:
    """Network cases at C classes: each (y, k) of ``pairs`` (y the label of sample 1),
    every hidden unit j and feature l the topic's answer has free, each activation."""
    out = []
    has_k = "k" in topic.free
    pairs = list(dict.fromkeys(pairs if has_k else [(y, 1) for y, _ in pairs]))
    others = {name: range(1, top + 1) for name, top in (("j", N_HIDDEN), ("l", N_FEATURES))}
    free = [name for name in ("j", "l") if name in topic.free]
    for activation in topic.record.activations:
        arrays = _draw_network(rng, C, m, activation)
        for y, k in pairs:
            labels = tuple((y - 1 + s) % C + 1 for s in range(m))
            for values in itertools.product(*(others[name] for name in free)):
                indices = {
                    "i": 1,
                    **({"k": k} if has_k else {}),
                    **dict(zip(free, values, strict=True)),
                }
                out.append(Case("mlp", C, labels, indices, **arrays))
    return out


def _draw(rng, family: str, C: int, m: int, bias: bool = True) -> dict:
    X = rng.normal(size=(N_DRAWS, m, N_FEATURES))
    if family == "softmax":
        W = rng.normal(size=(N_DRAWS, C, N_FEATURES))
        B = rng.normal(size=(N_DRAWS, C))
        Z = np.einsum("nmd,ncd->nmc", X, W) + B[:, None, :]
        return {"X": X, "W": W, "B": B, "Z": Z, "F": softmax(Z, axis=-1)}
    W = rng.normal(size=(N_DRAWS, N_FEATURES))
    B = rng.normal(size=N_DRAWS)
    Z = np.einsum("nmd,nd->nm", X, W) + (B[:, None] if bias else 0.0)
    F = sigmoid(Z) if family == "logistic" else Z
    Y = rng.normal(size=(N_DRAWS, m)) if family == "linear" else None
    # Without a bias in the model, b has no value: an answer using it is refused.
    return {"X": X, "W": W, "B": B if bias else None, "Z": Z, "F": F, "Y": Y}


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


def _positions(rng, C: int) -> list[tuple[int, int]]:
    """(k, y) pairs with k at every position relative to y: first, last, equal, next to, apart."""
    y = int(rng.integers(3, C - 1))  # away from both ends, so that y - 1 and y + 1 are classes
    return [
        (y, y), (C, 1), (1, C), (y - 1, y), (y + 1, y), (1, 1), (C, C),
        (int(rng.integers(1, y - 1)), y), (int(rng.integers(y + 2, C + 1)), y),
    ]  # fmt: skip


def _cases_wide(topic: Topic) -> list[Case]:
    """C and m drawn far beyond the usual counts, k at every position relative to y_i."""
    rng = np.random.default_rng([SEED, 3])
    one = topic.aggregate == "one"
    out = []
    if topic.family == "mlp":
        for lo, hi, n_positions in WIDE_C[:2]:  # C up to 30: every j at every C costs H cases
            C = int(rng.integers(lo, hi + 1))
            out += _network_cases(topic, rng, C, 2, _positions(rng, C)[:n_positions])
        return out
    if topic.family == "softmax":
        for lo, hi, n_positions in WIDE_C:
            C = int(rng.integers(lo, hi + 1))
            m = 2  # the wide m are drawn below, with few classes
            arrays = _draw(rng, "softmax", C, m)
            for k, y in _positions(rng, C)[:n_positions]:
                # sample 1 (the free i) has label y; the others are drawn
                labels = (y, *(int(v) for v in rng.integers(1, C + 1, m - 1)))
                j_is = {"j": y} if topic.name == "softmax_jacobian" else {}
                out.append(Case("softmax", C, labels, {"k": k, "i": 1, **j_is}, **arrays))
    if one:
        return out
    for lo, hi in WIDE_M:
        m = int(rng.integers(lo, hi + 1))
        if topic.family == "softmax":
            C = 3
            arrays = _draw(rng, "softmax", C, m)
            for k in range(1, C + 1):
                labels = tuple(int(v) for v in rng.integers(1, C + 1, m))
                out.append(Case("softmax", C, labels, {"k": k, "i": 1}, **arrays))
        elif topic.family == "logistic":
            arrays = _draw(rng, "logistic", 0, m, topic.bias)
            for _ in range(2):
                labels = tuple(int(v) for v in rng.integers(0, 2, m))
                out.append(Case("logistic", 0, labels, {"i": 1}, **arrays))
        else:
            out.append(Case("linear", 0, (), {"i": 1}, **_draw(rng, "linear", 0, m, topic.bias)))
    return out


def _cases_near(topic: Topic, near: tuple) -> list[Case]:
    """Cases with C and m among ``near`` (the numbers an answer mentions, 2..MAX_NEAR)."""
    out = []
    one = topic.aggregate == "one"
    counts = tuple(C for C in near if 2 <= C <= MAX_NEAR and C not in CLASS_COUNTS)
    if topic.family == "mlp" and counts:
        rng = np.random.default_rng([SEED, 1])
        for C in counts:
            seen = sorted({v for v in (1, 2, C - 1, C, *near) if 1 <= v <= C})
            out += _network_cases(topic, rng, C, 2, itertools.product(seen, repeat=2))
    if topic.family == "softmax" and counts:
        rng = np.random.default_rng([SEED, 1])
        m = 2 if one else 3
        for C in counts:
            arrays = _draw(rng, "softmax", C, m)
            # Only the indices that can meet a mentioned number, and the extremes.
            seen = sorted({v for v in (1, 2, C - 1, C, *near) if 1 <= v <= C})
            for k, other in itertools.product(seen, repeat=2):
                if topic.name == "softmax_jacobian":
                    labels, indices = (1,) * m, {"k": k, "j": other, "i": 1}
                elif one:
                    labels, indices = (other, *(other % C + 1,) * (m - 1)), {"k": k, "i": 1}
                else:
                    labels = (other, *(int(v) for v in rng.integers(1, C + 1, m - 1)))
                    indices = {"k": k, "i": 1}
                out.append(Case("softmax", C, labels, indices, **arrays))
    rng = np.random.default_rng([SEED, 2])
    for m in near:
        if 2 <= m <= MAX_NEAR and m not in ((2,) if one else (3, OTHER_M)):
            cases = _cases_with_m(topic, rng, m, few=True)
            # beyond the wide m, the fewest cases that still try that m (with C = 3)
            out += cases if m <= WIDE_M[-1][1] else [c for c in cases if c.C in (0, 3)][:3]
    return out


def _cases_with_m(
    topic: Topic, rng, m: int, few: bool = False, class_counts: tuple = CLASS_COUNTS
) -> list[Case]:
    out = []
    if topic.family == "mlp":  # the network topics are one sample's: every label, every k
        for C in class_counts:
            classes = range(1, C + 1)
            pairs = list(itertools.product(classes, repeat=2))
            out += _network_cases(topic, rng, C, m, pairs[:: 3 if few else 1])
    elif topic.family == "softmax":
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
            arrays = _draw(rng, "logistic", 0, m, topic.bias)
            if few:  # mixed labels only (2^m label sets would be too many for a large m)
                label_sets = [tuple(int(v) for v in rng.integers(0, 2, m)) for _ in range(4)]
            else:
                label_sets = list(itertools.product((0, 1), repeat=m))
            for labels in label_sets:
                out.append(Case("logistic", 0, labels, {"i": 1}, **arrays))
    else:
        for _ in range(2 if few else 4):
            out.append(Case("linear", 0, (), {"i": 1}, **_draw(rng, "linear", 0, m, topic.bias)))
    return out


TOPICS = {name: Topic(record) for name, record in RECORDS.items()}


def get_topic(name) -> Topic:
    from gradlab.topics import get_topic as record

    return TOPICS[record(name).name]
