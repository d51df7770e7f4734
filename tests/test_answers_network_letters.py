"""Issue 14 item 2: check_answer reads the two-layer network's index letters ("mlp").

The parsed forms are compared with the canonical symbols of
:data:`gradlab.answers.evaluate.NETWORK` built here by hand; the verdicts with the
numeric truth of each topic (the chain rule written out with NumPy).
"""

import numpy as np
import pytest
import sympy as sp

from gradlab.answers import AnswerSyntaxError, check_answer
from gradlab.answers import symbols as S
from gradlab.answers.check import readable_topics
from gradlab.answers.evaluate import NETWORK, Case, evaluate
from gradlab.answers.parser import parse
from gradlab.topics import TOPICS

i, j, k, l, c, C = S.i, S.j, S.k, S.l, S.c, S.C
h, z1, W1, W2, b1, b2, x, dphi = (
    NETWORK[n] for n in ("h", "z1", "W1", "W2", "b1", "b2", "x", "dphi")
)
NETWORK_LETTERS = [n for n, t in TOPICS.items() if t.reads_as == "mlp"]

DH = r"\sum_{k=1}^{C} (f_k - \mathbb{I}(y_i = k)) W^2_{jk}"
DH_T = r"\sum_{k=1}^{C} (f_k - \mathbb{I}(y_i = k)) W^2_{kj}"  # the transposed weight
DH_W1 = r"\sum_{k=1}^{C} (f_k - \mathbb{I}(y_i = k)) W^1_{jk}"  # the first layer's weight
DH_ONE = r"(f_j - \mathbb{I}(y_i = j)) W^2_{jj}"  # forgot Σ_k: only the term k = j
DH_FREE = r"(f_k - \mathbb{I}(y_i = k)) W^2_{jk}"  # forgot Σ_k: k left free


# --------------------------------------------------------------------------- the letters


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("h_j", h[i, j]),
        ("h_{ij}", h[i, j]),
        (r"h_j^{(i)}", h[i, j]),
        ("W^2_{jk}", W2[j, k]),
        ("W^{2}_{jk}", W2[j, k]),
        ("W^{(2)}_{jk}", W2[j, k]),
        ("W_{jk}^{[2]}", W2[j, k]),
        ("W_{jk}^{(2)}", W2[j, k]),
        ("W^{[1]}_{lj}", W1[l, j]),
        ("z^1_j", z1[i, j]),
        ("z^{(1)}_j", z1[i, j]),
        ("z_j^{[1]}", z1[i, j]),
        ("z^2_k", S.z[i, k]),
        ("b^1_j", b1[j]),
        ("b^{(2)}_k", b2[k]),
        ("x_l", x[i, l]),
        ("x_{il}", x[i, l]),
        ("x_{i,l}", x[i, l]),
        ("x_l^{(i)}", x[i, l]),
        ("f_k", S.f[i, k]),
        (r"\hat{y}_k", S.f[i, k]),
        (r"\phi'(z^1_j)", dphi(z1[i, j])),
        (r"\varphi'(z^{(1)}_j)", dphi(z1[i, j])),
        ("φ′(z¹_j)", dphi(z1[i, j])),
        (r"\phi(z^1_j)", h[i, j]),
        (r"\tanh'(z^1_j)", 1 - sp.tanh(z1[i, j]) ** 2),
        ("1 - h_j^2", 1 - h[i, j] ** 2),
        ("h_j(1 - h_j)", h[i, j] * (1 - h[i, j])),
        (r"\mathbb{1}(z^1_j > 0)", sp.Heaviside(z1[i, j], 0)),
        (r"\mathbb{I}(z^1_j > 0)", sp.Heaviside(z1[i, j], 0)),
        ("[z^1_j > 0]", sp.Heaviside(z1[i, j], 0)),
        (
            r"\sum_k (f_k - \mathbb{I}(y_i = k)) W^2_{jk}",
            sp.Sum((S.f[i, k] - sp.KroneckerDelta(k, S.y[i])) * W2[j, k], (k, 1, C)),
        ),
    ],
)
def test_the_network_letters_parse_to_the_canonical_symbols(text, expected):
    expr, kind = parse(text, "mlp")
    assert kind == "num"
    assert sp.simplify(expr - expected) == 0, expr


