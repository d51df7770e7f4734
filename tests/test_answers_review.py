"""Review of check_answer: false verdicts, misparses and hostile inputs found by typing answers."""

import json
import subprocess
import sys
import textwrap

import pytest

from gradlab.answers import AnswerSyntaxError, check_answer

# --------------------------------------------------------------------------- false "correct"

# Each is wrong for some sample count m, yet agrees with the truth when m = 3 only.
WRONG_FOR_OTHER_M = [
    ("softmax_dw", r"\frac{1}{3}\sum_{i=1}^{3}(f_k - \mathbb{I}(y_i=k))x_i"),
    ("softmax_dw", r"\frac{1}{m}\sum_{i=1}^{3}(f_k - \mathbb{I}(y_i=k))x_i"),
    ("softmax_db", r"\frac{1}{3}\sum_{i=1}^{3}(f_k - [y_i = k])"),
    ("logistic_dw", r"\frac{1}{3}\sum_{i=1}^{3}(\sigma(z_i) - y_i) x_i"),
    ("linear_dw", r"\frac{1}{3}\sum_{i=1}^{3}(w^T x_i - y_i) x_i"),
]


@pytest.mark.parametrize(("topic", "answer"), WRONG_FOR_OTHER_M)
def test_an_answer_right_only_for_three_samples_is_wrong(topic, answer):
    result = check_answer(answer, topic=topic)
    assert not result.correct
    assert result.counterexample.m != 3  # the case that exposes it has another m
    assert len(result.counterexample.x) == result.counterexample.m


# Each depends on the free sample index i through an index comparison: right for i = 1 only.
WRONG_FOR_OTHER_SAMPLES = [
    ("softmax_dz", "f_k - [y_i = k] + [y_i = i] - [y_i = 1]"),
    ("softmax_dz", "f_k - [y_i = k] + [k = i] - [k = 1]"),
    ("softmax_jacobian", r"f_j (\delta_{jk} - f_k) + [j = i] - [j = 1]"),
    ("logistic_dz", r"\sigma(z) - y + [y_i = i] - [y_i = 1]"),
    ("softmax_dw", r"([k = i] - [k = 1] + 1)\frac{1}{m}\sum_{i=1}^{m}(f_k - [y_i = k]) x_i"),
]


@pytest.mark.parametrize(("topic", "answer"), WRONG_FOR_OTHER_SAMPLES)
def test_an_answer_right_only_for_the_first_sample_is_wrong(topic, answer):
    result = check_answer(answer, topic=topic)
    assert not result.correct
    cx = result.counterexample
    assert cx.i == 2
    if cx.x is None:  # one sample: the counterexample names it
        assert "i = 2" in cx.lines()[0]


def test_the_counterexample_of_a_later_sample_shows_that_sample():
    # At i = 2 the extra [y_i = i] - [y_i = 1] is +1 when y_2 = 2.
    cx = check_answer("f_k - [y_i = k] + [y_i = i] - [y_i = 1]").counterexample
    assert cx.i == 2 and cx.y[0] == 2
    # Recompute both numbers from the shown z alone.
    import numpy as np

    f = np.exp(cx.z - cx.z.max())
    f /= f.sum()
    assert cx.true == pytest.approx(f[cx.k - 1] - (cx.k == 2))
    assert cx.student == pytest.approx(f[cx.k - 1] - (cx.k == 2) + 1)


@pytest.mark.parametrize(
    ("topic", "answer", "caret_at"),
    [
        ("softmax_dz", "f_k - i [y_i = k]", 6),
        ("softmax_dz", "f_k - [y_i = k] + (i - 1)(i - 2)", 19),
        ("softmax_dz", "f_k - [y_i = k] + [i = 3]", 19),
        ("softmax_jacobian", r"i f_j (\delta_{jk} - f_k)", 0),
        ("logistic_dz", r"\sigma(z) - y/i", 14),
        ("softmax_dw", r"\frac{1}{m}\sum_{i=1}^{m} i (f_k - [y_i = k]) x_i", 26),
    ],
)
def test_the_sample_index_as_a_number_is_rejected(topic, answer, caret_at):
    # The cases try i = 1 and 2 only, so (i - 1)(i - 2) would pass them.
    with pytest.raises(AnswerSyntaxError, match="i is the sample index") as info:
        check_answer(answer, topic=topic)
    assert info.value.position == caret_at


