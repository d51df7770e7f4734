"""The two-layer network against an independent per-sample loop and finite differences."""

import math

import numpy as np
import pytest

from gradlab import mlp


def _phi(z, activation):
    if activation == "relu":
        return max(z, 0.0)
    if activation == "tanh":
        return math.tanh(z)
    return 1.0 / (1.0 + math.exp(-z))


def _loop_loss(p, X, y, activation, l2):
    """Eq (1) sample by sample, unit by unit, with plain Python floats."""
    m, d = X.shape
    H, C = p["W2"].shape
    total = 0.0
    for i in range(m):
        h = [_phi(sum(p["W1"][r, u] * X[i, r] for r in range(d)) + p["b1"][u], activation)
             for u in range(H)]  # fmt: skip
        z = [sum(p["W2"][u, k] * h[u] for u in range(H)) + p["b2"][k] for k in range(C)]
        top = max(z)
        total -= z[y[i]] - top - math.log(sum(math.exp(v - top) for v in z))
    penalty = 0.5 * l2 * sum(float((p[w] ** 2).sum()) for w in ("W1", "W2"))
    return total / m + penalty


def _central(p, X, y, activation, l2, h=1e-6):
    grads = {}
    for key in mlp.PARAMETERS:
        g = np.zeros_like(p[key])
        for idx in np.ndindex(p[key].shape):
            plus = {k: v.copy() for k, v in p.items()}
            minus = {k: v.copy() for k, v in p.items()}
            plus[key][idx] += h
            minus[key][idx] -= h
            g[idx] = (_loop_loss(plus, X, y, activation, l2) - _loop_loss(minus, X, y, activation, l2)) / (2 * h)  # fmt: skip
        grads[key] = g
    return grads


@pytest.fixture
def problem():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(6, 3))
    y = np.array([0, 1, 2, 1, 0, 2])
    p = {"W1": rng.normal(size=(3, 4)), "b1": rng.normal(size=4),
         "W2": rng.normal(size=(4, 3)), "b2": rng.normal(size=3)}  # fmt: skip
    return p, X, y


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_loss_and_gradient_match_loop_and_finite_differences(problem, activation, l2):
    p, X, y = problem
    J, grads = mlp.loss_and_gradient(p, X, y, activation=activation, l2=l2)
    assert J == pytest.approx(_loop_loss(p, X, y, activation, l2), rel=1e-12)
    assert mlp.loss(p, X, y, activation=activation, l2=l2) == pytest.approx(J, rel=1e-14)
    reference = _central(p, X, y, activation, l2)
    for key in mlp.PARAMETERS:
        np.testing.assert_allclose(grads[key], reference[key], rtol=1e-6, atol=1e-8)
    separate = mlp.gradient(p, X, y, activation=activation, l2=l2)
    for key in mlp.PARAMETERS:
        np.testing.assert_array_equal(separate[key], grads[key])


def test_inputs_not_modified(problem):
    p, X, y = problem
    before = {k: v.copy() for k, v in p.items()}
    X0 = X.copy()
    mlp.loss_and_gradient(p, X, y, l2=0.5)
    for k in p:
        np.testing.assert_array_equal(p[k], before[k])
    np.testing.assert_array_equal(X, X0)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_complex_step_gives_the_gradient(problem, activation):
    p, X, y = problem
    grads = mlp.gradient(p, X, y, activation=activation, l2=0.2)
    h = 1e-20
    for key in mlp.PARAMETERS:
        for idx in np.ndindex(p[key].shape):
            q = {k: v.astype(complex) for k, v in p.items()}
            q[key][idx] += 1j * h
            J = mlp.loss(q, X, y, activation=activation, l2=0.2)
            assert J.imag / h == pytest.approx(grads[key][idx], rel=1e-10, abs=1e-14)


def test_relu_refuses_complex_parameters(problem):
    p, X, y = problem
    q = dict(p, W1=p["W1"].astype(complex))
    with pytest.raises(TypeError, match="'relu' is not analytic"):
        mlp.loss(q, X, y, activation="relu")


def test_dtype_rules(problem):
    p, X, y = problem
    p32 = {k: v.astype(np.float32) for k, v in p.items()}
    J, g = mlp.loss_and_gradient(p32, X.astype(np.float32), y)
    assert J.dtype == np.float32 and all(v.dtype == np.float32 for v in g.values())
    J, g = mlp.loss_and_gradient(p32, X, y)  # a mix gives float64
    assert J.dtype == np.float64 and g["W1"].dtype == np.float64
    J = mlp.loss(p, X.astype(int), y)  # integers become float64
    assert J.dtype == np.float64


