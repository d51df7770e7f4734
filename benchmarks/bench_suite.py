"""Benchmark: the test suite, as the README's two test commands run it.

Run:  python benchmarks/bench_suite.py          (both tiers; several minutes)
      python benchmarks/bench_suite.py --fast   (the fast tier only)

- `pytest`: everything, the notebooks in real kernels included (target: half of what it
  took on this machine before issue 12: 99 s wall, 100 s CPU at load 1; 218-378 s wall
  at load 5-8);
- `pytest -m "not slow and not notebook"`: the fast tier (target: under a minute).
The baseline, measured in the same run, is `pytest --collect-only`: starting pytest,
importing every test module and collecting the tests, which every run pays.
Wall time grows with the machine's load; CPU time (pytest and every process it starts)
barely does, so both are printed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from _timing import machine, run_command

ROOT = Path(__file__).resolve().parent.parent
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
TIERS = {
    "pytest (everything)": [],
    'pytest -m "not slow and not notebook"': ["-m", "not slow and not notebook"],
}


def main(fast_only: bool = False) -> dict[str, float]:
    print(machine())
    base_wall, base_cpu = run_command([*PYTEST, "--collect-only"], cwd=ROOT)
    print(f"{'baseline: pytest --collect-only':40s} {base_wall:6.1f} s wall {base_cpu:6.1f} s CPU")
    walls = {}
    for name, args in TIERS.items():
        if fast_only and not args:
            continue
        wall, cpu = run_command([*PYTEST, *args], check=False, cwd=ROOT)
        walls[name] = wall
        print(
            f"{name:40s} {wall:6.1f} s wall {cpu:6.1f} s CPU   ({wall / base_wall:4.1f}x baseline)"
        )
        # the time of a run that failed is still its time, but say so
        print(f"{'':40s} {run_command.last.stdout.strip().splitlines()[-1]}")
    return walls


if __name__ == "__main__":
    main(fast_only="--fast" in sys.argv[1:])
