"""SoftmaxRegression against scikit-learn's optimum and against hand-written updates."""

import warnings

import numpy as np
import pytest

import gradlab
from gradlab.datasets import load_iris, make_blobs
from gradlab.optimizers import InverseTimeDecay
from gradlab.train import DivergenceError, DivergenceWarning, SoftmaxRegression

LAMBDA = 1e-2


def objective(W, b, X, codes, lam):
    """J = mean cross-entropy + (lam/2)||W||^2, written out independently of gradlab."""
    Z = X @ W + b
    Z = Z - Z.max(axis=1, keepdims=True)
    logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(codes)), codes].mean() + 0.5 * lam * (W**2).sum()


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(standardized=True)
    codes = np.unique(y, return_inverse=True)[1]
    return X, y, codes


@pytest.fixture(scope="module")
def sklearn_optimum(iris):
    sklearn_lm = pytest.importorskip("sklearn.linear_model")
    X, y, codes = iris
    m = X.shape[0]
    clf = sklearn_lm.LogisticRegression(C=1 / (LAMBDA * m), tol=1e-12, max_iter=10_000)
    clf.fit(X, y)
    W, b = clf.coef_.T, clf.intercept_
    return W, b, objective(W, b, X, codes, LAMBDA)


def centred(b):
    return b - b.mean()


FULL_BATCH = [
    ("gd", {"lr": 1.0, "epochs": 6000}),
    ("momentum", {"lr": 0.3, "epochs": 1500}),
    ("nesterov", {"lr": 0.3, "epochs": 1500}),
    ("lbfgs", {"epochs": 500}),
]


@pytest.mark.parametrize(("optimizer", "kw"), FULL_BATCH, ids=[o for o, _ in FULL_BATCH])
def test_full_batch_optimizers_reach_sklearn_optimum(iris, sklearn_optimum, optimizer, kw):
    X, y, codes = iris
    W_ref, b_ref, J_ref = sklearn_optimum
    model = SoftmaxRegression(optimizer, l2=LAMBDA, record_every=500, **kw).fit(X, y)
    J = objective(model.coef_, model.intercept_, X, codes, LAMBDA)
    assert J == pytest.approx(J_ref, rel=1e-6)
    assert J >= J_ref * (1 - 1e-9)  # scikit-learn's is the optimum: nobody beats it
    np.testing.assert_allclose(model.coef_, W_ref, atol=1e-4)
    np.testing.assert_allclose(centred(model.intercept_), centred(b_ref), atol=1e-4)
    # The recorded loss is the same objective, at the returned parameters.
    assert model.history_["loss"][-1] == pytest.approx(J, rel=1e-12)


def test_sgd_with_decaying_rate_gets_close(iris, sklearn_optimum):
    X, y, codes = iris
    _, _, J_ref = sklearn_optimum
    model = SoftmaxRegression(
        "sgd", lr=InverseTimeDecay(0.3, half_life=50), epochs=300, batch_size=16, l2=LAMBDA
    ).fit(X, y)
    J = objective(model.coef_, model.intercept_, X, codes, LAMBDA)
    assert J == pytest.approx(J_ref, rel=1e-3)