def test_hints_still_name_the_one_sample_mistake():
    result = check_answer(r"(f_k - \mathbb{I}(y_i = k)) x_i", topic="softmax_dw")
    assert result.mistake == "one sample"
    result = check_answer("f_k - [i = k]")
    assert result.mistake == "indicator on the wrong index"


@pytest.mark.parametrize(
    ("topic", "answer"),
    [
        ("softmax_dz", r"f_{i,k} - \mathbb{I}(y_i = k)"),
        ("softmax_jacobian", r"f_j(\delta_{jk} - f_k)"),
        ("softmax_dw", r"\frac{1}{m}\sum_{i=1}^{m}(f_k - \mathbb{I}(y_i=k))x_i"),
        ("softmax_db", r"\frac{1}{m}\sum_i (f_k - [y_i = k])"),
        ("logistic_dw", r"\frac{1}{m}\sum_i (\sigma(w^T x_i + b) - y_i) x_i"),
        ("linear_dw", r"\frac{1}{m}\sum_i (w^T x_i - y_i) x_i"),
    ],
)
def test_right_answers_stay_right(topic, answer):
    assert check_answer(answer, topic=topic).correct


# Each is right for the usual C in {2, 3, 5} and m in {3, 4} but wrong for a C or m
# that the answer itself mentions (or one next to it).
WRONG_FOR_A_MENTIONED_COUNT = [
    ("softmax_dz", r"f_k - \mathbb{I}(y_i = k) + [C = 4]", "C", 4),
    ("softmax_dz", r"f_k - \mathbb{I}(y_i = k) + [k = 6]", "C", 6),
    ("softmax_dz", r"f_k - \mathbb{I}(y_i = k) + (C - 2)(C - 3)(C - 5)", "C", 4),
    ("softmax_dz", r"f_k - \mathbb{I}(y_i = k) + [y_i = 7][k = 7]", "C", 7),
    ("softmax_jacobian", r"f_j(\delta_{jk} - f_k) + [j = 6][k = 6]", "C", 6),
    ("softmax_dw", r"\frac{1}{m}\sum_{i=1}^{m}(f_k - \mathbb{I}(y_i=k))x_i [m \neq 5]", "m", 5),
    ("softmax_dw", r"\frac{1}{m}\sum_{i=1}^{m}(f_k - \mathbb{I}(y_i=k))x_i [C \neq 7]", "C", 7),
    ("softmax_db", r"\frac{1}{m}\sum_{i=1}^{m}(f_k - [y_i = k]) [m \neq 7]", "m", 7),
    ("softmax_dz", r"f_k - \mathbb{I}(y_i = k) + (m - 2)", "m", 3),
    ("softmax_dz", r"\frac{2}{m}(f_k - \mathbb{I}(y_i = k))", "m", 3),
    ("softmax_jacobian", r"\frac{2}{m} f_j(\delta_{jk} - f_k)", "m", 3),
    ("logistic_dz", r"\frac{2}{m}(\sigma(z) - y)", "m", 3),
    ("logistic_dw", r"\frac{1}{m}\sum_i (\sigma(z_i) - y_i) x_i [m \neq 6]", "m", 6),
]


@pytest.mark.parametrize(("topic", "answer", "count", "value"), WRONG_FOR_A_MENTIONED_COUNT)
def test_an_answer_right_only_for_the_usual_counts_is_wrong(topic, answer, count, value):
    result = check_answer(answer, topic=topic)
    assert not result.correct
    assert getattr(result.counterexample, count) == value


@pytest.mark.parametrize(
    ("topic", "answer", "says"),
    [
        (
            "softmax_dz",
            r"f_k - \mathbb{I}(y_i = k) + [C = 4]",
            "C = 2, 3, 5, 14, 27, 59 classes but not for C = 4",
        ),
        ("softmax_dw", r"\frac{1}{3}\sum_{i=1}^{3}(f_k - [y_i = k])x_i", "m = 3 samples but not"),
        ("softmax_dz", r"\frac{2}{m}(f_k - [y_i = k])", "does not depend on the number of samples"),
        (
            "softmax_dw",
            r"\frac{1}{m}\sum_{i=1}^{m}(f_k - [y_i = k])x_i [m \neq 5]",
            "not for m = 5",
        ),
    ],
)
def test_the_hint_names_the_counts_where_the_answer_fails(topic, answer, says):
    assert says in check_answer(answer, topic=topic).hint


