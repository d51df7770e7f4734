"""Benchmark: derive + verify, cold, in fresh processes (SymPy's import excluded).

Run:  python benchmarks/bench_symbolic.py

Each case runs in a new Python process that imports SymPy and gradlab first and
then times ``import gradlab.symbolic``, ``derive(...)`` and ``.verify()``: no
cache of an earlier call helps. "warm" is a second derive + verify in the same
process (instances and symbolic verdicts are cached; the random grid is not). Targets
(issue #4, item 6; issue #12, item 3): softmax_dz for a general C under 2 s, for C = 10
under 1 s; softmax_dw (eq 3, 5 s before issue #12) under 2 s.

Baseline, measured in the same run: evaluating one step of softmax_dz at C = 10
(the quotient rule, the largest) for every label and class at one point with
SymPy's ``subs`` + ``evalf``, against the ``lambdify`` + NumPy evaluation that
verify() uses (which also compiles the expression).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

CASE = r"""
import json, sys, time
import sympy  # excluded from the timings
import gradlab
topic, n, l2 = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3] == "1"
t0 = time.perf_counter()
import gradlab.symbolic
t1 = time.perf_counter()
d = gradlab.symbolic.derive(topic, n_classes=n, l2=l2)
t2 = time.perf_counter()
ok = d.verify().ok
t3 = time.perf_counter()
gradlab.symbolic.derive(topic, n_classes=n, l2=l2).verify()  # again, in the same process
t4 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1, t3 - t2, ok, t4 - t3]))
"""

CASES = [
    ("softmax_dz", None, False, 2.0),
    ("softmax_dz", 10, False, 1.0),
    ("softmax_jacobian", None, False, None),
    ("softmax_dw", None, False, 2.0),
    ("softmax_dw", None, True, None),
    ("logistic_dz", None, False, None),
    ("logistic_dw", None, True, None),
    ("linear_dw", None, True, None),
]


def cold(topic, n, l2, repeat=3):
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", CASE, topic, json.dumps(n), "1" if l2 else "0"],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(out.stdout))
    return min(runs, key=lambda r: sum(r[:3])), max(sum(r[:3]) for r in runs)


def baseline(C=10):
    """One step of softmax_dz (the quotient rule, C = 10) on one point, all labels and classes."""
    import numpy as np
    import sympy as sp

    import gradlab
    from gradlab.symbolic.models import _LOGIT
    from gradlab.symbolic.notation import k, y_i

    d = gradlab.derive("softmax_dz", n_classes=C)
    model = d._model
    step = model.instantiate(d.steps[4].rhs, C)  # the largest step: written-out sums
    logits = np.random.default_rng(0).normal(size=C)

    t = time.perf_counter()
    slow = []
    for yy in range(1, C + 1):
        for kk in range(1, C + 1):
            e = step.subs({k: kk, y_i: yy})
            e = e.replace(_LOGIT, lambda a: sp.Float(logits[int(a) - 1]))
            slow.append(float(e.rewrite(sp.exp).evalf()))
    t_subs = time.perf_counter() - t

    t = time.perf_counter()
    symbols, arrays, shape, _, namespace = model.points(C, np.random.default_rng(0), 1)
    namespace = dict(namespace, _z=lambda a: logits[np.asarray(a) - 1])
    kd = sp.Function("_kd")
    concrete = step.xreplace({a: kd(*a.args) for a in step.atoms(sp.KroneckerDelta)})
    fn = sp.lambdify(
        symbols,
        concrete,
        modules=[namespace, {"_kd": lambda a, b: np.equal(a, b) * 1.0, "Exp": np.exp}, "numpy"],
    )
    fast = np.broadcast_to(fn(*arrays), shape)[0, :, 0, :]  # (label, k)
    t_lambdify = time.perf_counter() - t
    assert np.allclose(np.ravel(slow), np.ravel(fast))
    return t_subs, t_lambdify


def main():
    print("derive + verify, cold (fresh process each; best of 3, SymPy import excluded)")
    print(
        f"  {'topic':<17}{'C':>5}{'l2':>4} {'import':>8} {'derive':>8} {'verify':>8} "
        f"{'total':>8} {'worst':>8} {'warm':>8}  target"
    )
    for topic, n, l2, target in CASES:
        (t_import, t_derive, t_verify, ok, warm), worst = cold(topic, n, l2)
        total = t_import + t_derive + t_verify
        goal = (
            "" if target is None else f"< {target:.0f} s " + ("met" if total < target else "MISSED")
        )
        print(
            f"  {topic:<17}{'C' if n is None else n:>5}{'yes' if l2 else 'no':>4} "
            f"{t_import:8.3f} {t_derive:8.3f} {t_verify:8.3f} {total:8.3f} {worst:8.3f} "
            f"{warm:8.3f}  {goal}{'' if ok else '  VERIFY FAILED'}"
        )
    t_subs, t_lambdify = baseline()
    print("baseline: the quotient-rule step of softmax_dz, C = 10, at one point for all")
    print("          10 labels x 10 classes (100 values)")
    print(f"  subs + evalf            : {t_subs:8.3f} s")
    print(f"  lambdify + NumPy        : {t_lambdify:8.3f} s   ({t_subs / t_lambdify:.0f}x faster)")


if __name__ == "__main__":
    main()