def test_gd_epochs_are_the_textbook_update():
    """Three epochs of gd equal three hand-written steps W <- W - lr dJ/dW (eq 3)."""
    X, y = make_blobs(40, 3, seed=2)
    lr, lam = 0.3, 0.1
    model = SoftmaxRegression(lr=lr, epochs=3, l2=lam).fit(X, y)
    W, b = np.zeros((2, 3)), np.zeros(3)
    for _ in range(3):
        F = np.exp(X @ W + b)
        F /= F.sum(axis=1, keepdims=True)
        F[np.arange(len(y)), y] -= 1  # f_k - I(y_i = k), eq (2)
        W, b = W - lr * (X.T @ F / len(y) + lam * W), b - lr * F.mean(axis=0)
    np.testing.assert_allclose(model.coef_, W, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(model.intercept_, b, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(model.history_["coef"][-1], W, rtol=1e-12, atol=1e-15)


def test_momentum_and_nesterov_updates_by_hand():
    X, y = make_blobs(30, 3, seed=4)
    lr, mu = 0.2, 0.9

    def grad(W, b):
        F = np.exp(X @ W + b)
        F /= F.sum(axis=1, keepdims=True)
        F[np.arange(len(y)), y] -= 1
        return X.T @ F / len(y), F.mean(axis=0)

    for name in ("momentum", "nesterov"):
        W, b = np.zeros((2, 3)), np.zeros(3)
        vW, vb = np.zeros_like(W), np.zeros_like(b)
        for _ in range(4):
            if name == "momentum":
                gW, gb = grad(W, b)
                vW, vb = mu * vW - lr * gW, mu * vb - lr * gb
                W, b = W + vW, b + vb
            else:  # Sutskever's form; gradlab keeps the look-ahead point W + mu v
                gW, gb = grad(W + mu * vW, b + mu * vb)
                vW, vb = mu * vW - lr * gW, mu * vb - lr * gb
                W, b = W + vW, b + vb
        model = SoftmaxRegression(name, lr=lr, momentum=mu, epochs=4).fit(X, y)
        lookahead = (W + mu * vW, b + mu * vb) if name == "nesterov" else (W, b)
        np.testing.assert_allclose(model.coef_, lookahead[0], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(model.intercept_, lookahead[1], rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------------------- history


def test_history_records_what_was_asked():
    X, y = make_blobs(60, 3, seed=0)
    Xv, yv = make_blobs(30, 3, seed=1)
    model = SoftmaxRegression(lr=0.5, epochs=25, record_every=10).fit(X, y, Xv, yv)
    h = model.history_
    assert h["epoch"].tolist() == [0, 10, 20, 25]
    assert h["coef"].shape == (4, 2, 3) and h["intercept"].shape == (4, 3)
    for n, epoch in enumerate(h["epoch"]):
        W, b = h["coef"][n], h["intercept"][n]
        assert h["loss"][n] == pytest.approx(objective(W, b, X, y, 0.0), rel=1e-12)
        assert h["val_loss"][n] == pytest.approx(objective(W, b, Xv, yv, 0.0), rel=1e-12)
        assert h["accuracy"][n] == np.mean((X @ W + b).argmax(1) == y)
        assert h["val_accuracy"][n] == np.mean((Xv @ W + b).argmax(1) == yv)
        dW, db = gradlab.gradient(W, b, X, y)
        assert h["grad_norm"][n] == pytest.approx(np.sqrt((dW**2).sum() + (db**2).sum()))
        if epoch == 0:
            assert h["loss"][n] == pytest.approx(np.log(3))  # W = 0: uniform f_k
    assert np.all(np.diff(h["loss"]) < 0)  # lr below 1/L: J decreases
    np.testing.assert_array_equal(h["coef"][-1], model.coef_)


def test_tol_stops_when_the_gradient_is_small():
    X, y = make_blobs(60, 3, seed=0)
    model = SoftmaxRegression("nesterov", lr=0.3, epochs=5000, l2=0.1, tol=1e-6).fit(X, y)
    assert model.converged_ and model.n_iter_ < 5000
    assert model.history_["grad_norm"][-1] <= 1e-6
    assert model.history_["epoch"][-1] == model.n_iter_


@pytest.mark.parametrize("optimizer", ["gd", "sgd", "momentum", "nesterov", "lbfgs"])
def test_deterministic_for_a_seed(optimizer):
    X, y = make_blobs(80, 3, seed=3)
    kw = {"optimizer": optimizer, "lr": 0.2, "epochs": 15, "seed": 7}
    a = SoftmaxRegression(**kw).fit(X, y)
    b = SoftmaxRegression(**kw).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.history_["loss"], b.history_["loss"])


def test_mini_batch_momentum_and_full_batch_size():
    X, y = make_blobs(48, 3, seed=3)
    full = SoftmaxRegression("momentum", lr=0.1, epochs=5).fit(X, y)
    same = SoftmaxRegression("momentum", lr=0.1, epochs=5, batch_size=48).fit(X, y)
    np.testing.assert_array_equal(full.coef_, same.coef_)
    # One epoch of sgd with batches of 16 is three steps on the shuffled batches.
    model = SoftmaxRegression("sgd", lr=0.2, epochs=1, batch_size=16, seed=3).fit(X, y)
    order = np.random.default_rng(3).permutation(48)
    W, b = np.zeros((2, 3)), np.zeros(3)
    for start in (0, 16, 32):
        idx = order[start : start + 16]
        dW, db = gradlab.gradient(W, b, X[idx], y[idx])
        W, b = W - 0.2 * dW, b - 0.2 * db
    np.testing.assert_allclose(model.coef_, W, rtol=1e-12)


def test_sgd_seed_changes_the_shuffling():
    X, y = make_blobs(80, 3, seed=3)
    a = SoftmaxRegression("sgd", lr=0.2, epochs=3, seed=1).fit(X, y)
    b = SoftmaxRegression("sgd", lr=0.2, epochs=3, seed=2).fit(X, y)
    assert not np.allclose(a.coef_, b.coef_)


# ----------------------------------------------------------------------------- labels


def test_string_and_one_based_labels_map_through_classes():
    X, codes = make_blobs(90, 3, seed=0)
    names = np.array(["cat", "dog", "emu"])[codes]
    ref = SoftmaxRegression(lr=0.5, epochs=30).fit(X, codes)
    for labels in (names, codes + 1):
        model = SoftmaxRegression(lr=0.5, epochs=30).fit(X, labels)
        np.testing.assert_array_equal(model.coef_, ref.coef_)
        np.testing.assert_array_equal(model.predict(X), np.unique(labels)[ref.predict(X)])
        assert model.score(X, labels) == ref.score(X, codes)
    assert model.classes_.tolist() == [1, 2, 3]
    np.testing.assert_allclose(ref.predict_proba(X).sum(axis=1), 1.0)


def test_predictions_follow_the_softmax_of_the_logits():
    X, y = make_blobs(50, 3, seed=0)
    model = SoftmaxRegression(lr=0.5, epochs=20).fit(X, y)
    Z = X @ model.coef_ + model.intercept_
    F = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict_proba(X), F, rtol=1e-12)
    np.testing.assert_array_equal(model.predict(X), F.argmax(axis=1))


def test_inputs_are_not_modified():
    X, y = make_blobs(50, 3, seed=0)
    X0, y0 = X.copy(), y.copy()
    SoftmaxRegression("momentum", epochs=5).fit(X, y, X, y)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


# ----------------------------------------------------------------------------- divergence


def test_divergence_warns_and_keeps_the_last_finite_epoch():
    X, y = make_blobs(60, 3, seed=0)
    with pytest.warns(DivergenceWarning, match=r"epoch \d+; lr=50 is too large .* try lr <= "):
        model = SoftmaxRegression(lr=50, epochs=100, l2=1.0).fit(X, y)
    assert model.diverged_ and model.n_iter_ < 100
    h = model.history_
    assert np.isfinite(h["loss"]).all() and np.isfinite(h["coef"]).all()
    assert np.isfinite(model.coef_).all() and np.isfinite(model.intercept_).all()
    assert h["epoch"][-1] == model.n_iter_
    np.testing.assert_array_equal(h["coef"][-1], model.coef_)
    # The suggested rate really trains: J goes down every epoch.
    suggestion = float(str(_message(X, y)).split("try lr <= ")[1].split(" ")[0])
    safe = SoftmaxRegression(lr=suggestion, epochs=50, l2=1.0).fit(X, y)
    assert not safe.diverged_ and np.all(np.diff(safe.history_["loss"]) < 0)


def _message(X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        SoftmaxRegression(lr=50, epochs=100, l2=1.0).fit(X, y)
    (w,) = caught
    return w.message


def test_divergence_to_inf_is_named_inf():
    X, y = make_blobs(60, 3, seed=0)
    with pytest.warns(DivergenceWarning, match="loss became inf at epoch 1"):
        model = SoftmaxRegression(lr=1e300, epochs=10, l2=1.0).fit(X, y)
    assert model.n_iter_ == 0 and np.all(model.coef_ == 0)


def test_divergence_can_raise_and_still_leaves_finite_state():
    X, y = make_blobs(60, 3, seed=0)
    model = SoftmaxRegression("momentum", lr=200, epochs=100, l2=0.5)
    with pytest.raises(DivergenceError, match="too large"):
        model.fit(X, y, on_divergence="raise")
    assert np.isfinite(model.coef_).all() and np.isfinite(model.history_["loss"]).all()


def test_sgd_divergence_is_caught_within_an_epoch():
    X, y = make_blobs(64, 3, seed=0)
    with pytest.warns(DivergenceWarning):
        model = SoftmaxRegression("sgd", lr=1e4, epochs=20, l2=1.0, batch_size=8).fit(X, y)
    assert np.isfinite(model.coef_).all()


def test_large_but_stable_oscillation_is_not_called_divergence():
    X, y = make_blobs(60, 3, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DivergenceWarning)
        model = SoftmaxRegression(lr=50, epochs=50).fit(X, y)  # no penalty: bounded
    assert not model.diverged_


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"optimizer": "adam"}, ValueError, "optimizer must be one of gd, sgd"),
        ({"lr": -1.0}, ValueError, "lr must be a finite number > 0; got -1.0"),
        ({"lr": "fast"}, TypeError, "lr must be a positive number"),
        ({"epochs": 2.5}, TypeError, "epochs must be an integer"),
        ({"momentum": 1.0}, ValueError, r"momentum must be a number in \[0, 1\)"),
        ({"l2": -0.1}, ValueError, "l2 must be a finite number >= 0"),
        ({"tol": 0}, ValueError, "tol must be None or a number > 0"),
        ({"record_every": 0}, ValueError, "record_every must be an integer >= 1"),
        ({"batch_size": 8}, ValueError, 'optimizer="gd" always uses the full batch'),
        ({"seed": "x"}, ValueError, "seed must be None or an integer >= 0; got str 'x'"),
    ],
)
def test_bad_params_are_named(params, error, match):
    X, y = make_blobs(20, 2)
    with pytest.raises(error, match=match):
        SoftmaxRegression(**params).fit(X, y)


