"""gradlab.numeric: finite differences, verdicts, safety, reports.

Every expected value here comes from a closed-form derivative written in the test,
never from gradlab's own output.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

from gradlab.numeric import (
    GradientCheck,
    assert_gradient,
    check_gradient,
    numeric_gradient,
)

METHODS = ["forward", "central", "complex", "richardson"]
CHECK_METHODS = ["auto", *METHODS]
MODES = ["full", "sparse", "directional"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def sin_sum(x):
    return np.sum(np.sin(x) * x)


def sin_sum_grad(x):
    return np.cos(x) * x + np.sin(x)


# ----------------------------------------------------------------------------- numeric_gradient


@pytest.mark.parametrize(
    ("method", "tol"),
    [("forward", 1e-6), ("central", 1e-9), ("complex", 1e-15), ("richardson", 1e-11)],
)
def test_numeric_gradient_accuracy_per_method(method, tol):
    x = np.linspace(-2, 3, 7).reshape(7)
    g = numeric_gradient(sin_sum, x, method=method)
    np.testing.assert_allclose(g, sin_sum_grad(x), rtol=0, atol=tol)


def test_numeric_gradient_dict_and_shapes():
    rng = np.random.default_rng(1)
    W, b = rng.normal(size=(3, 2)), rng.normal(size=2)
    A = rng.normal(size=(3, 2))

    def f(p):
        return np.sum(A * p["W"] ** 2) + np.sum(np.exp(p["b"]))

    g = numeric_gradient(f, {"W": W, "b": b}, method="complex")
    assert set(g) == {"W", "b"} and g["W"].shape == (3, 2) and g["b"].shape == (2,)
    np.testing.assert_allclose(g["W"], 2 * A * W, rtol=1e-14)
    np.testing.assert_allclose(g["b"], np.exp(b), rtol=1e-14)


def test_richardson_error_estimate_covers_the_true_error():
    x = np.array([0.3, -1.2, 2.5])
    f = lambda x: np.sum(np.exp(np.sin(3 * x)))
    true = 3 * np.cos(3 * x) * np.exp(np.sin(3 * x))
    for h in (None, 1e-2, 3e-2):
        g, err = numeric_gradient(f, x, "richardson", h=h, return_error=True)
        assert (np.abs(g - true) <= 3 * err + 1e-15).all()


def test_forward_error_shrinks_like_h_and_central_like_h_squared():
    x = np.array([0.7])
    true = np.cos(0.7) * 0.7 + np.sin(0.7)
    e_f = [abs(numeric_gradient(sin_sum, x, "forward", h=h)[0] - true) for h in (1e-2, 1e-3)]
    e_c = [abs(numeric_gradient(sin_sum, x, "central", h=h)[0] - true) for h in (1e-2, 1e-3)]
    assert 8 < e_f[0] / e_f[1] < 12  # O(h)
    assert 80 < e_c[0] / e_c[1] < 120  # O(h^2)


def test_numeric_gradient_rejects_bad_arguments():
    with pytest.raises(ValueError, match="method must be one of"):
        numeric_gradient(sin_sum, np.ones(2), method="backward")
    with pytest.raises(ValueError, match="h must be a positive"):
        numeric_gradient(sin_sum, np.ones(2), h=-1.0)
    with pytest.raises(TypeError, match="f must be callable"):
        numeric_gradient("x**2", np.ones(2))
    with pytest.raises(TypeError, match="must be real"):
        numeric_gradient(sin_sum, np.ones(2) + 1j)
    with pytest.raises(TypeError, match="real numbers"):
        numeric_gradient(sin_sum, np.array(["a", "b"]))


# ----------------------------------------------------------------------------- safety


def test_callers_arrays_unchanged_when_f_raises_on_fifth_call():
    x = np.array([0.5, -1.0, 2.0, 3.0])
    d = {"W": np.ones((2, 2)), "b": np.zeros(2)}
    x0, d0 = x.copy(), {k: v.copy() for k, v in d.items()}
    for method in METHODS:
        for target, f_sum in ((x, np.sum), (d, lambda p: np.sum(p["W"]) + np.sum(p["b"]))):
            calls = []

            def f(p, f_sum=f_sum, calls=calls):
                calls.append(1)
                if len(calls) == 5:
                    raise RuntimeError("boom on call 5")
                return f_sum(p) ** 2

            with pytest.raises(RuntimeError, match="boom"):
                check_gradient(f, np.zeros(4) if target is x else d, target, method=method)
    np.testing.assert_array_equal(x, x0)
    for k, value in d.items():
        np.testing.assert_array_equal(value, d0[k])


def test_f_mutating_its_input_is_reported_and_callers_x_is_safe():
    def f(x):
        x *= 2.0  # the bug: modifies its argument
        return np.sum(x**2)

    x = np.array([1.0, -2.0, 0.5])
    report = check_gradient(f, lambda x: 8 * x, x.copy())
    assert any("modifies its input in place" in d for d in report.diagnosis)
    np.testing.assert_array_equal(x, [1.0, -2.0, 0.5])
    # Each evaluation started from the original x: the numeric gradient is that of 4|x|^2.
    np.testing.assert_allclose(report.numeric, 8 * x, rtol=1e-12)
    with pytest.warns(UserWarning, match="modified its input"):
        numeric_gradient(f, x)


def test_grad_mutating_its_input_does_not_touch_callers_x():
    x = np.array([1.0, 2.0])

    def grad(x):
        x += 1
        return 2 * (x - 1)

    report = check_gradient(lambda x: np.sum(x**2), grad, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])
    assert any("grad modifies its input" in d for d in report.diagnosis)


def test_integer_x_converted_with_warning():
    with pytest.warns(UserWarning, match="converted to float64"):
        report = check_gradient(lambda x: np.sum(x**3), lambda x: 3 * x**2, np.arange(4))
    assert report.ok
    # 3 x^2 at x = 0..3, not a truncated integer perturbation
    np.testing.assert_allclose(report.numeric, [0, 3, 12, 27], atol=1e-12)


@pytest.mark.parametrize(
    ("f", "exc", "match"),
    [
        (lambda x: x**2, ValueError, r"must return a scalar; got an array of shape \(3,\)"),
        (lambda x: np.nan * np.sum(x), ValueError, "must be finite"),
        (lambda x: None, TypeError, "forget `return`"),
        (lambda x: "1.0", TypeError, "real scalar"),
        (lambda x: np.sum(x) + 1j, TypeError, "complex"),
    ],
)
def test_bad_f_output_gives_clear_error(f, exc, match):
    with pytest.raises(exc, match=match):
        check_gradient(f, np.zeros(3), np.ones(3))


def test_nonfinite_f_away_from_x_is_reported():
    f = lambda x: np.sum(np.log(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        report = check_gradient(f, lambda x: 1 / x, np.array([1e-12, 1.0]), method="central")
    assert report.verdict == "inconclusive" and not report.ok
    assert report.status[0] == "unresolved" and report.status[1] == "ok"
    assert any("f is not finite at some perturbed points" in d for d in report.diagnosis)
    with pytest.raises(ValueError, match="must be finite near x"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        numeric_gradient(f, np.array([1e-12, 1.0]))


def test_bad_grad_gives_clear_error():
    f = lambda p: np.sum(p["W"] ** 2) + np.sum(p["b"])
    x = {"W": np.ones((2, 3)), "b": np.ones(3)}
    with pytest.raises(ValueError, match=r"shape \(2, 3\).*looks transposed"):
        check_gradient(f, {"W": np.ones((3, 2)), "b": np.ones(3)}, x)
    with pytest.raises(ValueError, match="missing \\['b'\\]"):
        check_gradient(f, {"W": np.ones((2, 3))}, x)
    with pytest.raises(ValueError, match="unexpected \\['c'\\]"):
        check_gradient(f, {"W": np.ones((2, 3)), "b": np.ones(3), "c": 1}, x)
    with pytest.raises(TypeError, match="forget `return`"):
        check_gradient(f, lambda p: None, x)
    with pytest.raises(ValueError, match="must be finite"):
        check_gradient(f, {"W": np.full((2, 3), np.nan), "b": np.ones(3)}, x)
    with pytest.raises(ValueError, match="mode must be one of"):
        check_gradient(f, lambda p: p, x, mode="random")
    with pytest.raises(ValueError, match="n must be a positive integer"):
        check_gradient(f, lambda p: p, x, mode="sparse", n=0)


# ----------------------------------------------------------------------------- modes and report


def test_sparse_mode_checks_n_entries():
    x = np.random.default_rng(7).normal(size=(6, 5))
    report = check_gradient(lambda W: np.sum(W**3), lambda W: 3 * W**2, x, mode="sparse", n=7)
    assert len(report.probe_idx) == 7 and report.summary[0]["checked"] == 7
    assert np.isnan(report.errors).sum() == 30 - 7
    assert report.n_evals < 30  # 7 complex steps plus the fixed set-up


def test_directional_cost_is_independent_of_size():
    counts = []
    for size in (10, 10_000):
        x = np.linspace(-1, 1, size)
        r = check_gradient(lambda x: np.sum(x**4), lambda x: 4 * x**3, x, mode="directional", n=8)
        assert r.ok
        counts.append(r.n_evals)
    assert counts[0] == counts[1] < 30


def test_directional_directions_are_symmetric_and_normalized():
    x = np.ones(500)
    r = check_gradient(lambda x: np.sum(x**2), lambda x: 2 * x, x, mode="directional", n=5)
    V = r.directions
    np.testing.assert_allclose(np.linalg.norm(V, axis=1), 1.0)
    assert 0.4 < (V < 0).mean() < 0.6  # negative components as likely as positive ones
    np.testing.assert_allclose(r.analytic, V @ (2 * x))


def test_report_contents_text_and_html():
    x = {"W": np.ones((2, 3)), "b": np.arange(3.0)}
    f = lambda p: np.sum(p["W"] ** 2) + np.sum(p["b"] ** 3)
    grad = {"W": 2 * x["W"], "b": 3 * x["b"] ** 2}
    grad["W"][1, 2] += 0.5  # one wrong entry
    report = check_gradient(f, grad, x)
    assert isinstance(report, GradientCheck) and not report.ok and not bool(report)
    assert report.worst[0]["index"] == "W[1, 2]"
    assert report.worst[0]["analytic"] == 2.5 and abs(report.worst[0]["numeric"] - 2) < 1e-12
    np.testing.assert_allclose(report.max_rel_error, 0.5 / 2.5)
    assert report.errors["W"].shape == (2, 3) and report.errors["b"].shape == (3,)
    assert [r["failed"] for r in report.summary] == [1, 0]
    text = str(report)
    assert text.startswith("gradient check FAILED: 1 of 9 entries disagree")
    assert "W[1, 2]" in text and "only entry W[1, 2] disagrees" in text
    assert "rtol" in text and "evaluations of f" in text
    html = report._repr_html_()
    assert html.count("<table>") == 2 and "W[1, 2]" in html and "FAILED" in html


def test_user_tolerances_are_used():
    f, grad, x = sin_sum, sin_sum_grad, np.linspace(0, 1, 5)
    loose = check_gradient(f, lambda x: grad(x) * (1 + 1e-3), x, rtol=1e-2)
    assert loose.ok and loose.rtol == 1e-2
    tight = check_gradient(f, lambda x: grad(x) + 1e-9, x, rtol=0.0, atol=1e-12)
    assert not tight.ok


def test_assert_gradient():
    x = np.linspace(-1, 1, 4)
    assert assert_gradient(sin_sum, sin_sum_grad, x).ok
    with pytest.raises(AssertionError) as info:
        assert_gradient(sin_sum, lambda x: -sin_sum_grad(x), x)
    assert "FAILED" in str(info.value) and "sign flip" in str(info.value)


def test_plot_heatmap_and_bars():
    x = {"W": np.ones((3, 4)), "b": np.ones(4)}
    f = lambda p: np.sum(p["W"] ** 3) + np.sum(p["b"] ** 2)
    report = check_gradient(f, lambda p: {"W": 3 * p["W"] ** 2, "b": 2 * p["b"]}, x)
    drawn = report.plot()
    assert [type(a).__name__ for a in drawn.images] == ["AxesImage"]
    assert [type(a).__name__ for a in drawn.bars] == ["BarContainer"]
    assert drawn.images[0].get_array().shape == (3, 4)
    assert drawn.ax.get_title() == "W (3, 4): agrees" and len(drawn.axes) == 2
    # the tolerance is labelled, and "relative error" is said once per side, not twice
    assert any("rtol = 1e-08" in t.get_text() for t in drawn.tolerance if hasattr(t, "get_text"))
    assert drawn.colorbar.ax.get_ylabel() == "relative error"
    with pytest.raises(ValueError, match="one per parameter"):
        import matplotlib.pyplot as plt

        report.plot(ax=plt.gca())


def test_progress_bar_on_request_only(capsys):
    x = np.ones(20)
    check_gradient(lambda x: np.sum(x**2), lambda x: 2 * x, x, progress=True)
    assert "gradient check" in capsys.readouterr().err
    check_gradient(lambda x: np.sum(x**2), lambda x: 2 * x, x, progress=False)
    check_gradient(lambda x: np.sum(x**2), lambda x: 2 * x, x)  # fast: no bar by default
    assert capsys.readouterr().err == ""


def test_progress_bar_shown_automatically_for_slow_checks(monkeypatch, capsys):
    import gradlab.numeric.check as check_module

    monkeypatch.setattr(check_module, "_PROGRESS_SECONDS", 0.0)
    check_gradient(lambda x: np.sum(x**2), lambda x: 2 * x, np.ones(5))
    assert "gradient check" in capsys.readouterr().err


def test_import_is_light():
    code = (
        "import sys, numpy as np, gradlab.numeric as n;"
        "r = n.check_gradient(lambda x: np.sum(x**2), lambda x: 2*x, np.ones(3));"
        "print(sorted(m for m in ('matplotlib', 'scipy', 'tqdm', 'sympy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_names_exported_from_gradlab():
    import gradlab
    from gradlab import numeric

    for name in [
        "numeric_gradient",
        "check_gradient",
        "assert_gradient",
        "check_softmax_gradient",
        "taylor_test",
        "step_size_sweep",
        "GradientCheck",
    ]:
        assert getattr(gradlab, name) is getattr(numeric, name)
        assert name in numeric.__all__


def test_plot_marks_wrong_entries():
    W = np.ones((3, 4))
    report = check_gradient(
        lambda W: np.sum(W**3), lambda W: 3 * W**2 + (W.sum() > 0) * np.eye(3, 4), W
    )
    drawn = report.plot()
    # each wrong entry is labelled with its error in its cell, at (column, row)
    np.testing.assert_array_equal([m.get_position() for m in drawn.marks], [[0, 0], [1, 1], [2, 2]])
    assert "3 of 12 wrong" in drawn.ax.get_title()


def test_numeric_gradient_step_like_x():
    x = {"a": np.array([0.5, 1.0]), "b": np.array(2.0)}
    f = lambda p: np.sum(p["a"] ** 2) * p["b"]
    g = numeric_gradient(f, x, "forward", h={"a": np.array([1e-3, 1e-4]), "b": np.array(1e-5)})
    # forward differences with exactly those steps, computed here
    expect_a0 = (f({"a": np.array([0.501, 1.0]), "b": 2.0}) - f(x)) / 1e-3
    np.testing.assert_allclose(g["a"][0], expect_a0, rtol=1e-9)
    np.testing.assert_allclose(g["b"], 1.25, rtol=1e-6)
    with pytest.raises(ValueError, match="h must hold positive steps"):
        numeric_gradient(f, x, h={"a": np.array([1e-3, 0.0]), "b": np.array(1e-5)})
