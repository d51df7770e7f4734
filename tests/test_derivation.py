"""check_derivation: whole derivations line by line (issue 11 item 3)."""

from __future__ import annotations

import pytest

import gradlab
from gradlab.answers import AnswerSyntaxError, DerivationCheck, check_derivation
from gradlab.cli import main

# The lecture note's eq (2) block, pasted exactly as printed (DDA3020, 10/14/2022).
# Line 6 (the second line of the step that starts on line 5) carries the sign slip:
# "- \sum_{j \neq k} [-I(y_i = j) ...]" should be "+"; line 7 is right again.
NOTE_EQ2 = r"""$$\begin{aligned}
 \frac{\partial J_i}{\partial z_k} &= -\sum_{j=1}^C \left[ \mathbb{I}(y_i = j) \frac{1}{f_j} \frac{\partial f_j}{\partial z_k} \right] \\
 &= -\left( \sum_{j=k}^C \left[ \mathbb{I}(y_i = j) \frac{1}{f_j} \frac{\partial f_j}{\partial z_k} \right] + \sum_{j \neq k}^C \left[ \mathbb{I}(y_i = j) \frac{1}{f_j} \frac{\partial f_j}{\partial z_k} \right] \right) \\
 &= -\left( \left[ \mathbb{I}(y_i = k) \frac{1}{f_k} \frac{\partial f_k}{\partial z_k} \right] + \sum_{j \neq k}^C \left[ \mathbb{I}(y_i = j) \frac{1}{f_j} \frac{\partial f_j}{\partial z_k} \right] \right) \\
 &= -\left[ \mathbb{I}(y_i = k) \frac{1}{f_k} \left( \frac{\exp(z_k)}{\sum_{c=1}^C \exp(z_c)} - \frac{\exp(z_k) \exp(z_k)}{\left( \sum_{c=1}^C \exp(z_c) \right)^2} \right) \right. \\
 &\quad \left. - \sum_{j \neq k}^C \left[ -\mathbb{I}(y_i = j) \frac{1}{f_j} \frac{\exp(z_j) \exp(z_k)}{\left( \sum_{c=1}^C \exp(z_c) \right)^2} \right] \right] \\
 &= -\left( \mathbb{I}(y_i = k) \frac{1}{f_k} \times (f_k - f_k^2) - \sum_{j \neq k}^C \mathbb{I}(y_i = j) \frac{1}{f_j} \times f_j \times f_k \right) \\
 &= -\left( \mathbb{I}(y_i = k) - \mathbb{I}(y_i = k) f_k - \sum_{j \neq k}^C \mathbb{I}(y_i = j) f_k \right) \\
 &= -\left( \mathbb{I}(y_i = k) - \sum_{j=1}^C \mathbb{I}(y_i = j) f_k \right) \quad \text{Note that } \sum_{j=1}^C \mathbb{I}(y_i = j) = 1 \\
 &= f_k - \mathbb{I}(y_i = k)
 \end{aligned} \tag{2}$$"""

NOTE_EQ3 = r"""$$\frac{\partial J}{\partial \mathbf{w}_k} = \frac{1}{m} \sum_{i=1}^m \frac{\partial J_i}{\partial z_k} \frac{\partial z_k}{\partial \mathbf{w}_k} = \frac{1}{m} \sum_{i=1}^m (f_k - \mathbb{I}(y_i = k)) \mathbf{x}_i \tag{3}$$"""


def test_the_notes_block_flags_exactly_the_sign_slip():
    result = check_derivation(NOTE_EQ2)
    assert isinstance(result, DerivationCheck)
    assert result.ok is False
    assert [step.ok for step in result.steps] == [True, True, True, False, True, True, True, True]
    wrong = result.first_wrong
    assert wrong.number == 4 and wrong.lines == (5, 6)
    assert "- \\sum_{j \\neq k}^C \\left[ -\\mathbb{I}" in wrong.text
    assert "step 5 restores the value" in wrong.message and "typo" in wrong.message
    assert "Step 4 (lines 5–6) breaks the equality; step 5 restores the value" in result.summary
    # The counterexample is a case with y_i != k, where the slipped sum is not zero.
    cx = wrong.counterexample
    assert cx.y[0] != cx.k
    import numpy as np

    f = np.exp(cx.z - cx.z.max())
    f /= f.sum()
    true = f[cx.k - 1] - (cx.y[0] == cx.k)
    assert cx.true == pytest.approx(true, rel=1e-12)
    # The slip turns +f_k (the j = y_i term of the sum) into -f_k.
    assert cx.student == pytest.approx(-f[cx.k - 1], rel=1e-9)


def test_the_notes_block_with_the_sign_fixed_passes_every_step():
    fixed = NOTE_EQ2.replace(
        r"\left. - \sum_{j \neq k}^C \left[ -", r"\left. + \sum_{j \neq k}^C \left[ -"
    )
    assert fixed != NOTE_EQ2
    result = check_derivation(fixed)
    assert result.ok and result.first_wrong is None
    assert all(step.ok for step in result.steps) and len(result.steps) == 8