def test_bad_data_is_named():
    X, y = make_blobs(20, 2)
    model = SoftmaxRegression(epochs=2)
    with pytest.raises(ValueError, match="X must be a 2-D array"):
        model.fit(X[:, 0], y)
    with pytest.raises(ValueError, match="y must be a 1-D array with one label per row"):
        model.fit(X, y[:-1])
    with pytest.raises(ValueError, match="at least two classes"):
        model.fit(X, np.zeros(20, dtype=int))
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"X must be finite.*index \(3, 1\)"):
        model.fit(bad, y)
    with pytest.raises(ValueError, match="pass both X_val and y_val"):
        model.fit(X, y, X_val=X)
    with pytest.raises(ValueError, match=r"y_val contains labels not seen in y: \[7\]"):
        model.fit(X, y, X, np.where(y == 0, 7, y))
    with pytest.raises(ValueError, match="not fitted yet"):
        SoftmaxRegression().predict(X)
    model.fit(X, y)
    with pytest.raises(ValueError, match="X must have 2 features"):
        model.predict(np.ones((3, 5)))


def test_sklearn_style_params_and_display():
    model = SoftmaxRegression(lr=0.3, epochs=7)
    assert repr(model) == "SoftmaxRegression(lr=0.3, epochs=7)"
    assert model.set_params(l2=0.5) is model and model.get_params()["l2"] == 0.5
    with pytest.raises(ValueError, match="invalid parameter 'alpha'"):
        model.set_params(alpha=1)
    X, y = make_blobs(30, 3)
    model.fit(X, y, X, y)
    text = str(model)
    assert "train accuracy" in text and "validation J / accuracy" in text
    assert "<table>" in model._repr_html_()


