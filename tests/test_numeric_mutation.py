"""The mutation suite: softmax-regression gradients with injected bugs.

The correct gradient here is written independently of gradlab: a per-sample loop
over eq (2)-(3). Each bug must fail the check with a fitting diagnosis; the correct
gradient must pass with every method and mode.
"""

from __future__ import annotations

import numpy as np
import pytest

from gradlab.numeric import check_gradient, check_softmax_gradient

M, D, C = 30, 4, 3
L2 = 0.1
rng = np.random.default_rng(11)
X = rng.normal(size=(M, D))
y = rng.integers(0, C, size=M)
y[:C] = np.arange(C)  # every class present


def per_sample_gradient(W, b, X, y, l2=0.0):
    """Eq (3) as the lecture writes it: a loop over samples and classes."""
    dW, db = np.zeros(W.shape), np.zeros(W.shape[1])
    m = len(y)
    for i in range(m):
        z = X[i] @ W + b
        f = np.exp(z - z.max())
        f /= f.sum()
        for k in range(W.shape[1]):
            g = f[k] - (y[i] == k)  # eq (2)
            dW[:, k] += g * X[i] / m
            db[k] += g / m
    return dW + l2 * W, db


def correct(W, b, X, y):
    return per_sample_gradient(W, b, X, y)


def missing_m(W, b, X, y):
    dW, db = per_sample_gradient(W, b, X, y)
    return dW * len(y), db * len(y)


def sign_flip(W, b, X, y):
    dW, db = per_sample_gradient(W, b, X, y)
    return -dW, -db


def db_zeros(W, b, X, y):
    return per_sample_gradient(W, b, X, y)[0], np.zeros(W.shape[1])


def no_onehot(W, b, X, y):
    Z = X @ W + b
    F = np.exp(Z - Z.max(axis=1, keepdims=True))
    F /= F.sum(axis=1, keepdims=True)
    return X.T @ F / len(y), F.mean(axis=0)


def one_entry(W, b, X, y):
    dW, db = per_sample_gradient(W, b, X, y)
    dW = dW.copy()
    dW[2, 1] *= 1 + 1e-6
    return dW, db


def transposed(W, b, X, y):
    dW, db = per_sample_gradient(W, b, X, y)
    return dW.T, db


def permuted(W, b, X, y):
    # The student's one-hot puts class (k + 1) % C in column k.
    return per_sample_gradient(W, b, X, (y - 1) % W.shape[1])


def l2_twice(W, b, X, y):
    dW, db = per_sample_gradient(W, b, X, y)
    return dW + 2 * L2 * W, db


def W_b(d=D, seed=0):
    r = np.random.default_rng(seed)
    return r.normal(size=(d, C)), r.normal(scale=0.1, size=C)


@pytest.mark.parametrize("mode", ["full", "sparse", "directional"])
@pytest.mark.parametrize("method", ["auto", "complex", "richardson", "central", "forward"])
def test_correct_gradient_passes_every_method_and_mode(method, mode):
    W, b = W_b()
    report = check_softmax_gradient(correct, W, b, X, y, method=method, mode=mode, n=8)
    assert report.ok, str(report)
    report = check_softmax_gradient(
        lambda *a: per_sample_gradient(*a, l2=L2), W, b, X, y, l2=L2, method=method, mode=mode
    )
    assert report.ok, str(report)


BUGS = {
    # bug: (student gradient, words the diagnosis must contain, l2, use a square W)
    "missing 1/m": (missing_m, f"analytic = {M} × numeric: forgot to divide by m = {M}", 0.0),
    "sign flip": (sign_flip, "sign flip", 0.0),
    "db zeros": (db_zeros, "gradient of 'b' is all zeros", 0.0),
    "no one-hot": (no_onehot, "forgot to subtract the one-hot", 0.0),
    "permuted one-hot": (permuted, "different order", 0.0),
    "l2 2λW": (l2_twice, "did you use 2λW", L2),
}


@pytest.mark.parametrize("mode", ["full", "directional"])
@pytest.mark.parametrize("bug", sorted(BUGS))
def test_each_bug_fails_with_a_fitting_diagnosis(bug, mode):
    grad_fn, words, l2 = BUGS[bug]
    W, b = W_b()
    report = check_softmax_gradient(grad_fn, W, b, X, y, l2=l2, mode=mode)
    assert not report.ok
    assert any(words in d for d in report.diagnosis), report.diagnosis


