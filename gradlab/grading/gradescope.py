"""Grade one submission with otter-grader and write Gradescope's results.json.

``gradlab grade SUBMISSION --assignment DIR --out results.json`` calls
:func:`grade_submission`. ``DIR`` is an otter-assign output folder (it holds
``autograder/*.zip``) or a folder with the master notebook, which is then built
with ``otter assign`` into a temporary folder first. The submission is graded by
``otter run`` (otter-grader 7, the ``grading`` extra) in the same Python
environment, and the results are written in Gradescope's format: a list
``tests`` of ``{name, score, max_score, output, visibility}`` and the total
``score``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["VISIBILITIES", "find_autograder", "grade_submission", "to_gradescope"]

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def _otter(*args, cwd) -> subprocess.CompletedProcess:
    try:
        import otter  # noqa: F401 - only to say how to install it
    except ImportError as exc:
        raise RuntimeError(
            'gradlab grade needs otter-grader: pip install "gradlab[grading]"'
        ) from exc
    out = subprocess.run([sys.executable, "-m", "otter", *args], check=False, cwd=cwd,
                         capture_output=True,
                         text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})  # fmt: skip
    if out.returncode != 0:
        raise RuntimeError(f"otter {args[0]} failed:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")
    return out


def _master_notebook(folder: Path) -> Path | None:
    for path in sorted(folder.glob("*.ipynb")) + sorted(folder.glob("otter/*.ipynb")):
        if "# ASSIGNMENT CONFIG" in path.read_text(encoding="utf-8"):
            return path
    return None


def find_autograder(assignment, build_dir) -> Path:
    """The otter autograder zip of ``assignment``, building it into ``build_dir`` if needed."""
    folder = Path(assignment)
    if folder.is_file() and folder.suffix == ".zip":
        return folder
    if not folder.is_dir():
        raise FileNotFoundError(f"--assignment must be a folder; {folder} is not one")
    zips = sorted(folder.glob("autograder/*.zip")) + sorted(folder.glob("*/autograder/*.zip"))
    if zips:
        return zips[-1]
    master = _master_notebook(folder)
    if master is None:
        raise FileNotFoundError(
            f"--assignment: {folder} holds neither otter-assign output (autograder/*.zip) nor "
            "a master notebook (a notebook with an '# ASSIGNMENT CONFIG' cell)"
        )
    dist = Path(build_dir) / "dist"
    _otter("assign", "--no-run-tests", str(master.resolve()), str(dist), cwd=master.parent)
    return next((dist / "autograder").glob("*.zip"))


def to_gradescope(otter_results: dict) -> dict:
    """otter's results.json as Gradescope's format, with the total ``score``.

    Examples
    --------
    >>> from gradlab.grading.gradescope import to_gradescope
    >>> results = to_gradescope({"tests": [
    ...     {"name": "q1", "score": 1, "max_score": 3, "visibility": "hidden", "output": "✗ eq (2)"},
    ...     {"name": "q2", "score": 3, "max_score": 3, "visibility": "hidden"},
    ... ]})
    >>> results["score"], results["tests"][1]["output"]
    (4.0, '')
    """
    tests = []
    for test in otter_results.get("tests", []):
        tests.append({
            "name": str(test.get("name", "")),
            "score": float(test.get("score", 0.0) or 0.0),
            "max_score": float(test.get("max_score", 0.0) or 0.0),
            "output": str(test.get("output", "")),
            "visibility": test.get("visibility", "visible"),
        })  # fmt: skip
    return {
        "score": round(sum(t["score"] for t in tests), 6),
        "tests": tests,
        "stdout_visibility": "hidden",
    }


def grade_submission(submission, assignment, out=None) -> dict:
    """Grade ``submission`` (a notebook) with otter; return and write Gradescope's results.

    Parameters
    ----------
    submission : path-like
        The student's notebook.
    assignment : path-like
        An otter-assign output folder, its autograder zip, or a folder with the master
        notebook.
    out : path-like, optional
        Where to write results.json.
    """
    submission = Path(submission).resolve()
    if not submission.is_file():
        raise FileNotFoundError(f"SUBMISSION must be a notebook file; {submission} is not a file")
    with tempfile.TemporaryDirectory(prefix="gradlab-grade-") as tmp:
        autograder = find_autograder(assignment, tmp).resolve()
        _otter("run", "--no-logo", "-a", str(autograder), "-o", tmp, str(submission), cwd=tmp)
        results = to_gradescope(json.loads((Path(tmp) / "results.json").read_text()))
    if out is not None:
        Path(out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results
