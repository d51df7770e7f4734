"""Taylor test, step-size sweep (the lecture figure) and the gradcheck CLI."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from gradlab.cli import main
from gradlab.numeric import step_size_sweep, taylor_test


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def f(x):
    return np.sum(np.exp(0.5 * x) * np.sin(x))


def grad(x):
    return np.exp(0.5 * x) * (0.5 * np.sin(x) + np.cos(x))


X0 = np.array([0.3, -1.1, 0.8, 2.0])


# ----------------------------------------------------------------------------- Taylor test


def test_taylor_correct_gradient_converges_at_order_two():
    result = taylor_test(f, grad, X0)
    assert result.ok and abs(result.order - 2) < 0.1
    assert len(result.slopes) == len(result.hs) - 1
    # the remainder really is |f(x+hv) - f(x) - h v.g|, recomputed here
    v = np.random.default_rng(0).standard_normal(4)
    v /= np.linalg.norm(v)
    h = result.hs[3]
    mine = abs(f(X0 + h * v) - f(X0) - h * v @ grad(X0))
    np.testing.assert_allclose(result.residuals[3], mine, rtol=1e-6)


def test_taylor_wrong_gradient_converges_at_order_one():
    result = taylor_test(f, lambda x: grad(x) * 1.001, X0)
    assert not result.ok and abs(result.order - 1) < 0.1


def test_taylor_linear_f_has_nothing_to_measure():
    a = np.array([1.0, -2.0, 3.0])
    result = taylor_test(lambda x: a @ x, a, np.zeros(3))
    assert result.ok and np.isnan(result.order)


def test_taylor_direction_dict_and_text():
    x = {"W": np.ones((2, 2)), "b": np.zeros(2)}
    fn = lambda p: np.sum(p["W"] ** 3) + np.sum(np.cos(p["b"]))
    gr = lambda p: {"W": 3 * p["W"] ** 2, "b": -np.sin(p["b"])}
    result = taylor_test(fn, gr, x, direction={"W": np.eye(2), "b": np.ones(2)})
    assert result.ok
    assert "Taylor test passed" in str(result) and "<table>" in result._repr_html_()
    with pytest.raises(ValueError, match="non-zero"):
        taylor_test(fn, gr, x, direction={"W": np.zeros((2, 2)), "b": np.zeros(2)})


def test_taylor_plot():
    artists = taylor_test(f, grad, X0).plot()
    ax = artists[0].axes
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_xlabel() == "step h"


# ----------------------------------------------------------------------------- step-size sweep


def test_sweep_best_steps_follow_the_theory():
    sweep = step_size_sweep(f, grad, X0)
    eps = np.finfo(float).eps
    scale = np.abs(X0).max()  # the sweep's steps are scaled by max |x|
    assert abs(np.log10(sweep.best_h["forward"] / scale) - np.log10(np.sqrt(eps))) < 1.5
    assert abs(np.log10(sweep.best_h["central"] / scale) - np.log10(eps ** (1 / 3))) < 1.5
    assert np.nanmin(sweep.errors["complex"]) < 1e-14
    assert np.nanmin(sweep.errors["central"]) < 1e-9
    # complex step: still exact at h = 1e-20, where the real differences are useless
    i = np.argmin(np.abs(sweep.hs / scale - 1e-20))
    assert sweep.errors["complex"][i] < 1e-14 and sweep.errors["forward"][i] >= 0.5


def test_sweep_truncation_slopes():
    hs = np.logspace(-4, -2, 5)
    sweep = step_size_sweep(f, grad, X0, hs=hs, methods=("forward", "central"))
    slope = {k: np.polyfit(np.log(hs), np.log(e), 1)[0] for k, e in sweep.errors.items()}
    assert abs(slope["forward"] - 1) < 0.1 and abs(slope["central"] - 2) < 0.1


def test_sweep_errors_match_an_independent_difference():
    v = np.array([1.0, 0, 0, 0])
    sweep = step_size_sweep(f, grad, X0, hs=[1e-3], methods=("central",), direction=v)
    mine = (f(X0 + 1e-3 * v) - f(X0 - 1e-3 * v)) / 2e-3
    exact = grad(X0)[0]
    np.testing.assert_allclose(
        sweep.errors["central"][0], abs(mine - exact) / abs(exact), rtol=1e-6
    )


def test_sweep_plot_is_a_labelled_lecture_figure():
    sweep = step_size_sweep(f, grad, X0)
    drawn = sweep.plot()
    ax = drawn.ax
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_xlabel() == "step size h" and "error" in ax.get_ylabel()
    # the best h of each method is in the legend, not on labels crowding the curves
    labels = [t.get_text() for t in drawn.legend.get_texts()]
    assert [label.split(":")[0] for label in labels] == ["forward", "central", "complex"]
    assert all(
        f"best h ≈ {sweep.best_h[k]:.0e}" in label
        for k, label in zip(sweep.best_h, labels, strict=True)
    )
    texts = " ".join(a.get_text() for a in drawn.guides if hasattr(a, "get_text"))
    assert "round-off regime" in texts and "truncation regime" in texts
    assert "∝ h²" in texts and "∝ ε/h" in texts  # the slopes, on guides beside the curves
    assert "best h" in str(sweep)


def test_sweep_refuses_complex_on_unsafe_f():
    with pytest.raises(ValueError, match="complex-safe"):
        step_size_sweep(lambda x: np.sum(np.abs(x)), np.sign, X0)
    with pytest.raises(ValueError, match="method must be one of"):
        step_size_sweep(f, grad, X0, methods=("backward",))


# ----------------------------------------------------------------------------- CLI


def test_cli_gradcheck_correct_and_buggy(capsys):
    assert main(["gradcheck"]) == 0
    assert "gradient check passed" in capsys.readouterr().out
    assert main(["gradcheck", "--bug", "missing-m", "--m", "40"]) == 1
    assert "forgot to divide by m = 40" in capsys.readouterr().out
    assert main(["gradcheck", "--bug", "transposed"]) == 1
    assert "transposed" in capsys.readouterr().out
    assert main(["gradcheck", "--bug", "sign-flip", "--mode", "directional", "--n", "5"]) == 1
    assert "sign flip" in capsys.readouterr().out


def test_cli_lists_every_example_bug():
    from gradlab.cli import _GRADCHECK_BUGS
    from gradlab.numeric.examples import STUDENT_GRADIENTS

    assert set(_GRADCHECK_BUGS) == set(STUDENT_GRADIENTS)
