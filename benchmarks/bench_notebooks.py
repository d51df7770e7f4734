"""Benchmark: `gradlab tour` and each classroom notebook, end to end.

Run:  python benchmarks/bench_notebooks.py

Targets (issue 7): the tour under 20 s, each notebook under 60 s in a real python3
kernel. The baseline measured in the same run is a bare kernel executing an empty
notebook, so the ratio shows what the notebook's own work costs.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parent.parent


def run_notebook(nb, folder: Path) -> float:
    start = time.perf_counter()
    nbclient.NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "gradlab.cli", "tour", "--out", out],
            check=True,
            capture_output=True,
        )
        print(f"gradlab tour                               {time.perf_counter() - start:6.1f} s"
              "   (target < 20 s)")  # fmt: skip

    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    baseline = run_notebook(empty, ROOT / "notebooks")
    print(f"empty notebook (kernel start-up, baseline) {baseline:6.1f} s")
    with tempfile.TemporaryDirectory() as out:
        import os

        os.environ["GRADLAB_FIGURES_DIR"] = out
        for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
            seconds = run_notebook(nbformat.read(path, as_version=4), path.parent)
            print(f"{path.name:42s} {seconds:6.1f} s   ({seconds / baseline:4.1f}x baseline;"
                  " target < 60 s)")  # fmt: skip


if __name__ == "__main__":
    main()
