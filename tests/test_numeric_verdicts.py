"""gradlab.numeric: the core promise, never a false verdict.

Non-complex-safe functions under method="auto", badly scaled functions, near-zero
true entries, kinks, non-deterministic f, float32, and a seeded randomized sweep over
function families and scales. Expected gradients are closed forms written here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gradlab.numeric import check_gradient

METHODS = ["forward", "central", "complex", "richardson"]
CHECK_METHODS = ["auto", *METHODS]
MODES = ["full", "sparse", "directional"]


# ----------------------------------------------------------------------------- never a false verdict


NOT_COMPLEX_SAFE = {
    # f, its exact gradient, a point
    "abs": (lambda x: np.sum(np.abs(x) ** 3), lambda x: 3 * x * np.abs(x)),
    "real": (lambda x: np.sum(np.real(x) ** 2 + x**3), lambda x: 2 * x + 3 * x**2),
    "float cast": (lambda x: float(np.sum(x**2)), lambda x: 2 * x),
    "maximum": (
        lambda x: np.sum(np.maximum(x, 0.1) ** 2),
        lambda x: 2 * np.maximum(x, 0.1) * (x > 0.1),
    ),
    "comparison": (
        lambda x: np.sum(np.where(x > 0, x**2, -(x**3))),
        lambda x: np.where(x > 0, 2 * x, -3 * x**2),
    ),
    "abs inside": (lambda x: np.sum(x**2) * np.abs(x[0]), None),
    "sqrt of square": (
        lambda x: np.sqrt(np.sum(x * np.conj(x))).real,
        lambda x: x / np.linalg.norm(x),
    ),
}


@pytest.mark.parametrize("name", sorted(NOT_COMPLEX_SAFE))
def test_auto_never_gives_a_false_verdict_on_non_complex_safe_f(name):
    f, grad = NOT_COMPLEX_SAFE[name]
    x = np.array([0.8, -0.6, 1.3, -1.7, 0.45])
    if grad is None:  # d/dx of |x0| * sum x^2 at x0 > 0
        grad = lambda x: 2 * x * abs(x[0]) + np.eye(len(x))[0] * np.sum(x**2)
    good = check_gradient(f, grad, x)
    assert good.ok, str(good)
    for factor in (1.01, 1 + 1e-5):
        bad = check_gradient(f, lambda x, k=factor: k * grad(x), x)
        assert not bad.ok, str(bad)


def test_auto_reports_falling_back_from_complex_step():
    report = check_gradient(
        lambda x: np.sum(np.abs(x) ** 3), lambda x: 3 * x * np.abs(x), -np.ones(3)
    )
    assert report.method == "richardson"
    assert any("not complex-safe" in d for d in report.diagnosis)


def test_explicit_complex_on_unsafe_f_is_refused():
    with pytest.raises(ValueError, match="complex-safe"):
        check_gradient(lambda x: np.sum(np.abs(x)), np.sign, np.ones(3), method="complex")


@pytest.mark.parametrize("method", CHECK_METHODS)
@pytest.mark.parametrize("scale", [1e6, 1e-8])
def test_badly_scaled_quadratics_pass(method, scale):
    rng = np.random.default_rng(3)
    c = rng.uniform(1, 2, size=6) * scale  # Hessian entries ~ scale
    x = rng.normal(size=6)
    assert check_gradient(lambda x: 0.5 * np.sum(c * x**2), lambda x: c * x, x, method=method).ok
    # and x itself of that size, f = |x|^2 / 2 + 1
    x = rng.normal(size=6) * scale
    f = lambda x: 0.5 * np.sum(x**2) + 1.0
    report = check_gradient(f, lambda x: x, x, method=method)
    if scale < 1 and method in ("forward", "central", "richardson"):
        # Real differences at steps ~ |x| ~ 1e-8 see changes of f of 1e-24, far below the
        # rounding of f ~ 1: they cannot tell x from -x, so no verdict either way.
        assert report.verdict == "inconclusive", str(report)
        assert any("cannot pin down" in d for d in report.diagnosis), str(report)
        flipped = check_gradient(f, lambda x: -x, x, method=method)
        assert flipped.verdict == "inconclusive", str(flipped)
    else:
        assert report.ok, str(report)
        assert not check_gradient(f, lambda x: -x, x, method=method).ok


@pytest.mark.parametrize("scale", [1e6, 1e-8])
def test_badly_scaled_quadratics_small_error_caught(scale):
    rng = np.random.default_rng(4)
    c = rng.uniform(1, 2, size=6) * scale
    x = rng.normal(size=6)
    assert not check_gradient(lambda x: 0.5 * np.sum(c * x**2), lambda x: (1 + 1e-4) * c * x, x).ok
    x = rng.normal(size=6) * scale
    assert not check_gradient(lambda x: 0.5 * np.sum(x**2) + 1.0, lambda x: 1.001 * x, x).ok


@pytest.mark.parametrize("method", CHECK_METHODS)
def test_near_zero_true_entries_raise_no_false_alarm(method):
    # Entries of the gradient spanning 1e-12 .. 1 with a lot of cancellation in f.
    a = np.array([1.0, 1e-3, 1e-6, 1e-9, 1e-12, 0.0])
    x = np.array([0.3, -0.2, 0.1, 0.5, -0.4, 0.25])
    f = lambda x: 1e3 + np.sum(a * np.sin(x)) - 1e3
    report = check_gradient(f, lambda x: a * np.cos(x), x, method=method)
    assert report.ok, str(report)


def test_kink_with_valid_subgradient_passes_and_is_named():
    x = np.array([0.0, 1.0, -1.0, 0.0])
    report = check_gradient(lambda x: np.sum(np.maximum(x, 0)), lambda x: (x > 0) * 1.0, x)
    assert report.ok
    assert any("kink" in d and "[0]" in d and "[3]" in d for d in report.diagnosis)
    tie = check_gradient(np.max, lambda x: np.array([1.0, 0, 0]), np.array([2.0, 2.0, 1.0]))
    assert tie.ok and any("kink" in d for d in tie.diagnosis)


def test_kink_with_invalid_subgradient_fails():
    x = np.array([0.0, 1.0])
    report = check_gradient(lambda x: np.sum(np.maximum(x, 0)), lambda x: np.array([1.5, 1]), x)
    assert not report.ok


def test_nondeterministic_f_is_inconclusive():
    rng = np.random.default_rng()
    report = check_gradient(
        lambda x: np.sum(x**2) + 1e-3 * rng.random(), lambda x: 2 * x, np.ones(3)
    )
    assert report.verdict == "inconclusive" and not report.ok
    assert "not deterministic" in report.diagnosis[0]


@pytest.mark.parametrize("method", CHECK_METHODS)
def test_float32_passes_and_says_precision_limits(method):
    x = np.random.default_rng(5).normal(size=(4, 3)).astype(np.float32)
    report = check_gradient(
        lambda x: np.sum(np.tanh(x)), lambda x: 1 - np.tanh(x) ** 2, x, method=method
    )
    assert report.ok, str(report)
    assert report.precision == "float32"
    assert any("float32 precision limits" in d for d in report.diagnosis)
    bad = check_gradient(
        lambda x: np.sum(np.tanh(x)), lambda x: 1.05 * (1 - np.tanh(x) ** 2), x, method=method
    )
    assert not bad.ok


# ----------------------------------------------------------------------------- other functions


def rosenbrock(x):
    return np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def rosenbrock_grad(x):
    g = np.zeros_like(x)
    g[:-1] = -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    g[1:] += 200 * (x[1:] - x[:-1] ** 2)
    return g


def logsumexp(x):
    mx = x.real.max()
    return mx + np.log(np.sum(np.exp(x - mx)))


def logsumexp_grad(x):
    e = np.exp(x - x.max())
    return e / e.sum()


_rng = np.random.default_rng(6)
_X, _t = _rng.normal(size=(8, 3)), _rng.normal(size=8)
NET = {"W1": _rng.normal(size=(3, 5)), "b1": _rng.normal(size=5), "w2": _rng.normal(size=5)}


def net_loss(p):
    H = np.tanh(_X @ p["W1"] + p["b1"])
    return 0.5 * np.mean((H @ p["w2"] - _t) ** 2)


def net_grad(p):
    H = np.tanh(_X @ p["W1"] + p["b1"])
    r = (H @ p["w2"] - _t) / len(_t)
    dH = np.outer(r, p["w2"]) * (1 - H**2)
    return {"W1": _X.T @ dH, "b1": dH.sum(axis=0), "w2": H.T @ r}


FUNCTIONS = {
    "rosenbrock": (rosenbrock, rosenbrock_grad, _rng.normal(size=8)),
    "logsumexp": (logsumexp, logsumexp_grad, 3 * _rng.normal(size=7)),
    "tanh network": (net_loss, net_grad, NET),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", CHECK_METHODS)
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_correct_gradients_pass(name, method, mode):
    f, grad, x = FUNCTIONS[name]
    report = check_gradient(f, grad, x, method=method, mode=mode, n=6)
    assert report.ok, str(report)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_perturbed_gradients_fail(name):
    f, grad, x = FUNCTIONS[name]

    def wrong(p):
        g = grad(p)
        if isinstance(g, dict):
            g = dict(g)
            g["b1"] = g["b1"] * (1 + 1e-6)
        else:
            g = g * (1 + 1e-6)
        return g

    report = check_gradient(f, wrong, x)
    assert not report.ok


def test_report_numeric_matches_an_independent_central_difference():
    f, grad, x = FUNCTIONS["rosenbrock"]
    report = check_gradient(f, grad, x, method="central")
    h = 1e-6
    mine = np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])
    np.testing.assert_allclose(report.numeric, mine, rtol=1e-6)
    np.testing.assert_array_equal(report.analytic, grad(x))


def _family(kind, n, sx, sf, rng):
    """A smooth function varying on the scale sx, of size sf, and its exact gradient."""
    A = rng.normal(size=(n, n))
    A = A @ A.T / n
    c = rng.normal(size=n)
    if kind == "quad":
        return (lambda x: sf * (0.5 * x @ A @ x + c @ x)), (lambda x: sf * (A @ x + c))
    if kind == "exp":
        return (
            lambda x: sf * np.sum(np.exp(c * x / sx)),
            lambda x: sf * c / sx * np.exp(c * x / sx),
        )
    if kind == "tanh":
        return (
            lambda x: sf * np.sum(np.tanh(A @ x / sx)),
            lambda x: sf * A.T @ (1 - np.tanh(A @ x / sx) ** 2) / sx,
        )
    return (
        lambda x: sf * np.sum(1 / (1 + (x / sx) ** 2)),
        lambda x: -2 * sf * x / sx**2 / (1 + (x / sx) ** 2) ** 2,
    )


def test_randomized_sweep_no_false_alarm_and_errors_caught():
    rng = np.random.default_rng(2024)
    for trial in range(60):
        kind = ["quad", "exp", "tanh", "rational"][trial % 4]
        n = int(rng.integers(1, 9))
        sx, sf = 10.0 ** rng.integers(-6, 7), 10.0 ** rng.integers(-8, 9)
        f, g = _family(kind, n, sx, sf, rng)
        x = rng.normal(size=n) * sx
        x = x.astype(np.float32) if trial % 6 == 0 else x
        wrong = lambda x, g=g: g(x) * 1.01
        for method in ("auto", "central", "richardson"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                right = check_gradient(f, g, x, method=method)
                bad = check_gradient(f, wrong, x, method=method)
            label = (kind, n, sx, sf, x.dtype.name, method)
            assert right.ok, (label, str(right))
            assert bad.verdict != "pass" or x.dtype == np.float32, (label, str(bad))
            if method == "auto":
                assert not bad.ok, (label, str(bad))
