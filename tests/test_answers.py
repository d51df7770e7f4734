"""check_answer: verdicts and hints on a table of answers, semantics of the parse
checked against finite differences of the loss, counterexamples, CLI."""

import numpy as np
import pytest
import sympy as sp

import gradlab
from gradlab.answers import AnswerSyntaxError, check_answer, vocabulary_table
from gradlab.answers import symbols as S
from gradlab.cli import main

# (topic, answer, correct, expected mistake or None). Mistake names are the catalogue's.
TABLE = [
    # --- right, in the notations students type (issue item 2) and more
    ("softmax_dz", r"f_k - \mathbb{I}(y_i = k)", True, None),
    ("softmax_dz", r"f_k - \mathbb{1}\{y_i = k\}", True, None),
    ("softmax_dz", r"\frac{e^{z_k}}{\sum_{c=1}^{C} e^{z_c}} - \delta_{y_i k}", True, None),
    ("softmax_dz", "p_k - [y=k]", True, None),
    ("softmax_dz", r"\hat{y}_k - y_k", True, None),
    ("softmax_dz", r"\sigma(z)_k - y_k", True, None),
    ("softmax_dz", "f_k - 1(y==k)", True, None),
    ("softmax_dz", "exp(z_k)/sum(exp(z_c), c) - delta(y,k)", True, None),
    ("softmax_dz", "softmax(z)_k - onehot(y)_k", True, None),
    ("softmax_dz", r"-\left(\mathbb{I}(y_i = k) - f_k\right)", True, None),
    ("softmax_dz", r"\frac{\exp(z_k)}{\sum_j \exp(z_j)} - \mathbb{I}_{y_i = k}", True, None),
    (
        "softmax_dz",
        r"f_k - 1 + \sum_{c=1}^{C} \mathbb{I}(y_i \neq k) \mathbb{I}(y_i = c)",
        True,
        None,
    ),
    ("softmax_dz", "ŷ_k − 𝕀(y_i = k)", True, None),
    (  # the note's second-to-last line of eq (2)
        "softmax_dz",
        (
            r"-\left(\mathbb{I}(y_i = k) - \mathbb{I}(y_i = k) f_k"
            r" - \sum_{j \neq k}^{C} \mathbb{I}(y_i = j) f_k\right)"
        ),
        True,
        None,
    ),
    ("softmax_dz", r"\frac{1}{1 + \sum_{c=1}^{C} e^{z_c - z_k} - 1} - [y_i = k]", True, None),
    ("softmax_dz", r"$f_{k} - \mathbf{1}\{y_{i} = k\}$", True, None),
    ("softmax_dw", r"\frac{1}{m}\sum_{i=1}^{m}(f_k - \mathbb{I}(y_i=k))x_i", True, None),
    ("softmax_dw", r"\frac1m \sum_i^m (p_k - [y_i = k]) \mathbf{x}_i", True, None),
    ("softmax_dw", "sum((f_k - delta(y_i, k)) * x_i, i) / m", True, None),
    (
        "softmax_dw",
        (
            r"\frac{1}{m}\sum_i (\frac{e^{w_k^\top x_i + b_k}}{\sum_c e^{w_c^\top x_i + b_c}}"
            r" - [y_i = k]) x_i"
        ),
        True,
        None,
    ),
    ("softmax_db", r"\frac{1}{m}\sum_{i=1}^{m}(f_k - y_k)", True, None),
    ("softmax_db", r"\frac{1}{m}\sum_i \sum_c [c = k] (f_c - [y_i = c])", True, None),
    ("softmax_jacobian", r"f_j(\delta_{jk} - f_k)", True, None),
    ("softmax_jacobian", "f_j*delta(j, k) - f_j*f_k", True, None),
    ("logistic_dz", r"\sigma(z) - y", True, None),
    ("logistic_dz", r"\frac{1}{1 + e^{-z}} - y", True, None),
    ("logistic_dw", r"\frac{1}{m}\sum_{i=1}^{m} (\sigma(w^T x_i + b) - y_i) x_i", True, None),
    ("logistic_dw", r"\frac{1}{m}\sum_i (\hat{y}_i - y_i) x_i", True, None),
    ("linear_dw", r"\frac{1}{m}\sum_i (w^\top x_i - y_i) x_i", True, None),
    # --- wrong, every kind of issue item 4
    ("softmax_dz", r"\mathbb{I}(y_i = k) - f_k", False, "sign error"),
    ("softmax_dz", "f_k", False, "missing indicator"),
    ("softmax_dz", r"\frac{e^{z_k}}{\sum_c e^{z_c}}", False, "missing indicator"),
    ("softmax_dz", r"f_k - \delta_{ik}", False, "indicator on the wrong index"),
    ("softmax_dz", r"f_{y_i} - \mathbb{I}(y_i = k)", False, "probability on the wrong index"),
    ("softmax_dz", "f_k(1 - f_k)", False, "Jacobian diagonal"),
    ("softmax_dz", r"f_{y_i}(f_k - [y_i = k])", False, "dropped log factor"),
    ("softmax_dz", r"f_{y_i} - 1", False, "only the true class"),
    ("softmax_dz", r"\frac{1}{m}\sum_i (f_k - [y_i = k])", False, "averaged"),
    ("softmax_dw", r"\sum_{i=1}^{m}(f_k - \mathbb{I}(y_i=k))x_i", False, "forgot 1/m"),
    ("softmax_dw", r"(f_k - \mathbb{I}(y_i=k))x_i", False, "one sample"),
    ("softmax_dw", r"\frac{1}{m}\sum_i (f_k - [y_i = k])", False, "forgot x_i"),
    ("softmax_dw", r"\frac{1}{m}\sum_i ([y_i = k] - f_k) x_i", False, "sign error"),
    ("softmax_dw", r"\frac{1}{m}\sum_i f_k x_i", False, "missing indicator"),
    ("softmax_dw", r"\sum_i ([y_i = k] - f_k) x_i", False, "sign error; forgot 1/m"),
    ("softmax_db", r"\sum_i (f_k - [y_i = k])", False, "forgot 1/m"),
    ("softmax_db", r"\frac{1}{m}\sum_i (f_k - [y_i = k]) x_i", False, "extra x_i"),
    ("softmax_jacobian", "f_k(1 - f_k)", False, "diagonal only"),
    ("softmax_jacobian", "-f_j f_k", False, "off-diagonal only"),
    ("softmax_jacobian", "f_j(1 - f_k)", False, "missing delta"),
    ("logistic_dz", r"y - \sigma(z)", False, "logistic sign error"),
    ("logistic_dz", r"\sigma(z)", False, "missing label term"),
    ("logistic_dz", r"\sigma(z)(1 - \sigma(z))", False, "sigmoid derivative"),
    ("logistic_dz", r"\sigma(z)(1 - \sigma(z))(1 - 2y)", False, "logistic dropped log factor"),
    ("logistic_dw", r"\sum_i (\sigma(z_i) - y_i) x_i", False, "forgot 1/m"),
    ("linear_dw", r"\frac{2}{m}\sum_i (w^T x_i - y_i) x_i", False, "factor 2"),
    ("linear_dw", r"\frac{1}{m}\sum_i (y_i - w^T x_i) x_i", False, "linear sign error"),
    # --- wrong with no catalogued mistake: an honest fallback
    ("softmax_dz", "f_k - 1", False, None),
    ("softmax_dz", r"\frac{e^{z_k}}{e^{z_1} + e^{z_2}} - [y = k]", False, None),
    ("softmax_dz", "2 f_k - [y = k]", False, None),
    ("softmax_dz", "f_k - y", False, None),
    ("softmax_dz", r"\sigma(z_k) - [y = k]", False, "sigmoid instead of softmax"),
]


