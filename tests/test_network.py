"""TwoLayerNet: estimator conventions, the spirals accuracy, and scikit-learn's optimum."""

import warnings

import numpy as np
import pytest

from gradlab.datasets import make_spirals
from gradlab.network import NetworkLogits, TwoLayerNet
from gradlab.train import DivergenceError, DivergenceWarning


@pytest.fixture(scope="module")
def spirals():
    return make_spirals(n_samples=300, seed=0)


def test_reaches_97_percent_on_spirals_with_momentum(spirals):
    X, y = spirals
    net = TwoLayerNet(hidden=32, optimizer="momentum", lr=0.5, epochs=600, seed=0)
    assert net.fit(X, y) is net
    # counted independently of score(): argmax of the network's own forward pass
    W1, b1, W2, b2 = (net.params_[k] for k in ("W1", "b1", "W2", "b2"))
    predicted = (np.tanh(X @ W1 + b1) @ W2 + b2).argmax(axis=1)
    accuracy = float((net.classes_[predicted] == y).mean())
    assert accuracy >= 0.97
    assert net.score(X, y) == accuracy
    assert net.history_["accuracy"][-1] == accuracy


def test_lbfgs_separates_spirals(spirals):
    X, y = spirals
    net = TwoLayerNet(hidden=16, optimizer="lbfgs", epochs=300, seed=0).fit(X, y)
    assert net.score(X, y) == 1.0


def _sklearn_objective(coefs, intercepts, X, y, alpha):
    """scikit-learn's MLP objective, written out: mean log-loss + alpha/(2m) Σ ‖W‖²."""
    m = X.shape[0]
    Z = np.tanh(X @ coefs[0] + intercepts[0]) @ coefs[1] + intercepts[1]
    Z = Z - Z.max(axis=1, keepdims=True)
    log_f = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    penalty = alpha / (2 * m) * sum(float((W**2).sum()) for W in coefs)
    return -log_f[np.arange(m), y].mean() + penalty


@pytest.mark.slow
def test_lbfgs_reaches_sklearns_objective_from_the_same_start():
    from sklearn.neural_network import MLPClassifier

    X, y = make_spirals(n_samples=150, seed=0)
    m, hidden, alpha, seed = X.shape[0], 12, 0.1, 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn's ConvergenceWarning at max_iter
        clf = MLPClassifier(hidden_layer_sizes=(hidden,), activation="tanh", solver="lbfgs",
                            alpha=alpha, random_state=seed, max_iter=1000).fit(X, y)  # fmt: skip
    theirs = _sklearn_objective(clf.coefs_, clf.intercepts_, X, y, alpha)
    assert theirs == pytest.approx(clf.loss_, rel=1e-10)  # the convention is sklearn's own
    # the same start: TwoLayerNet(seed=s) draws MLPClassifier(random_state=s)'s weights
    net = TwoLayerNet(hidden=hidden, optimizer="lbfgs", l2=alpha / m, epochs=1000, seed=seed)
    net.fit(X, y)
    p = net.params_
    ours = _sklearn_objective([p["W1"], p["W2"]], [p["b1"], p["b2"]], X, y, alpha)
    assert ours == pytest.approx(net.history_["loss"][-1], rel=1e-10)
    assert ours <= theirs * (1 + 1e-3)


def test_history_and_learned_attributes(spirals):
    X, y = spirals
    labels = np.array(["a", "b", "c"])[y]
    net = TwoLayerNet(hidden=5, optimizer="gd", lr=0.5, epochs=20, record_every=5).fit(X, labels)
    h = net.history_
    assert h["epoch"].tolist() == [0, 5, 10, 15, 20]
    assert h["loss"][0] > h["loss"][-1]
    assert h["intercept"].shape == (5, 3) and len(h["coef"]) == 5
    assert net.classes_.tolist() == ["a", "b", "c"]
    assert set(net.predict(X)) <= {"a", "b", "c"}
    P = net.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    assert net.hidden_activations(X).shape == (300, 5)
    assert isinstance(net.coef_, NetworkLogits) and net.coef_.shape == (2, 3)
    # the plots' linear-model reading gives the network's logits
    np.testing.assert_allclose(X @ net.coef_ + net.intercept_, net.decision_function(X))
    # the first snapshot is the initial network, the last the final one
    np.testing.assert_array_equal(h["params"][-1]["W1"], net.params_["W1"])


def test_same_seed_same_model(spirals):
    X, y = spirals
    a = TwoLayerNet(hidden=4, optimizer="sgd", lr=0.1, epochs=3, seed=5).fit(X, y)
    b = TwoLayerNet(hidden=4, optimizer="sgd", lr=0.1, epochs=3, seed=5).fit(X, y)
    np.testing.assert_array_equal(a.params_["W1"], b.params_["W1"])


def test_divergence_warns_and_keeps_last_finite_epoch(spirals):
    X, y = spirals
    with pytest.warns(DivergenceWarning, match="too large"):
        net = TwoLayerNet(hidden=8, optimizer="gd", lr=1e6, epochs=50).fit(X * 100, y)
    assert net.diverged_ and np.isfinite(net.history_["loss"]).all()
    with pytest.raises(DivergenceError):
        TwoLayerNet(hidden=8, optimizer="gd", lr=1e6, epochs=50).fit(
            X * 100, y, on_divergence="raise"
        )


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"activation": "softplus"}, "activation must be one of"),
        ({"optimizer": "adamw"}, "optimizer must be one of"),
        ({"hidden": 0}, "hidden must be an integer >= 1"),
        ({"lr": -1.0}, "lr must be a finite number > 0"),
        ({"optimizer": "gd", "batch_size": 8}, "batch_size is for mini-batch training"),
    ],
)
def test_clear_errors(spirals, params, match):
    X, y = spirals
    with pytest.raises(ValueError, match=match):
        TwoLayerNet(**params).fit(X, y)


def test_not_fitted_and_wrong_features(spirals):
    X, y = spirals
    with pytest.raises(ValueError, match="not fitted yet"):
        TwoLayerNet().predict(X)
    net = TwoLayerNet(hidden=3, epochs=1).fit(X, y)
    with pytest.raises(ValueError, match="must have 2 features"):
        net.predict(np.ones((2, 3)))


def test_validation_history(spirals):
    order = np.random.default_rng(0).permutation(300)  # the points come sorted by class
    X, y = spirals[0][order], spirals[1][order]
    net = TwoLayerNet(hidden=8, optimizer="gd", lr=0.5, epochs=4).fit(X[:200], y[:200],
                                                                   X[200:], y[200:])  # fmt: skip
    h = net.history_
    assert h["val_loss"].shape == (5,) and h["val_accuracy"].shape == (5,)
    # independent: the mean cross-entropy of the final network on the held-out points
    Z = net.decision_function(X[200:])
    Z = Z - Z.max(axis=1, keepdims=True)
    log_f = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    assert h["val_loss"][-1] == pytest.approx(-log_f[np.arange(100), y[200:]].mean(), rel=1e-10)
    assert h["val_accuracy"][-1] == net.score(X[200:], y[200:])
    with pytest.raises(ValueError, match="pass both X_val and y_val"):
        TwoLayerNet(epochs=1).fit(X, y, X_val=X)
