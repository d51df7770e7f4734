"""Issue 11 items 1-3 beyond the table of forms: the grammar file, matrix values
against NumPy, profiles, reading back what gradlab prints, IPython's display of
a typo, and the CLI."""

from __future__ import annotations

import pathlib
import re

import numpy as np
import pytest

import gradlab
from gradlab.answers import PROFILES, AnswerSyntaxError, check_answer
from gradlab.answers.check import show
from gradlab.answers.evaluate import Case, evaluate
from gradlab.answers.parser import _Parser
from gradlab.answers.reading import read_answer
from gradlab.answers.topics import get_topic
from gradlab.cli import main

GRAMMAR = pathlib.Path(gradlab.__file__).parent / "answers" / "grammar.ebnf"


# --------------------------------------------------------------------------- one grammar


def grammar_rules() -> dict:
    text = re.sub(r"\(\*.*?\*\)", "", GRAMMAR.read_text(encoding="utf-8"), flags=re.DOTALL)
    return dict(re.findall(r"^([a-z_]+)\s*=\s*(.*)$", text, flags=re.MULTILINE))


def test_every_grammar_rule_is_one_parser_method_that_quotes_it():
    rules = grammar_rules()
    assert len(rules) >= 25
    for name, first_line in rules.items():
        method = getattr(_Parser, name, None)
        assert method is not None, f"grammar rule {name} has no parser method"
        doc = (method.__doc__ or "").strip()
        assert doc.startswith(f"{name} ="), (name, doc[:60])
        # The rule's first alternatives, as written in the grammar file.
        words = re.sub(r"\s+", " ", first_line).strip()[:25]
        assert re.sub(r"\s+", " ", doc).replace("\\\\", "\\").find(words[:12]) >= 0, name


def test_every_parser_rule_is_in_the_grammar():
    rules = grammar_rules()
    for name in dir(_Parser):
        doc = (
            (getattr(_Parser, name).__doc__ or "").strip()
            if callable(getattr(_Parser, name))
            else ""
        )
        if re.match(rf"^{name} = ", doc):
            assert name in rules, f"{name} documents a rule that grammar.ebnf lacks"


# --------------------------------------------------------------------------- matrices vs NumPy


def random_case(rng, m=4, d=3, C=5):
    """A softmax case with X (m, d), W (d, C), b (C,), labels 1..C, from NumPy alone."""
    X = rng.normal(size=(1, m, d))
    W = rng.normal(size=(1, C, d))
    B = rng.normal(size=(1, C))
    Z = np.einsum("nmd,ncd->nmc", X, W) + B[:, None, :]
    F = np.exp(Z - Z.max(axis=-1, keepdims=True))
    F /= F.sum(axis=-1, keepdims=True)
    labels = tuple(int(v) for v in rng.integers(1, C + 1, size=m))
    return Case("softmax", C, labels, {"k": 1, "i": 1}, X, W, B, Z, F)


@pytest.mark.parametrize(
    ("answer", "topic", "numpy_value"),
    [
        (r"\frac{1}{m} X^\top (F - Y)", "softmax_dw", lambda X, F, Y: X.T @ (F - Y) / len(X)),
        ("X.T @ (P - Y) / m", "softmax_dw", lambda X, F, Y: X.T @ (F - Y) / len(X)),
        (r"\mathbf{1}^\top(F - Y)/m", "softmax_db", lambda X, F, Y: (F - Y).mean(axis=0)),
        (r"X^\top F / m", "softmax_dw", lambda X, F, Y: X.T @ F / len(X)),
    ],
)
def test_a_matrix_answer_is_its_numpy_value_column_by_column(answer, topic, numpy_value):
    rng = np.random.default_rng(7)
    case = random_case(rng)
    X, F = case.X[0], case.F[0]
    Y = np.eye(case.C)[np.asarray(case.labels) - 1]
    expected = np.atleast_2d(numpy_value(X, F, Y))
    reading = read_answer(answer, get_topic(topic))
    for k in range(1, case.C + 1):
        case.indices["k"] = k
        got = np.asarray(evaluate(reading.expr, case), dtype=float).ravel()
        column = expected[:, k - 1] if expected.shape[0] > 1 else expected[0, k - 1 : k]
        np.testing.assert_allclose(got, column, rtol=1e-12)


def test_the_jacobian_matrix_is_diag_f_minus_f_f_transposed():
    rng = np.random.default_rng(8)
    case = random_case(rng, C=4)
    f = case.F[0, 0]
    expected = np.diag(f) - np.outer(f, f)
    reading = read_answer(
        r"\operatorname{diag}(\mathbf{f}) - \mathbf{f}\mathbf{f}^\top",
        get_topic("softmax_jacobian"),
    )
    for j in range(1, 5):
        for k in range(1, 5):
            case.indices.update(j=j, k=k)
            assert float(np.ravel(evaluate(reading.expr, case))[0]) == pytest.approx(
                expected[j - 1, k - 1], rel=1e-12, abs=1e-15
            )