def test_table_is_large_and_covers_every_topic():
    assert len(TABLE) >= 40
    # the two-layer network's topics (family "mlp") have their table in tests/test_topics.py
    regression = {name for name, t in gradlab.answers.TOPICS.items() if t.family != "mlp"}
    assert {row[0] for row in TABLE} == regression


@pytest.mark.parametrize(("topic", "answer", "correct", "mistake"), TABLE)
def test_verdict_and_hint(topic, answer, correct, mistake):
    result = check_answer(answer, topic=topic)
    assert result.correct is correct, str(result)
    assert result.mistake == mistake, str(result)
    if correct:
        assert result.counterexample is None and result.hint is None
    else:
        assert result.counterexample is not None
        assert result.hint  # a catalogued hint, or the honest fallback
        if mistake is None:
            assert result.hint.startswith(("No hint", "Right ", "y_i is a class label", "∂"))


# --------------------------------------------------------------------------- semantics
# The parse is checked against the loss itself: the parsed expression, evaluated by
# SymPy (not by gradlab's evaluator), must equal central differences of eq (1).


def neg_log_softmax(z, y):
    return -(z[y - 1] - np.log(np.exp(z).sum()))


def finite_difference_dz(z, y, k, h=1e-6):
    e = np.zeros_like(z)
    e[k - 1] = h
    return (neg_log_softmax(z + e, y) - neg_log_softmax(z - e, y)) / (2 * h)


