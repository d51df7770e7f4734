"""One definition per topic: derive and check_answer read the same record, and agree."""

import re

import pytest
import sympy as sp

import gradlab
from gradlab.answers import AnswerSyntaxError, check_answer
from gradlab.answers import symbols as S
from gradlab.answers.evaluate import NETWORK
from gradlab.answers.grade import grade
from gradlab.answers.topics import TOPICS as GRADED
from gradlab.symbolic import notation as N
from gradlab.symbolic import to_latex, to_unicode
from gradlab.symbolic.topics import answer_of
from gradlab.symbolic.topics import mlp_model as M
from gradlab.topics import TOPICS, get_topic, topic_table

READ = [name for name in TOPICS if GRADED[name].readable]
# The network's index-form topics: the answer parser reads h_j, W²_jk, z¹_j, φ′ (family "mlp");
# their grading is also tested on the parsed form below, independently of the parser.
NETWORK_LETTERS = [n for n, t in TOPICS.items() if t.reads_as == "mlp"]


def test_every_topic_is_read_or_in_network_letters_or_the_matrix_form():
    assert set(READ) >= {"softmax_dz", "linear_dw", "mlp_dz2", "mlp_db2"}
    assert NETWORK_LETTERS == ["mlp_dw2", "mlp_dh", "mlp_dz1", "mlp_dz1_relu", "mlp_dz1_tanh",
                               "mlp_dz1_sigmoid", "mlp_db1", "mlp_dw1", "mlp_backprop"]  # fmt: skip
    assert set(READ) >= set(NETWORK_LETTERS)
    assert set(READ) | {"mlp_matrix"} == set(TOPICS) and "mlp_matrix" not in READ


@pytest.mark.parametrize("name", READ)
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


# ----------------------------------------------------------------------------- the network


def as_answer(expr):
    """A derivation's result in the answer's symbols for sample i, as the parser will build it.

    Written here, node by node, from the two vocabularies: symbolic's (Chain, Hj, W2, DPhi,
    Positive, ...) and the answer's (gradlab.answers.evaluate.NETWORK).
    """
    i = S.i
    index = {N.j: S.j, N.k: S.k, N.l: S.l, N.c: S.c, N.C: S.C}
    letters = {M.Hj: "h", M.Z1: "z1", M.W2: "W2", M.W1: "W1"}

    def walk(e):
        if isinstance(e, M.Chain):
            return sp.Mul(*map(walk, e.args))
        if isinstance(e, sp.Sum):
            return sp.Sum(walk(e.function), *[tuple(map(walk, lim)) for lim in e.limits])
        if isinstance(e, sp.Indexed) and e.base == N.f:
            return S.f[i, walk(e.indices[0])]
        if isinstance(e, sp.KroneckerDelta):
            return sp.KroneckerDelta(*[S.y[i] if a == N.y_i else walk(a) for a in e.args])
        if type(e) in (M.Hj, M.Z1):
            return NETWORK[letters[type(e)]][i, walk(e.args[0])]
        if type(e) in (M.W2, M.W1):
            return NETWORK[letters[type(e)]][walk(e.args[0]), walk(e.args[1])]
        if isinstance(e, M.Xl):
            return S.x[i, walk(e.args[0])]
        if isinstance(e, M.DPhi):
            return NETWORK["dphi"](walk(e.args[0]))
        if isinstance(e, M.Positive):
            return sp.Heaviside(walk(e.args[0]), 0)
        if e in index:
            return index[e]
        return e.func(*map(walk, e.args)) if e.args else e

    return walk(expr)


@pytest.mark.parametrize("name", NETWORK_LETTERS)
def test_every_network_topic_derives_an_answer_that_grades_correct(name):
    derivation = gradlab.derive(name)
    assert derivation.topic == name
    result = grade(as_answer(answer_of(derivation, TOPICS[name])), "num", GRADED[name])
    assert result.correct is True, [(o.case.indices, o.note) for o in result.failures][:3]
    # the record's result_latex, parsed, is the reference: SymPy proves the derived form equal
    assert result.stage == "exact"
    assert {o.case.extra["activation"] for o in result.outcomes} == set(TOPICS[name].activations)
    # every hidden unit j and feature l the answer has free, and C beyond {2, 3, 5}
    for free, top in (("j", 3), ("l", 2)):
        if free in TOPICS[name].free:
            assert {o.case.indices[free] for o in result.outcomes} == set(range(1, top + 1))
    assert max(o.case.C for o in result.outcomes) > 5
    # and typed, as the derivation prints it
    typed = check_answer(to_latex(answer_of(derivation, TOPICS[name])), topic=name)
    assert typed.correct is True and typed.stage == "exact", str(typed)


@pytest.mark.parametrize("name", NETWORK_LETTERS)
def test_network_records_write_the_derived_result(name):
    # The record's result_latex (the grading reference) is the derivation's LaTeX up to
    # spacing, braces and \left.
    def bare(tex):
        return re.sub(r"\\left|\\right|[{}\s]", "", tex)

    derived = to_latex(answer_of(gradlab.derive(name), TOPICS[name]))
    assert bare(TOPICS[name].result_latex) == bare(derived)


def test_the_matrix_form_derives_and_check_answer_says_it_does_not_read_it_yet():
    d = gradlab.derive("mlp_matrix")
    assert str(d.steps[-1].lhs.variables[0]) == TOPICS["mlp_matrix"].wrt
    with pytest.raises(AnswerSyntaxError, match="network's matrices"):
        check_answer(r"X^T (F - Y) / m", topic="mlp_matrix")


