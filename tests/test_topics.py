"""One definition per topic: derive and check_answer read the same record, and agree."""

import pytest

import gradlab
from gradlab.answers import check_answer
from gradlab.symbolic import to_latex, to_unicode
from gradlab.symbolic.topics import answer_of
from gradlab.topics import TOPICS, get_topic, topic_table


@pytest.mark.parametrize("name", list(TOPICS))
def test_every_topic_derives_an_answer_that_grades_correct(name):
    record = TOPICS[name]
    derivation = gradlab.derive(name)
    assert derivation.topic == name
    typed = to_latex(answer_of(derivation, record))  # the derivation's own LaTeX output
    result = check_answer(typed, topic=name)
    assert result.correct is True, (typed, str(result))
    # and its plain text says the same as the record's (one result, written once)
    assert "SymPy proves it" in result.message, result.message


def test_linear_dw_derived_without_a_bias_is_right_and_a_bias_is_refused():
    # issue 12 item 1: derive gave (1/m) Σ (wᵀxᵢ − yᵢ) xᵢ and check graded it wrong
    d = gradlab.derive("linear_dw")
    assert "b" not in {s.name for s in d.steps[0].rhs.free_symbols}
    assert check_answer(r"\frac{1}{m}\sum_i (w^T x_i - y_i) x_i", topic="linear_dw").correct
    with pytest.raises(gradlab.answers.AnswerSyntaxError, match="no bias"):
        check_answer(r"\frac{1}{m}\sum_i (w^T x_i + b - y_i) x_i", topic="linear_dw")
    assert get_topic("linear_dw").bias is False and get_topic("logistic_dw").bias is True


def test_logistic_dw_reuses_the_derived_logistic_dz():
    dz = gradlab.derive("logistic_dz").result
    dw = gradlab.derive("logistic_dw")
    step = next(s for s in dw.steps if s.rule == "logistic dz")
    # the per-sample factor inside the sum is logistic_dz's result, for sample i
    assert to_unicode(dz) == "σ(z) - yᵢ"
    assert "(σ(zᵢ) - yᵢ)" in to_unicode(step.rhs)


def test_softmax_db_is_derived_with_softmax_dw_and_listed():
    assert "softmax_db" in gradlab.derivations()
    d = gradlab.derive("softmax_db")
    assert to_latex(answer_of(d, TOPICS["softmax_db"])).startswith(r"\frac{1}{m} \sum_{i=1}^{m}")


def test_the_topic_table_lists_every_topic_once():
    rows = topic_table().splitlines()[2:]
    assert [r.split("`")[1] for r in rows] == list(TOPICS)


def test_bad_topic_names_are_clear():
    with pytest.raises(ValueError, match="topic must be one of"):
        get_topic("softmax")
    with pytest.raises(TypeError, match="topic must be a str"):
        get_topic(3)


def test_importing_the_records_loads_neither_sympy_nor_the_answers():
    import subprocess
    import sys

    code = "import sys, gradlab.topics; print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
