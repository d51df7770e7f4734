"""The verdict procedure of gradlab.numeric.check: one test per row of its table, the
policy, the trace, and the cases issue 10 lists. Expected values are closed forms
written here."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import pathlib
import warnings

import numpy as np
import pytest

from gradlab.numeric import check_gradient, check_softmax_gradient
from gradlab.numeric.policy import POLICY, Stage, Status

X3 = np.array([0.3, -0.7, 1.1])


def sig(z):
    return 1 / (1 + np.exp(-z))


# ----------------------------------------------------------------------------- table rows


def test_row_screen_decides_a_correct_gradient():
    report = check_gradient(lambda x: np.sum(np.sin(x)), np.cos, X3)
    assert report.verdict == "pass"
    assert [t.stage for t in report.trace] == [Stage.SCREEN] * 3
    assert all(t.status is Status.OK for t in report.trace)


def test_row_sharper_step_confirms_the_complex_step():
    report = check_gradient(lambda x: np.sum(np.sin(x)), lambda x: -np.cos(x), X3)
    assert report.verdict == "fail"
    first = report.trace[0]
    assert first.stage == "sharper step" and first.status == "fail"
    assert first.method.startswith("richardson")
    assert abs(first.numeric - np.cos(0.3)) < 1e-8  # the estimate it rests on


def test_row_confirm_needs_two_steps_100x_apart_with_real_differences():
    report = check_gradient(lambda x: np.sum(np.sin(x)), lambda x: 1.01 * np.cos(x), X3,
                            method="richardson")  # fmt: skip
    assert report.verdict == "fail"
    assert {t.stage for t in report.trace if t.status == "fail"} == {Stage.CONFIRM}


def test_row_resolve_judges_a_kink_from_both_sides():
    x = np.array([0.0, 1.0])
    good = check_gradient(lambda x: np.sum(np.maximum(x, 0)), lambda x: (x > 0) * 1.0, x)
    assert good.verdict == "pass"
    assert good.trace[0].stage == "resolve" and good.trace[0].status == "kink"
    assert "one-sided slopes 0 and 1" in str(good.trace[0])
    bad = check_gradient(lambda x: np.sum(np.maximum(x, 0)), lambda x: np.array([1.5, 1.0]), x)
    assert bad.verdict == "fail"
    assert bad.trace[0].stage == "resolve" and bad.trace[0].status == "fail"
    assert "lies outside them: not a valid subgradient" in bad.diagnosis[0]


def test_row_resolve_leaves_f_varying_below_the_step_undecided():
    x = 1e8 + np.array([0.1, 0.2])
    report = check_gradient(lambda x: np.sum(np.sin(x - 1e8)), lambda x: np.cos(x - 1e8), x,
                            method="central")  # fmt: skip
    assert report.verdict in ("pass", "inconclusive")
    wrong = check_gradient(lambda x: np.sum(np.sin(x - 1e8)), lambda x: 2 * np.cos(x - 1e8), x,
                           method="central")  # fmt: skip
    assert wrong.verdict in ("fail", "inconclusive")
    assert wrong.verdict != "pass"


def test_row_resolve_lets_the_complex_step_confirm_a_float32_failure():
    # float32: Richardson rejects the 10% error at its first step, but at a 100x smaller
    # step rounding swamps it; the complex step (f is analytic) sides with Richardson.
    x = np.array([0.3, -0.7, 1.1, 0.5], dtype=np.float32)
    f = lambda x: np.sum(np.exp(np.sin(x)))
    bump = np.array([0, 0.1, 0, 0], dtype=np.float32)
    g = lambda x: np.cos(x) * np.exp(np.sin(x)) * (1 + bump)
    report = check_gradient(f, g, x, method="richardson")
    assert report.verdict == "fail"
    assert report.status[1] == "fail" and list(report.failed) == [False, True, False, False]
    assert check_gradient(f, lambda x: np.cos(x) * np.exp(np.sin(x)), x,
                          method="richardson").verdict == "pass"  # fmt: skip


def test_smooth_f_is_never_called_a_kink():
    f = lambda x: np.sum(np.tanh(3 * x) ** 2)
    g = lambda x: 6 * np.tanh(3 * x) / np.cosh(3 * x) ** 2
    report = check_gradient(f, g, np.array([0.0, 1e-9, 0.5]), method="richardson")
    assert report.verdict == "pass"
    assert all(t.status != "kink" for t in report.trace)


# ----------------------------------------------------------------------------- policy, enums


def test_policy_is_frozen_and_every_field_has_a_reason():
    with pytest.raises(dataclasses.FrozenInstanceError):
        POLICY.safety = 1.0  # type: ignore[misc]
    source = pathlib.Path(inspect.getsourcefile(type(POLICY))).read_text()
    cls = next(n for n in ast.parse(source).body
               if isinstance(n, ast.ClassDef) and n.name == "Policy")  # fmt: skip
    body = cls.body
    fields = [k for k, node in enumerate(body) if isinstance(node, ast.AnnAssign)]
    assert len(fields) == len(dataclasses.fields(POLICY))
    for k in fields:
        reason = body[k + 1]
        assert isinstance(reason, ast.Expr) and isinstance(reason.value.value, str), body[
            k
        ].target.id


def test_statuses_are_an_enum_and_verdicts_stay_strings():
    report = check_gradient(lambda x: np.sum(x**2), lambda x: 2 * x, X3)
    assert all(isinstance(s, Status) for s in report.status)
    assert report.status[0] == "ok" and str(report.status[0]) == "ok"
    assert report.verdict == "pass" and isinstance(report.verdict, str)


# ----------------------------------------------------------------------------- trace


def test_trace_reads_as_a_sentence_with_the_deciding_numbers():
    W = np.arange(6.0).reshape(2, 3) / 10
    report = check_gradient(lambda W: np.sum(W**3), lambda W: 3.3 * W**2, W)
    line = str(report.trace[5])
    assert line.startswith("[1, 2]: sharper step, richardson")
    assert "analytic 0.825" in line and "disagrees by" in line and "error bars" in line
    assert report.trace[5].bars > 1e3


def test_text_and_html_show_the_worst_and_every_undecided_entry():
    # entry 0: a lost-digits f cannot be resolved; the others are wrong
    report = check_gradient(lambda x: np.sum(np.sin(x)), lambda x: -np.cos(x), np.zeros(8) + 0.1)
    text, page = str(report), report._repr_html_()
    assert "how each was decided:" in text and "how each was decided:" in page
    section = text.split("how each was decided:")[1].split("\n\n")[0]
    assert len(section.strip().splitlines()) == 5  # the worst five of eight
    x = np.array([1e8 + 0.1, 0.2])
    undecided = check_gradient(lambda x: np.sin(x[0] - 1e8) + x[1] ** 2,
                               lambda x: np.array([np.cos(x[0] - 1e8), 2 * x[1]]), x,
                               method="central")  # fmt: skip
    shown = undecided._trace_shown()
    names = {t.probe for t in shown}
    assert {undecided.probe_name(k) for k, s in enumerate(undecided.status)
            if s not in (Status.OK, Status.FAIL, Status.KINK)} <= names  # fmt: skip


def test_report_explains_fail_and_suspect():
    W = np.random.default_rng(0).normal(size=(4, 5))
    report = check_gradient(lambda W: np.sum(W**2), lambda W: -2 * W, W)
    text = str(report)
    assert "- fail: disagrees, confirmed" in text
    assert "- suspect: disagreed at the screen and was not re-measured" in text


# ----------------------------------------------------------------------------- issue 10, item 3


@pytest.mark.parametrize(
    ("f", "grad", "x"),
    [
        (lambda x: np.sum((x - 1) ** 2), lambda x: 2 * (x - 1), np.ones(4)),
        (lambda x: np.sum(np.logaddexp(x, -x)), np.tanh, np.zeros(3)),  # not complex-safe
        (lambda x: 5 + np.sum(np.cos(x)), lambda x: -np.sin(x), np.zeros(3)),
    ],
)
def test_zero_gradient_at_a_stationary_point_passes(f, grad, x):
    assert check_gradient(f, grad, x).verdict == "pass"
    assert check_gradient(f, grad, x, method="richardson").verdict == "pass"


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("z", [20.0, 27.0])
def test_correct_gradient_of_a_cancelling_f_never_fails(seed, z):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(28, 4))
    X[:, 0] = 5 + rng.random(28)
    w = np.array([z / 5.5, 0, 0, 0])
    cost = lambda w: -np.mean(np.log(1 - sig(X @ w)))
    grad = lambda w: X.T @ sig(X @ w) / len(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = check_gradient(cost, grad, w)
    assert report.verdict in ("pass", "inconclusive"), str(report)
    if report.verdict == "inconclusive":
        assert any("Compute log(1 - σ(z)) as -softplus(z)" in d for d in report.diagnosis)


@pytest.mark.parametrize("bug", [1.2, 1.3, 1.6])
def test_float32_layernorm_backward_wrong_by_20_to_60_percent_fails(bug):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(8, 6)).astype(np.float32)
    gamma = rng.normal(size=6).astype(np.float32)
    dy = rng.normal(size=(8, 6)).astype(np.float32)

    def f(x):
        mu = x.mean(1, keepdims=True)
        return np.sum(
            (x - mu) / np.sqrt(((x - mu) ** 2).mean(1, keepdims=True) + 1e-5) * gamma * dy
        )

    def g(x):
        mu = x.mean(1, keepdims=True)
        s = np.sqrt(((x - mu) ** 2).mean(1, keepdims=True) + 1e-5)
        xh, d = (x - mu) / s, dy * gamma
        return (d - d.mean(1, keepdims=True) - bug * xh * (d * xh).mean(1, keepdims=True)) / s

    assert check_gradient(f, g, x).verdict == "fail"
    assert check_gradient(f, g, x, method="richardson").verdict == "fail"


def test_regularized_logistic_with_saturated_sigmoid_fails_and_names_the_data_term():
    rng = np.random.default_rng(4)
    X, y, w, lam = (
        10 * rng.normal(size=(40, 5)),
        (rng.random(40) < 0.5) * 1.0,
        rng.normal(size=5),
        0.1,
    )
    cost = lambda w: np.mean(np.logaddexp(0, X @ w) - y * (X @ w)) + 0.5 * lam * w @ w
    grad = lambda w: 1.3 * X.T @ (sig(X @ w) - y) / 40 + lam * w
    report = check_gradient(cost, grad, w)
    assert report.verdict == "fail"
    assert report.diagnosis[0].startswith("the data term is 1.3 × the true one")


# ----------------------------------------------------------------------------- issue 10, item 4


def test_diagnosis_says_which_parameters_agree():
    x = {"W": np.ones((3, 3)), "b": np.ones(3)}
    f = lambda p: np.sum(np.sin(p["W"])) + np.sum(p["b"] ** 2)
    g = lambda p: {"W": np.cos(p["W"]) + np.eye(3) * 0.3, "b": 2 * p["b"]}
    report = check_gradient(f, g, x)
    assert report.verdict == "fail"
    assert "'W' (3 of 9 entries) disagree; 'b' agrees" in report.diagnosis


# ----------------------------------------------------------------------------- issue 12, item 5


def test_float32_gradient_for_float64_x_is_named_when_it_fails():
    f = lambda x: np.sum(np.exp(x))
    report = check_gradient(f, lambda x: np.exp(x).astype(np.float32), X3, rtol=1e-12, atol=0)
    assert report.verdict == "fail"
    assert report.diagnosis[0].startswith("the analytic gradient is float32 while x is float64")
    ok = check_gradient(f, lambda x: np.exp(x).astype(np.float32), X3)
    assert ok.verdict == "pass"
    assert any("the analytic gradient is float32" in d for d in ok.diagnosis)


def _grad_fn(W, b, X, y):
    F = np.exp(X @ W + b)
    F /= F.sum(axis=1, keepdims=True)
    F[np.arange(len(y)), y] -= 1
    return X.T @ F / len(y), F.sum(axis=0) / len(y)


def test_grad_fn_with_the_wrong_argument_order_is_named():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.integers(0, 2, size=20)
    with pytest.raises(
        ValueError, match=r"grad_fn\(W, b, X, y\) raised ValueError: .*check the argument order"
    ):
        check_softmax_gradient(lambda X, y, W, b: _grad_fn(W, b, X, y), X=X, y=y)


def test_check_softmax_gradient_takes_the_model_order_and_keyword_options():
    params = inspect.signature(check_softmax_gradient).parameters
    assert list(params)[:5] == ["grad_fn", "W", "b", "X", "y"]
    assert all(p.kind is p.KEYWORD_ONLY for p in list(params.values())[5:])
    assert not any(p.kind is p.VAR_KEYWORD for p in params.values())
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.integers(0, 2, size=20)
    W, b = np.zeros((3, 2)), np.zeros(2)
    assert check_softmax_gradient(_grad_fn, W, b, X, y).verdict == "pass"
    with pytest.warns(DeprecationWarning, match="model's order"):
        assert check_softmax_gradient(_grad_fn, X, y, W, b).verdict == "pass"


def test_no_module_imports_model_privates_or_the_analytic_helper():
    root = pathlib.Path(__file__).parent.parent / "gradlab"
    for path in [*root.glob("numeric/*.py"), root / "train.py", root / "optimizers.py",
                 root / "plots" / "_regions.py"]:  # fmt: skip
        text = path.read_text()
        assert "from gradlab.model import _" not in text, path
        assert "import _analytic" not in text, path
