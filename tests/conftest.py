"""Test-suite plumbing: the slow tier for doctests, and the notebooks run in the background.

`pytest` runs everything; `pytest -m "not slow and not notebook"` is the fast tier (see
the README). Tests mark themselves with ``@pytest.mark.slow``; doctests cannot, so the
ones that run a whole story (the tour, an animation) are marked here.

The notebook tests (tests/test_notebooks.py) spend their time waiting for a Jupyter
kernel, a separate process. So that the rest of the suite does not wait with them, the
selected notebooks start executing, one kernel per spare CPU, as soon as collection ends,
and their tests run last and collect the results. Each notebook still gets a fresh kernel
started from ``notebooks/``, with the environment the suite started with.
"""

from __future__ import annotations

import concurrent.futures
import os
import tempfile
from pathlib import Path

import pytest

SLOW_DOCTESTS = {"gradlab.tour.tour", "gradlab.plots._animate.animate_training"}

# A hang guard, not a speed limit: a cell still running after 10 minutes is stuck (a
# kernel waiting for input, a deadlock). A busy machine can make a 1-s cell take 60 s.
NOTEBOOK_HANG_GUARD = 600

_runs = pytest.StashKey[dict]()


def pytest_collection_modifyitems(items):
    for item in items:
        if hasattr(item, "dtest") and item.name in SLOW_DOCTESTS:  # a doctest item
            item.add_marker(pytest.mark.slow)
    # the notebook tests last: their kernels run in the background meanwhile
    items.sort(key=lambda item: item.get_closest_marker("notebook") is not None)


def execute_notebook(path: Path, env: dict[str, str]):
    """Execute the notebook at ``path`` in a fresh python3 kernel; return it with outputs.

    The kernel starts in the notebook's folder with environment ``env``. A cell that
    raises makes this raise nbclient's CellExecutionError, naming the cell.
    """
    import nbclient
    import nbformat

    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=NOTEBOOK_HANG_GUARD,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute(env=env)
    return nb


def pytest_collection_finish(session):
    paths = [
        item.callspec.params["path"]
        for item in session.items
        if "executed_notebook" in getattr(item, "fixturenames", ())
        and "path" in getattr(getattr(item, "callspec", None), "params", {})
    ]
    if not paths or session.config.option.collectonly:
        return
    if hasattr(session.config, "workerinput"):
        return  # a pytest-xdist worker: every worker collects every test; run them in place
    scratch = tempfile.TemporaryDirectory(prefix="gradlab-notebooks-")
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, (os.cpu_count() or 2) - 1))
    runs = {}
    for path in paths:
        # figures the notebooks write go to a scratch folder, not the repository
        folder = Path(scratch.name) / path.stem
        folder.mkdir()
        env = {**os.environ, "GRADLAB_FIGURES_DIR": str(folder)}
        runs[path] = pool.submit(execute_notebook, path, env)
    session.config.stash[_runs] = runs

    def stop():
        pool.shutdown(wait=True, cancel_futures=True)
        scratch.cleanup()

    session.config.add_cleanup(stop)


@pytest.fixture
def executed_notebook(request):
    """``executed_notebook(path)``: the notebook at ``path`` after running it in a kernel."""
    runs = request.config.stash.get(_runs, {})

    def result(path: Path):
        if path in runs:
            return runs[path].result()
        env = {**os.environ, "GRADLAB_FIGURES_DIR": str(request.getfixturevalue("tmp_path"))}
        return execute_notebook(path, env)

    return result
