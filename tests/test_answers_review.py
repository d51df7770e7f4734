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
    ("linear_dw", r"\frac{1}{3}\sum_{i=1}^{3}(w^T x_i + b - y_i) x_i"),
    (
        "softmax_dw",
        r"\frac{1}{m}\sum_{i=1}^{m}(f_k - [y_i=k])x_i + \frac{1}{m}\sum_{i=1}^{m}[i=4]x_i",
    ),
]


@pytest.mark.parametrize(("topic", "answer"), WRONG_FOR_OTHER_M)
def test_an_answer_right_only_for_three_samples_is_wrong(topic, answer):
    result = check_answer(answer, topic=topic)
    assert not result.correct
    assert result.counterexample.m != 3  # the case that exposes it has another m
    assert len(result.counterexample.x) == result.counterexample.m


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
]

_RUN = textwrap.dedent(
    """
    import json, sys, time
    from gradlab.answers import AnswerSyntaxError, check_answer
    out = []
    for topic, answer in json.loads(sys.argv[1]):
        t = time.perf_counter()
        try:
            verdict = "correct" if check_answer(answer, topic=topic).correct else "wrong"
        except AnswerSyntaxError:
            verdict = "rejected"
        except Exception as exc:
            verdict = type(exc).__name__
        out.append([verdict, time.perf_counter() - t])
    print(json.dumps(out))
    """
)


def test_huge_numbers_and_power_towers_get_a_quick_verdict_not_a_crash():
    # In a subprocess with a timeout: before the fix k^{k^{k^k}} never returned.
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _RUN, json.dumps(HUGE)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("a huge power did not finish within 60 s")
    assert proc.returncode == 0, proc.stderr
    for (_topic, answer), (verdict, seconds) in zip(HUGE, json.loads(proc.stdout), strict=True):
        allowed = ("wrong", "rejected", "correct") if "[k = 9]" in answer else ("wrong", "rejected")
        assert verdict in allowed, (answer, verdict)
        assert seconds < 2, (answer, seconds)