def test_eq3_in_one_line_with_two_equal_signs():
    result = check_derivation(NOTE_EQ3, topic="softmax_dw")
    assert result.ok and len(result.steps) == 2 and result.steps[0].lines == (1,)


def test_a_wrong_step_that_is_carried_to_the_end_is_wrong_at_the_end():
    text = r"""\frac{\partial J_i}{\partial z_k} &= f_k - \mathbb{I}(y_i = k) \\
    &= f_k + \mathbb{I}(y_i = k) \\
    &= \mathbb{I}(y_i = k) + f_k"""
    result = check_derivation(text)
    assert [step.ok for step in result.steps] == [True, False, True]
    assert result.ok is False and result.first_wrong.lines == (2,)
    assert "restores" not in result.first_wrong.message
    assert result.steps[2].message == "equals the step before"


def test_a_left_hand_side_of_another_derivative_is_refused():
    with pytest.raises(AnswerSyntaxError, match="names ∂J/∂w_k"):
        check_derivation(r"\frac{\partial J}{\partial w_k} &= f_k \\ &= f_k", topic="softmax_dz")


def test_a_step_not_understood_is_reported_with_its_caret():
    result = check_derivation(
        "\\frac{\\partial J_i}{\\partial z_k} &= f_k - y_k \\\\\n &= f_k - q_k"
    )
    assert result.understood is False and result.ok is False
    assert result.first_wrong.number == 2 and result.first_wrong.lines == (2,)
    assert "unknown symbol q" in result.first_wrong.message


def test_terminal_and_jupyter_tables():
    result = check_derivation(NOTE_EQ2)
    text = str(result)
    assert text.splitlines()[0].startswith("✗ Step 4 (lines 5–6)")
    assert "5–6" in text and "counterexample for step 4" in text
    page = result._repr_html_()
    assert page.count("<tr>") == 9 and "❌" in page


def test_bad_arguments():
    with pytest.raises(TypeError, match="text must be a str; got int"):
        check_derivation(3)
    with pytest.raises(ValueError, match="topic must be one of"):
        check_derivation("f_k", topic="nope")
    with pytest.raises(ValueError, match="text has no steps"):
        check_derivation("$$ $$")
    with pytest.raises(ValueError, match="too long"):
        check_derivation("f_k \\\\ " * 5000)


def test_exported_lazily_from_gradlab():
    assert gradlab.check_derivation is check_derivation
    assert "check_derivation" in gradlab.__all__


@pytest.mark.parametrize(
    ("text", "status", "shown"),
    [
        (NOTE_EQ2, 1, "Step 4 (lines 5–6) breaks the equality"),
        (
            NOTE_EQ3.replace(r"\frac{1}{m} \sum_{i=1}^m (f_k", r"\frac{1}{m} \sum_{i=1}^m (f_k"),
            0,
            "",
        ),
        ("\\frac{\\partial J_i}{\\partial z_k} &= f_k - q_k", 2, "not understood"),
    ],
)
def test_cli_derivation_exit_status(tmp_path, capsys, text, status, shown):
    path = tmp_path / "derivation.tex"
    path.write_text(text, encoding="utf-8")
    topic = "softmax_dw" if "mathbf{w}" in text else "softmax_dz"
    assert main(["check", "--derivation", str(path), "--topic", topic]) == status
    assert shown in capsys.readouterr().out


def test_plain_lines_without_aligned_and_the_derivative_of_f_at_the_label():
    text = (
        "dJ/dz_k = -\\frac{1}{f_{y_i}} \\frac{\\partial f_{y_i}}{\\partial z_k}\n"
        "        = -\\frac{1}{f_{y_i}} f_{y_i} (\\delta_{y_i k} - f_k)\n"
        "        = f_k - \\delta_{y_i k}\n"
    )
    result = check_derivation(text)
    assert result.ok
    assert [step.lines for step in result.steps] == [(1,), (2,), (3,)]
    # Reading f_{y_i} as f_i would make the first step wrong for y_i != i.
    wrong = text.replace("\\partial f_{y_i}", "\\partial f_{k}")
    assert check_derivation(wrong).first_wrong.number == 1


def test_a_derivation_in_a_course_notation():
    text = r"\frac{\partial E_n}{\partial a_k} &= y_{nk} - t_{nk} \\ &= -(t_k - y_k)"
    assert check_derivation(text, notation="bishop").ok
    with pytest.raises(AnswerSyntaxError, match="bishop"):
        check_derivation(text)


def test_an_align_environment_with_labels_and_tags():
    text = r"""\begin{align}
\frac{\partial J_i}{\partial z_k} &= f_k - y_k \label{eq:grad} \nonumber \\
&= -(y_k + f_k) \tag{2}
\end{align}"""
    result = check_derivation(text)
    assert result.ok is False
    assert [(step.lines, step.ok) for step in result.steps] == [((2,), True), ((3,), False)]