def test_numbers_far_from_any_count_do_not_add_cases():
    # An ordinary answer mentions only 1 (and 2): it is graded on the usual cases alone.
    result = check_answer(r"\frac{1}{2}(f_k - \mathbb{I}(y_i = k)) + \frac{1}{2}(f_k - y_k)")
    assert result.correct
    # 76 cases with C in {2, 3, 5} (2 * 2 + 3 * 3 + 5 * 5 (y, k) pairs, twice: samples i = 1
    # and 2), and 9 + 5 + 3 wide cases twice
    assert "(110 random cases)" in result.message


# Each differs from the truth by less than the numeric tolerance, but not by zero.
BELOW_TOLERANCE = [
    ("softmax_dz", r"f_k - \mathbb{I}(y_i = k) + 10^{-10}"),
    ("softmax_dz", r"f_k - \mathbb{I}(y_i = k) + 0.00000000001"),
    ("softmax_dz", r"1.0000000001 f_k - \mathbb{I}(y_i = k)"),
    ("softmax_jacobian", r"f_j(\delta_{jk} - f_k) + 10^{-12} f_j"),
    ("logistic_dz", r"\sigma(z) - y + 10^{-12}"),
]


@pytest.mark.parametrize(("topic", "answer"), BELOW_TOLERANCE)
def test_a_difference_below_the_tolerance_is_still_wrong_when_sympy_shows_it(topic, answer):
    result = check_answer(answer, topic=topic)
    assert not result.correct
    assert "not zero" in result.counterexample.note
    assert "tiny" in result.hint


def test_exactly_right_answers_with_rounding_in_the_floats_stay_right():
    # Float evaluation differs from the truth in the last bits; SymPy proves these exact.
    for topic, answer in [
        ("softmax_dz", r"\frac{e^{z_k}}{\sum_{c=1}^{C} e^{z_c}} - \delta_{y_i k}"),
        ("softmax_dz", r"-\sum_{j=1}^C [y_i = j] \frac{1}{f_j} f_j (\delta_{jk} - f_k)"),
        ("logistic_dz", r"-y(1-\sigma(z)) + (1-y)\sigma(z)"),
        ("logistic_dz", r"\frac{e^z}{1+e^z} - y"),
        (
            "softmax_jacobian",
            r"\frac{e^{z_j}}{\sum_c e^{z_c}}(\delta_{jk} - \frac{e^{z_k}}{\sum_c e^{z_c}})",
        ),
    ]:
        result = check_answer(answer, topic=topic)
        assert result.correct, (answer, str(result))


# --------------------------------------------------------------------------- silent misparses


@pytest.mark.parametrize("answer", ["f_k - [y_i = k] + 1e-9", "f_k - [y_i = k] + 2.5E3", "1e5 f_k"])
def test_scientific_notation_is_rejected_not_read_as_euler(answer):
    # 1e-9 used to be read as 1*e - 9.
    with pytest.raises(AnswerSyntaxError, match="scientific notation") as info:
        check_answer(answer)
    assert answer[info.value.position].isdigit()


def test_euler_after_a_number_still_parses():
    import sympy as sp

    from gradlab.answers import symbols as S

    result = check_answer("2e^{z_k} - e^{z_k} - [y_i = k] + 0 f_k")
    assert (
        sp.simplify(result.expr - (sp.exp(S.z[S.i, S.k]) - sp.KroneckerDelta(S.y[S.i], S.k))) == 0
    )


@pytest.mark.parametrize(
    "answer",
    [
        r"f_k - 1\{y_i = k\}",  # the form the "set" error message itself recommended
        r"-1\{y_i=k\} + f_k",
        r"f_k - 1_{y_i = k}",
        r"f_k - 1_{\{y_i = k\}}",
        r"f_k - \mathbb{I}_{\{y_i = k\}}",
    ],
)
def test_indicator_one_with_a_set_or_subscript_is_understood(answer):
    import sympy as sp

    from gradlab.answers import symbols as S

    result = check_answer(answer)
    assert result.correct
    assert result.expr == S.f[S.i, S.k] - sp.KroneckerDelta(S.y[S.i], S.k)


