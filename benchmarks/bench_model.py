"""Benchmark: loss_and_gradient against the two matrix products it cannot avoid.

Run:  python benchmarks/bench_model.py

At m = 50,000, d = 784, C = 10 (MNIST-sized), the forward product X @ W and the
backward product X.T @ dZ dominate; everything else (softmax, log-sum-exp,
the one-hot subtraction, input checks) should add little. Target: ratio <= 1.5.
"""

from __future__ import annotations

import numpy as np
from _timing import best_of, machine

import gradlab


def main(m: int = 50_000, d: int = 784, C: int = 10) -> float:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(m, d))
    y = rng.integers(0, C, size=m)
    W = rng.normal(scale=0.01, size=(d, C))
    b = np.zeros(C)
    dZ = rng.normal(size=(m, C))

    def two_products():
        Z = X @ W
        return Z, X.T @ dZ

    def full():
        return gradlab.loss_and_gradient(W, b, X, y, l2=1e-3)

    print(machine())
    full()  # warm up caches and BLAS threads
    t_products = best_of(two_products, 7)
    t_full = best_of(full, 7)
    ratio = t_full / t_products
    print(f"m = {m}, d = {d}, C = {C}, float64 (best of 7)")
    print(f"  X @ W and X.T @ dZ      : {t_products * 1e3:8.2f} ms")
    print(f"  loss_and_gradient       : {t_full * 1e3:8.2f} ms")
    print(f"  ratio                   : {ratio:8.2f}x   (target <= 1.5x)")
    return ratio


if __name__ == "__main__":
    main()
