"""Benchmark: gradlab's gradient checks against scipy.optimize.check_grad (and torch, if installed).

Run:  python benchmarks/bench_numeric.py

1. A full check of the softmax gradient at m = 200, d = 50, C = 10 (510 parameters):
   time of the check against the time of the f evaluations it makes (overhead target
   <= 20%), for every method, and against scipy.optimize.check_grad on the same f.
   Target: method="forward" (n + 1 evaluations, like scipy's) no slower than scipy.
2. Directional mode at d = 784, C = 10 (7,850 parameters): the gross bugs of the
   mutation suite are flagged with fewer than 30 evaluations of f.
"""

from __future__ import annotations

import time

import numpy as np
from _timing import best_of

import gradlab
from gradlab.numeric import check_gradient


def softmax_problem(m, d, C, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, d))
    y = rng.integers(0, C, size=m)
    W = rng.normal(scale=1 / np.sqrt(d), size=(d, C))
    b = rng.normal(scale=0.1, size=C)
    return X, y, W, b


def full_check(m: int = 200, d: int = 50, C: int = 10) -> None:
    X, y, W, b = softmax_problem(m, d, C)
    theta = np.concatenate([W.ravel(), b])

    def unpack(t):
        return t[: d * C].reshape(d, C), t[d * C :]

    def f_flat(t):
        return gradlab.loss(*unpack(t), X, y)

    def g_flat(t):
        dW, db = gradlab.gradient(*unpack(t), X, y)
        return np.concatenate([dW.ravel(), db])

    def f(p):
        return gradlab.loss(p["W"], p["b"], X, y)

    def g(p):
        dW, db = gradlab.gradient(p["W"], p["b"], X, y)
        return {"W": dW, "b": db}

    x = {"W": W, "b": b}
    Wc, bc = W.astype(complex), b.astype(complex)
    t_real = best_of(lambda: f_flat(theta), 50)
    t_complex = best_of(lambda: gradlab.loss(Wc, bc, X, y), 50)
    print(f"full check, softmax m = {m}, d = {d}, C = {C} ({theta.size} parameters), best of 5")
    print(f"  one f evaluation: {t_real * 1e6:.1f} us real, {t_complex * 1e6:.1f} us complex")
    print(f"  {'check':<34}{'time':>10}{'evals':>8}{'in f':>10}{'overhead':>10}  verdict")

    t_scipy = None
    try:
        from scipy.optimize import check_grad

        n_scipy = theta.size + 1
        t_scipy = best_of(lambda: check_grad(f_flat, g_flat, theta))
        err = check_grad(f_flat, g_flat, theta)
        print(f"  {'scipy.optimize.check_grad':<34}{t_scipy * 1e3:>8.1f}ms{n_scipy:>8}"
              f"{n_scipy * t_real * 1e3:>8.1f}ms{'':>10}  |err| = {err:.1e} (one number)")  # fmt: skip
    except ImportError:
        print("  scipy not installed: skipped")

    for method in ("forward", "central", "complex", "richardson", "auto"):
        # Best of 5 runs; each run's own time inside f (measured around every call)
        # is its baseline, so machine load affects both numbers alike.
        runs = []
        for _ in range(5):
            t = time.perf_counter()
            report = check_gradient(f, g, x, method=method, progress=False)
            runs.append((time.perf_counter() - t, report))
        t, report = min(runs, key=lambda r: r[0])
        label = f"gradlab {method}" + (f" ({report.method})" if method == "auto" else "")
        ratio = f" ({t / t_scipy:.2f}x scipy)" if t_scipy and method == "forward" else ""
        print(f"  {label:<34}{t * 1e3:>8.1f}ms{report.n_evals:>8}{report.seconds * 1e3:>8.1f}ms"
              f"{(t / report.seconds - 1) * 100:>9.0f}%  {report.verdict}{ratio}")  # fmt: skip

    try:
        import torch
        from torch.autograd import gradcheck

        Xt, yt = torch.tensor(X), torch.tensor(y)

        def loss_t(Wt, bt):
            return torch.nn.functional.cross_entropy(Xt @ Wt + bt, yt)

        Wt = torch.tensor(W, requires_grad=True)
        bt = torch.tensor(b, requires_grad=True)
        t_torch = best_of(lambda: gradcheck(loss_t, (Wt, bt)))
        print(f"  {'torch.autograd.gradcheck':<34}{t_torch * 1e3:>8.1f}ms")
    except ImportError:
        print("  torch.autograd.gradcheck: skipped (torch is not installed)")


def directional(d: int = 784, C: int = 10, m: int = 200) -> None:
    X, y, W, b = softmax_problem(m, d, C, seed=1)
    ref = gradlab.gradient

    def onehot_free(W, b, X, y):
        F = gradlab.predict_proba(W, b, X)
        return X.T @ F / len(y), F.mean(axis=0)

    def permuted(W, b, X, y):
        F = gradlab.predict_proba(W, b, X)
        Y = gradlab.one_hot(y, C)[:, np.roll(np.arange(C), 1)]
        return X.T @ (F - Y) / len(y), (F - Y).mean(axis=0)

    def l2_twice(W, b, X, y):
        dW, db = ref(W, b, X, y, 0.1)
        return dW + 0.1 * W, db

    bugs = {
        "correct": ref,
        "missing 1/m": lambda *a: tuple(len(a[3]) * g for g in ref(*a)),
        "sign flip": lambda *a: tuple(-g for g in ref(*a)),
        "db all zeros": lambda *a: (ref(*a)[0], np.zeros(C)),
        "one-hot not subtracted": onehot_free,
        "one-hot class order permuted": permuted,
        "l2: 2λW instead of λW": l2_twice,
    }
    print(
        f"\ndirectional mode (n = 10 directions), softmax d = {d}, C = {C} ({d * C + C} parameters)"
    )
    for name, fn in bugs.items():
        l2 = 0.1 if name.startswith("l2") else 0.0

        def run(fn=fn, l2=l2):
            return gradlab.check_softmax_gradient(fn, W, b, X, y, l2=l2, mode="directional")

        report = run()  # also warms up BLAS
        t = best_of(run, 3)
        found = report.diagnosis[0] if report.diagnosis and not report.ok else ""
        print(
            f"  {name:<30} {report.verdict:<5} {report.n_evals:>3} evals {t * 1e3:6.1f}ms  {found[:70]}"
        )


if __name__ == "__main__":
    full_check()
    directional()
