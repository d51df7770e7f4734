"""The exercise notebooks, run by a real Jupyter kernel three ways.

Unchanged, every check says "not answered yet" and nothing fails; with the key's
answers every check passes; with typical wrong answers each check names the mistake.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "notebooks" / "exercises"
NAMES = ("01_derive_and_vectorize", "02_find_the_bug_and_the_step", "03_read_a_decision_boundary")

pytestmark = [pytest.mark.slow, pytest.mark.notebook]

# typical wrong answers, in the order of the your-turn cells, and what the feedback must say
WRONG = {
    "01_derive_and_vectorize": [
        ('dJi_dzk = "f_k"', "Missing indicator term"),
        (r'dJ_dwk = r"\frac{1}{m} \sum_i (\mathbb{I}(y_i = k) - f_k) x_i"', "hint: Sign error."),
        (
            (
                "def loss_and_gradient(W, b, X, y):\n"
                "    Z = X @ W + b\n"
                "    F = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)\n"
                "    G = F - np.eye(W.shape[1])[y]\n"
                "    return -np.mean(np.log(F[np.arange(len(y)), y])), X.T @ G, G.sum(axis=0)"
            ),
            "forgot to divide by m = 50?",
        ),
    ],
    "02_find_the_bug_and_the_step": [
        ('wrong_line = "dW"', "not correct: 'dW' is not the answer"),
        ("fixed_gradient = classmate_gradient", "b wrong, W right"),
        ("h = 1e-12", "h = 1e-12 is too small: rounding error dominates"),
    ],
    "03_read_a_decision_boundary": [
        ("class_at_P = 0", "not correct: 0 is not the answer"),
        ('straight = "no"', "not correct: 'no' is not the answer"),
    ],
}


def _wrong(name: str):
    nb = nbformat.read(EXERCISES / f"{name}.ipynb", 4)
    turns = [c for c in nb.cells if "your-turn" in c.metadata.get("tags", [])]
    for cell, (answer, _) in zip(turns, WRONG[name], strict=True):
        cell.source = answer
    return nb


@pytest.fixture(scope="session")
def executed(tmp_path_factory, notebook_runner):
    """Every notebook three ways, two kernels at a time (a kernel mostly waits while it starts)."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = {}
    for name in NAMES:
        jobs[name, "unchanged"] = nbformat.read(EXERCISES / f"{name}.ipynb", 4)
        jobs[name, "key"] = nbformat.read(EXERCISES / "solutions" / f"{name}.ipynb", 4)
        jobs[name, "wrong"] = _wrong(name)
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "MPLBACKEND": "Agg"}  # fmt: skip
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernels inherit this checkout's gradlab
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {key: pool.submit(notebook_runner, nb, tmp_path_factory.mktemp("exercise"))
                       for key, nb in jobs.items()}  # fmt: skip
            return {key: future.result() for key, future in futures.items()}
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _checks(nb) -> list[str]:
    """The text shown by the check cell after each your-turn cell."""
    out = []
    for i, cell in enumerate(nb.cells):
        if "your-turn" in cell.metadata.get("tags", []):
            check = nb.cells[i + 1]
            out.append("".join(
                o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in check.outputs
            ))  # fmt: skip
    return out


def _errors(nb) -> list:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if o.output_type == "error"]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_unchanged_says_not_answered_yet(name, executed):
    nb = executed[name, "unchanged"]
    assert _errors(nb) == []
    checks = _checks(nb)
    assert len(checks) == len(WRONG[name])
    assert all("not answered yet" in c for c in checks), checks


@pytest.mark.parametrize("name", NAMES)
def test_key_passes_every_check(name, executed):
    key = nbformat.read(EXERCISES / "solutions" / f"{name}.ipynb", 4)
    student = nbformat.read(EXERCISES / f"{name}.ipynb", 4)
    # the key is the exercise with only the your-turn cells filled in
    assert [c.source for c in key.cells if "your-turn" not in c.metadata.get("tags", [])] == [
        c.source for c in student.cells if "your-turn" not in c.metadata.get("tags", [])
    ]
    nb = executed[name, "key"]
    assert _errors(nb) == []
    checks = _checks(nb)
    assert len(checks) == len(WRONG[name]) and all(c.startswith("✓") for c in checks), checks


@pytest.mark.parametrize("name", NAMES)
def test_wrong_answers_name_the_mistake(name, executed):
    nb = executed[name, "wrong"]
    assert _errors(nb) == []
    for shown, (_, mistake) in zip(_checks(nb), WRONG[name], strict=True):
        assert shown.startswith("✗") and mistake in shown, shown