@pytest.mark.parametrize("answer", [r"f_k - 2\{y_i = k\}", r"f_k - 1\{y_i\}", "f_k - 1_2"])
def test_other_sets_and_subscripts_after_a_number_are_still_rejected(answer):
    with pytest.raises(AnswerSyntaxError):
        check_answer(answer)


@pytest.mark.parametrize(
    ("answer", "same_as"),
    [
        (r"\frac12 f_k - \frac12 y_k", r"\frac{1}{2} f_k - \frac{1}{2} y_k"),  # TeX: \frac{1}{2}
        (r"\frac123 f_k", r"\frac{1}{2} 3 f_k"),
        (r"\hat y_k - y_k", r"\hat{y}_k - y_k"),
        (r"f_k - \mathbb 1\{y_i = k\}", r"f_k - \mathbb{1}\{y_i = k\}"),
        (r"f_k - \mathbb I(y_i = k)", r"f_k - \mathbb{I}(y_i = k)"),
    ],
)
def test_unbraced_one_character_tex_arguments(answer, same_as):
    assert check_answer(answer).expr == check_answer(same_as).expr


def test_tex_unbraced_arguments_take_one_character_only():
    with pytest.raises(AnswerSyntaxError):
        check_answer(r"\hat yk")  # TeX reads \hat{y}k; refuse rather than guess


def test_sample_index_used_as_a_class_index_gets_a_pointed_message():
    answer = r"\frac{e^{z_k}}{\sum_{i=1}^{C} e^{z_i}} - [y_i = k]"
    with pytest.raises(AnswerSyntaxError, match="i is the sample") as info:
        check_answer(answer)
    assert answer[info.value.position :].startswith("z_i")


@pytest.mark.parametrize(
    ("topic", "answer", "same_as"),
    [
        ("logistic_dz", r"\sigma(w^Tx + b) - y", r"\sigma(w^T x + b) - y"),
        (
            "softmax_dw",
            r"\frac{1}{m}\sum_i (\frac{e^{w_k^Tx_i + b_k}}{\sum_c e^{w_c^Tx_i + b_c}} - [y_i=k])x_i",
            r"\frac{1}{m}\sum_i (\frac{e^{w_k^T x_i + b_k}}{\sum_c e^{w_c^T x_i + b_c}} - [y_i=k])x_i",
        ),
    ],
)
def test_a_transpose_typed_against_the_next_letter(topic, answer, same_as):
    result = check_answer(answer, topic=topic)
    assert result.correct
    assert result.expr == check_answer(same_as, topic=topic).expr


# --------------------------------------------------------------------------- hostile inputs

HUGE = [
    ("softmax_dz", "k^{k^{k^{k}}}"),
    ("softmax_dw", r"\frac{1}{m}\sum_i (f_k - [y_i=k]) x_i m^{m^{m^{m}}}"),
    ("softmax_dz", "f_k - [y_i = k] + C^{C^{C}}"),
    # [k = 9] is 0 for every tested k (C <= 5), so this passes the numbers and reaches
    # the symbolic proof, which must not compute 3^(3^27) exactly.
    ("softmax_dz", "f_k - [y_i = k] + [k = 9]/k^{k^{k^{k}}}"),
    ("softmax_dz", "f_k - [y_i = k] + (C^{64})^{64}"),
    ("softmax_dz", "(10^{6})^{64}"),
    ("softmax_dz", "f_k - [y_i = k] + " + "*".join(["999999999999999"] * 25)),
    ("softmax_dz", "(" + "*".join(["999999999999999"] * 25) + ")^{2}"),
    ("softmax_dz", "f_k^{" + "*".join(["999999999999999"] * 25) + "}"),
    # Nested sums over C = 12 classes (from the [C = 12]): too much work, a clear error.
    ("softmax_dz", "\\sum_c\\sum_j\\sum_l f_c f_j f_l + [C = 12] - 1 + f_k - [y_i = k]"),
    ("softmax_dw", "\\frac{1}{m}\\sum_i\\sum_c\\sum_j (f_k - [y_i = k]) x_i f_c f_j [m = 12]"),
    # Right, but a symbolic proof would expand polynomials of degree 128.
    ("softmax_dz", "f_k - [y_i = k] + (f_1+f_2)^{64} (f_1 - f_2)^{64} - (f_1^2 - f_2^2)^{64}"),
    # Many numbers: each adds cases with C (or m) near it.
    ("softmax_dz", "f_k - [y_i = k] + [C = 4] + [C = 7] + [C = 10] + [C = 12] + [k = 9]"),
    ("softmax_jacobian", "f_j(\\delta_{jk} - f_k) + [C = 6] + [C = 8] + [C = 10] + [j = 11]"),
    ("softmax_dw", "\\frac{1}{m}\\sum_i (f_k - [y_i=k]) x_i [C != 7][C != 10][m != 9][m != 12]"),
]

