"""Review regressions for gradlab.numeric: false verdicts found by trying to break the check.

Expected gradients are closed forms written here.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from gradlab.numeric import (
    check_gradient,
    check_softmax_gradient,
    numeric_gradient,
    step_size_sweep,
    taylor_test,
)


@pytest.mark.parametrize("mode", ["full", "directional"])
def test_zero_gradient_at_an_inflection_point_passes_with_the_complex_step(mode):
    # f = sum x^3 at x = 0: the gradient 3x^2 is exactly 0, while the complex step
    # carries its O(h^2) truncation term -h^2 (1e-40): no reason to call 0 wrong.
    x = np.zeros(4)
    report = check_gradient(
        lambda x: np.sum(x**3), lambda x: 3 * x**2, x, method="complex", mode=mode
    )
    assert report.ok, str(report)
    bad = check_gradient(
        lambda x: np.sum(x**3), lambda x: 3 * x**2 + 1e-3, x, method="complex", mode=mode
    )
    assert not bad.ok, str(bad)


@pytest.mark.parametrize("mode", ["full", "directional"])
@pytest.mark.parametrize("method", ["auto", "richardson", "central", "forward"])
@pytest.mark.parametrize("offset", [1e4, 1e6])
def test_f_varying_on_a_scale_far_below_x_gives_no_false_verdict(method, offset, mode):
    # sin varies on a scale of 1 while |x| ~ offset, so the default steps (scaled by
    # |x|) are far too wide: the check must shrink them, or say it cannot decide,
    # but never call the right gradient wrong nor pass a 1% error.
    x = offset + np.random.default_rng(1).normal(size=5)
    right = check_gradient(lambda x: np.sum(np.sin(x)), np.cos, x, method=method, mode=mode)
    assert right.verdict != "fail", str(right)
    wrong = check_gradient(
        lambda x: np.sum(np.sin(x)), lambda x: 1.01 * np.cos(x), x, method=method, mode=mode
    )
    assert wrong.verdict != "pass", str(wrong)


@pytest.mark.parametrize("method", ["auto", "richardson", "central", "forward"])
def test_constant_f_with_zero_gradient_passes(method):
    # analytic and numeric are both exactly 0: nothing is imprecise about that
    for value in (3, 1e10, 0.0):
        report = check_gradient(lambda x, v=value: v, np.zeros_like, np.ones(3), method=method)
        assert report.ok, str(report)
    assert not check_gradient(lambda x: 3.0, lambda x: np.full(3, 0.1), np.ones(3)).ok


def _grad_fn(W, b, X, y):
    F = np.exp(X @ W + b)
    F /= F.sum(axis=1, keepdims=True)
    F[np.arange(len(y)), y] -= 1
    return X.T @ F / len(y), F.sum(axis=0) / len(y)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: check_gradient(np.sum, np.ones_like, [[1.0], [1.0, 2.0]]), ValueError, "x must"),
        (
            lambda: check_gradient(np.sum, lambda x: [[1.0], [1.0, 2.0]], np.ones(3)),
            ValueError,
            "grad(x) must",
        ),
        (lambda: check_gradient(np.sum, np.ones_like, np.ones(3), seed="a"), TypeError, "seed"),
        (
            lambda: check_softmax_gradient(
                _grad_fn, np.zeros(3), X=np.ones((4, 3)), y=[0, 1, 0, 1]
            ),
            ValueError,
            "W must be a 2-D array",
        ),
        (
            lambda: step_size_sweep(np.sum, np.ones_like, np.ones(3), hs=[-1.0, 1e-3]),
            ValueError,
            "hs must",
        ),
        (
            lambda: step_size_sweep(np.sum, np.ones_like, np.ones(3), direction=np.zeros(3)),
            ValueError,
            "direction must be non-zero",
        ),
    ],
)
def test_bad_arguments_get_a_clear_error_naming_them(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()


def test_step_size_sweep_takes_one_method_as_a_string():
    sweep = step_size_sweep(
        lambda x: np.sum(np.sin(x)), np.cos, np.array([0.3, 1.2]), methods="central"
    )
    assert list(sweep.errors) == ["central"]
    assert sweep.errors["central"].min() < 1e-9


@pytest.mark.parametrize("option", ["--m", "--d", "--C", "--n"])
def test_cli_gradcheck_rejects_sizes_below_one_with_a_usage_error(option, capsys):
    from gradlab.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["gradcheck", option, "0"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert option in err and ">= 1" in err and "Traceback" not in err


@pytest.mark.parametrize("lam", [1e-6, 1e-7, 1e-8, 1e-9])
def test_a_small_non_complex_safe_term_never_fails_a_right_gradient_under_auto(lam):
    # λ‖W‖₁ with a tiny λ: the complex step drops λ·sign(W) while the one-direction
    # safety probe cannot see a term that small; real differences must decide, or no verdict.
    W = np.random.default_rng(0).normal(size=(6, 5))
    report = check_gradient(
        lambda W: np.sum(np.sin(W)) + lam * np.sum(np.abs(W)),
        lambda W: np.cos(W) + lam * np.sign(W),
        W,
    )
    assert report.verdict != "fail", str(report)
    x = {"W": W, "b": np.array([0.3, -1.2, 0.8])}
    report = check_gradient(
        lambda p: np.sum(p["W"] ** 2) + lam * np.sum(np.abs(p["b"])),
        lambda p: {"W": 2 * p["W"], "b": lam * np.sign(p["b"])},
        x,
    )
    assert report.verdict != "fail", str(report)
    if lam >= 1e-7:  # real differences resolve it: a definite pass
        assert report.ok, str(report)


@pytest.mark.parametrize("rel", [1e-6, 1e-7])
def test_one_entry_off_by_a_tiny_relative_error_is_still_caught_under_auto(rel):
    W = np.random.default_rng(1).normal(size=(6, 5))

    def grad(W):
        g = np.cos(W)
        g[2, 3] *= 1 + rel
        return g

    report = check_gradient(lambda W: np.sum(np.sin(W)), grad, W)
    assert report.verdict == "fail", str(report)
    assert report.method == "complex"
    assert list(np.argwhere(report.failed)) == [[2 * 5 + 3]]


def test_an_f_that_rebinds_a_key_of_its_dict_is_still_differentiated():
    def f(p):
        p["W"] = np.array(p["W"])  # a copy, bound to the dict f was given
        return np.sum(p["W"] ** 2) + np.sum(p["b"] ** 3)

    def grad(p):
        return {"W": 2 * p["W"], "b": 3 * p["b"] ** 2}

    x = {"W": np.array([[1.0, 2.0]]), "b": np.array([0.5])}
    for method in ("auto", "central", "richardson"):
        assert check_gradient(f, grad, x, method=method).ok
    g = numeric_gradient(f, x, method="central")
    np.testing.assert_allclose(g["W"], [[2.0, 4.0]], rtol=1e-8)
    np.testing.assert_allclose(g["b"], [0.75], rtol=1e-8)
    assert taylor_test(f, grad, x).ok
    np.testing.assert_array_equal(x["W"], [[1.0, 2.0]])


@pytest.mark.parametrize(
    ("x", "scale"),
    [
        (1e-4 * np.array([0.3, -1.2, 0.7]), 1e-4),  # f varies on the scale of small x
        (1e4 + np.array([0.3, -1.2, 0.7]), 1.0),  # x far from 0, f varies on a scale of 1
        (np.array([0.3, -1.2, 0.7]), 1e-6),  # f varies far faster than x's size
    ],
)
def test_taylor_test_reaches_the_small_h_regime(x, scale):
    def f(x):
        return np.sum(np.sin(x / scale))

    def grad(x):
        return np.cos(x / scale) / scale

    right = taylor_test(f, grad, x)
    assert right.ok, str(right)
    wrong = taylor_test(f, lambda x: 1.01 * grad(x), x)
    assert not wrong.ok, str(wrong)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # in f itself
def test_taylor_test_skips_steps_where_f_overflows():
    x = np.array([700.0, 699.0])
    right = taylor_test(lambda x: np.sum(np.exp(x)), np.exp, x)
    assert right.ok, str(right)
    assert np.isnan(right.residuals[0])
    assert not taylor_test(lambda x: np.sum(np.exp(x)), lambda x: 1.01 * np.exp(x), x).ok


@pytest.mark.parametrize("method", ["auto", "richardson", "central"])
def test_f_oscillating_far_faster_than_x_gives_no_false_verdict(method):
    # sin(1e7 x) at x ~ 1: the measured "noise" of f must not be its own oscillation
    omega = 1e7
    x = np.random.default_rng(1).normal(size=5)
    right = check_gradient(
        lambda x: np.sum(np.sin(omega * x)), lambda x: omega * np.cos(omega * x), x, method=method
    )
    assert right.verdict != "fail", str(right)
    wrong = check_gradient(
        lambda x: np.sum(np.sin(omega * x)),
        lambda x: 1.01 * omega * np.cos(omega * x),
        x,
        method=method,
    )
    assert wrong.verdict != "pass", str(wrong)


def test_check_softmax_gradient_refuses_1_based_labels_it_would_misread():
    # with C inferred from the labels, 1-based labels would add an empty class 0
    import gradlab
    from gradlab.numeric.examples import STUDENT_GRADIENTS

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.integers(1, 4, size=20)
    with pytest.raises(ValueError, match="these look 1-based"):
        gradlab.check_softmax_gradient(STUDENT_GRADIENTS["none"], X=X, y=y)
    # with C given through W or b, labels 1..C-1 are legitimate (class 0 just absent)
    assert gradlab.check_softmax_gradient(STUDENT_GRADIENTS["none"], np.zeros((3, 4)), X=X, y=y).ok
    assert gradlab.check_softmax_gradient(STUDENT_GRADIENTS["none"], b=np.zeros(4), X=X, y=y).ok