def sympy_value(expr, C, y, k, z):
    """``expr`` at one sample (i = 1) via SymPy's own substitution and doit."""
    f = np.exp(z) / np.exp(z).sum()
    expr = expr.subs({S.C: C, S.k: k, S.i: 1}).doit()
    subs = {S.y[1]: y}
    for c in range(1, C + 1):
        subs[S.z[1, c]] = sp.Float(z[c - 1], 30)
        subs[S.f[1, c]] = sp.Float(f[c - 1], 30)
    return float(expr.xreplace(subs).doit().evalf())


SOFTMAX_DZ_NOTATIONS = [row[1] for row in TABLE if row[0] == "softmax_dz" and row[2]]


@pytest.mark.parametrize("answer", SOFTMAX_DZ_NOTATIONS)
def test_parsed_answer_equals_finite_differences_of_the_loss(answer):
    expr = check_answer(answer).expr
    rng = np.random.default_rng(1)
    for C in (2, 4):
        z = rng.normal(size=C)
        for y in range(1, C + 1):
            for k in range(1, C + 1):
                assert sympy_value(expr, C, y, k, z) == pytest.approx(
                    finite_difference_dz(z, y, k), abs=1e-7
                )


def test_fallback_hints_say_where_the_answer_is_right():
    assert check_answer("f_k - 1").hint.startswith("Right only when k = y_i")
    assert check_answer(r"\frac{e^{z_k}}{e^{z_1} + e^{z_2}} - [y = k]").hint.startswith(
        "Right for C = 2 classes only"
    )
    assert check_answer("f_k - y").hint.startswith("y_i is a class label")
    assert check_answer("2 f_k - [y = k]").hint.startswith("No hint")
    vector_for_number = check_answer("(f_k - [y = k]) x_i")
    assert "is a number" in vector_for_number.hint
    assert "is a vector" in vector_for_number.counterexample.note
    number_for_vector = check_answer("f_k - [y = k]", topic="softmax_dw")
    assert "brings the factor x_i" in number_for_vector.hint


def test_counterexample_is_a_real_failing_case():
    # f_k is right whenever k != y, so the counterexample must have k = y.
    cx = check_answer("f_k").counterexample
    assert cx.k == cx.y[0]
    expected_true = finite_difference_dz(cx.z, cx.y[0], cx.k)
    assert float(cx.true) == pytest.approx(expected_true, abs=1e-7)
    f = np.exp(cx.z) / np.exp(cx.z).sum()
    assert float(cx.student) == pytest.approx(f[cx.k - 1], rel=1e-12)
    assert abs(float(cx.student) - float(cx.true)) > 0.5


