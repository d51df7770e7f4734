"""Benchmark: `gradlab tour`, the Quickstart's first command, as a newcomer waits for it.

Run:  python benchmarks/bench_tour.py

Each run is a fresh process (`python -m gradlab tour --out TMP`), as a user runs it:
- the first run after install, with a fresh matplotlib cache (it builds its font list);
- later runs, best of 3, wall time and CPU time;
- where the time goes: the tour's sections timed from its own output, in one more run.
The baseline, measured in the same run, is a fresh process that only imports what the
tour cannot do without (NumPy, SymPy, matplotlib): the floor of any tour.
Target: later runs within 8x the import floor.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap

from _timing import machine, run_command

TOUR = [sys.executable, "-m", "gradlab", "tour", "--out"]
FLOOR = [
    sys.executable,
    "-c",
    "import numpy, sympy, matplotlib.figure, matplotlib.backends.backend_agg",
]

SECTIONS = textwrap.dedent(
    """
    import sys, tempfile, time
    t0 = time.perf_counter()
    from gradlab.tour import tour
    marks = [("start", t0)]
    def echo(line):
        if line[:2] in ("1.", "2.", "3.", "4.") or line == "Done":
            marks.append((line, time.perf_counter()))
    with tempfile.TemporaryDirectory() as out:
        tour(out, echo=echo)
    marks.append(("end", time.perf_counter()))
    for (name, t), (_, t_next) in zip(marks, marks[1:]):
        print(f"{t_next - t:.2f}\\t{name}")
    """
)


def main() -> float:
    print(machine())
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as mpl:
        wall, cpu = run_command([*TOUR, out], env={**os.environ, "MPLCONFIGDIR": mpl})
        print(f"first run (fresh matplotlib cache)  {wall:5.1f} s wall  {cpu:5.1f} s CPU")
        runs = [run_command([*TOUR, out]) for _ in range(3)]
    wall, cpu = min(w for w, _ in runs), min(c for _, c in runs)
    floor_wall, floor_cpu = min(run_command(FLOOR) for _ in range(3))
    print(f"later runs (best of 3)              {wall:5.1f} s wall  {cpu:5.1f} s CPU")
    print(f"baseline: import NumPy, SymPy, mpl  {floor_wall:5.1f} s wall  {floor_cpu:5.1f} s CPU")
    ratio = wall / floor_wall
    print(f"tour / baseline                     {ratio:5.1f}x wall  {cpu / floor_cpu:4.1f}x CPU"
          "   (target <= 8x)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", SECTIONS], check=True, capture_output=True,
                         text=True).stdout  # fmt: skip
    print("where the time goes (one run, wall):")
    for line in out.splitlines():
        seconds, name = line.split("\t")
        name = "import gradlab.tour" if name == "start" else name
        print(f"  {float(seconds):5.2f} s  {name[:70]}")
    return wall


if __name__ == "__main__":
    main()
