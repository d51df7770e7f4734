"""The model (eqs 1-3) against computations written here, independently of gradlab."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

import gradlab


def make_problem(m=30, d=4, C=5, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, d)).astype(dtype)
    y = rng.integers(0, C, size=m)
    y[:C] = np.arange(C)  # every class present
    W = rng.normal(size=(d, C)).astype(dtype)
    b = rng.normal(size=C).astype(dtype)
    return W, b, X, y


def loss_by_loops(W, b, X, y, l2=0.0):
    """Eq (1) written out sample by sample, class by class."""
    m, C = X.shape[0], W.shape[1]
    total = 0.0
    for i in range(m):
        z = [float(X[i] @ W[:, c] + b[c]) for c in range(C)]
        denominator = sum(np.exp(zc) for zc in z)
        for j in range(C):
            if y[i] == j:
                total += np.log(np.exp(z[j]) / denominator)
    return -total / m + 0.5 * l2 * float((W**2).sum())


def gradient_by_loops(W, b, X, y, l2=0.0):
    """Eq (3): dJ/dw_k = (1/m) sum_i (f_k - I(y_i = k)) x_i, one sample at a time."""
    m, C = X.shape[0], W.shape[1]
    dW = np.zeros(W.shape)
    db = np.zeros(C)
    for i in range(m):
        z = X[i] @ W + b
        f = np.exp(z) / np.exp(z).sum()
        for k in range(C):
            dJi_dzk = f[k] - (1.0 if y[i] == k else 0.0)  # eq (2)
            dW[:, k] += dJi_dzk * X[i] / m
            db[k] += dJi_dzk / m
    return dW + l2 * W, db


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_loss_matches_per_sample_loop(l2):
    W, b, X, y = make_problem()
    assert gradlab.loss(W, b, X, y, l2=l2) == pytest.approx(
        loss_by_loops(W, b, X, y, l2), rel=1e-12
    )


@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_gradient_matches_per_sample_loop_of_eq3(l2):
    W, b, X, y = make_problem()
    dW, db = gradlab.gradient(W, b, X, y, l2=l2)
    dW_ref, db_ref = gradient_by_loops(W, b, X, y, l2)
    np.testing.assert_allclose(dW, dW_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(db, db_ref, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("l2", [0.0, 0.7])
def test_gradient_matches_central_differences(l2):
    W, b, X, y = make_problem(m=12, d=3, C=4, seed=3)
    dW, db = gradlab.gradient(W, b, X, y, l2=l2)
    h = 1e-6

    def central(f, A):
        out = np.zeros(A.shape)
        for idx in np.ndindex(A.shape):
            Ap, Am = A.copy(), A.copy()
            Ap[idx] += h
            Am[idx] -= h
            out[idx] = (f(Ap) - f(Am)) / (2 * h)
        return out

    np.testing.assert_allclose(
        dW, central(lambda A: loss_by_loops(A, b, X, y, l2), W), rtol=1e-7, atol=1e-9
    )
    np.testing.assert_allclose(
        db, central(lambda B: loss_by_loops(W, B, X, y, l2), b), rtol=1e-7, atol=1e-9
    )


def test_loss_and_gradient_agree_with_separate_calls():
    W, b, X, y = make_problem(seed=5)
    J, dW, db = gradlab.loss_and_gradient(W, b, X, y, l2=0.1)
    assert J == pytest.approx(loss_by_loops(W, b, X, y, 0.1), rel=1e-12)
    dW_ref, db_ref = gradient_by_loops(W, b, X, y, 0.1)
    np.testing.assert_allclose(dW, dW_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(db, db_ref, rtol=1e-12, atol=1e-14)


def test_bias_is_not_penalized():
    W, b, X, y = make_problem()
    _, db0 = gradlab.gradient(W, b, X, y)
    _, db1 = gradlab.gradient(W, b, X, y, l2=5.0)
    np.testing.assert_array_equal(db0, db1)


def test_complex_step_through_loss_gives_the_gradient():
    W, b, X, y = make_problem(m=10, d=3, C=3, seed=2)
    dW, db = gradlab.gradient(W, b, X, y, l2=0.2)
    h = 1e-30
    for idx in np.ndindex(W.shape):
        Wc = W.astype(complex)
        Wc[idx] += 1j * h
        assert gradlab.loss(Wc, b, X, y, l2=0.2).imag / h == pytest.approx(
            dW[idx], rel=1e-12, abs=1e-15
        )
    for k in range(3):
        bc = b.astype(complex)
        bc[k] += 1j * h
        assert gradlab.loss(W, bc, X, y, l2=0.2).imag / h == pytest.approx(
            db[k], rel=1e-12, abs=1e-15
        )


def test_complex_with_large_logits_stays_analytic():
    # a shift by |z| or a complex max would break the complex step here
    W = np.array([[800.0, -800.0, 0.0]], dtype=complex)
    W[0, 1] += 1e-25j
    X = np.array([[1.0], [-1.0]])
    y = np.array([1, 0])
    J = gradlab.loss(W, np.zeros(3), X, y)
    dW, _ = gradlab.gradient(W.real, np.zeros(3), X, y)
    assert np.isfinite(J)
    assert J.imag / 1e-25 == pytest.approx(dW[0, 1], rel=1e-10)


def test_predict_and_predict_proba():
    W, b, X, _ = make_problem(seed=9)
    P = gradlab.predict_proba(W, b, X)
    Z = X @ W + b
    np.testing.assert_allclose(P, np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_array_equal(gradlab.predict(W, b, X), Z.argmax(axis=1))


# --------------------------------------------------------------------------- softmax


def test_softmax_is_invariant_to_adding_a_constant():
    Z = np.random.default_rng(1).normal(size=(6, 4))
    np.testing.assert_allclose(gradlab.softmax(Z + 123.4), gradlab.softmax(Z), rtol=1e-12)
    np.testing.assert_allclose(gradlab.log_softmax(Z - 50.0), gradlab.log_softmax(Z), rtol=1e-12)


def test_softmax_matches_the_definition_and_respects_axis():
    Z = np.random.default_rng(2).normal(size=(3, 5))
    E = np.exp(Z)
    np.testing.assert_allclose(gradlab.softmax(Z), E / E.sum(axis=1, keepdims=True), rtol=1e-13)
    np.testing.assert_allclose(
        gradlab.softmax(Z, axis=0), E / E.sum(axis=0, keepdims=True), rtol=1e-13
    )
    np.testing.assert_allclose(
        gradlab.log_softmax(Z), np.log(E / E.sum(axis=1, keepdims=True)), rtol=1e-12
    )


def test_extreme_logits_are_finite_correct_and_silent():
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F = gradlab.softmax(Z)
        L = gradlab.log_softmax(Z)
        J = gradlab.loss(np.eye(3), np.zeros(3), Z, np.array([1, 0, 2]))
        dW, db = gradlab.gradient(np.eye(3), np.zeros(3), Z, np.array([1, 0, 2]))
    np.testing.assert_allclose(F, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0]], atol=1e-300)
    np.testing.assert_allclose(L[0], [0.0, -2e4, -1e4])
    np.testing.assert_allclose(L[2], [-np.log(2), -np.log(2), -2e4 - np.log(2)])
    # sample 1: log f_1 = -2e4; sample 2: uniform, -log(1/3); sample 3: -log f_3 = 2e4 + log 2
    assert J == pytest.approx((2e4 + np.log(3) + 2e4 + np.log(2)) / 3, rel=1e-12)
    assert np.isfinite(dW).all() and np.isfinite(db).all()


def test_one_hot():
    np.testing.assert_array_equal(gradlab.one_hot([2, 0, 1, 2], 3), np.eye(3)[[2, 0, 1, 2]])


# --------------------------------------------------------------------------- dtypes


def test_float32_in_float32_out():
    W, b, X, y = make_problem(dtype=np.float32)
    J, dW, db = gradlab.loss_and_gradient(W, b, X, y, l2=0.1)
    assert np.asarray(J).dtype == np.float32
    assert dW.dtype == np.float32 and db.dtype == np.float32
    assert gradlab.loss(W, b, X, y).dtype == np.float32
    assert gradlab.softmax(X).dtype == np.float32
    assert gradlab.predict_proba(W, b, X).dtype == np.float32
    dW64, db64 = gradient_by_loops(W.astype(float), b.astype(float), X.astype(float), y, 0.1)
    np.testing.assert_allclose(dW, dW64, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(db, db64, rtol=1e-4, atol=1e-6)


def test_integer_X_is_float64_and_lists_work():
    J = gradlab.loss([[1, 0], [0, 1]], [0, 0], [[1, 2], [3, 4]], [0, 1])
    assert np.asarray(J).dtype == np.float64
    assert J == pytest.approx(
        loss_by_loops(np.eye(2), np.zeros(2), np.array([[1.0, 2], [3, 4]]), [0, 1])
    )


def test_inputs_are_never_modified():
    W, b, X, y = make_problem()
    copies = [a.copy() for a in (W, b, X, y)]
    gradlab.loss_and_gradient(W, b, X, y, l2=0.5)
    gradlab.loss(W, b, X, y, l2=0.5)
    gradlab.predict_proba(W, b, X)
    Z = X.copy()
    gradlab.softmax(Z)
    gradlab.log_softmax(Z)
    for before, after in zip(copies, (W, b, X, y), strict=True):
        np.testing.assert_array_equal(before, after)
    np.testing.assert_array_equal(Z, X)


# --------------------------------------------------------------------------- bad input


def bad(**changes):
    W, b, X, y = make_problem(m=6, d=3, C=4)
    args = {"W": W, "b": b, "X": X, "y": y}
    args.update(changes)
    return args


BAD_INPUTS = [
    (
        "X of the wrong width",
        bad(X=np.ones((6, 5))),
        ValueError,
        r"W must have shape \(d, C\) = \(5, C\)",
    ),
    ("W transposed", bad(W=np.ones((4, 3))), ValueError, "transposed"),
    (
        "b not of length C",
        bad(b=np.ones(3)),
        ValueError,
        r"b must have one entry per class.*\(4,\).*\(3,\)",
    ),
    ("y not of length m", bad(y=np.zeros(5, int)), ValueError, "expected m = 6 labels; got 5"),
    (
        "labels too large",
        bad(y=np.array([0, 1, 2, 3, 7, 0])),
        ValueError,
        r"labels must be 0..C-1 = 0..3.*\[7\]",
    ),
    (
        "negative labels",
        bad(y=np.array([0, -1, 2, 3, 1, 0])),
        ValueError,
        r"labels must be 0..C-1.*\[-1\]",
    ),
    (
        "1-based labels",
        bad(y=np.array([1, 2, 3, 4, 4, 1])),
        ValueError,
        "labels must be 0..C-1; these look 1-based",
    ),
    (
        "fractional labels",
        bad(y=np.array([0, 1.5, 2, 3, 1, 0])),
        ValueError,
        r"non-integer values such as \[1.5\]",
    ),
    (
        "string labels",
        bad(y=np.array(list("abcdab"))),
        TypeError,
        "y must hold integer class labels",
    ),
    ("one-hot y", bad(y=np.eye(4)[[0, 1, 2, 3, 0, 1]]), ValueError, "one-hot"),
    (
        "NaN in X",
        bad(X=np.where(np.eye(6, 3) == 1, np.nan, 1.0)),
        ValueError,
        r"X must be finite.*index \(0, 0\)",
    ),
    ("inf in X", bad(X=np.full((6, 3), np.inf)), ValueError, "X must be finite"),
    ("NaN in W", bad(W=np.full((3, 4), np.nan)), ValueError, "W must be finite"),
    ("inf in b", bad(b=np.array([0, np.inf, 0, 0])), ValueError, "b must be finite"),
    (
        "empty X",
        bad(X=np.ones((0, 3)), y=np.zeros(0, int)),
        ValueError,
        r"X must have at least one sample.*\(0, 3\)",
    ),
    ("ragged X", bad(X=[[1.0, 2.0, 3.0], [1.0, 2.0]]), ValueError, "X must be a rectangular array"),
    ("1-D X", bad(X=np.ones(3)), ValueError, r"X must be a 2-D array.*\(3,\).*reshape\(1, -1\)"),
    ("string X", bad(X=[["a", "b", "c"]] * 6), TypeError, "X must contain numbers"),
    ("3-D W", bad(W=np.ones((3, 4, 1))), ValueError, "W must be a 2-D array"),
    ("overflowing X", bad(X=np.full((6, 3), 1e308)), ValueError, "overflowed"),
    ("negative l2", {**bad(), "l2": -1.0}, ValueError, "l2 must be a finite number >= 0"),
    ("string l2", {**bad(), "l2": "0.1"}, TypeError, "l2 must be a non-negative real number"),
]


@pytest.mark.parametrize(
    ("what", "args", "error", "message"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
@pytest.mark.parametrize("function", [gradlab.loss, gradlab.gradient, gradlab.loss_and_gradient])
def test_bad_input_gets_a_clear_error(function, what, args, error, message):
    with pytest.raises(error, match=message):
        function(**args)


def test_bad_input_to_predict_and_softmax():
    W, b, _, _ = make_problem(m=6, d=3, C=4)
    with pytest.raises(ValueError, match=r"W must have shape \(d, C\) = \(2, C\)"):
        gradlab.predict(W, b, np.ones((2, 2)))
    with pytest.raises(ValueError, match="Z must be finite"):
        gradlab.softmax([1.0, np.nan])
    with pytest.raises(ValueError, match="Z must be finite"):
        gradlab.log_softmax([np.inf, 0.0])
    with pytest.raises(ValueError, match="axis must be in"):
        gradlab.softmax(np.ones((2, 2)), axis=2)
    with pytest.raises(ValueError, match="at least one logit"):
        gradlab.softmax(np.ones((2, 0)))
    with pytest.raises(TypeError, match="n_classes must be a positive integer"):
        gradlab.one_hot([0, 1], 2.5)
    with pytest.raises(ValueError, match="these look 1-based"):
        gradlab.one_hot([1, 2, 3], 3)


def test_import_loads_only_numpy():
    code = (
        "import sys; import gradlab; "
        "print([m for m in ('sympy', 'matplotlib', 'scipy', 'tqdm') if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]", out
