"""Benchmark: how long a student waits for a verdict from check_answer.

Run:  python benchmarks/bench_answers.py

Prints, on this machine:

- cold: the first verdict in a fresh Python process, split into ``import gradlab.answers``
  and the first ``check_answer`` call, which imports SymPy and the parser and builds the
  topic's cases (what a student sees in a new notebook kernel);
- warm: each answer again in the same process (best of 5);
- hostile: inputs built to be slow (deep sums, huge powers, 1000 classes), warm;
- the baseline, measured in the same run: one ``sympy.simplify`` of a softmax difference at
  C = 3, and each time as a ratio to it.

Targets (issue 11 item 6): every warm verdict under 0.5 s, every hostile one under 2 s. No
test asserts these times: they are printed here, where a busy machine cannot fail a build.
"""

from __future__ import annotations

import subprocess
import sys
import time

from _timing import best_of

ANSWERS = [
    ("softmax_dz", r"f_k - \mathbb{I}(y_i = k)"),
    ("softmax_dz", r"\frac{e^{z_k}}{\sum_{c=1}^{C} e^{z_c}} - \delta_{y_i k}"),
    ("softmax_dz", "f_k"),  # wrong: counterexample and hint search
    ("softmax_dw", r"\frac{1}{m}\sum_{i=1}^{m}(f_k - \mathbb{I}(y_i=k))x_i"),
    ("softmax_dw", r"\sum_i (f_k - [y_i = k]) x_i"),
    ("softmax_db", r"\frac{1}{m}\sum_i f_k - [y_i = k]"),
    ("softmax_jacobian", r"f_j(\delta_{jk} - f_k)"),
    ("logistic_dz", r"-\frac{y}{\sigma(z)} + \frac{1 - y}{1 - \sigma(z)}"),
    ("logistic_dw", r"\frac{1}{m}\sum_i (\sigma(w^T x_i + b) - y_i) x_i"),
    ("linear_dw", r"\frac{1}{m}\sum_i (w^T x_i - y_i) x_i"),
    (
        "softmax_dw",  # eq (2)'s first line written out inside eq (3)'s average
        (
            r"-\frac{1}{m}\sum_{i=1}^{m}\sum_{j=1}^C \mathbb{I}(y_i=j)\frac{1}{f_j}"
            r"\frac{e^{z_j}[j=k]\sum_c e^{z_c} - e^{z_j}e^{z_k}}{(\sum_c e^{z_c})^2} x_i"
        ),
    ),
]

HOSTILE = [
    ("softmax_dz", r"\sum_c\sum_j\sum_l f_c f_j f_l + [C = 12] - 1 + f_k - [y_i = k]"),
    ("softmax_dz", r"\sum_{c=1}^{999999999} f_{1}"),
    ("softmax_dz", "e^{e^{e^{e^{e^{z_k}}}}}"),
    ("softmax_dz", "k^{k^{k^{k}}}"),
    ("softmax_dz", r"f_k - [y_i = k] + [C = 999]"),
    ("softmax_dz", " + ".join([r"\sum_{c=1}^{C} f_c"] * 40)),
    ("softmax_dz", "(" * 300 + "f_k" + ")" * 300),
    ("softmax_dz", "f_k + " * 17_000 + "1"),
    ("softmax_dw", r"\frac{1}{1000}\sum_{i=1}^{1000}(f_k - [y_i = k]) x_i"),
]

COLD = r"""
import time
t0 = time.perf_counter()
import gradlab.answers
t1 = time.perf_counter()
gradlab.answers.check_answer({answer!r}, topic={topic!r})
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def cold(topic: str, answer: str) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", COLD.format(answer=answer, topic=topic)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    t_import, t_first = (float(v) for v in out.split())
    return t_import, t_first


def naive_simplify() -> float:
    import sympy as sp

    z1, z2, z3 = sp.symbols("z1:4", real=True)
    total = sp.exp(z1) + sp.exp(z2) + sp.exp(z3)
    answer = sp.exp(z1) / total - 1
    truth = sp.exp(z1) / (sp.exp(z1) + sp.exp(z2) + sp.exp(z3)) - 1
    t = time.perf_counter()
    sp.simplify(answer - truth + sp.exp(z1 - z2) * sp.exp(z2) / total - sp.exp(z1) / total)
    return time.perf_counter() - t


def _verdict(topic: str, answer: str) -> str:
    from gradlab.answers import AnswerSyntaxError, check_answer

    try:
        return "right" if check_answer(answer, topic).correct else "wrong"
    except AnswerSyntaxError:
        return "refused"


def cpu_best_of(fn, repeat: int) -> float:
    """CPU seconds of the fastest call: what the verdict costs on a machine shared by others."""
    times = []
    for _ in range(repeat):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return min(times)


def _short(answer: str) -> str:
    return answer if len(answer) <= 48 else answer[:45] + "..."


def main() -> dict:
    import os

    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} (1 min)")
    t_naive = naive_simplify()
    print(f"baseline: one sympy.simplify of a softmax difference at C = 3: {t_naive * 1e3:.0f} ms")
    print("cold: a fresh process, import gradlab.answers, then the first verdict (SymPy included)")
    worst_cold = 0.0
    for topic, answer in ANSWERS[:4]:
        t_import, t_first = cold(topic, answer)
        worst_cold = max(worst_cold, t_import + t_first)
        print(
            f"  {topic:17s} import {t_import * 1e3:5.0f} ms + first verdict {t_first * 1e3:5.0f} ms"
            f" = {(t_import + t_first) * 1e3:5.0f} ms   {_short(answer)}"
        )
    print("warm: best of 5 in this process, wall clock and CPU")
    worst_warm = 0.0
    for topic, answer in ANSWERS:
        verdict = _verdict(topic, answer)
        t = best_of(lambda topic=topic, answer=answer: _verdict(topic, answer))
        cpu = cpu_best_of(lambda topic=topic, answer=answer: _verdict(topic, answer), 3)
        worst_warm = max(worst_warm, t)
        print(
            f"  {topic:17s} {t * 1e3:7.1f} ms (cpu {cpu * 1e3:6.1f})  {verdict:7s} {_short(answer)}"
        )
    print("hostile: built to be slow, best of 2, wall clock and CPU")
    worst_hostile = 0.0
    for topic, answer in HOSTILE:
        verdict = _verdict(topic, answer)
        t = best_of(lambda topic=topic, answer=answer: _verdict(topic, answer), repeat=2)
        cpu = cpu_best_of(lambda topic=topic, answer=answer: _verdict(topic, answer), 1)
        worst_hostile = max(worst_hostile, t)
        print(
            f"  {topic:17s} {t * 1e3:7.1f} ms (cpu {cpu * 1e3:6.1f})  {verdict:7s} {_short(answer)}"
        )
    print(
        f"first verdict in a fresh process: at most {worst_cold:.2f} s "
        f"({worst_cold / t_naive:.1f}x the baseline)"
    )
    print(
        f"worst warm verdict: {worst_warm * 1e3:.0f} ms (target < 500 ms, "
        f"{worst_warm / t_naive:.2f}x the baseline): " + ("met" if worst_warm < 0.5 else "MISSED")
    )
    print(
        f"worst hostile verdict: {worst_hostile * 1e3:.0f} ms (target < 2000 ms, "
        f"{worst_hostile / t_naive:.2f}x the baseline): "
        + ("met" if worst_hostile < 2.0 else "MISSED")
    )
    return {"cold": worst_cold, "warm": worst_warm, "hostile": worst_hostile}


if __name__ == "__main__":
    main()
