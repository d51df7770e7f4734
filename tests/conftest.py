"""Test-suite plumbing: the slow tier for doctests, and the notebooks run in the background.

`pytest` runs everything; `pytest -m "not slow and not notebook"` is the fast tier (see
the README). Tests mark themselves with ``@pytest.mark.slow``; doctests cannot, so the
ones that run a whole story (the tour, an animation) are marked here.

The notebook tests (tests/test_notebooks.py) spend their time waiting for a Jupyter
kernel, a separate process; so do the tests marked ``early_run``, which run a command
(``python -m gradlab ...``) and read what it printed. So that the rest of the suite does
not wait with them, these processes start, one per spare CPU, as soon as collection ends,
in the order their tests will need them; the notebook tests run last. A test module can
also name session fixtures whose work starts then, in ``EARLY = {"fixture": build}`` with
``build(folder)`` returning the fixture's value (the autograder runs of
tests/test_assignment.py); its fixture returns ``early_result("fixture", build)``, and the
tests using it run last too. Each notebook still
gets a fresh kernel started from ``notebooks/``, each command a fresh process in a scratch
folder, with the environment the suite started with.
"""

from __future__ import annotations

import concurrent.futures
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

SLOW_DOCTESTS = {"gradlab.tour.tour", "gradlab.plots._animate.animate_training"}

# A hang guard, not a speed limit: a notebook cell or a command still running after 10
# minutes is stuck (waiting for input, a deadlock). A busy machine makes 1 s take 60 s.
HANG_GUARD = 600

_runs = pytest.StashKey[dict]()
_fixtures = pytest.StashKey[dict]()


def _fresh(folder: Path) -> Path:
    folder.mkdir()
    return folder


def pytest_collection_modifyitems(items):
    for item in items:
        if hasattr(item, "dtest") and item.name in SLOW_DOCTESTS:  # a doctest item
            item.add_marker(pytest.mark.slow)
    # the notebook tests and those of early fixtures last: they run in the background meanwhile
    items.sort(
        key=lambda item: item.get_closest_marker("notebook") is not None or bool(_early(item))
    )


def _early(item) -> dict:
    """The early session fixtures (name -> build) that ``item`` uses."""
    early = getattr(getattr(item, "module", None), "EARLY", {})
    used = getattr(item, "fixturenames", ())
    return {name: build for name, build in early.items() if name in used}


def run_notebook(nb, folder: Path, env: dict[str, str] | None = None):
    """Execute the notebook ``nb`` (read with nbformat) in a fresh python3 kernel in ``folder``.

    Returns ``nb`` with its outputs. A cell that raises makes this raise nbclient's
    CellExecutionError, naming the cell. Kernels started at the same moment can race for
    the same free TCP ports (jupyter_client picks them, then the kernel binds them); the
    loser dies before it answers, before any cell ran, and is started again.
    """
    import nbclient

    env = dict(os.environ) if env is None else env  # jupyter_client wants a mapping
    for attempt in range(3):
        client = nbclient.NotebookClient(
            nb,
            timeout=HANG_GUARD,
            kernel_name="python3",
            resources={"metadata": {"path": str(folder)}},
        )
        try:
            client.execute(env=env)
            return nb
        except RuntimeError as exc:
            if "before replying" not in str(exc) or attempt == 2:
                raise
    return nb


def execute_notebook(path: Path, env: dict[str, str]):
    """Execute the notebook at ``path`` in a fresh kernel started in its folder (see
    :func:`run_notebook`); return it with outputs."""
    import nbformat

    return run_notebook(nbformat.read(path, as_version=4), path.parent, env)


@pytest.fixture(scope="session")
def notebook_runner():
    """:func:`run_notebook`, for tests that execute notebooks of their own."""
    return run_notebook


def run_python(args, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """``python ARGS`` run to the end in ``folder``; the result also carries ``.folder``."""
    run = subprocess.run(
        [sys.executable, *args],
        cwd=folder,
        env=env,
        capture_output=True,
        timeout=HANG_GUARD,
        check=False,
    )
    run.folder = folder
    return run


def _early_job(n: int, item, scratch: Path, environ: dict[str, str]):
    """What to start early for ``item``, the n-th test: (function, arguments), or None."""
    mark = item.get_closest_marker("early_run")
    if mark is not None:
        folder = scratch / f"run{n}"
        folder.mkdir()
        return run_python, (mark.args, folder, {**environ, **mark.kwargs.get("env", {})})
    params = getattr(getattr(item, "callspec", None), "params", {})
    if "executed_notebook" in getattr(item, "fixturenames", ()) and "path" in params:
        path = params["path"]
        # figures the notebooks write go to a scratch folder, not the repository
        folder = scratch / path.stem
        folder.mkdir(exist_ok=True)
        return execute_notebook, (path, {**environ, "GRADLAB_FIGURES_DIR": str(folder)})
    return None


def pytest_collection_finish(session):
    """Start the selected notebooks and early runs, in the order their tests will need them."""
    config = session.config
    if config.option.collectonly or hasattr(config, "workerinput"):
        return  # under pytest-xdist every worker collects every test: run them in place
    scratch = tempfile.TemporaryDirectory(prefix="gradlab-tests-")
    environ = dict(os.environ)  # as the suite started, whatever a test sets later
    jobs = {
        item.nodeid: _early_job(n, item, Path(scratch.name), environ)
        for n, item in enumerate(session.items)
    }
    jobs = {nodeid: job for nodeid, job in jobs.items() if job is not None}
    # the longest work first: the early session fixtures, each once
    builds = {name: build for item in session.items for name, build in _early(item).items()}
    if not jobs and not builds:
        scratch.cleanup()
        return
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, (os.cpu_count() or 2) - 1))
    root = Path(scratch.name)
    config.stash[_fixtures] = {
        name: pool.submit(build, _fresh(root / f"fixture-{name}")) for name, build in builds.items()
    }
    config.stash[_runs] = {nodeid: pool.submit(fn, *args) for nodeid, (fn, args) in jobs.items()}

    def stop():
        pool.shutdown(wait=True, cancel_futures=True)
        scratch.cleanup()

    config.add_cleanup(stop)


def _started(request):
    return request.config.stash.get(_runs, {}).get(request.node.nodeid)


@pytest.fixture
def executed_notebook(request):
    """``executed_notebook(path)``: the notebook at ``path`` after running it in a kernel."""

    def result(path: Path):
        started = _started(request)
        if started is not None:
            return started.result()
        env = {**os.environ, "GRADLAB_FIGURES_DIR": str(request.getfixturevalue("tmp_path"))}
        return execute_notebook(path, env)

    return result


@pytest.fixture
def early_run(request):
    """The finished ``python ARGS`` of the test's ``@pytest.mark.early_run(*ARGS, env={})``.

    A CompletedProcess (bytes output) with ``.folder``, the scratch folder it ran in. It
    started when collection ended, so the test mostly collects the result.
    """
    started = _started(request)
    if started is not None:
        return started.result()
    mark = request.node.get_closest_marker("early_run")
    env = {**os.environ, **mark.kwargs.get("env", {})}
    return run_python(mark.args, request.getfixturevalue("tmp_path"), env)


@pytest.fixture(scope="session")
def early_result(request, tmp_path_factory):
    """``early_result(name, build)``: the value of early session fixture ``name``.

    ``build(folder)`` started when collection ended (see the module docstring); when it did
    not (a single test run by node id, pytest-xdist), it runs now.
    """

    def result(name: str, build):
        started = request.config.stash.get(_fixtures, {}).get(name)
        if started is not None:
            return started.result()
        return build(tmp_path_factory.mktemp(name))

    return result
