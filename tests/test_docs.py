"""Every public function and class documents itself with a runnable example; the
README's Quickstart is what CI runs; the sdist carries what its tests need.

The examples themselves run as doctests (pytest's --doctest-modules over gradlab/);
this test makes sure none is missing.
"""

import importlib
import inspect
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

import gradlab

MODULES = [
    "gradlab.answers",
    "gradlab.datasets",
    "gradlab.numeric",
    "gradlab.plots",
    "gradlab.symbolic",
    "gradlab.train",
]


def public_objects():
    seen = {}
    for name in gradlab.__all__:
        obj = getattr(gradlab, name)
        if not inspect.ismodule(obj):
            seen[f"gradlab.{name}"] = obj
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                seen.setdefault(f"{module_name}.{name}", obj)
    return sorted(seen.items())


# warnings and exceptions explain themselves in their messages
PUBLIC = [
    (name, obj)
    for name, obj in public_objects()
    if not (inspect.isclass(obj) and issubclass(obj, BaseException))
]


@pytest.mark.parametrize(("name", "obj"), PUBLIC, ids=[name for name, _ in PUBLIC])
def test_public_object_has_a_numpydoc_docstring_with_an_example(name, obj):
    doc = inspect.getdoc(obj) or ""
    assert doc, f"{name} has no docstring"
    assert "Examples\n--------" in doc, f"{name}'s docstring has no Examples section"
    assert ">>> " in doc.split("Examples\n--------", 1)[1], f"{name}'s example has no code"


def test_every_name_in_all_is_importable_from_the_top_level():
    for name in gradlab.__all__:
        assert getattr(gradlab, name) is not None


ROOT = Path(__file__).resolve().parent.parent


def quickstart_commands() -> list[str]:
    """The lines of the README's Quickstart code block."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_ci_runs_the_quickstart_verbatim():
    # CI installs exactly as a newcomer does: the same lines, in the same order
    commands = quickstart_commands()
    assert len(commands) == 2, commands
    install, test = commands
    # a virtual environment first: system Pythons under PEP 668 refuse a bare pip install
    assert install.startswith("python3 -m venv .venv && . .venv/bin/activate && pip install")
    assert install.endswith("gradlab tour") and test == "pytest"
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert ci.index(install) < ci.index(test)


def test_the_venvs_are_git_ignored():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert {".venv/", ".ci-venv/"} <= set(ignored)


@pytest.mark.slow
def test_the_sdist_ships_what_its_tests_need(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    (sdist,) = tmp_path.glob("gradlab-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    needed = {"README.md", "pyproject.toml", "gradlab/data/iris.csv"}
    needed |= {str(p.relative_to(ROOT)) for p in ROOT.glob("tests/*.py")}
    needed |= {str(p.relative_to(ROOT)) for p in ROOT.glob("notebooks/*.ipynb")}
    assert needed <= names, sorted(needed - names)