def test_sigma_prime_is_the_sigmoids_derivative_at_its_argument():
    expr, _ = parse(r"\sigma'(z^1_j)", "mlp")
    Z1 = np.array([[[-2.0, 0.5, 3.0]]])  # one draw, one sample, three hidden units
    case = Case("mlp", 2, (1,), {"i": 1, "j": 3}, X=np.zeros((1, 1, 2)), W=None, B=None, Z=None, F=None,
                extra={"activation": "tanh", "Z1": Z1, "H": np.tanh(Z1),
                       "W1": np.zeros((1, 2, 3))})  # fmt: skip
    s = 1 / (1 + np.exp(-3.0))
    assert float(np.asarray(evaluate(expr, case)).ravel()[0]) == pytest.approx(s * (1 - s))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("W_{jk}^2", "ambiguous"),  # a layer or a square?
        ("W_{jk}", "needs its layer"),
        ("b_j", "needs its layer"),
        (r"\phi'(z_j)", "z needs its layer"),  # z¹_j to most, but not said
        ("W^3_{jk}", r"W\^1 or W\^2"),  # the network has two layers
        ("x_i", "one feature at a time"),
        (r"\phi(h_j)", r"φ\(z\^1_j\) = h_j"),
        ("z^1_j > 1", "a > 0"),
        ("F - Y", "matrices are not read yet"),
        (r"\mathbf{x}_i", "one feature at a time"),
    ],
)
def test_what_is_not_exact_is_refused(text, match):
    with pytest.raises(AnswerSyntaxError, match=match):
        parse(text, "mlp")


@pytest.mark.parametrize("family", ["softmax", "logistic", "linear"])
def test_other_families_do_not_read_the_network_letters(family):
    for text in ("h_j", r"\phi'(z)", "W^2_{jk}", r"\tanh(z)", "[z > 0]"):
        with pytest.raises(AnswerSyntaxError):
            parse(text, family)
    # and read what they read before
    assert parse(r"\sigma(z) - y_i", "logistic")[0] == 1 / (1 + sp.exp(-S.z[i])) - S.y[i]


# --------------------------------------------------------------------------- the verdicts


def test_every_index_form_network_topic_is_read_and_the_matrix_form_is_not():
    assert set(NETWORK_LETTERS) == {"mlp_dw2", "mlp_dh", "mlp_dz1", "mlp_dz1_relu",
                                    "mlp_dz1_tanh", "mlp_dz1_sigmoid", "mlp_db1", "mlp_dw1",
                                    "mlp_backprop"}  # fmt: skip
    assert set(NETWORK_LETTERS) < set(readable_topics())
    assert "mlp_matrix" not in readable_topics()


@pytest.mark.parametrize("name", NETWORK_LETTERS)
def test_the_records_result_is_graded_correct(name):
    result = check_answer(TOPICS[name].result_latex, topic=name)
    assert result.correct is True, str(result)


# (topic, two other spellings of the right answer)
RIGHT = {
    "mlp_dw2": [r"h_j (f_k - [y_i = k])", r"(f_k - \delta_{k y_i}) \phi(z^{(1)}_j)"],
    "mlp_dh": [DH, r"\sum_c W^{(2)}_{jc} (f_c - [y_i = c])"],
    "mlp_dz1": [rf"({DH}) \phi'(z^1_j)", rf"\varphi'(z_j^{{[1]}}) \cdot {DH}"],
    "mlp_dz1_relu": [rf"({DH}) [z^1_j > 0]", rf"\mathbb{{1}}(z^{{(1)}}_j > 0) {DH}"],
    "mlp_dz1_tanh": [rf"({DH}) (1 - h_j^2)", rf"({DH}) \tanh'(z^1_j)"],
    "mlp_dz1_sigmoid": [rf"({DH}) h_j (1 - h_j)", rf"({DH}) \sigma'(z^1_j)"],
    "mlp_db1": [rf"({DH}) \phi'(z^1_j)", rf"\phi'(z^{{(1)}}_j) ({DH})"],
    "mlp_dw1": [rf"({DH}) \phi'(z^1_j) x_l", rf"x_l^{{(i)}} \phi'(z^1_j) ({DH})"],
    "mlp_backprop": [rf"({DH}) \phi'(z^1_j) x_{{il}}", rf"x_{{i,l}} ({DH}) \varphi'(z^1_j)"],
}


@pytest.mark.parametrize(("name", "answer"), [(n, a) for n, pair in RIGHT.items() for a in pair])
def test_a_right_answer_in_other_spellings_is_correct(name, answer):
    result = check_answer(answer, topic=name)
    assert result.correct is True, (answer, str(result))


