"""The grader's truth for the two-layer network's topics against finite differences.

The truths (gradlab.answers.topics.network_truth) are written with NumPy from the chain
rule; here each is compared with a central difference of one sample's loss, J_i =
gradlab.mlp.loss on that sample alone (parameters), or of the loss written out in this
test as a function of h or z¹ (the hidden layer).
"""

import numpy as np
import pytest

from gradlab import mlp
from gradlab.answers.topics import TOPICS, network_truth

EPS = 1e-6


def _case(name, C=3, activation=None):
    topic = TOPICS[name]
    cases = [
        case
        for case in topic.cases()
        if case.C == C and case.extra["activation"] == (activation or case.extra["activation"])
    ]
    return cases[len(cases) // 2]


def _params(case, n):
    ex = case.extra
    return {"W1": ex["W1"][n], "b1": ex["b1"][n], "W2": case.W[n], "b2": case.B[n]}


def _central(f, array, index):
    plus, minus = array.copy(), array.copy()
    plus[index] += EPS
    minus[index] -= EPS
    return (f(plus) - f(minus)) / (2 * EPS)


def _loss_of_hidden(H_row, case, n, y):
    """J_i from the hidden layer up: softmax cross-entropy of H W² + b²."""
    z2 = H_row @ case.W[n] + case.B[n]
    z2 = z2 - z2.max()
    return -(z2[y] - np.log(np.exp(z2).sum()))


PARAMETER = {"mlp_db2": ("b2", "k"), "mlp_dw2": ("W2", "jk"), "mlp_db1": ("b1", "j"),
             "mlp_dw1": ("W1", "lj")}  # fmt: skip


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("name", list(PARAMETER))
def test_parameter_truths_match_finite_differences_of_the_loss(name, activation):
    if activation not in TOPICS[name].record.activations:
        activation = TOPICS[name].record.activations[0]
    case = _case(name, activation=activation)
    key, letters = PARAMETER[name]
    index = tuple(case.indices[ch] - 1 for ch in letters)
    truth = network_truth(TOPICS[name].record.wrt, case)
    for n in range(case.X.shape[0]):
        params = _params(case, n)
        X, y = case.X[n, :1], np.array([case.labels[0] - 1])  # sample 1 alone: J_i

        def J(value, params=params, X=X, y=y):
            return mlp.loss({**params, key: value}, X, y, activation=case.extra["activation"])

        assert truth[n, 0] == pytest.approx(_central(J, params[key], index), abs=1e-7)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_hidden_truths_match_finite_differences(activation):
    case = _case("mlp_dz1", C=5, activation=activation)
    j, y = case.indices["j"] - 1, case.labels[0] - 1
    dh = network_truth("hⱼ", case)
    dz1 = network_truth("z¹ⱼ", case)
    for n in range(case.X.shape[0]):
        H_row, Z1_row = case.extra["H"][n, 0], case.extra["Z1"][n, 0]
        assert dh[n, 0] == pytest.approx(
            _central(lambda h, n=n: _loss_of_hidden(h, case, n, y), H_row, j), abs=1e-7
        )
        through_phi = _central(
            lambda z, n=n: _loss_of_hidden(mlp.activate(z, activation), case, n, y), Z1_row, j
        )
        assert dz1[n, 0] == pytest.approx(through_phi, abs=1e-6)


def test_dz2_is_eq_2_at_the_output():
    case = _case("mlp_dz2", C=5)
    k, y = case.indices["k"], case.labels[0]
    assert np.allclose(network_truth("z²ₖ", case)[:, 0], case.F[:, 0, k - 1] - (k == y))


def test_the_network_cases_cover_every_label_class_and_hidden_unit():
    cases = TOPICS["mlp_dw2"].cases()
    at_3 = [c for c in cases if c.C == 3]
    assert {(c.labels[0], c.indices["k"], c.indices["j"]) for c in at_3} == {
        (y, k, j) for y in (1, 2, 3) for k in (1, 2, 3) for j in (1, 2, 3)
    }
    # the hidden size is not C: W²_jk and W²_kj differ in shape
    assert {c.W.shape[1] for c in cases} == {3} and {c.C for c in cases} > {3}


def test_the_output_layer_letters_mean_the_output_layer():
    from gradlab.answers import symbols as S
    from gradlab.answers.evaluate import NETWORK, evaluate

    case = _case("mlp_dw2", C=5)
    k, j = case.indices["k"], case.indices["j"]
    # z_k is z²_k, f_k is softmax(z²)_k, b_k is b²_k: the output layer is softmax regression on h
    assert np.array_equal(evaluate(S.z[1, k], case)[:, 0], case.Z[:, 0, k - 1])
    assert np.array_equal(evaluate(S.b[k], case)[:, 0], case.B[:, k - 1])
    expected = case.extra["H"][:, 0, j - 1] * case.W[:, j - 1, k - 1]
    assert np.array_equal(evaluate(NETWORK["h"][1, j] * NETWORK["W2"][j, k], case)[:, 0], expected)