def test_exported_from_gradlab():
    assert gradlab.SoftmaxRegression is SoftmaxRegression


def test_lbfgs_with_zero_epochs_does_not_train():
    X, y = make_blobs(n_samples=60, seed=0)
    model = SoftmaxRegression("lbfgs", epochs=0).fit(X, y)
    # like the first-order methods: epochs=0 leaves W = 0, b = 0 (J = log C) and records epoch 0
    assert model.n_iter_ == 0
    assert model.history_["epoch"].tolist() == [0]
    assert np.all(model.coef_ == 0) and np.all(model.intercept_ == 0)
    assert model.history_["loss"][0] == pytest.approx(np.log(3))


def test_divergence_on_huge_features_still_warns_clearly():
    X, y = load_iris()
    with pytest.warns(DivergenceWarning, match="lr=0.1 is too large"):
        model = SoftmaxRegression(lr=0.1, epochs=20).fit(X * 1e160, y)
    assert model.diverged_ and np.isfinite(model.coef_).all()


def test_smoothness_matches_the_largest_eigenvalue_and_does_not_overflow():
    from gradlab.train import smoothness

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    Xb = np.column_stack([X, np.ones(40)])
    expected = np.linalg.eigvalsh(Xb.T @ Xb)[-1] / (2 * 40) + 0.5
    assert smoothness(X, 0.5) == pytest.approx(expected, rel=1e-12)
    assert smoothness(X * 1e200, 0.0) == np.inf  # honest: no finite bound, and no LinAlgError


@pytest.mark.parametrize("bad", [float("nan"), -0.1, 0.0, float("inf")])
def test_a_schedule_returning_a_bad_rate_is_named(bad):
    X, y = make_blobs(n_samples=60, seed=0)
    model = SoftmaxRegression(lr=lambda epoch: 0.1 if epoch < 2 else bad, epochs=5)
    with pytest.raises(ValueError, match=r"lr schedule returned .* at epoch 2"):
        model.fit(X, y)