@pytest.mark.parametrize(
    ("answer", "where"),
    [
        ("f_k", lambda cx: cx.k == cx.y[0]),  # right only for k != y
        ("f_k - 1", lambda cx: cx.k != cx.y[0]),  # right only for k = y
        (r"\frac{e^{z_k}}{e^{z_1} + e^{z_2}} - [y = k]", lambda cx: cx.C > 2),  # only C = 2
        (r"\sigma(z_k - z_{3-k}) - [y = k]", lambda cx: cx.C > 2),  # only C = 2
    ],
)
def test_partly_right_is_wrong_with_counterexample_in_the_failing_case(answer, where):
    result = check_answer(answer)
    assert not result.correct
    assert where(result.counterexample), str(result)


def test_softmax_dw_truth_matches_the_model():
    # The grade's truth for eq (3) against gradlab.model.gradient on the same data.
    from gradlab.answers.topics import TOPICS

    topic = TOPICS["softmax_dw"]
    case = topic.cases()[-1]
    n = 0
    X = case.X[n]
    W = case.W[n].T  # (d, C)
    b = case.B[n]
    y = np.asarray(case.labels) - 1
    dW, _ = gradlab.gradient(W, b, X, y)
    k = case.indices["k"]
    np.testing.assert_allclose(topic.truth(case)[n], dW[:, k - 1], rtol=1e-12)


def test_parsed_dw_answer_equals_the_model_gradient():
    # eq (3) typed by a student, evaluated by SymPy on concrete data, against gradlab.gradient.
    expr = check_answer(
        r"\frac{1}{m}\sum_{i=1}^{m}(\frac{e^{z_k}}{\sum_c e^{z_c}} - \mathbb{I}(y_i=k))x_i",
        topic="softmax_dw",
    ).expr
    rng = np.random.default_rng(3)
    m, d, C = 4, 3, 3
    X, W, b = rng.normal(size=(m, d)), rng.normal(size=(d, C)), rng.normal(size=C)
    y = np.array([0, 2, 1, 2])
    dW, _ = gradlab.gradient(W, b, X, y)
    Z = X @ W + b
    for k in range(1, C + 1):
        for feature in range(d):
            value = expr.subs({S.C: C, S.m: m, S.k: k}).doit()
            subs = {S.y[s + 1]: int(y[s]) + 1 for s in range(m)}
            subs |= {S.x[s + 1]: sp.Float(X[s, feature], 30) for s in range(m)}
            subs |= {S.z[s + 1, c + 1]: sp.Float(Z[s, c], 30) for s in range(m) for c in range(C)}
            got = float(value.xreplace(subs).evalf())
            assert got == pytest.approx(dW[feature, k - 1], rel=1e-12)


def test_correct_answer_gets_a_symbolic_proof():
    result = check_answer(r"\frac{e^{z_k}}{\sum_c e^{z_c}} - [y_i = k]")
    assert result.correct and result.proof and "C = 3" in result.proof
    result = check_answer(r"f_j(\delta_{jk} - f_k)", "softmax_jacobian")
    assert result.proof


# --------------------------------------------------------------------------- not understood


@pytest.mark.parametrize(
    ("answer", "message", "caret_under"),
    [
        ("q_k - 1", "unknown symbol q; known: z, f, p, ŷ, y", "q"),
        ("fk - [y = k]", "did you mean f_k", "fk"),
        ("f_k - (y = k)", "a condition needs an indicator", "("),
        ("f_k - [y_i = k", "expected ']'", ""),
        ("f_k + x_i", "cannot add a vector", "+"),
        ("softmax(z) - y", "one entry per class", "softmax"),
        (r"f_k - \mathbb{R}(y)", "not understood", "\\mathbb"),
        ("e^z_k", "subscript after a power is ambiguous", "_"),
        ("w_k x_i", "product of two vectors is ambiguous", "x"),
        ("", "empty", None),
        ("1/2m sum((f_k - [y_i = k]) x_i, i)", "ambiguous after '/'", "m sum"),
        ("f_k - [z_k = 0]", "compares labels and indices", "z"),
        ("f_k - delta(z_k, 1)", "compares labels and indices", "delta"),
        ("f_k^{i} - [y = k]", "sample as a subscript", "^"),
        (r"\delta_{y_ijk}", "delta needs two indices", "\\delta"),
        (r"\frac{\partial J_i}{\partial w_k} = f_k", "names ∂J_i/∂w_k", "\\frac"),
    ],
)
def test_not_understood_points_at_the_problem(answer, message, caret_under):
    with pytest.raises(AnswerSyntaxError, match=None) as info:
        check_answer(answer)
    text = str(info.value)
    assert message in text
    if caret_under is not None:
        position = info.value.position
        assert answer[position:].startswith(caret_under) or caret_under == ""
        lines = text.splitlines()
        assert lines[-1].index("^") - 2 == position  # the caret is under it


