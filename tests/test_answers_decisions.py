"""Decisions that cannot be fooled by small test values or a tolerance (issue 11 item 4)."""

import inspect

import pytest

from gradlab.answers import AnswerSyntaxError, check_answer
from gradlab.answers import exact as exact_module
from gradlab.answers import grade as grade_module

# Right for C in {2, 3, 5} and up to 12, wrong for one larger C or m the answer names,
# or at one position of k relative to y_i that only large C reach.
HIDDEN_BEYOND_TWELVE = [
    ("softmax_dz", r"f_k - [y_i = k] + [C = 20]", "C", 20),
    ("softmax_dz", r"f_k - [y_i = k] + [k = 17]", "k", 17),
    ("softmax_dz", r"f_k - [y_i = k] + [y_i = 30]", "C", None),
    ("softmax_dz", r"f_k - [y_i = k] + [C = 40][k = 39]", "C", 40),
    ("softmax_dz", r"f_k - [y_i = k] + [C = 997]", "C", 997),
    ("softmax_jacobian", r"f_j (\delta_{jk} - f_k) + [j = 25][k = 24]", "k", 24),
    ("softmax_db", r"\frac{1}{m}\sum_{i=1}^{m}(f_k - [y_i = k]) + [m = 25]", "m", 25),
    ("softmax_dw", r"\frac{1}{m}\sum_{i=1}^{m}(f_k - [y_i = k]) x_i (1 + [m = 300])", "m", 300),
    ("logistic_dw", r"\frac{1}{m}\sum_{i=1}^{m}(\sigma(z_i) - y_i) x_i (1 + [m = 77])", "m", 77),
]


@pytest.mark.parametrize(("topic", "answer", "field", "value"), HIDDEN_BEYOND_TWELVE)
def test_a_wrong_case_beyond_twelve_is_found(topic, answer, field, value):
    result = check_answer(answer, topic=topic)
    assert result.correct is False, str(result)
    if value is not None:
        assert getattr(result.counterexample, field) == value


def test_every_position_of_k_relative_to_the_label_is_tried_for_a_large_c():
    # k = y_i - 1 and k = y_i + 1 at a C far beyond the usual counts
    result = check_answer(r"f_k - [y_i = k] + [C = 14][k = 8][y_i = 9] + [C = 14][k = 10][y_i = 9]")
    assert result.correct is False
    cx = result.counterexample
    assert cx.C == 14 and abs(cx.k - cx.y[0]) == 1


@pytest.mark.parametrize(
    "answer",
    [
        r"f_k - [y_i = k] + [C = 5000]",
        r"f_k - [y_i = k] + (C - 5000)(C - 2)(C - 3)(C - 5)",
        r"f_k - [y_i = k] + [k = 2000]",
    ],
)
def test_a_comparison_beyond_what_can_be_tried_is_refused(answer):
    with pytest.raises(AnswerSyntaxError, match="compares C, m or an index with"):
        check_answer(answer)


# Not identically zero, but smaller than the numeric tolerance (RTOL = 1e-7) everywhere.
TINY_TERMS = [
    ("softmax_dz", r"f_k - [y_i = k] + 10^{-12} z_k"),
    ("softmax_dz", r"f_k - [y_i = k] + 10^{-60} z_k"),
    ("softmax_dz", r"f_k - [y_i = k] + 10^{-30} \log(f_k)"),
    ("softmax_dz", r"\exp(\log(f_k) + 10^{-13}) - [y_i = k]"),
    ("logistic_dw", r"\frac{1}{m}\sum_i (\sigma(z_i) - y_i + 10^{-13} z_i) x_i"),
    ("logistic_dw", r"\frac{1}{m}\sum_i (\sigma(w^T x_i + b) - y_i + 10^{-14}) x_i"),
    ("linear_dw", r"\frac{1}{m}\sum_i (w^T x_i - y_i + 10^{-13}) x_i"),
]


@pytest.mark.parametrize(("topic", "answer"), TINY_TERMS)
def test_a_tiny_term_is_never_accepted_inside_the_tolerance(topic, answer):
    result = check_answer(answer, topic=topic)
    assert result.correct is False, str(result)
    assert "not zero" in result.counterexample.note
    assert result.stage == "exact"


@pytest.mark.parametrize(
    ("topic", "answer", "claim"),
    [
        ("softmax_dz", r"\exp(\log(f_k)) - [y_i = k]", "C = 3 and every y and k"),
        (
            "softmax_dw",
            (
                r"\frac{1}{m}\sum_i (\frac{e^{w_k^\top x_i + b_k}}{\sum_c e^{w_c^\top x_i + b_c}}"
                r" - [y_i = k]) x_i"
            ),
            "C = 2, m = 2 and every y and k",
        ),
        (
            "logistic_dw",
            r"\frac{1}{m}\sum_i (\sigma(w^T x_i + b) - y_i) x_i",
            "m = 2 and every label",
        ),
    ],
)
def test_a_proof_names_exactly_what_it_covers(topic, answer, claim):
    result = check_answer(answer, topic=topic)
    assert result.correct is True and result.stage == "exact"
    assert result.proof == "SymPy proves it for " + claim


def test_no_clock_decides_a_verdict():
    for module in (grade_module, exact_module):
        source = inspect.getsource(module)
        assert "perf_counter" not in source and "import time" not in source
    assert not hasattr(grade_module, "PROOF_BUDGET")
    assert grade_module.MAX_PROOF_WORK > 0  # the exact stage counts SymPy's work instead