def test_labels_of_mixed_types_are_named():
    X, _ = make_blobs(n_samples=60, seed=0)
    mixed = np.array([1, "a"] * 30, dtype=object)
    with pytest.raises(TypeError, match="y must hold labels of one kind"):
        SoftmaxRegression().fit(X, mixed)


def test_gradient_norm_of_huge_features_is_finite_and_silent():
    X, y = load_iris()
    with pytest.warns(DivergenceWarning) as caught:
        model = SoftmaxRegression(lr=1e-300, epochs=1).fit(X * 1e160, y)
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]
    g0 = model.history_["grad_norm"][0]
    Xs = X * 1e160
    codes = np.unique(y, return_inverse=True)[1]
    # at W = 0, b = 0: dJ/dW = X^T (F - Y) / m with F = 1/3, computed here with scaling
    R = np.full((150, 3), 1 / 3) - np.eye(3)[codes]
    dW = (Xs / 1e160).T @ R / 150 * 1e160
    db = R.mean(axis=0)
    expected = 1e160 * np.sqrt(((dW / 1e160) ** 2).sum() + ((db / 1e160) ** 2).sum())
    assert np.isfinite(g0) and g0 == pytest.approx(expected, rel=1e-10)


def test_lbfgs_on_overflowing_features_keeps_finite_parameters_and_warns():
    X, y = load_iris()
    with pytest.warns(DivergenceWarning, match="standardize X") as caught:
        model = SoftmaxRegression("lbfgs", epochs=20).fit(X * 1e160, y)
    assert "lr=" not in str(caught[0].message)  # L-BFGS has no learning rate to blame
    assert model.diverged_
    assert np.isfinite(model.coef_).all() and np.isfinite(model.intercept_).all()
    assert np.isfinite(model.history_["loss"]).all()
    # what is kept is the last finite iterate: its loss is the recorded last loss
    codes = np.unique(y, return_inverse=True)[1]
    Z = (X * 1e160) @ model.coef_ + model.intercept_
    Z -= Z.max(axis=1, keepdims=True)
    J = -(Z[np.arange(150), codes] - np.log(np.exp(Z).sum(axis=1))).mean()
    assert J == pytest.approx(model.history_["loss"][-1], rel=1e-9)
    with pytest.raises(DivergenceError):
        SoftmaxRegression("lbfgs", epochs=20).fit(X * 1e160, y, on_divergence="raise")


def test_score_with_labels_of_another_kind_is_named_not_zero():
    X, y = load_iris()  # string labels
    model = SoftmaxRegression(lr=0.1, epochs=5).fit(X, y)
    codes = np.unique(y, return_inverse=True)[1]
    with pytest.raises(ValueError, match="y must hold labels like classes_"):
        model.score(X, codes)
    numeric = SoftmaxRegression(lr=0.1, epochs=5).fit(X, codes)
    with pytest.raises(ValueError, match="y must hold labels like classes_"):
        numeric.score(X, y)
    # same kind, other width or an unseen label: an honest accuracy
    assert numeric.score(X, codes.astype(np.int32)) == pytest.approx(
        np.mean(numeric.predict(X) == codes)
    )
    assert numeric.score(X[:2], [7, 7]) == 0.0


def test_a_fit_that_fails_midway_leaves_the_previous_fit_whole():
    X, y = make_blobs(n_samples=60, seed=0)
    model = SoftmaxRegression(lr=0.5, epochs=5).fit(X, y)
    before = model.predict(X)
    X3 = np.column_stack([X, X[:, 0]])
    model.set_params(lr=lambda epoch: float("nan"))
    with pytest.raises(ValueError, match="lr schedule"):
        model.fit(X3, np.array(["a", "b", "c", "d"] * 15))
    # classes_ and n_features_in_ still describe coef_, so the old model still predicts
    assert model.n_features_in_ == 2 and model.classes_.tolist() == [0, 1, 2]
    assert np.array_equal(model.predict(X), before)


def test_one_hot_labels_get_a_hint():
    X, y = make_blobs(n_samples=60, seed=0)
    Y = np.eye(3)[y]
    with pytest.raises(ValueError, match=r"one-hot.*Y\.argmax\(axis=1\)"):
        SoftmaxRegression().fit(X, Y)
