"""Figures of the two-layer network: the existing plots take it, and the new ones show the truth."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from gradlab import mlp
from gradlab.datasets import make_spirals
from gradlab.network import TwoLayerNet
from gradlab.plots import (
    animate_training,
    plot_backprop_graph,
    plot_decision_boundary,
    plot_hidden_units,
    plot_probabilities,
)


@pytest.fixture(scope="module")
def fitted():
    X, y = make_spirals(90, seed=0)
    net = TwoLayerNet(hidden=6, optimizer="gd", lr=0.5, epochs=10, record_every=5).fit(X, y)
    return X, y, net


def test_existing_plots_take_the_network_unchanged(fitted):
    X, y, net = fitted
    plot_decision_boundary(net, X, y, resolution=30)
    plot_probabilities(net, X, y, resolution=20)
    anim = animate_training(net, X, y, frames=3, resolution=20)
    assert anim.frame_indices == [0, 1, 2]


def test_graph_shows_backprop_gradients_of_every_node():
    params = mlp.init_params(2, 3, 3, seed=0)
    x, label = np.array([0.5, -1.0]), 2
    drawn = plot_backprop_graph(params, x, label)

    # independent: central differences of J in each parameter, and of J(h) by hand
    def J(p):
        h = np.tanh(x @ p["W1"] + p["b1"])
        z = h @ p["W2"] + p["b2"]
        return np.log(np.exp(z).sum()) - z[label]

    for key in mlp.PARAMETERS:
        g = np.zeros_like(params[key])
        for idx in np.ndindex(g.shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[key][idx] += 1e-6
            minus[key][idx] -= 1e-6
            g[idx] = (J(plus) - J(minus)) / 2e-6
        np.testing.assert_allclose(drawn["gradients"][key], g, rtol=1e-6, atol=1e-9)
    z = np.tanh(x @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    f = np.exp(z) / np.exp(z).sum()
    np.testing.assert_allclose(drawn["gradients"]["Z2"], f - np.eye(3)[label])
    assert "[0.50, -1.00]" in drawn["nodes"]["x"].get_text()


def test_hidden_units_show_each_units_activation(fitted):
    X, y, net = fitted
    drawn = plot_hidden_units(net, X, y, units=[0, 5], resolution=10)
    assert len(drawn["images"]) == 2
    image = np.asarray(drawn["images"][1].get_array())
    x0, x1 = drawn["images"][1].get_extent()[0], drawn["images"][1].get_extent()[2]
    expected = np.tanh(np.array([x0, x1]) @ net.params_["W1"][:, 5] + net.params_["b1"][5])
    assert image[0, 0] == pytest.approx(expected)
    with pytest.raises(ValueError, match=r"units must be in 0\.\.5"):
        plot_hidden_units(net, X, units=[6])