WRONG = [
    ("mlp_dw2", r"f_k - [y_i = k]"),  # forgot h_j
    ("mlp_dw2", r"(f_k - [y_i = k]) x_j"),  # the input where the hidden unit belongs
    ("mlp_dh", DH_T),
    ("mlp_dh", DH_W1),
    ("mlp_dh", DH_ONE),
    ("mlp_dz1", DH),  # missing φ′
    ("mlp_dz1", rf"({DH_T}) \phi'(z^1_j)"),
    ("mlp_dz1", rf"({DH_W1}) \phi'(z^1_j)"),
    ("mlp_dz1", rf"({DH_ONE}) \phi'(z^1_j)"),
    ("mlp_dz1", rf"({DH}) \phi'(h_j)"),  # φ′ at the output
    ("mlp_dz1", rf"({DH}) \sigma'(z^1_j)"),  # right for sigmoid only: the topic has every φ
    ("mlp_dz1_relu", DH),
    ("mlp_dz1_relu", rf"({DH}) h_j"),  # φ instead of φ′
    ("mlp_dz1_tanh", DH),
    ("mlp_dz1_tanh", rf"({DH}) (1 - (z^1_j)^2)"),  # tanh′ written at z as if it were h
    ("mlp_dz1_tanh", rf"({DH_T}) (1 - h_j^2)"),
    ("mlp_dz1_sigmoid", DH),
    ("mlp_dz1_sigmoid", rf"({DH_W1}) h_j (1 - h_j)"),
    ("mlp_db1", DH),
    ("mlp_dw1", rf"({DH}) \phi'(z^1_j)"),  # forgot x_l
    ("mlp_dw1", rf"({DH}) x_l"),
    ("mlp_dw1", rf"({DH_T}) \phi'(z^1_j) x_l"),
    ("mlp_dw1", rf"({DH_ONE}) \phi'(z^1_j) x_l"),
    ("mlp_backprop", rf"({DH_W1}) \phi'(z^1_j) x_l"),
    ("mlp_backprop", rf"({DH}) x_l"),
]


@pytest.mark.parametrize(("name", "answer"), WRONG)
def test_wrong_network_answers_are_graded_wrong(name, answer):
    result = check_answer(answer, topic=name)
    assert result.correct is False, (answer, str(result))
    assert result.counterexample is not None


@pytest.mark.parametrize("name", ["mlp_dh", "mlp_dz1", "mlp_dw1"])
def test_forgetting_the_sum_with_k_left_free_is_refused_naming_the_sum(name):
    answer = {"mlp_dh": DH_FREE, "mlp_dz1": rf"{DH_FREE} \phi'(z^1_j)"}.get(
        name, rf"{DH_FREE} \phi'(z^1_j) x_l"
    )
    with pytest.raises(AnswerSyntaxError, match=r"k has no value.*\\sum_\{k=1\}\^\{C\}"):
        check_answer(answer, topic=name)


# --------------------------------------------------------------------------- left-hand sides


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("mlp_dh", rf"\frac{{\partial J_i}}{{\partial h_j}} = {DH}"),
        ("mlp_dw2", r"\frac{\partial J_i}{\partial W^2_{jk}} = (f_k - [y_i = k]) h_j"),
        ("mlp_dz1_relu", rf"\frac{{\partial J_i}}{{\partial z^{{(1)}}_j}} = ({DH}) [z^1_j > 0]"),
        ("mlp_db1", rf"\frac{{\partial J_i}}{{\partial b^1_j}} = ({DH}) \phi'(z^1_j)"),
        (
            "mlp_dw1",
            rf"\frac{{\partial J_i}}{{\partial W_{{lj}}^{{[1]}}}} = ({DH}) \phi'(z^1_j) x_l",
        ),
        (
            "mlp_backprop",
            rf"\frac{{\partial J_i}}{{\partial W^1_{{lj}}}} = ({DH}) \phi'(z^1_j) x_l",
        ),
    ],
)
def test_a_left_hand_side_naming_the_topics_derivative_is_accepted(name, answer):
    result = check_answer(answer, topic=name)
    assert result.correct is True, str(result)


def test_a_left_hand_side_naming_another_layer_is_refused_with_the_topic_it_names():
    with pytest.raises(AnswerSyntaxError, match="topic 'mlp_dw1'"):
        check_answer(rf"\frac{{\partial J_i}}{{\partial W^1_{{lj}}}} = {DH}", topic="mlp_dz1")
    with pytest.raises(AnswerSyntaxError, match="not a derivative gradlab checks"):
        check_answer(r"\frac{\partial J_i}{\partial W_{jk}} = (f_k - [y_i = k]) h_j", "mlp_dw2")
