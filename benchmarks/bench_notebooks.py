"""Benchmark: each classroom notebook, end to end in a real python3 kernel.

Run:  python benchmarks/bench_notebooks.py

Target: each notebook under 60 s on a quiet machine. The baseline measured in the same
run is a bare kernel executing an empty notebook, so the ratio shows what the notebook's
own work costs. Wall time and CPU time (this process and the kernel) are both printed:
on a busy machine the wall time grows with the load, the CPU time barely does.
(`gradlab tour` is benchmarked in bench_tour.py, the test suite in bench_suite.py.)
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
from pathlib import Path

import nbclient
import nbformat
from _timing import machine

ROOT = Path(__file__).resolve().parent.parent


def _cpu() -> float:
    own, kids = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_notebook(nb, folder: Path) -> tuple[float, float]:
    """Execute ``nb`` from inside ``folder``; return (wall seconds, CPU seconds)."""
    cpu, start = _cpu(), time.perf_counter()
    nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    return time.perf_counter() - start, _cpu() - cpu


def main() -> dict[str, float]:
    print(machine())
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    base_wall, base_cpu = run_notebook(empty, ROOT / "notebooks")
    print(f"{'empty notebook (kernel start-up, baseline)':44s} {base_wall:5.1f} s wall"
          f" {base_cpu:5.1f} s CPU")  # fmt: skip
    walls = {}
    with tempfile.TemporaryDirectory() as out:
        os.environ["GRADLAB_FIGURES_DIR"] = out  # what the notebooks write goes here
        for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
            wall, cpu = run_notebook(nbformat.read(path, as_version=4), path.parent)
            walls[path.name] = wall
            print(f"{path.name:44s} {wall:5.1f} s wall {cpu:5.1f} s CPU"
                  f"   ({wall / base_wall:4.1f}x baseline; target < 60 s)")  # fmt: skip
    return walls


if __name__ == "__main__":
    main()
