"""Every classroom notebook runs top to bottom in a real Jupyter kernel.

The notebooks are committed without outputs; here each one is executed with
nbclient (kernel ``python3``) from inside ``notebooks/`` and must finish
within the timeout with no error output.
"""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the dev extra installs nbformat")
nbclient = pytest.importorskip("nbclient", reason="the dev extra installs nbclient")

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
# Per-cell limit; whole-notebook run times are measured in benchmarks/bench_notebooks.py.
TIMEOUT = 60


def test_the_six_classroom_notebooks_exist():
    names = [nb.name for nb in NOTEBOOKS]
    assert names == [
        "01_derive_softmax_gradient.ipynb",
        "02_gradient_checking.ipynb",
        "03_training_and_decision_boundaries.ipynb",
        "04_check_your_homework.ipynb",
        "05_lecture_figures.ipynb",
        "06_backpropagation.ipynb",
    ]


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_notebook_runs_cleanly(path, tmp_path, monkeypatch):
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        f"{path.name} is committed with outputs; clear them"
    )
    first = nb.cells[0]
    assert first.cell_type == "markdown" and "teaches" in first.source.lower(), (
        f"{path.name} must say what it teaches in its first cell"
    )
    # figures the notebooks write go to a scratch folder, not the repository
    monkeypatch.setenv("GRADLAB_FIGURES_DIR", str(tmp_path))
    client = nbclient.NotebookClient(
        nb,
        timeout=TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
        or (out.output_type == "stream" and out.name == "stderr" and "Traceback" in out.text)
    ]
    assert not errors, f"{path.name} produced errors: {errors[:1]}"