def test_the_output_layer_topics_are_read_and_graded_with_hints():
    for name in ("mlp_dz2", "mlp_db2"):
        right = check_answer(r"\frac{e^{z_k}}{\sum_{c=1}^{C} e^{z_c}} - [y_i = k]", topic=name)
        assert right.correct is True and right.stage == "exact", str(right)
        wrong = check_answer("f_k", topic=name)
        assert wrong.correct is False and wrong.mistake == "missing indicator"
        assert "φ = tanh" in wrong.counterexample.lines()[0]
        summed = check_answer(r"\sum_{i=1}^{m} (f_{i,k} - [y_i = k])", topic=name)
        assert summed.correct is False and summed.mistake == "summed over samples"
        assert "one sample" in summed.hint


i, j, k, l, c, C, m = S.i, S.j, S.k, S.l, S.c, S.C, S.m
h, z1, W2, dphi, x = (NETWORK[n] for n in ("h", "z1", "W2", "dphi", "x"))
dz2 = S.f[i, c] - sp.KroneckerDelta(c, S.y[i])
dh = sp.Sum(dz2 * W2[j, c], (c, 1, C))
dh_transposed = sp.Sum(dz2 * W2[c, j], (c, 1, C))
dz1 = dh * dphi(z1[i, j])

# (topic, a wrong answer in the parsed form, the mistake it must be named as)
WRONG = [
    ("mlp_dw2", (S.f[i, k] - sp.KroneckerDelta(k, S.y[i])), "forgot h_j"),
    ("mlp_dw2", (sp.KroneckerDelta(k, S.y[i]) - S.f[i, k]) * h[i, j], "sign error"),
    ("mlp_dw2", sp.Sum((S.f[i, k] - sp.KroneckerDelta(k, S.y[i])) * h[i, j], (i, 1, m)),
     "summed over samples"),
    ("mlp_dh", dh_transposed, "transposed weight"),
    ("mlp_dh", -dh, "network sign error"),
    ("mlp_dh", sp.Sum(dh, (i, 1, m)), "summed over samples"),
    ("mlp_dz1", dh, "missing phi prime"),
    ("mlp_dz1", dh * dphi(h[i, j]), "phi prime at the output"),
    ("mlp_dz1", dh_transposed * dphi(z1[i, j]), "transposed weight"),
    ("mlp_dz1", sp.Sum(dz1, (i, 1, m)), "summed over samples"),
    ("mlp_dz1_relu", dh, "missing phi prime"),
    ("mlp_dz1_relu", dh * h[i, j], "phi instead of phi prime"),
    ("mlp_dz1_tanh", dh, "missing phi prime"),
    ("mlp_dz1_tanh", dh * (1 - z1[i, j] ** 2), "tanh prime of z"),
    ("mlp_dz1_tanh", dh_transposed * (1 - h[i, j] ** 2), "transposed weight"),
    ("mlp_dz1_sigmoid", dh, "missing phi prime"),
    ("mlp_dz1_sigmoid", dh * h[i, j], "phi instead of phi prime"),
    ("mlp_db1", dh, "missing phi prime"),
    ("mlp_db1", sp.Sum(dz1, (i, 1, m)) / m, "averaged"),
    ("mlp_dw1", dz1, "forgot x_l"),
    ("mlp_dw1", dh * x[i, l], "missing phi prime"),
    ("mlp_dw1", dh_transposed * dphi(z1[i, j]) * x[i, l], "transposed weight"),
    ("mlp_dw1", sp.Sum(dz1 * x[i, l], (i, 1, m)), "summed over samples"),
    ("mlp_backprop", dh * x[i, l], "missing phi prime"),
    ("mlp_backprop", dh * dphi(h[i, j]) * x[i, l], "phi prime at the output"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "answer", "mistake"), WRONG)
def test_wrong_network_answers_are_wrong_with_the_mistake_named(name, answer, mistake):
    result = grade(answer, "num", GRADED[name])
    assert result.correct is False
    assert result.mistake == mistake, result.hint
    assert result.hint and "No hint" not in result.hint


def test_a_network_answer_wrong_in_no_catalogued_way_gets_no_hint_but_a_verdict():
    # x_j for h_j: the input where the hidden unit belongs (j = 3 is beyond d = 2 features)
    result = grade((S.f[i, k] - sp.KroneckerDelta(k, S.y[i])) * x[i, j], "num", GRADED["mlp_dw2"])
    assert result.correct is False and result.mistake is None
    assert any("outside 1..d" in o.note for o in result.failures)


def test_a_network_counterexample_names_phi_and_shows_the_hidden_layer():
    from gradlab.answers.check import Counterexample

    topic = GRADED["mlp_dz1_tanh"]
    result = grade(dh, "num", topic)  # missing φ′
    failure = min(result.failures, key=lambda o: (o.case.C, o.case.indices["j"]))
    lines = Counterexample.from_outcome(failure, topic).lines()
    assert lines[0] == f"C = 2, y_i = {failure.case.labels[0]}, φ = tanh, j = 1"
    h_row = failure.case.extra["H"][0, 0]
    assert lines[1].startswith(f"h = [{h_row[0]:.4g}, ") and ", z² = [" in lines[1]
    student, true = (float(v[0, 0]) for v in (failure.student, failure.truth))
    assert lines[2] == f"your answer = {student:.4g}, true value = {true:.4g}"
