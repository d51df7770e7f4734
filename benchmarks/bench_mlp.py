"""Benchmark the two-layer network: backprop cost, check_layer overhead, training time.

Run:  python benchmarks/bench_mlp.py

1. ``mlp.loss_and_gradient`` at m = 10,000, d = 784, H = 256, C = 10 against the five
   matrix products backpropagation cannot avoid (X W¹, H W², Hᵀ dZ², dZ² W²ᵀ, Xᵀ dZ¹),
   timed in the same run. Target: ratio <= 1.5.
2. ``check_layer`` on a tanh layer: its time outside the layer's own forward calls, over
   the time inside them. Target: <= 20 %.
3. Training on the spirals: ``TwoLayerNet`` (L-BFGS) against scikit-learn's
   ``MLPClassifier(solver="lbfgs")`` with the same hidden size, L2 weight, initialization
   and iteration budget; the time ratio and both final objectives.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
from _timing import best_of

from gradlab import mlp


def backprop(m=10_000, d=784, H=256, C=10, activation="tanh") -> float:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(m, d))
    y = rng.integers(0, C, size=m)
    params = mlp.init_params(d, H, C, activation=activation, seed=0)
    W1, W2 = params["W1"], params["W2"]
    Hm = np.tanh(X @ W1)
    dZ2 = rng.normal(size=(m, C))
    dZ1 = rng.normal(size=(m, H))

    def products():
        return X @ W1, Hm @ W2, Hm.T @ dZ2, dZ2 @ W2.T, X.T @ dZ1

    def full():
        return mlp.loss_and_gradient(params, X, y, activation=activation, l2=1e-4)

    full()  # warm up caches and BLAS threads
    t_products = best_of(products, 5)
    t_full = best_of(full, 5)
    ratio = t_full / t_products
    print(f"1. loss_and_gradient, m = {m}, d = {d}, H = {H}, C = {C}, {activation}, float64")
    print(f"   the five matrix products : {t_products * 1e3:8.1f} ms")
    print(f"   loss_and_gradient        : {t_full * 1e3:8.1f} ms")
    print(f"   ratio                    : {ratio:8.2f}x   (target <= 1.5x)")
    return ratio


def layer_overhead(m=512, d=256, H=128, mode="sparse", n=20) -> float:
    from gradlab.numeric import check_layer

    rng = np.random.default_rng(1)
    inputs = {"x": rng.normal(size=(m, d)), "W": rng.normal(size=(d, H)) / np.sqrt(d),
              "b": rng.normal(size=H)}  # fmt: skip
    spent = {"forward": 0.0, "calls": 0}

    def forward(x, W, b):
        t = time.perf_counter()
        out = np.tanh(x @ W + b)
        spent["forward"] += time.perf_counter() - t
        spent["calls"] += 1
        return out

    def backward(dout):
        h = np.tanh(inputs["x"] @ inputs["W"] + inputs["b"])
        dz = dout * (1 - h**2)
        return dz @ inputs["W"].T, inputs["x"].T @ dz, dz.sum(axis=0)

    check_layer(forward, backward, inputs, mode=mode, n=n)  # warm up
    best = np.inf
    for _ in range(3):
        spent.update(forward=0.0, calls=0)
        t = time.perf_counter()
        report = check_layer(forward, backward, inputs, mode=mode, n=n)
        total = time.perf_counter() - t
        best = min(best, (total - spent["forward"]) / spent["forward"])
    print(f"2. check_layer on tanh(x W + b), x {m}x{d}, W {d}x{H}, mode {mode} (n = {n}): "
          f"{report.verdict}")  # fmt: skip
    print(f"   forward evaluations      : {spent['calls']} ({spent['forward'] * 1e3:.0f} ms)")
    print(f"   overhead beyond them     : {best:8.1%}   (target <= 20 %)")
    return best


def _objective(Ws, bs, X, y, alpha):
    """scikit-learn's MLP objective: mean log-loss + alpha/(2m) Σ ‖W‖²."""
    Z = np.tanh(X @ Ws[0] + bs[0]) @ Ws[1] + bs[1]
    Z = Z - Z.max(axis=1, keepdims=True)
    log_f = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    m = X.shape[0]
    return -log_f[np.arange(m), y].mean() + alpha / (2 * m) * sum((W**2).sum() for W in Ws)


def training(hidden=32, alpha=1e-2, iterations=300, seed=0):
    from sklearn.neural_network import MLPClassifier

    from gradlab.datasets import make_spirals
    from gradlab.network import TwoLayerNet

    X, y = make_spirals(300, 3, seed=0)
    m = X.shape[0]

    def ours():
        # tol 1e-6: the iteration budget stops both runs (scikit-learn's uses all 300 here)
        return TwoLayerNet(hidden=hidden, optimizer="lbfgs", l2=alpha / m, epochs=iterations,
                           tol=1e-6, seed=seed, record_every=iterations).fit(X, y)  # fmt: skip

    def theirs():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return MLPClassifier(hidden_layer_sizes=(hidden,), activation="tanh", solver="lbfgs",
                                 alpha=alpha, max_iter=iterations, random_state=seed).fit(X, y)  # fmt: skip

    net, clf = ours(), theirs()
    t_ours, t_theirs = best_of(ours, 3), best_of(theirs, 3)
    p = net.params_
    j_ours = _objective([p["W1"], p["W2"]], [p["b1"], p["b2"]], X, y, alpha)
    j_theirs = _objective(clf.coefs_, clf.intercepts_, X, y, alpha)
    print(f"3. spirals (m = {m}), H = {hidden}, tanh, alpha = {alpha}, same initialization, "
          f"L-BFGS, at most {iterations} iterations")  # fmt: skip
    print(f"   TwoLayerNet              : {t_ours * 1e3:8.1f} ms, {net.n_iter_} iterations, "
          f"J = {j_ours:.6f}, accuracy {net.score(X, y):.1%}")  # fmt: skip
    print(f"   MLPClassifier            : {t_theirs * 1e3:8.1f} ms, {clf.n_iter_} iterations, "
          f"J = {j_theirs:.6f}, accuracy {clf.score(X, y):.1%}")  # fmt: skip
    print(f"   time ratio               : {t_ours / t_theirs:8.2f}x")
    t = time.perf_counter()
    first = TwoLayerNet(hidden=32, optimizer="momentum", lr=0.5, epochs=600, seed=0).fit(X, y)
    print(f"   momentum, 600 epochs     : {(time.perf_counter() - t) * 1e3:8.1f} ms, "
          f"accuracy {first.score(X, y):.1%}")  # fmt: skip
    return t_ours / t_theirs


if __name__ == "__main__":
    backprop()
    backprop(activation="relu")
    layer_overhead()
    training()
