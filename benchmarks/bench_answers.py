"""Benchmark: how long a student waits for a verdict from check_answer.

Run:  python benchmarks/bench_answers.py

Target (issue 5, item 7): a verdict within 0.5 s after import, including the
very first call in a fresh process (which builds and caches the random cases).
The baseline, measured in the same run, is what a naive checker would do:
``sympy.simplify(answer - truth)`` at one concrete C = 3, k = 1, y = 1.
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
    ("softmax_jacobian", r"f_j(\delta_{jk} - f_k)"),
    ("logistic_dw", r"\frac{1}{m}\sum_i (\sigma(w^T x_i + b) - y_i) x_i"),
    ("linear_dw", r"\frac{1}{m}\sum_i (w^T x_i - y_i) x_i"),
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


def main() -> float:
    from gradlab.answers import check_answer

    print("cold: fresh process, import gradlab.answers, then the first verdict")
    worst = 0.0
    for topic, answer in ANSWERS[:4]:
        t_import, t_first = cold(topic, answer)
        worst = max(worst, t_first)
        print(f"  {topic:17s} import {t_import * 1e3:6.0f} ms   first verdict {t_first * 1e3:6.0f} ms"
              f"   {answer[:40]}")  # fmt: skip
    print("warm: best of 5 in this process")
    for topic, answer in ANSWERS:
        check_answer(answer, topic)
        t = best_of(lambda topic=topic, answer=answer: check_answer(answer, topic))
        print(f"  {topic:17s} {t * 1e3:7.1f} ms   {answer[:50]}")
    t_naive = naive_simplify()
    print(f"baseline sympy.simplify of one difference at C = 3: {t_naive * 1e3:7.1f} ms")
    print(f"worst first verdict: {worst * 1e3:.0f} ms (target <= 500 ms); "
          f"ratio to one naive simplify: {worst / t_naive:.2f}x")  # fmt: skip
    return worst


if __name__ == "__main__":
    main()
