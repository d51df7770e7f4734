"""gradlab.symbolic: every result against finite differences computed here, the lecture's
route for eq (2), verify() catching broken steps, the API and the CLI."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

sp = pytest.importorskip("sympy")

import gradlab
from gradlab import symbolic
from gradlab.symbolic.notation import Sigmoid, f, j, k, label, lam, m, x, y, y_i, z, zeta

TOPICS = ["softmax_dz", "softmax_dw", "softmax_jacobian", "logistic_dz", "logistic_dw", "linear_dw"]
LAMBDA = 0.3


# ----------------------------------------------------------------------------- numeric truth


def np_softmax(v):
    e = np.exp(v - v.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def central(fun, v, h=1e-6):
    g = np.zeros_like(v)
    for idx in np.ndindex(v.shape):
        e = np.zeros_like(v)
        e[idx] = h
        g[idx] = (fun(v + e) - fun(v - e)) / (2 * h)
    return g


def softmax_loss(W, b, X, labels, l2=0.0):
    P = np_softmax(X @ W + b)
    return -np.mean(np.log(P[np.arange(len(labels)), labels])) + 0.5 * l2 * np.sum(W**2)


def logistic_loss(w, b, X, t, l2=0.0):
    s = 1 / (1 + np.exp(-(X @ w + b)))
    return -np.mean(t * np.log(s) + (1 - t) * np.log(1 - s)) + 0.5 * l2 * np.sum(w**2)


def linear_loss(w, X, t, l2=0.0):
    return 0.5 * np.mean((X @ w - t) ** 2) + 0.5 * l2 * np.sum(w**2)


def as_float(e):
    return float(sp.N(e))


def matrices(expr, table):
    """Replace the matrix symbols of ``expr`` (by name) with numeric matrices and evaluate."""
    mapping = {s: sp.Matrix(table[s.name]) for s in expr.atoms(sp.MatrixSymbol)}
    out = sp.Matrix(expr.xreplace(mapping).xreplace({lam: LAMBDA}).doit())
    return np.array(out.evalf(), dtype=float)


# ----------------------------------------------------------------------------- results are true


@pytest.mark.parametrize("n_classes", [None, 2, 4])
def test_softmax_dz_result_is_the_gradient_of_cross_entropy(n_classes):
    result = gradlab.derive("softmax_dz", n_classes=n_classes).result
    rng = np.random.default_rng(1)
    for C in [n_classes] if n_classes else [2, 3, 5]:
        zv = rng.normal(scale=2, size=C)
        for label_ in range(C):
            truth = central(lambda v, t=label_: -np.log(np_softmax(v)[t]), zv)
            probs = np_softmax(zv)
            for kk in range(1, C + 1):
                value = result.subs({k: kk, y_i: label_ + 1}).xreplace({f[kk]: probs[kk - 1]})
                assert as_float(value) == pytest.approx(truth[kk - 1], abs=1e-7)


@pytest.mark.parametrize("n_classes", [None, 3])
def test_softmax_jacobian_result(n_classes):
    result = gradlab.derive("softmax_jacobian", n_classes=n_classes).result
    C = n_classes or 4
    zv = np.random.default_rng(2).normal(size=C)
    probs = np_softmax(zv)
    for jj in range(1, C + 1):
        truth = central(lambda v, t=jj: np_softmax(v)[t - 1], zv)
        for kk in range(1, C + 1):
            value = result.subs({j: jj, k: kk}).xreplace(
                {f[jj]: probs[jj - 1], f[kk]: probs[kk - 1]}
            )
            assert as_float(value) == pytest.approx(truth[kk - 1], abs=1e-8)


def test_logistic_dz_result():
    result = gradlab.derive("logistic_dz").result
    for zv in (-3.0, 0.2, 2.5):
        for t in (0, 1):
            truth = central(
                lambda v, t=t: logistic_loss(np.ones(1), 0.0, v[:, None], np.array([t])),
                np.array([zv]),
            )[0]
            # the result is written sigma(z) - y_i, with the logit named
            value = result.xreplace({Sigmoid(zeta): 1 / (1 + np.exp(-zv)), label: t})
            assert as_float(value) == pytest.approx(truth, abs=1e-8)


def _data(rng, m_=4, d_=3, C=3):
    return rng.normal(size=(m_, d_)), rng.integers(0, C, size=m_)


@pytest.mark.parametrize("l2", [False, True])
@pytest.mark.parametrize("n_classes", [None, 3])
def test_softmax_dw_matrix_form_and_eq3_are_the_gradient(l2, n_classes):
    d = gradlab.derive("softmax_dw", n_classes=n_classes, l2=l2)
    rng = np.random.default_rng(3)
    C = 3
    X, labels = _data(rng, C=C)
    W, b = rng.normal(size=(X.shape[1], C)), rng.normal(size=C)
    strength = LAMBDA if l2 else 0.0
    truth_W = central(lambda V: softmax_loss(V, b, X, labels, strength), W)
    truth_b = central(lambda v: softmax_loss(W, v, X, labels, strength), b)
    F = np_softmax(X @ W + b)
    Y = np.eye(C)[labels]
    table = {"X": X, "F": F, "Y": Y, "W": W}
    assert np.allclose(matrices(d.result.xreplace({m: len(X)}), table), truth_W, atol=1e-7)

    # eq (3) itself, component by component: (1/m) sum_i (f_k - I(y_i = k)) x_i (+ lambda w_k)
    eq3 = next(s for s in d.steps if s.rule == "eq (2)").rhs
    eq_b = [s for s in d.steps if s.rule == "eq (2)"][1].rhs
    for kk in range(1, C + 1):
        for col in range(X.shape[1]):
            e = eq3.subs({k: kk, m: len(X)}).doit()
            e = e.xreplace({f[i_ + 1, kk]: F[i_, kk - 1] for i_ in range(len(X))})
            e = e.xreplace({x[i_ + 1]: X[i_, col] for i_ in range(len(X))})
            e = e.xreplace({y[i_ + 1]: labels[i_] + 1 for i_ in range(len(X))})
            e = e.xreplace({gradlab.symbolic.notation.w[kk]: W[col, kk - 1], lam: LAMBDA})
            assert as_float(e) == pytest.approx(truth_W[col, kk - 1], abs=1e-7)
        e = eq_b.subs({k: kk, m: len(X)}).doit()
        e = e.xreplace({f[i_ + 1, kk]: F[i_, kk - 1] for i_ in range(len(X))})
        e = e.xreplace({y[i_ + 1]: labels[i_] + 1 for i_ in range(len(X))})
        assert as_float(e) == pytest.approx(truth_b[kk - 1], abs=1e-7)


@pytest.mark.parametrize("l2", [False, True])
def test_logistic_dw_matrix_form_is_the_gradient(l2):
    d = gradlab.derive("logistic_dw", l2=l2)
    rng = np.random.default_rng(4)
    X, t = _data(rng, C=2)
    w, b = rng.normal(size=X.shape[1]), 0.4
    strength = LAMBDA if l2 else 0.0
    truth = central(lambda v: logistic_loss(v, b, X, t, strength), w)
    s = 1 / (1 + np.exp(-(X @ w + b)))
    table = {"X": X, "s_Xw": s[:, None], "y_vec": t[:, None].astype(float), "w": w[:, None]}
    assert np.allclose(matrices(d.result.xreplace({m: len(X)}), table)[:, 0], truth, atol=1e-7)
    assert any(isinstance(a, Sigmoid) for a in d.steps[3].rhs.atoms(sp.Function))


@pytest.mark.parametrize("l2", [False, True])
def test_linear_dw_matrix_form_is_the_gradient(l2):
    d = gradlab.derive("linear_dw", l2=l2)
    rng = np.random.default_rng(5)
    X = rng.normal(size=(5, 3))
    t, w = rng.normal(size=5), rng.normal(size=3)
    strength = LAMBDA if l2 else 0.0
    truth = central(lambda v: linear_loss(v, X, t, strength), w)
    table = {"X": X, "y_vec": t[:, None], "w": w[:, None]}
    assert np.allclose(matrices(d.result.xreplace({m: len(X)}), table)[:, 0], truth, atol=1e-7)


# ----------------------------------------------------------------------------- the lecture's route

ROUTE = [
    "definition",
    "chain rule",
    "split sum",
    "single term",
    "quotient rule",
    "definition of f",
    "cancel",
    "join sum",
    "one-hot sum",
]


def _sums(e):
    return list(e.atoms(sp.Sum))


@pytest.mark.parametrize("n_classes", [None, 4])
def test_softmax_dz_follows_the_lecture_route(n_classes):
    d = gradlab.derive("softmax_dz", n_classes=n_classes)
    assert [s.rule for s in d.steps] == ROUTE
    steps = {s.rule: s.rhs for s in d.steps}
    delta_jk = sp.KroneckerDelta(j, k)
    # chain rule through log: (1/f_j) df_j/dz_k under the sum
    assert steps["chain rule"].has(sp.Derivative(f[j], z[k])) and steps["chain rule"].has(1 / f[j])
    # split: one sum restricted to j = k, one to j != k
    bodies = [s.function for s in _sums(steps["split sum"])]
    assert any(b.has(delta_jk) and not b.has(1 - delta_jk) for b in bodies)
    assert any(b.has(1 - delta_jk) for b in bodies)
    # quotient rule: no derivative left, exponentials in
    assert not steps["quotient rule"].has(sp.Derivative)
    assert steps["quotient rule"].has(symbolic.notation.Exp(z[k]))
    # back in f: f_k - f_k^2 and the cancellations still to do
    assert steps["definition of f"].has(f[k] ** 2) and steps["definition of f"].has(1 / f[k])
    assert not steps["cancel"].has(1 / f[k])
    # join: a full sum over j of I(y_i = j) f_k, before the one-hot rule removes it
    joined = _sums(steps["join sum"])
    assert len(joined) == 1 and not joined[0].function.has(delta_jk)
    assert joined[0].function == sp.KroneckerDelta(y_i, j) * f[k]
    assert d.result == f[k] - sp.KroneckerDelta(y_i, k)
    assert "\\sum_{j = k}" in d.steps[2].latex and "\\sum_{j \\neq k}" in d.steps[2].latex
    assert d.steps[-1].latex.endswith("= f_{k} - \\mathbb{I}(y_{i} = k)")


def test_written_out_C_expands_the_softmax_denominator():
    d = gradlab.derive("softmax_dz", n_classes=3)
    tex = d.steps[4].latex
    assert "\\exp(z_{1}) + \\exp(z_{2}) + \\exp(z_{3})" in tex
    assert "\\sum_{j=1}^{3}" in d.steps[1].latex


# ----------------------------------------------------------------------------- verify()


@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_verifies(topic):
    report = gradlab.derive(topic).verify()
    assert report.ok, str(report)
    assert len(report.steps) == len(gradlab.derive(topic).steps)
    assert report.result.method == "finite differences"


def test_eq2_for_general_C_is_proved_by_sympy_and_written_out_C_is_checked_numerically():
    for topic in ("softmax_dz", "softmax_jacobian", "logistic_dz"):
        general = gradlab.derive(topic).verify()
        assert [v.method for v in general.steps] == ["symbolic"] * len(general.steps), topic
    written_out = gradlab.derive("softmax_dz", n_classes=5).verify()
    numeric = [v for v in written_out.steps if v.method == "numeric"]
    assert len(numeric) >= 4 and all("C = 5" in v.detail for v in numeric)


@pytest.mark.parametrize("topic", ["softmax_dw", "logistic_dw", "linear_dw"])
def test_l2_variants_verify(topic):
    report = gradlab.derive(topic, l2=True).verify()
    assert report.ok, str(report)


def _corrupt(derivation, index, mapping):
    step = derivation.steps[index]
    new = sp.Eq(step.lhs, step.rhs.xreplace(mapping), evaluate=False)
    assert new != step.expr, "the corruption must change the step"
    derivation.steps[index] = dataclasses.replace(step, expr=new)


def test_verify_catches_a_corrupted_middle_step():
    d = gradlab.derive("softmax_dz")
    _corrupt(d, 5, {f[k] ** 2: f[k] ** 3})  # f_k - f_k^3: a plausible slip
    report = d.verify()
    assert not report.ok
    failed = [v.index for v in report.steps if not v.ok]
    # verdicts are numbered as the derivation prints its steps, from 1: steps[5] is step 6
    assert 6 in failed and all(v.ok for v in report.steps[:5])
    assert report.result.ok  # the later steps are still right: the slip is located, not smeared
    assert "FAIL" in str(report) and "step 5" in str(report)


def test_verify_catches_a_wrong_result_against_finite_differences():
    d = gradlab.derive("softmax_dz", n_classes=3)
    last = d.steps[-1]
    d.steps[-1] = dataclasses.replace(
        last, expr=sp.Eq(last.lhs, f[k] + sp.KroneckerDelta(y_i, k), evaluate=False)
    )
    report = d.verify()
    assert not report.steps[-1].ok and not report.result.ok
    assert report.failures[-1].index == -1


def test_verify_catches_a_wrong_eq3_step():
    d = gradlab.derive("softmax_dw")
    eq3 = next(n for n, s in enumerate(d.steps) if s.rule == "eq (2)")
    _corrupt(d, eq3, {x[symbolic.notation.i]: 2 * x[symbolic.notation.i]})
    report = d.verify()
    assert not report.steps[eq3].ok


@pytest.mark.parametrize(
    ("rule", "slip"),
    [
        ("eq (2)", lambda e: e * m),  # the 1/m forgotten
        ("eq (2)", lambda e: e * m / (m - 1)),  # 1/(m - 1) for 1/m
        ("matrix form", lambda e: -e),  # F - Y written Y - F
    ],
)
def test_verify_at_m_2_and_C_3_catches_the_classic_eq3_slips(rule, slip):
    # the data-set steps are checked on m = 2 samples and C = 3 classes only: still
    # enough to tell 1/m from 1 and from 1/(m - 1), and a sign
    d = gradlab.derive("softmax_dw")
    n = next(n for n, s in enumerate(d.steps) if s.rule == rule)
    step = d.steps[n]
    d.steps[n] = dataclasses.replace(step, expr=sp.Eq(step.lhs, slip(step.rhs), evaluate=False))
    report = d.verify()
    assert not report.steps[n].ok and report.steps[n].method == "numeric"
    assert all(v.ok for v in report.steps[:n])


def test_verify_reports_a_malformed_step_instead_of_raising():
    d = gradlab.derive("softmax_jacobian")
    _corrupt(d, 2, {f[j]: sp.Function("g")(f[j])})
    report = d.verify()
    assert not report.ok and not report.steps[2].ok


# ----------------------------------------------------------------------------- API


def test_derivations_lists_the_fixed_topics():
    topics = gradlab.derivations()
    # the softmax-regression topics first; the backpropagation topics (mlp_*) follow
    assert list(topics)[:7] == [
        "softmax_dz",
        "softmax_dw",
        "softmax_db",
        "softmax_jacobian",
        "logistic_dz",
        "logistic_dw",
        "linear_dw",
    ]
    assert all(isinstance(v, str) and v for v in topics.values())
    assert gradlab.Derivation is symbolic.Derivation


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"topic": "softmax"}, ValueError, "topic must be one of"),
        ({"topic": 3}, TypeError, "topic must be a string"),
        ({"topic": "softmax_dz", "n_classes": 1}, ValueError, "n_classes must be between 2"),
        ({"topic": "softmax_dz", "n_classes": 21}, ValueError, "between 2 and 20"),
        ({"topic": "softmax_dz", "n_classes": 2.5}, TypeError, "n_classes must be an integer"),
        ({"topic": "softmax_dz", "n_classes": True}, TypeError, "n_classes must be an integer"),
        ({"topic": "softmax_dz", "l2": 0.1}, ValueError, "only weight gradients"),
        ({"topic": "softmax_dw", "l2": "0.1"}, TypeError, "l2 must be the L2 weight"),
        ({"topic": "softmax_dw", "l2": -0.1}, ValueError, "a finite number >= 0"),
        ({"topic": "softmax_jacobian", "l2": True}, ValueError, "no"),
        ({"topic": "logistic_dz", "l2": True}, ValueError, "logistic_dw"),
        ({"topic": "softmax_dz", "l2": True}, ValueError, "softmax_dw"),
        ({"topic": "softmax_dz", "n_classes": 3, "l2": True}, ValueError, "softmax_dw"),
        ({"topic": "logistic_dw", "n_classes": 3}, ValueError, "binary"),
    ],
)
def test_bad_arguments_get_clear_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        gradlab.derive(**kwargs)


def test_verify_arguments_are_checked():
    d = gradlab.derive("softmax_jacobian")
    with pytest.raises(ValueError, match="n_points must be a positive integer"):
        d.verify(n_points=0)
    with pytest.raises(TypeError, match="seed must be an integer"):
        d.verify(seed="zero")


def test_numpy_integer_classes_are_accepted():
    assert gradlab.derive("softmax_dz", n_classes=np.int64(3)).n_classes == 3


def test_text_and_notebook_renderings():
    d = gradlab.derive("softmax_dz")
    text = str(d)
    assert "fₖ - 𝕀(yᵢ = k)" in text and "∂Jᵢ/∂zₖ" in text
    assert all(step.reason in text for step in d.steps)
    md = d._repr_markdown_()
    assert md.count("$$") == 2 * len(d.steps) and all(s.reason_latex in md for s in d.steps)
    # typeset, not the terminal's text: the title and justifications carry $...$ math
    assert md.startswith("**$\\partial J_i/\\partial z_k$ for softmax cross-entropy")
    assert "f_j = exp" not in md and "fⱼ" not in md and "Σ" not in md
    assert d._repr_latex_().startswith("$$\n\\begin{aligned}")
    assert "softmax_dz" in repr(d)
    html = d.verify()._repr_html_()
    assert html.count("<tr>") == len(d.steps) + 2


def test_ipython_displays_markdown_latex_and_readable_text():
    formatters = pytest.importorskip("IPython.core.formatters")
    d = gradlab.derive("logistic_dw", l2=True)
    shown, _ = formatters.DisplayFormatter().format(d)
    assert {"text/markdown", "text/latex", "text/plain"} <= set(shown)
    assert shown["text/plain"] == str(d)
    assert "\\nabla_{\\mathbf{w}} J" in shown["text/latex"]
    report, _ = formatters.DisplayFormatter().format(d.verify())
    assert "all steps hold" in report["text/plain"] and "<table>" in report["text/html"]


# ----------------------------------------------------------------------------- CLI


def test_cli_derive_prints_unicode_latex_and_the_list(capsys):
    from gradlab.cli import main

    assert main(["derive", "softmax_dz"]) == 0
    assert "fₖ - 𝕀(yᵢ = k)" in capsys.readouterr().out
    assert main(["derive", "softmax_dw", "--latex", "--l2"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\\begin{aligned}") and "\\tag{3}" in out and "\\lambda" in out
    assert main(["derive", "--list"]) == 0
    listing = capsys.readouterr().out
    assert all(t in listing for t in TOPICS)
    assert main(["derive"]) == 0
    assert main(["derive", "softmax_jacobian", "--classes", "3", "--verify"]) == 0
    assert "all steps hold" in capsys.readouterr().out
    assert main(["derive", "nope"]) == 2
    assert "topic must be one of" in capsys.readouterr().err


# ----------------------------------------------------------------------------- figure


@pytest.mark.slow  # typesets every step with mathtext, twice
def test_render_to_figure_and_to_image(tmp_path):
    from matplotlib.figure import Figure

    d = gradlab.derive("softmax_dz")
    fig = symbolic.render_to_figure(d)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert sum(t.startswith("$= ") for t in texts) == len(d.steps)
    # the figure's mathtext sets the indicator upright; otherwise the same justifications
    upright = [s.reason_latex.replace("\\mathbb{I}", "\\mathrm{𝕀}") for s in d.steps]
    assert all(reason in texts for reason in upright)
    assert texts[0] == d.title_latex
    out = d.to_image(tmp_path / "eq2.png", dpi=60)
    assert out.stat().st_size > 1000
    fig2 = Figure()
    ax = fig2.add_subplot()
    assert symbolic.render_to_figure(d, ax=ax, reasons=False) is fig2
    # the title, the two left-hand sides (J_i and dJ_i/dz_k), one right-hand side per step
    assert len(ax.texts) == 1 + 2 + len(d.steps)


# ----------------------------------------------------------------------------- rules


def test_rules_refuse_moves_they_cannot_justify():
    from gradlab.symbolic import rules
    from gradlab.symbolic.notation import Exp, indicator

    neq = sp.Sum(indicator(y_i, j) * f[j] * (1 - sp.KroneckerDelta(j, k)), (j, 1, 4))
    with pytest.raises(ValueError, match="no term j = k"):
        rules.join_split_sum(f[k] + neq, k)  # the j = k term would be I(y_i = k) f_k
    joined = rules.join_split_sum(indicator(y_i, k) * f[k] + neq, k)
    assert joined == sp.Sum(indicator(y_i, j) * f[j], (j, 1, 4))

    good = sum(sp.KroneckerDelta(c_, k) * Exp(z[c_]) for c_ in (1, 2, 3))
    assert rules.sift_written_out(good, z[k]) == Exp(z[k])
    with pytest.raises(ValueError):
        rules.sift_written_out(sp.KroneckerDelta(1, k) * Exp(z[2]), z[k])
    with pytest.raises(ValueError, match=r"1\.\.C"):
        rules.sift_written_out(sp.KroneckerDelta(2, k) * Exp(z[2]), z[k])


def test_one_hot_rule_only_removes_sums_of_the_indicator_times_a_constant():
    from gradlab.symbolic import rules
    from gradlab.symbolic.notation import indicator

    constant = sp.Sum(indicator(y_i, j) * f[k], (j, 1, 3))
    assert rules.one_hot_sum(constant, y_i) == f[k]
    varying = sp.Sum(indicator(y_i, j) * f[j], (j, 1, 3))
    assert rules.one_hot_sum(varying, y_i) == varying


def test_a_step_displays_in_jupyter_in_the_lectures_notation():
    step = gradlab.derive("softmax_dz").steps[-1]
    shown = step._repr_latex_()
    assert shown.startswith("$") and shown.endswith("$")
    assert r"\mathbb{I}(y_{i} = k)" in shown and "delta" not in shown


@pytest.mark.parametrize(
    ("topic", "penalty", "bias"),
    [("softmax_dw", "‖𝐖‖²", True), ("logistic_dw", "‖𝐰‖²", True), ("linear_dw", "‖𝐰‖²", False)],
)
def test_l2_definition_names_the_models_own_weights(topic, penalty, bias):
    step = gradlab.derive(topic, l2=True).steps[0]
    reason = step.reason
    assert penalty in reason
    weights = "\\mathbf{W}" if "𝐖" in penalty else "\\mathbf{w}"
    assert f"$(\\lambda/2) \\|{weights}\\|^2$" in step.reason_latex
    # linear_dw has no bias, so it must not talk about one
    assert ("bias" in reason) is bias


def test_l2_is_the_weight_as_in_loss():
    # one name per concept: l2 is the L2 weight in gradlab.loss and in derive
    d = gradlab.derive("logistic_dw", l2=0.25)
    assert d.l2 == 0.25 and d.verify().ok
    assert gradlab.derive("logistic_dw", l2=0).l2 == 0.0
    assert gradlab.derive("logistic_dw", l2=True).l2 > 0  # the old flag still works