def test_shape_errors_are_worded_for_a_student():
    with pytest.raises(AnswerSyntaxError) as info:
        check_answer(r"\frac{1}{m} (F - Y)^\top X", "softmax_dw")
    assert "(F − Y)ᵀ is C×m and X is m×d, so (F − Y)ᵀX is C×d" in str(info.value)
    assert "∂J/∂W has the shape of W, d×C; transpose your answer" in str(info.value)
    with pytest.raises(AnswerSyntaxError) as info:
        check_answer("X (F - Y)/m", "softmax_dw")
    assert "Xᵀ is d×m and (F − Y) is m×C, so Xᵀ(F − Y) is d×C" in str(info.value)
    right = check_answer(r"\frac{1}{m} X^\top (F - Y)", "softmax_dw")
    assert right.correct
    assert "Xᵀ is d×m and (F − Y) is m×C, so Xᵀ(F − Y) is d×C: the shape of W" in right.message


# --------------------------------------------------------------------------- profiles


def test_profiles_grade_in_the_course_letters_and_the_default_names_them():
    assert sorted(PROFILES) == ["bishop", "cs229", "cs231n", "d2l", "deeplearning.ai", "note"]
    assert check_answer("y_k - t_k", notation="bishop").correct
    with pytest.raises(AnswerSyntaxError, match='notation="bishop"'):
        check_answer("y_k - t_k")
    with pytest.raises(AnswerSyntaxError, match='notation="cs231n"'):
        check_answer("X.T.dot(probs - Y) / N", "softmax_dw")


def test_cs229_keeps_the_bias_inside_theta():
    # θᵀx is the whole logit in CS229; w^T x without b is not, in the note's letters.
    assert check_answer(r"\sigma(\theta^\top x) - y", "logistic_dz", notation="cs229").correct
    assert not check_answer(r"\sigma(w^\top x) - y", "logistic_dz").correct


def test_a_custom_mapping_is_validated_and_not_modified():
    mapping = {"S": "f", "i": "k"}
    assert check_answer("S_i - y_i", notation=mapping).correct
    assert mapping == {"S": "f", "i": "k"}
    with pytest.raises(ValueError, match="notation maps 'S' to 'q'"):
        check_answer("S_i", notation={"S": "q"})
    with pytest.raises(ValueError, match="notation must be one of"):
        check_answer("f_k", notation="stanford")
    with pytest.raises(
        TypeError, match="notation must be None, a preset name or a mapping; got int"
    ):
        check_answer("f_k", notation=3)


# --------------------------------------------------------------------------- reading back


RIGHT = [
    ("softmax_dz", r"f_k - \mathbb{I}(y_i = k)"),
    ("softmax_dz", r"\frac{e^{z_k}}{\sum_{c=1}^{C} e^{z_c}} - \delta_{y_i k}"),
    ("softmax_dw", r"\frac{1}{m}\sum_{i=1}^{m}(f_k - \mathbb{I}(y_i=k))x_i"),
    ("softmax_dw", r"\frac{1}{m} X^\top (F - Y)"),
    ("softmax_db", r"\mathbf{1}^\top(F - Y)/m"),
    ("softmax_jacobian", r"\operatorname{diag}(\mathbf{f}) - \mathbf{f}\mathbf{f}^\top"),
    ("logistic_dz", r"\sigma(w^\top x_i + b) - y_i"),
    ("logistic_dw", r"\frac{1}{m}\sum_i (\sigma(z_i) - y_i) x_i"),
    ("linear_dw", r"\frac{1}{m}\sum_i (w^T x_i - y_i) x_i"),
]


@pytest.mark.parametrize(("topic", "answer"), RIGHT)
def test_gradlab_reads_back_what_it_prints(topic, answer):
    printed = show(check_answer(answer, topic).expr)
    again = check_answer(printed, topic)
    assert again.correct, printed
    assert str(check_answer(answer, topic)).count("read as:") == 1


@pytest.mark.parametrize(("topic", "answer"), RIGHT)
def test_gradlab_reads_back_the_latex_it_shows_in_jupyter(topic, answer):
    shown = check_answer(answer, topic)._repr_markdown_()
    latex = re.search(r"read as: \$(.+)\$", shown).group(1)
    assert check_answer(latex, topic).correct, latex


def test_the_printed_unicode_of_issue_12_reads_back():
    assert check_answer("σ(z)_k − 𝕀(yᵢ = k)").correct


# --------------------------------------------------------------------------- a typo in Jupyter


def test_a_typo_shows_only_the_caret_message_in_ipython(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell("from gradlab import check_answer\ncheck_answer('f_k - q_k')")
    out = capsys.readouterr().out
    assert "unknown symbol q" in out and "^" in out
    assert "Traceback" not in out and "parser.py" not in out
    assert len(out.strip().splitlines()) == 3


# --------------------------------------------------------------------------- CLI


@pytest.mark.parametrize(
    ("argv", "status", "text"),
    [
        (["check", "y_k - t_k", "--notation", "bishop"], 0, "Correct"),
        (["check", "t_k - y_k", "--notation", "bishop"], 1, "Not correct"),
        (["check", "y_k - t_k"], 2, 'notation="bishop"'),
        (["check", "f_k", "--notation", "nope"], 2, "notation must be one of"),
        (["check", "dscores[range(N), y] -= 1"], 2, "an expression is wanted"),
        (["check"], 2, "give an answer or --derivation FILE"),
    ],
)
def test_cli_check_with_a_notation(capsys, argv, status, text):
    assert main(argv) == status
    captured = capsys.readouterr()
    assert text in captured.out + captured.err
