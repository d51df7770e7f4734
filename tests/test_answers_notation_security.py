"""Hostile input through the new notation paths stays safe and bounded.

Work is counted, never timed: the parser's token steps (a trial parse must not
make nested brackets exponential) and the evaluation budget of a derivation.
"""

from __future__ import annotations

import pathlib

import pytest

from gradlab.answers import AnswerSyntaxError, check_answer, check_derivation
from gradlab.answers import parser as P
from gradlab.answers.lexer import MAX_LENGTH, tokenize

NESTED = {
    "applications": "f(" * 30 + "x_i" + ")" * 30,
    "products that look like applications": "p_k(" * 30 + "1" + ")" * 30,
    "sigmoids": "\\sigma(" * 30 + "z" + ")" * 30,
    "NumPy calls": "np.exp(" * 30 + "z" + ")" * 30 + "[k]",
    ".dot chains": "X.T.dot(" * 30 + "P" + ")" * 30,
    "piecewise chain": "p_k " + "if k == y_i else p_k " * 40,
    "cases": "\\begin{cases}" + "p_k & k = y_i \\\\" * 40 + "p_k & \\text{otherwise}\\end{cases}",
    "left-hand sides": "\\frac{\\partial " * 60,
    "sample superscripts": "x^{(i)}" * 100,
    "transposes": "X^T " * 200,
}


@pytest.mark.parametrize("text", NESTED.values(), ids=NESTED.keys())
def test_nested_forms_are_parsed_in_linear_work(text, monkeypatch):
    steps = []
    advance = P._Parser.advance

    def counted(self):
        steps.append(1)
        return advance(self)

    monkeypatch.setattr(P._Parser, "advance", counted)
    try:
        check_answer(text, topic="softmax_dw" if "X" in text else "softmax_dz")
    except AnswerSyntaxError:
        pass
    n_tokens = len(tokenize(text)) if len(text) <= MAX_LENGTH else 0
    assert len(steps) <= 10 * n_tokens + 10


def test_a_derivation_too_heavy_to_check_is_refused_by_its_work_budget():
    heavy = r"\sum_c\sum_j\sum_l f_c f_j f_l [C = 12] + f_k - [y_i = k]"
    text = "\\frac{\\partial J_i}{\\partial z_k} " + f"&= {heavy} \\\\\n" * 30
    with pytest.raises(AnswerSyntaxError, match="too long to check"):
        check_derivation(text)


def test_a_derivation_never_runs_what_it_reads(tmp_path):
    marker = tmp_path / "pwned"
    text = f"\\frac{{\\partial J_i}}{{\\partial z_k}} &= __import__('os').system('touch {marker}')"
    result = check_derivation(text)
    assert result.understood is False and result.ok is False
    assert not pathlib.Path(marker).exists()


def test_too_many_steps_or_characters_are_refused():
    with pytest.raises(ValueError, match="at most 40 are checked"):
        check_derivation("&= f_k - y_k \\\\\n" * 41)
