"""Benchmark: `otter run` of the softmax-gradient assignment against a trivial assignment.

Run:  python benchmarks/bench_grading.py

Target (issue 13): grading one submission of assignments/softmax_gradient with
`otter run` takes at most 2x what otter needs for a one-question assignment whose
only test is `assert x == 2`, measured in the same run (kernel start, notebook
execution and otter's own bookkeeping are in both). Both solutions are graded
twice and the faster run counts. Needs the grading extra (otter-grader).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import best_of

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                                 os.environ.get("PYTHONPATH")]))}  # fmt: skip


def trivial_master(path: Path) -> None:
    raw, code = nbformat.v4.new_raw_cell, nbformat.v4.new_code_cell
    cells = [
        raw(
            "# ASSIGNMENT CONFIG\nname: trivial\nexport_cell: false\ncheck_all_cell: false\n"
            "tests:\n  files: false\n  ok_format: false\ngenerate:\n  pdf: false\n"
        ),
        raw("# BEGIN QUESTION\nname: q1\n"),
        raw("# BEGIN SOLUTION"),
        code("x = 2  # SOLUTION"),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        code(
            '""" # BEGIN TEST CONFIG\npoints: 1\n"""  # END TEST CONFIG\n\n\n'
            "def test_x(x):\n    assert x == 2"
        ),
        raw("# END TESTS"),
        raw("# END QUESTION"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


def otter(*args, cwd) -> None:
    subprocess.run([sys.executable, "-m", "otter", *args], cwd=cwd, env=ENV, check=True,
                   capture_output=True)  # fmt: skip


def build(master: Path, folder: Path) -> tuple[Path, Path]:
    """(autograder zip, solution notebook) built by `otter assign` into ``folder``."""
    folder.mkdir(parents=True)
    shutil.copy(master, folder / master.name)
    otter("assign", "--no-run-tests", master.name, "dist", cwd=folder)
    return next(
        (folder / "dist" / "autograder").glob("*.zip")
    ), folder / "dist" / "autograder" / master.name


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "trivial").mkdir()
        trivial_master(tmp / "trivial" / "trivial_master.ipynb")
        builds = {
            "trivial one-question assignment": build(
                tmp / "trivial" / "trivial_master.ipynb", tmp / "trivial" / "b"
            ),
            "assignments/softmax_gradient": build(
                ROOT / "assignments" / "softmax_gradient" / "otter" / "softmax_gradient.ipynb",
                tmp / "softmax" / "b",
            ),
        }
        times = {}
        for name, (zip_path, solution) in builds.items():
            out = zip_path.parent / "out"
            out.mkdir()
            times[name] = best_of(
                lambda z=zip_path, s=solution, o=out: otter(
                    "run", "--no-logo", "-a", str(z), "-o", str(o), str(s), cwd=o),
                repeat=2,
            )  # fmt: skip
            print(f"otter run, {name:<34} {times[name]:6.1f} s")
        ratio = times["assignments/softmax_gradient"] / times["trivial one-question assignment"]
        print(f"ratio softmax_gradient / trivial              {ratio:6.2f}x   (target <= 2x)")


if __name__ == "__main__":
    main()