_RUN = textwrap.dedent(
    """
    import json, sys
    from gradlab.answers import AnswerSyntaxError, check_answer
    out = []
    for topic, answer in json.loads(sys.argv[1]):
        try:
            verdict = "correct" if check_answer(answer, topic=topic).correct else "wrong"
        except AnswerSyntaxError:
            verdict = "rejected"
        except Exception as exc:
            verdict = type(exc).__name__
        out.append(verdict)
    print(json.dumps(out))
    """
)


@pytest.mark.slow
def test_huge_numbers_and_power_towers_get_a_quick_verdict_not_a_crash():
    # In a subprocess with a hang guard (not a speed limit): before the fix k^{k^{k^k}}
    # never returned.
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _RUN, json.dumps(HUGE)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("a huge power hung (no verdict within 10 minutes)")
    assert proc.returncode == 0, proc.stderr
    for (_topic, answer), verdict in zip(HUGE, json.loads(proc.stdout), strict=True):
        maybe_right = "[k = 9]" in answer or "^{64} (f_1" in answer
        allowed = ("wrong", "rejected", "correct") if maybe_right else ("wrong", "rejected")
        assert verdict in allowed, (answer, verdict)


def test_the_lecture_derivation_written_out_in_full_is_still_checked():
    # Eq (2)'s first line with eq (3)'s average: nested sums, within the work budget.
    answer = (
        r"-\frac{1}{m}\sum_{i=1}^{m}\sum_{j=1}^C \mathbb{I}(y_i=j)\frac{1}{f_j}"
        r"\frac{e^{z_j}[j=k]\sum_c e^{z_c} - e^{z_j}e^{z_k}}{(\sum_c e^{z_c})^2} x_i"
    )
    assert check_answer(answer, topic="softmax_dw").correct


def test_too_much_work_is_a_clear_error():
    with pytest.raises(AnswerSyntaxError, match="too long to check"):
        check_answer(r"\sum_c\sum_j\sum_l f_c f_j f_l + [C = 12] - 1 + f_k - [y_i = k]")


def test_every_indicator_spelling_in_the_vocabulary_table_works():
    import re

    from gradlab.answers import vocabulary_table

    row = next(r for r in vocabulary_table().splitlines() if r.startswith("| `1(y = k)`"))
    spellings = re.findall(r"`([^`]+)`", row.split("|")[1])
    assert len(spellings) == 4
    for spelling in spellings:
        assert check_answer("f_k - " + spelling).correct, spelling


def test_an_en_dash_from_a_word_processor_is_a_minus():
    assert check_answer("f_k – 𝕀(y_i = k)").expr == check_answer("f_k - 𝕀(y_i = k)").expr


def test_the_verdict_names_every_class_count_it_tested():
    # an answer that mentions 7 is also tested at C = 6, 7, 8; the message must not
    # claim fewer class counts than were checked
    result = check_answer("[C = 7](f_k - [y_i = k]) + [C != 7](f_k - [y_i = k])")
    assert result.correct
    tested = [
        c for part in result.message.split("C ∈ {")[1:] for c in part.split("}")[0].split(", ")
    ]
    assert "7" in tested and "2" in tested
