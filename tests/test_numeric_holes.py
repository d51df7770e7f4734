"""gradlab.numeric: regression tests for the false verdicts a second review found.

Each test failed before its fix. Expected gradients are closed forms written here.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from gradlab.numeric import check_gradient, taylor_test

OFFSET = 1e8


def _sin_far():
    f = lambda x: np.sum(np.sin(x - OFFSET))
    return f, lambda x: np.cos(x - OFFSET)


def _quad_far():
    f = lambda x: 0.5 * np.sum((x - OFFSET) ** 2)
    return f, lambda x: x - OFFSET


@pytest.mark.parametrize("method", ["auto", "richardson", "central", "forward", "complex"])
@pytest.mark.parametrize("family", [_sin_far, _quad_far])
def test_directional_at_1e8_with_f_varying_on_a_scale_of_1_is_right_or_inconclusive(method, family):
    f, grad = family()
    x = OFFSET + np.random.default_rng(1).normal(size=5)
    right = check_gradient(f, grad, x, method=method, mode="directional")
    assert right.verdict != "fail", str(right)
    wrong = check_gradient(f, lambda x: 1.01 * grad(x), x, method=method, mode="directional")
    assert wrong.verdict != "pass", str(wrong)


C_SPREAD = np.array([1e10, 1.0, 1.0, 1.0, 1.0])


def _spread(x):
    return 0.5 * np.sum(C_SPREAD * x**2)


@pytest.mark.parametrize("method", ["auto", "complex", "richardson", "central", "forward"])
def test_one_huge_entry_does_not_hide_an_error_in_a_small_one(method):
    x = np.random.default_rng(2).normal(size=5)
    right = check_gradient(_spread, lambda x: C_SPREAD * x, x, method=method)
    assert right.verdict != "fail", str(right)
    # f's round-off, set by the 1e10 term, limits real differences in entry 3 to about
    # 0.5%; the complex step resolves it exactly. An error each one resolves must not
    # pass because entry 0 is 1e10 times larger.
    rel = 1e-3 if method in ("auto", "complex") else 3e-2
    bump = np.zeros(5)
    bump[3] = rel * abs(x[3])
    wrong = check_gradient(_spread, lambda x: C_SPREAD * x + bump, x, method=method)
    if method == "complex":
        assert right.ok, str(right)
        assert wrong.verdict == "fail" and wrong.status[3] == "fail", str(wrong)
    else:
        # under "auto" only the complex step sees it, and complex safety was verified
        # no finer than real differences: inconclusive ("complex-only") is honest
        assert wrong.verdict != "pass", str(wrong)


@pytest.mark.parametrize(
    ("f", "grad", "x"),
    [
        # saturated tanh: f is flat to round-off at every step
        (lambda x: np.sum(np.tanh(x)), lambda x: 1 - np.tanh(x) ** 2, np.full(3, 30.0)),
        # f sits at 1e20, its changes are rounded away at every step
        (lambda x: 1e20 + np.sum(x**2), lambda x: 2 * x, np.array([0.3, -0.2, 0.5])),
    ],
)
def test_taylor_test_is_inconclusive_when_nothing_can_be_measured(f, grad, x):
    result = taylor_test(f, grad, x)
    assert not result.ok
    assert result.verdict == "inconclusive", str(result)
    assert result.reason and "round-off" in result.reason
    assert "inconclusive" in str(result)
    # a wrong gradient there is not passed either
    assert not taylor_test(f, lambda x: 1.5 + 0 * grad(x), x).ok


def test_taylor_test_verdicts_for_measurable_cases():
    x = np.array([0.1, -0.2, 0.3])
    right = taylor_test(lambda x: np.sum(np.exp(x)), np.exp, x)
    wrong = taylor_test(lambda x: np.sum(np.exp(x)), lambda x: 1.01 * np.exp(x), x)
    assert (right.ok, right.verdict, right.reason) == (True, "pass", None)
    assert (wrong.ok, wrong.verdict) == (False, "fail")
    assert "order" in wrong.reason


@pytest.mark.parametrize("factor", [1.02, 1.03, 1.04, 0.97])
def test_forward_float32_does_not_pass_a_few_percent_error(factor):
    x = np.random.default_rng(5).normal(size=(4, 3)).astype(np.float32)
    f = lambda x: np.sum(np.tanh(x))
    bad = check_gradient(f, lambda x: factor * (1 - np.tanh(x) ** 2), x, method="forward")
    assert bad.verdict != "pass", str(bad)
    right = check_gradient(f, lambda x: 1 - np.tanh(x) ** 2, x, method="forward")
    assert right.verdict != "fail", str(right)
    assert any("float32 precision limits" in d for d in right.diagnosis)


# ----------------------------------------------------------------- found by the randomized sweep


def test_a_wild_screening_value_does_not_set_the_tolerance():
    # exp varying on a scale of 1e-3 at x ~ 1000: the default stencil reaches exp(±700);
    # its 1e145 "derivative" once set atol ~1e131 and passed a 1% error
    c = np.array([0.5, -0.8])
    f = lambda x: 1e-2 * np.sum(np.exp(c * (x - 1e3) / 1e-3))
    g = lambda x: 1e-2 * c / 1e-3 * np.exp(c * (x - 1e3) / 1e-3)
    x = 1e3 + np.array([1e-3, -2e-3])
    for method in ("richardson", "central", "forward"):
        assert check_gradient(f, g, x, method=method).verdict != "fail"
        wrong = check_gradient(f, lambda x: 1.01 * g(x), x, method=method)
        assert wrong.verdict != "pass", (method, str(wrong))


def test_curvature_below_the_float32_spacing_is_not_taken_for_a_kink():
    # x = 1e6 in float32 (spacing 0.0625), f a quadratic of curvature ~1e11: rounded
    # steps that do not halve exactly left the h term in the one-sided values
    a = np.array([1.0, 2.0, 0.5])
    f = lambda x: 1e-3 * np.sum(0.5 * a * ((x - 1e6) / 1e-7) ** 2 + (x - 1e6) / 1e-7)
    g = lambda x: 1e-3 * (a * (x - 1e6) / 1e-14 + 1 / 1e-7)
    x = np.full(3, 1e6, dtype=np.float32)
    for method in ("central", "richardson"):
        wrong = check_gradient(f, lambda x: 1.01 * g(x), x, method=method)
        assert wrong.verdict != "pass", (method, str(wrong))


def test_no_kink_verdict_under_the_complex_step():
    # f = sin((x - 10) / 1e-7) is analytic; stencils scaled by |x| ~ 10 are 1e4 times
    # wider than its scale and their one-sided values once passed a 3% error as a kink
    x = 10 + 1e-7 * np.random.default_rng(3).normal(size=4)
    f = lambda x: 1e-6 * np.sum(np.sin((x - 10) / 1e-7))
    g = lambda x: 10 * np.cos((x - 10) / 1e-7)
    assert check_gradient(f, g, x, method="complex").ok
    bump = np.array([0.3, 0, 0, 0])
    wrong = check_gradient(f, lambda x: g(x) + bump, x, method="complex")
    assert wrong.verdict == "fail" and wrong.status[0] == "fail", str(wrong)


# ------------------------------------- f varying at or below float32's spacing of x (aliasing)


@pytest.mark.parametrize("method", ["richardson", "central", "forward"])
@pytest.mark.parametrize("mode", ["full", "directional"])
def test_f_varying_below_the_float32_spacing_of_x_is_not_failed(method, mode):
    # x ~ 1e4 in float32 has spacing ~1e-3; f = sin((x - 1e4) / 1e-4) turns ten times
    # within one spacing, so every representable step sees aliased values of f
    x = (1e4 + 1e-4 * np.array([0.3, -1.2, 0.7])).astype(np.float32)
    f = lambda x: 1e-5 * np.sum(np.sin((x - 1e4) / 1e-4))
    g = lambda x: 1e-5 * np.cos((x - 1e4) / 1e-4) / 1e-4
    report = check_gradient(f, g, x, method=method, mode=mode)
    assert report.verdict == "inconclusive", str(report)
    assert any("spacing" in d for d in report.diagnosis), report.diagnosis


def test_f_stepping_between_neighbouring_float32_values_is_not_failed():
    # tanh((x - 1e6) / 1e-8) at x = 1e6 in float32 (spacing 0.0625): f jumps from -1 to 1
    # between neighbouring representable x; the true slope 1e8 cannot be seen
    x = np.full(2, 1e6, dtype=np.float32)
    f = lambda x: np.sum(np.tanh((x - 1e6) / 1e-8))
    g = lambda x: (1 - np.tanh((x - 1e6) / 1e-8) ** 2) / 1e-8
    for method in ("richardson", "central"):
        report = check_gradient(f, g, x, method=method)
        assert report.verdict == "inconclusive", (method, str(report))


def test_directions_flat_at_every_float32_step_of_an_aliased_f_are_not_failed():
    # tanh terms saturating within one float32 spacing of x = 1e6 can cancel along a
    # direction: f is flat at every representable step there, while other directions
    # see it jump; the right gradient (slopes ~1e10) was failed along that direction
    A = np.array([[1.0, -0.5, 0.3, 0.2], [-0.4, 1.2, -0.6, 0.1], [0.3, -0.2, 0.9, -0.7],
                  [0.5, 0.4, -0.3, 1.1]])  # fmt: skip
    f = lambda x: 100 * np.sum(np.tanh(A @ (x - 1e6) / 1e-8))
    g = lambda x: 100 * A.T @ (1 - np.tanh(A @ (x - 1e6) / 1e-8) ** 2) / 1e-8
    x = np.full(4, 1e6, dtype=np.float32)
    for mode in ("full", "directional"):
        report = check_gradient(f, g, x, method="richardson", mode=mode)
        assert report.verdict == "inconclusive", (mode, str(report))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_slope_where_f_is_flat_and_smooth_still_fails(dtype):
    # a dead ReLU is flat at every step, but smooth around x: a nonzero analytic slope
    # there is a genuine bug, not aliasing
    x = np.array([-1.0, -2.0, 0.5], dtype=dtype)
    f = lambda x: np.sum(np.maximum(x, 0) ** 2)
    wrong = lambda x: 2 * np.maximum(x, 0) + 1.0
    for mode in ("full", "directional"):
        report = check_gradient(f, wrong, x, method="richardson", mode=mode)
        assert report.verdict == "fail", (mode, str(report))


def test_a_clearing_error_bar_of_a_few_percent_does_not_pass_a_1_percent_error():
    # f varies on 1e-7 at x ~ 1 in float64: the default stencils are far too wide, and
    # a confirmation step with a 4% error bar once cleared a 1% error; a 100x smaller
    # step is sharp enough to see it
    f = lambda x: 1e-7 * np.sum(np.exp(0.8 * (x - 1) / 1e-7))
    g = lambda x: 0.8 * np.exp(0.8 * (x - 1) / 1e-7)
    x = np.array([1 + 4e-8])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # exp overflows at the widest steps
        for method in ("richardson", "central", "forward"):
            assert check_gradient(f, g, x, method=method).verdict == "pass", method
            for mode in ("full", "directional"):
                wrong = check_gradient(f, lambda x: 1.01 * g(x), x, method=method, mode=mode)
                assert wrong.verdict != "pass", (method, mode, str(wrong))


@pytest.mark.parametrize("method", ["central", "forward", "richardson"])
def test_float32_real_differences_still_fail_a_gross_bug(method):
    # In float32 the second opinion at h/100 is lost in rounding; it must not stand in
    # the way of a failure that Richardson at the 100x smaller step confirms on its own.
    import gradlab

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 3)).astype(np.float32), rng.integers(0, 3, size=50)
    W, b = (0.1 * rng.normal(size=(3, 3))).astype(np.float32), np.zeros(3, np.float32)
    report = check_gradient(
        lambda W: gradlab.loss(W, b, X, y),
        lambda W: 50 * gradlab.gradient(W, b, X, y)[0],  # forgot the 1/m
        W,
        method=method,
    )
    assert report.verdict == "fail"