def test_permutation_names_the_classes():
    report = check_softmax_gradient(permuted, *W_b(), X, y)
    # column k of the student's one-hot holds class (k + 1) % C
    assert "{0: 1, 1: 2, 2: 0}" in report.diagnosis[0]


def test_transposed_gradient():
    W, b = W_b(d=C)  # square W: the transpose has the right shape
    X3 = X[:, :C]
    report = check_softmax_gradient(transposed, W, b, X3, y)
    assert not report.ok and "'W' is transposed" in report.diagnosis[0]
    # with a non-square W the shape error says it looks transposed
    with pytest.raises(ValueError, match="looks transposed"):
        check_softmax_gradient(transposed, *W_b(), X, y)


def test_one_entry_off_by_one_part_in_a_million_is_caught_by_default():
    W, b = W_b()
    report = check_softmax_gradient(one_entry, W, b, X, y)
    assert report.method == "complex"  # gradlab.loss is complex-safe in W and b
    assert not report.ok
    assert report.worst[0]["index"] == "W[2, 1]"
    assert report.diagnosis[0].startswith("only entry W[2, 1] disagrees")
    assert [r["failed"] for r in report.summary] == [1, 0]
    # the error really is 1e-6 relative: compare with the independent gradient
    dW, _ = per_sample_gradient(W, b, X, y)
    np.testing.assert_allclose(report.worst[0]["numeric"], dW[2, 1], rtol=1e-12)


def test_default_parameters_are_random_and_seeded():
    r1 = check_softmax_gradient(correct, X=X, y=y)
    r2 = check_softmax_gradient(correct, X=X, y=y)
    assert r1.ok and np.array_equal(r1.numeric, r2.numeric)
    assert np.abs(r1.numeric).max() > 1e-3  # not a trivial all-zero point
    r3 = check_softmax_gradient(correct, X=X, y=y, seed=1)
    assert not np.array_equal(r1.numeric, r3.numeric)


def test_float32_data_and_parameters():
    W, b = W_b()
    report = check_softmax_gradient(
        correct, W.astype(np.float32), b.astype(np.float32), X.astype(np.float32), y
    )
    assert report.ok, str(report)
    assert not check_softmax_gradient(
        sign_flip, W.astype(np.float32), X=X.astype(np.float32), y=y
    ).ok


def test_callers_arrays_are_not_modified():
    W, b = W_b()
    copies = [a.copy() for a in (X, y, W, b)]

    def vandal(W, b, X, y):
        out = per_sample_gradient(W, b, X, y)
        W += 1
        X *= 0
        return out

    check_softmax_gradient(vandal, W, b, X, y)
    for a, c in zip((X, y, W, b), copies, strict=True):
        np.testing.assert_array_equal(a, c)


def test_bad_grad_fn_output():
    with pytest.raises(TypeError, match=r"pair \(dW, db\)"):
        check_softmax_gradient(lambda W, b, X, y: W, X=X, y=y)
    with pytest.raises(TypeError, match="callable"):
        check_softmax_gradient("dW = X.T @ (F - Y)", X=X, y=y)
    with pytest.raises(ValueError, match="one label per row"):
        check_softmax_gradient(correct, X=X, y=y[:-1])


def test_generic_check_names_m_when_told():
    W, b = W_b()

    def f(p):
        Z = X @ p["W"] + p["b"]
        Z = Z - Z.real.max(axis=1, keepdims=True)
        return np.mean(np.log(np.exp(Z).sum(axis=1)) - Z[np.arange(M), y])

    def g(p):
        dW, db = missing_m(p["W"], p["b"], X, y)
        return {"W": dW, "b": db}

    report = check_gradient(f, g, {"W": W, "b": b}, m=M)
    assert any("forgot to divide by m" in d for d in report.diagnosis)
    report = check_gradient(f, g, {"W": W, "b": b})  # without m: still names the factor
    assert any(f"analytic = {M} × numeric" in d for d in report.diagnosis)
