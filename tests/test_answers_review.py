"""Review of check_answer: false verdicts, misparses and hostile inputs found by typing answers."""

import json
import subprocess
import sys
import textwrap

import pytest

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