def test_sigmoid_is_stable_for_large_logits():
    np.testing.assert_array_equal(mlp.activate([-1e4, 1e4], "sigmoid"), [0.0, 1.0])


def test_activation_derivatives_against_differences():
    z = np.array([-1.3, -0.2, 0.4, 2.0])
    for activation in mlp.ACTIVATIONS:
        h = 1e-6
        numeric = (mlp.activate(z + h, activation) - mlp.activate(z - h, activation)) / (2 * h)
        np.testing.assert_allclose(mlp.activation_derivative(z, activation), numeric, rtol=1e-7)


def test_init_params_is_sklearns_initialization():
    from sklearn.neural_network import MLPClassifier

    X = np.random.default_rng(0).normal(size=(12, 2))
    y = np.arange(12) % 3
    # one iteration of plain SGD with a zero learning rate leaves the initial weights
    clf = MLPClassifier(hidden_layer_sizes=(5,), solver="sgd", learning_rate_init=1e-300,
                        max_iter=1, random_state=7, momentum=0.0, alpha=0.0)  # fmt: skip
    with pytest.warns(Warning):
        clf.fit(X, y)
    p = mlp.init_params(2, 5, 3, seed=7)
    np.testing.assert_allclose(p["W1"], clf.coefs_[0], rtol=1e-12)
    np.testing.assert_allclose(p["b1"], clf.intercepts_[0], rtol=1e-12)
    np.testing.assert_allclose(p["W2"], clf.coefs_[1], rtol=1e-12)
    np.testing.assert_allclose(p["b2"], clf.intercepts_[1], rtol=1e-12)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (lambda p: {k: v for k, v in p.items() if k != "b2"}, ValueError, r"missing \['b2'\]"),
        (lambda p: dict(p, W1=p["W1"].T), ValueError, r"params\['W1'\] must have shape \(d, H\)"),
        (lambda p: dict(p, b1=np.zeros(7)), ValueError, r"params\['b1'\] must have shape \(H,\)"),
        (lambda p: dict(p, W2=np.zeros((5, 3))), ValueError, "both must equal H"),
        (lambda p: dict(p, b2=p["b2"] * np.nan), ValueError, r"params\['b2'\] must be finite"),
        (lambda p: [p["W1"]], TypeError, "params must be a dict"),
    ],
)
def test_clear_errors(problem, change, error, match):
    p, X, y = problem
    with pytest.raises(error, match=match):
        mlp.loss(change(p), X, y)


def test_clear_errors_for_data_and_options(problem):
    p, X, y = problem
    with pytest.raises(ValueError, match="activation must be one of"):
        mlp.loss(p, X, y, activation="softplus")
    with pytest.raises(ValueError, match=r"labels must be 0\.\.C-1"):
        mlp.loss(p, X, y + 1)
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        mlp.loss(p, X[0], y[:1])
    with pytest.raises(ValueError, match="l2 must be a finite number >= 0"):
        mlp.loss(p, X, y, l2=-1.0)


def test_backprop_gives_every_nodes_gradient(problem):
    """dJ/dZ2, dJ/dH and dJ/dZ1 against central differences of the loss in that node."""
    p, X, y = problem
    J, values, grads = mlp.backprop(p, X, y, activation="sigmoid")

    def loss_from(node, V):
        Z1 = X @ p["W1"] + p["b1"] if node != "Z1" else V
        H = 1 / (1 + np.exp(-Z1)) if node not in ("H", "Z2") else V
        Z2 = H @ p["W2"] + p["b2"] if node != "Z2" else V
        Z2 = Z2 - Z2.max(axis=1, keepdims=True)
        log_f = Z2 - np.log(np.exp(Z2).sum(axis=1, keepdims=True))
        return -log_f[np.arange(len(y)), y].mean()

    for node in ("Z2", "H", "Z1"):
        V = values[node]
        g = np.zeros_like(V)
        for idx in np.ndindex(V.shape):
            plus, minus = V.copy(), V.copy()
            plus[idx] += 1e-6
            minus[idx] -= 1e-6
            g[idx] = (loss_from(node, plus) - loss_from(node, minus)) / 2e-6
        np.testing.assert_allclose(grads[node], g, rtol=1e-6, atol=1e-10)
    assert J == pytest.approx(loss_from("none", None), rel=1e-12)
