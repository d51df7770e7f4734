"""Hints for the common mistakes (issue 11 item 5): a table of wrong answers, each with
the catalogued mistake it must be recognised as, and the rate of specific hints."""

import pytest

from gradlab.answers import check_answer

SUM_SOFTMAX = r"\frac{1}{m}\sum_{i=1}^{m}"

# (topic, wrong answer, the mistake it is). Written the way students write them.
WRONG = [
    # forgot the sum over i
    ("softmax_dw", r"\frac{1}{m}(f_k - \mathbb{I}(y_i = k)) x_i", "forgot the sum"),
    ("softmax_db", r"\frac{1}{m}(f_k - [y_i = k])", "forgot the sum"),
    ("logistic_dw", r"\frac{1}{m}(\sigma(z_i) - y_i) x_i", "forgot the sum"),
    ("linear_dw", r"\frac{1}{m}(w^T x_i - y_i) x_i", "forgot the sum"),
    # stopped at dJ/dsigma (forgot sigma'(z))
    ("logistic_dz", r"-\frac{y}{\sigma(z)} + \frac{1 - y}{1 - \sigma(z)}", "stopped at dJ/dsigma"),
    (
        "logistic_dw",
        r"\frac{1}{m}\sum_i (\frac{1 - y_i}{1 - \sigma(z_i)} - \frac{y_i}{\sigma(z_i)}) x_i",
        "stopped at dJ/dsigma",
    ),
    # kept a factor 1/2 or wrote 2(p - y)
    ("softmax_dz", r"2(f_k - \mathbb{I}(y_i = k))", "squared-error factor 2"),
    ("softmax_dz", r"\frac{1}{2}(p_k - y_k)", "squared-error factor 2"),
    ("logistic_dz", r"2(\sigma(z) - y)", "squared-error factor 2"),
    ("softmax_dw", SUM_SOFTMAX + r"2(f_k - [y_i = k]) x_i", "squared-error factor 2"),
    ("linear_dw", r"\frac{1}{2m}\sum_i (w^T x_i - y_i) x_i", "factor 1/2"),
    ("linear_dw", r"\frac{2}{m}\sum_i (w^T x_i - y_i) x_i", "factor 2"),
    # wrote the loss instead of its derivative
    ("softmax_dz", r"-\log f_{y_i}", "wrote the loss"),
    ("softmax_dz", r"-\log(p_k)", "wrote the loss"),
    ("logistic_dz", r"-y\log\sigma(z) - (1 - y)\log(1 - \sigma(z))", "logistic wrote the loss"),
    # stopped at dJ/df
    ("softmax_dz", r"-\frac{y_k}{p_k}", "stopped at dJ/df"),
    ("softmax_dz", r"-\frac{\mathbb{I}(y_i = k)}{f_k}", "stopped at dJ/df"),
    # parentheses: 1/m sum covers only f_k
    ("softmax_db", r"\frac{1}{m}\sum_i f_k - [y_i = k]", "sum covers only the first term"),
    ("softmax_dw", r"\frac{1}{m}\sum_i f_k x_i - [y_i = k] x_i", "sum covers only the first term"),
    (
        "logistic_dw",
        r"\frac{1}{m}\sum_i \sigma(z_i) x_i - y_i x_i",
        "sum covers only the first term",
    ),
    # logits used as probabilities
    ("softmax_dz", r"z_k - \mathbb{I}(y_i = k)", "logits as probabilities"),
    ("softmax_dw", SUM_SOFTMAX + r"(z_k - [y_i = k]) x_i", "logits as probabilities"),
    ("logistic_dz", "z - y", "logistic logits as probabilities"),
    # Jacobian: diagonal only, p_j(1 - p_j) for every pair
    ("softmax_jacobian", r"\delta_{jk} - f_k", "missing f_j factor"),
    ("softmax_jacobian", r"p_j(1 - p_j)", "diagonal for every pair"),
    ("softmax_jacobian", r"f_k(1 - f_k)", "diagonal only"),
    # bias missing from z
    (
        "logistic_dw",
        r"\frac{1}{m}\sum_i (\sigma(w^T x_i) - y_i) x_i",
        "bias missing",
    ),
    (
        "softmax_dw",
        r"\frac{1}{m}\sum_i (\frac{e^{w_k^T x_i}}{\sum_c e^{w_c^T x_i}} - [y_i = k]) x_i",
        "bias missing",
    ),
    (
        "softmax_db",
        r"\frac{1}{m}\sum_i (\frac{e^{w_k^T x_i}}{\sum_c e^{w_c^T x_i}} - [y_i = k])",
        "bias missing",
    ),
    # the mistakes that had hints before, still recognised
    ("softmax_dz", r"\mathbb{I}(y_i = k) - f_k", "sign error"),
    ("softmax_dz", "f_k", "missing indicator"),
    ("softmax_dz", r"f_k - \delta_{ik}", "indicator on the wrong index"),
    ("softmax_dz", r"f_{y_i} - \mathbb{I}(y_i = k)", "probability on the wrong index"),
    ("softmax_dz", "f_k(1 - f_k)", "Jacobian diagonal"),
    ("softmax_dz", r"\sigma(z_k) - [y = k]", "sigmoid instead of softmax"),
    ("softmax_dw", r"\sum_{i=1}^{m}(f_k - \mathbb{I}(y_i=k))x_i", "forgot 1/m"),
    ("softmax_dw", r"\frac{1}{m}\sum_i (f_k - [y_i = k])", "forgot x_i"),
    ("softmax_db", r"\frac{1}{m}\sum_i (f_k - [y_i = k]) x_i", "extra x_i"),
    ("logistic_dz", r"y - \sigma(z)", "logistic sign error"),
    ("logistic_dz", r"\sigma(z)(1 - \sigma(z))", "sigmoid derivative"),
    ("linear_dw", r"\frac{1}{m}\sum_i (y_i - w^T x_i) x_i", "linear sign error"),
    # combinations: a per-sample mistake inside an aggregation mistake
    ("softmax_dw", r"\sum_i 2(f_k - [y_i = k]) x_i", "squared-error factor 2; forgot 1/m"),
    ("softmax_db", r"\frac{1}{m}(z_k - [y_i = k])", "logits as probabilities; forgot the sum"),
    # the same mistakes in other spellings and topics
    ("softmax_dz", r"2(p_k - y_k)", "squared-error factor 2"),
    ("softmax_dz", r"-\log\frac{e^{z_{y_i}}}{\sum_c e^{z_c}}", "wrote the loss"),
    ("softmax_db", r"\frac{1}{m}\sum_i (z_k - [y_i = k])", "logits as probabilities"),
    ("softmax_dw", r"\frac{1}{m}\sum_i (\mathbb{I}(y_i = k) - f_k) x_i", "sign error"),
    ("softmax_jacobian", r"\delta_{jk} - p_k", "missing f_j factor"),
    ("softmax_jacobian", r"f_j(1 - f_j)", "diagonal for every pair"),
    ("logistic_dz", r"\frac{\sigma(z) - y}{\sigma(z)(1 - \sigma(z))}", "stopped at dJ/dsigma"),
    ("logistic_dz", r"\sigma(z)(1-\sigma(z))(\sigma(z) - y)", "squared error"),
    ("logistic_dw", r"\frac{1}{m}\sum_i (y_i - \sigma(z_i)) x_i", "logistic sign error"),
    ("logistic_dw", r"\frac{1}{m}\sum_i (z_i - y_i) x_i", "logistic logits as probabilities"),
    ("linear_dw", r"\frac{1}{m}\sum_i (w^T x_i) x_i", "missing target"),
    # wrong in ways no catalogued mistake describes: counted as misses of the rate
    ("softmax_dz", r"f_k - 1", None),
    ("softmax_dz", r"f_k^2 - [y_i = k]", None),
]


def _outcome(topic, answer):
    return check_answer(answer, topic=topic)


@pytest.mark.parametrize(("topic", "answer", "mistake"), [w for w in WRONG if w[2]])
def test_each_common_mistake_gets_its_hint(topic, answer, mistake):
    result = _outcome(topic, answer)
    assert result.correct is False, str(result)
    assert result.mistake == mistake, str(result)
    assert result.hint and not result.hint.startswith("No hint")


def test_at_least_90_percent_of_the_wrong_answers_get_a_specific_correct_hint(capsys):
    hits = 0
    for topic, answer, mistake in WRONG:
        result = _outcome(topic, answer)
        assert result.correct is False, answer
        hits += mistake is not None and result.mistake == mistake
    rate = hits / len(WRONG)
    with capsys.disabled():
        print(f"\nhint rate: {hits} of {len(WRONG)} wrong answers ({rate:.0%}) get a specific hint")
    assert len(WRONG) >= 50
    assert rate >= 0.9
