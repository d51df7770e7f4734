"""The backpropagation topics: registered, readable, and each step verified (or caught)."""

import dataclasses

import pytest
import sympy as sp

import gradlab
from gradlab.symbolic import to_latex, to_unicode
from gradlab.symbolic.topics.mlp_model import Hj, Phi

MLP_TOPICS = ["mlp_dz2", "mlp_dw2", "mlp_dh", "mlp_dz1", "mlp_dz1_relu", "mlp_dz1_tanh",
              "mlp_dz1_sigmoid", "mlp_dw1", "mlp_backprop", "mlp_matrix"]  # fmt: skip


def test_topics_are_registered_with_descriptions():
    known = gradlab.derivations()
    for topic in MLP_TOPICS:
        assert known.get(topic)


@pytest.mark.parametrize("topic", MLP_TOPICS)
def test_every_step_has_a_rule_and_a_typeset_reason(topic):
    d = gradlab.derive(topic)
    assert d.steps and all(s.rule and s.reason and s.reason_latex for s in d.steps)
    assert d.to_latex().startswith("\\begin{aligned}")
    str(d)  # the terminal rendering works


def test_results_read_like_the_lecture():
    assert to_unicode(gradlab.derive("mlp_dw2").result) == "(fₖ - 𝕀(yᵢ = k))·hⱼ"
    assert to_unicode(gradlab.derive("mlp_dz1_tanh").result) == (
        "(Σ_{c=1..C} (f_c - 𝕀(yᵢ = c))·W²_jc)·(1 - (hⱼ)²)"
    )
    assert to_latex(gradlab.derive("mlp_dz1_relu").result).endswith(r"\mathbb{I}(z^{1}_{j} > 0)")
    matrix = gradlab.derive("mlp_matrix")
    assert [to_unicode(s.rhs) for s in matrix.steps][3:5] == ["∂J/∂Z²·W²ᵀ", "∂J/∂H ⊙ φ′(Z¹)"]
    assert "(m×H) = (m×C)(C×H)" in matrix.steps[3].reason


@pytest.mark.parametrize("topic", ["mlp_dz2", "mlp_dh", "mlp_dz1_relu", "mlp_dz1_sigmoid"])
def test_small_topics_verify(topic):
    report = gradlab.derive(topic, n_classes=2).verify(n_points=2)
    assert report.ok, str(report)
    assert report.result.method == "finite differences"


def _tampered(derivation, index, rhs):
    steps = list(derivation.steps)
    steps[index] = dataclasses.replace(steps[index], expr=sp.Eq(steps[index].lhs, rhs,
                                                                 evaluate=False))  # fmt: skip
    return dataclasses.replace(derivation, steps=steps)


def test_phi_prime_at_the_output_is_caught():
    d = gradlab.derive("mlp_dz1_tanh", n_classes=2)
    last = d.steps[-1].rhs
    wrong = last.xreplace({Hj(sp.Symbol("j", integer=True, positive=True)):
                           Phi(Hj(sp.Symbol("j", integer=True, positive=True)))})  # fmt: skip
    assert wrong != last
    report = _tampered(d, len(d.steps) - 1, wrong).verify(n_points=2)
    assert not report.ok
    # verify() numbers steps from 1, as the printed derivation does
    assert [v.index for v in report.failures] == [len(d.steps), -1]


def test_missing_phi_prime_is_caught():
    d = gradlab.derive("mlp_dz1", n_classes=2)
    dh = d.steps[-1].rhs.args[0]  # drop φ′: the gradient at h passed down unchanged
    report = _tampered(d, len(d.steps) - 1, dh).verify(n_points=2)
    assert report.failures[0].index == len(d.steps) and not report.result.ok


def test_index_topics_refuse_l2():
    with pytest.raises(ValueError, match="one sample's loss"):
        gradlab.derive("mlp_dw2", l2=True)


@pytest.mark.slow
@pytest.mark.parametrize("topic", ["mlp_dw2", "mlp_dw1", "mlp_backprop", "mlp_dz1"])
def test_larger_topics_verify(topic):
    assert gradlab.derive(topic).verify(n_points=3).ok


@pytest.mark.slow
@pytest.mark.parametrize("l2", [False, True])
def test_matrix_form_verifies(l2):
    report = gradlab.derive("mlp_matrix", l2=l2).verify(n_points=2)
    assert report.ok, str(report)