def test_free_index_without_meaning_is_not_understood():
    with pytest.raises(AnswerSyntaxError, match="j has no value"):
        check_answer("f_j - [y = k]")
    with pytest.raises(AnswerSyntaxError, match=r"C .* no meaning in logistic"):
        check_answer("C", "logistic_dz")


def test_bad_arguments():
    with pytest.raises(TypeError, match="answer must be a str; got int"):
        check_answer(3)
    with pytest.raises(ValueError, match="topic must be one of"):
        check_answer("f_k", topic="softmax")
    assert issubclass(AnswerSyntaxError, ValueError)


# --------------------------------------------------------------------------- rendering, CLI


def test_str_and_markdown():
    wrong = check_answer("f_k")
    text = str(wrong)
    assert text.startswith("✗ Not correct")
    assert "counterexample" in text and "your answer" in text and "hint:" in text
    md = wrong._repr_markdown_()
    assert "❌" in md and "$f_{i,k}$" in md
    right = check_answer("f_k - [y = k]")
    assert str(right).startswith("✓ Correct") and bool(right)


@pytest.mark.parametrize(
    ("argv", "status", "stream", "text"),
    [
        (["check", r"f_k - \mathbb{I}(y_i = k)"], 0, "out", "Correct"),
        (["check", "f_k"], 1, "out", "hint: Missing indicator"),
        (["check", r"\sigma(z) - y", "--topic", "logistic_dz"], 0, "out", "Correct"),
        (["check", "q_k"], 2, "err", "unknown symbol q"),
        (["check", "f_k", "--topic", "nope"], 2, "err", "topic must be one of"),
    ],
)
def test_cli(capsys, argv, status, stream, text):
    assert main(argv) == status
    captured = capsys.readouterr()
    assert text in (captured.out if stream == "out" else captured.err)


def test_vocabulary_table_lists_every_word():
    from gradlab.answers.vocabulary import COMMANDS, LETTERS, WORDS

    table = vocabulary_table()
    for name in [*LETTERS, *WORDS]:
        assert f"| `{name}` |" in table
    for name in COMMANDS:
        assert f"| `\\{name}` |" in table


def test_exported_from_gradlab():
    assert gradlab.check_answer is check_answer
    assert gradlab.AnswerCheck is gradlab.answers.AnswerCheck


# --------------------------------------------------------------------------- LaTeX shown


def typeset(tex: str) -> None:
    """Typeset with matplotlib's mathtext, a real TeX-math parser that rejects unknown
    commands and unbalanced braces."""
    import io

    from matplotlib import mathtext

    mathtext.math_to_image(f"${tex}$", io.BytesIO(), format="png", dpi=30)


def test_mathtext_rejects_broken_latex():
    with pytest.raises(ValueError):
        typeset(r"\frac{a}{b")
    with pytest.raises(ValueError):
        typeset(r"\notacommand{x}")


@pytest.mark.parametrize(("topic", "answer"), [(row[0], row[1]) for row in TABLE])
def test_the_parsed_answer_is_shown_in_jupyter_as_valid_latex(topic, answer):
    import re

    shown = check_answer(answer, topic=topic)._repr_markdown_()
    formulas = re.findall(r"\$([^$]+)\$", shown)
    assert formulas, shown
    for tex in formulas:
        typeset(tex)
