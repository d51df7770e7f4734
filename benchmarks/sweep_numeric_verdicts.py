"""Randomized sweep: how often does check_gradient give a false verdict?

Run:  python benchmarks/sweep_numeric_verdicts.py [N_FUNCTIONS]   (default 300, ~2 min)
      python benchmarks/sweep_numeric_verdicts.py 300 --baseline   (rewrite the baseline)

The counts are compared with benchmarks/sweep_numeric_baseline.json, which holds the
counts of this version and of the checker before the verdict procedure was re-founded
(issue 10), at 300 functions (the README's numbers) and at the reduced size that
tests/test_numeric_sweep.py runs as a slow test.

Six function families (quadratic, exp, tanh network, rational, sin, entries spread
over ten decades), input scales sx and output scales sf in 1e-8 .. 1e8, x centred at
0 or at an offset up to 1e8, float64 and float32, every method and mode. Each point is
checked with the right gradient and two wrong ones: all entries off by 1% (5% in
float32) and one entry off by that much of its size (or of the median entry). A false
verdict is a right gradient reported FAILED or a wrong one reported passed;
"inconclusive" is an honest answer, counted separately.
"""

from __future__ import annotations

import json
import pathlib
import sys
import time
import warnings
from collections import Counter

import numpy as np

from gradlab.numeric import check_gradient

FAMILIES = ("quad", "exp", "tanh", "rational", "sin", "spread")


def family(kind, n, sx, sf, off, rng):
    A = rng.normal(size=(n, n))
    A = A @ A.T / n + 0.1 * np.eye(n)
    c = rng.normal(size=n)
    if kind == "quad":
        return (
            lambda x: sf * (0.5 * (x - off) @ A @ (x - off) / sx**2 + c @ (x - off) / sx),
            lambda x: sf * (A @ (x - off) / sx**2 + c / sx),
        )
    if kind == "exp":
        return (
            lambda x: sf * np.sum(np.exp(c * (x - off) / sx)),
            lambda x: sf * c / sx * np.exp(c * (x - off) / sx),
        )
    if kind == "tanh":
        return (
            lambda x: sf * np.sum(np.tanh(A @ (x - off) / sx)),
            lambda x: sf * A.T @ (1 - np.tanh(A @ (x - off) / sx) ** 2) / sx,
        )
    if kind == "sin":
        return (
            lambda x: sf * np.sum(np.sin((x - off) / sx)),
            lambda x: sf * np.cos((x - off) / sx) / sx,
        )
    if kind == "spread":
        w = 10.0 ** rng.uniform(-5, 5, size=n)
        return (
            lambda x: sf * 0.5 * np.sum(w * ((x - off) / sx) ** 2),
            lambda x: sf * w * (x - off) / sx**2,
        )
    return (
        lambda x: sf * np.sum(1 / (1 + ((x - off) / sx) ** 2)),
        lambda x: -2 * sf * (x - off) / sx**2 / (1 + ((x - off) / sx) ** 2) ** 2,
    )


BASELINE = pathlib.Path(__file__).with_name("sweep_numeric_baseline.json")


def run(n_functions: int) -> dict:
    """The sweep's counts: verdicts of right and wrong gradients, false verdicts by kind."""
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(7)
    verdicts = Counter()
    false = Counter()
    for trial in range(n_functions):
        kind = FAMILIES[trial % len(FAMILIES)]
        n = int(rng.integers(1, 7))
        sx, sf = 10.0 ** rng.integers(-8, 9), 10.0 ** rng.integers(-8, 9)
        off = 0.0 if rng.random() < 0.6 else 10.0 ** rng.integers(0, 9)
        f, g = family(kind, n, sx, sf, off, rng)
        x0 = off + rng.normal(size=n) * sx
        j = int(rng.integers(n))
        for dtype in (np.float64, np.float32):
            x = x0.astype(dtype)
            gx = g(x.astype(float))
            if not (np.isfinite(f(x)) and np.isfinite(gx).all() and np.abs(gx).max() > 0):
                continue
            d = 1e-2 if dtype == np.float64 else 5e-2
            bump = np.zeros(n)
            bump[j] = d * max(abs(gx[j]), np.median(np.abs(gx)), 1e-3 * np.abs(gx).max())
            variants = {
                "right": g,
                "scaled": lambda x, g=g, d=d: (1 + d) * g(x),
                "entry": lambda x, g=g, b=bump: g(x) + b,
            }
            for method in ("auto", "forward", "central", "complex", "richardson"):
                for mode in ("full", "sparse", "directional"):
                    for name, grad in variants.items():
                        try:
                            v = check_gradient(f, grad, x, method=method, mode=mode).verdict
                        except ValueError:
                            v = "error"  # method="complex" refused: f is not complex-safe
                        right = name == "right"
                        verdicts[(right, v)] += 1
                        if (right and v == "fail") or (not right and v == "pass"):
                            where = "directional" if mode == "directional" else "full/sparse"
                            false[f"{dtype.__name__} {'right' if right else 'wrong'} {where}"] += 1
    out = {"functions": n_functions}
    for right, label in ((True, "right"), (False, "wrong")):
        total = sum(c for (r, v), c in verdicts.items() if r == right and v != "error")
        out[label] = {
            "checks": total,
            "false": verdicts[(right, "fail" if right else "pass")],
            "inconclusive": verdicts[(right, "inconclusive")],
        }
    out["false_by_kind"] = dict(sorted(false.items()))
    return out


def false_count(counts: dict, precision: str, gradient: str) -> int:
    return sum(
        c for k, c in counts["false_by_kind"].items() if k.startswith(f"{precision} {gradient}")
    )


def _rate(part: dict) -> str:
    return f"{part['inconclusive'] / part['checks']:.1%}"


def main(n_functions: int, write: bool = False) -> None:
    t0 = time.perf_counter()
    counts = run(n_functions)
    seconds = time.perf_counter() - t0
    baseline = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    old = baseline.get("before", {}).get(str(n_functions))
    for label, what in (("right", "false FAIL"), ("wrong", "false pass")):
        part = counts[label]
        line = (f"{label} gradients: {what} {part['false']} of {part['checks']} "
                f"(inconclusive {part['inconclusive']}, {_rate(part)})")  # fmt: skip
        if old:
            line += (f"   before: {what} {old[label]['false']}, inconclusive "
                     f"{old[label]['inconclusive']} ({_rate(old[label])})")  # fmt: skip
        print(line)
    print("false verdicts by precision, gradient and mode:")
    for key, count in counts["false_by_kind"].items():
        print(f"  {key:<32} {count}")
    print(f"{n_functions} functions, {seconds:.0f} s")
    if write:
        baseline.setdefault("now", {})[str(n_functions)] = counts
        BASELINE.write_text(json.dumps(baseline, indent=1, sort_keys=True) + "\n")
        print(f"wrote {BASELINE.name}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 300, write="--baseline" in sys.argv)
