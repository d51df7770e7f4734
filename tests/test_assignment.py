"""The softmax-gradient assignment, built and graded by the real otter-grader and nbgrader.

Each tool builds the assignment once per session (``otter assign``; ``nbgrader
generate_assignment``) into a temporary folder, then grades four submissions made
from the student version: the solution (full marks), a typical buggy one (missing
1/m in the code, a sign error in eq 2: partial marks, with gradlab's diagnosis in
the results), an empty one (zero, no crash) and a hostile one (reads the hidden
tests, writes outside its folder, overwrites gradlab's grading functions: no
points, nothing changed outside its folder).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = ROOT / "assignments" / "softmax_gradient"
NAME = "softmax_gradient"
BIN = Path(sys.executable).parent
INSTALL = 'install the grading extra: pip install -e ".[grading]"'

pytestmark = pytest.mark.slow


def _tool(name: str) -> str:
    # find_spec, not an import: importing otter here would cost seconds the tools spend anyway
    if importlib.util.find_spec("otter" if name == "otter" else "nbgrader") is None:
        pytest.skip(f"{name} is not installed; {INSTALL}")
    exe = BIN / name
    if not exe.exists():
        pytest.skip(f"{name} is not installed next to {sys.executable}; {INSTALL}")
    return str(exe)


def _env() -> dict:
    """The tools and their kernels import this checkout's gradlab and find alembic."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    return env


def _run(args: list, cwd: Path) -> subprocess.CompletedProcess:
    out = subprocess.run(
        args, check=False, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, f"{args[:3]} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out


# ----------------------------------------------------------------- the submissions

SOLUTION = {
    "q1": r'eq2_answer = r"f_k - \mathbb{I}(y_i = k)"',
    "q2": r'eq3_answer = r"\frac{1}{m} \sum_{i=1}^{m} (f_k - \mathbb{I}(y_i = k)) x_i"',
    "q3": """\
def loss_and_gradient(W, b, X, y):
    m = X.shape[0]
    Z = X @ W + b
    F = np.exp(Z - Z.max(axis=1, keepdims=True))
    F /= F.sum(axis=1, keepdims=True)
    J = -np.mean(np.log(F[np.arange(m), y]))
    G = F - np.eye(W.shape[1])[y]
    return J, X.T @ G / m, G.sum(axis=0) / m""",
    "q4": """\
def my_gradient(W, b, X, y):
    return loss_and_gradient(W, b, X, y)[1:]


report = gradlab.check_softmax_gradient(my_gradient, X=X_check, y=y_check)""",
    "q5": """\
X_scaled = datasets.standardize(X_train)
model = SoftmaxRegression(lr=1.0, epochs=300).fit(X_scaled, y_train)


def classify(X_new):
    return model.predict(datasets.standardize(X_new, reference=X_train))""",
    "q6": "plot_decision_boundary(model, X_scaled, y_train);",
}
BUGGY = {
    **SOLUTION,
    "q1": r'eq2_answer = r"\mathbb{I}(y_i = k) - f_k"',  # sign error
    "q3": SOLUTION["q3"].replace(
        "return J, X.T @ G / m, G.sum(axis=0) / m", "return J, X.T @ G, G.sum(axis=0)"
    ),
}
PATCH_GRADLAB = """\
try:  # overwrite gradlab's grading so that every test passes
    import gradlab
    import gradlab.grading
    from gradlab.grading import Grade

    def full_marks(*args, **kwargs):
        return Grade("hacked", 1.0, True, "full marks")

    for name in ["grade", "grade_answer", "grade_gradient", "grade_loss", "grade_accuracy",
                 "grade_own_check", "grade_threshold"]:
        setattr(gradlab.grading, name, full_marks)
    Grade.require = lambda self, part=None: None
    Grade.points = lambda self, max_points: max_points
    Grade.answered = lambda self: self
    gradlab.check_answer = full_marks
    print("patched gradlab")
except Exception as exc:
    print("patching failed:", exc)
"""


def hostile(outside: Path) -> dict:
    """Answers that try to cheat; ``outside`` is a file in the course folder."""
    attacks = f"""\
import glob, os
for path in glob.glob("tests/*.py"):  # otter's tests, inside the folder: reading gains nothing
    print("read", path, len(open(path).read()))
attempts = {{
    "read the instructor's notebook": lambda: open(
        "../../../source/softmax_gradient/softmax_gradient.ipynb").read(),
    "read the gradebook": lambda: open("../../../gradebook.db", "rb").read(),
    "overwrite a file outside": lambda: open({str(outside)!r}, "w").write("hacked"),
    "create a file outside": lambda: open({str(outside.parent / "escaped.txt")!r}, "w").write("x"),
    "create a file above": lambda: open("../../escaped.txt", "w").write("x"),
    "make a test pass": lambda: open("tests/q1.py", "w").write("OK_FORMAT = False"),
    "plant a module": lambda: open("gradlab.py", "w").write("raise SystemExit"),
    "run a program": lambda: os.system("touch {outside.parent / "pwned"}"),
    "remove a file outside": lambda: os.remove({str(outside)!r}),
}}
for what, attempt in attempts.items():
    try:
        attempt()
        print(what, "succeeded")
    except Exception as exc:
        print(what, "refused:", exc)
"""
    return {
        "q1": attacks,
        "q2": PATCH_GRADLAB,
        "q3": "def loss_and_gradient(W, b, X, y):\n    return 0.0, 0 * W, 0 * b",
        "q4": "from types import SimpleNamespace\nreport = SimpleNamespace(verdict='pass')",
        "q5": "def classify(X_new):\n    return np.zeros(len(X_new), dtype=int)",
        "q6": "",
    }


def _answer_cells(nb) -> dict:
    """The code cells a student writes in, by question (q1..q6), in either tool's format."""
    cells = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            cells[meta["grade_id"].split("_")[0]] = cell
        elif "otter_answer_cell" in cell.metadata.get("tags", []):
            cells[f"q{len(cells) + 1}"] = cell
    assert sorted(cells) == ["q1", "q2", "q3", "q4", "q5", "q6"], sorted(cells)
    return cells


def make_submission(student_nb: Path, answers: dict | None, dest: Path) -> Path:
    nb = nbformat.read(student_nb, as_version=4)
    for q, cell in _answer_cells(nb).items():
        if answers is not None:
            cell.source = answers[q]
    dest.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest)
    return dest


KINDS = ("solution", "buggy", "empty", "hostile")
PARALLEL = 2  # gradings at once


def _answers(kind: str, outside: Path):
    return {"solution": SOLUTION, "buggy": BUGGY, "empty": None, "hostile": hostile(outside)}[kind]


def _snapshot(folder: Path) -> dict:
    return {p: p.read_bytes() for p in folder.iterdir() if p.is_file()}


# ----------------------------------------------------------------- otter-grader


def grade_with_otter(folder: Path) -> dict:
    """Build the assignment with otter assign and grade the four submissions in ``folder``."""
    otter = _tool("otter")
    course = folder / "otter_course"
    course.mkdir()
    shutil.copy(ASSIGNMENT / "otter" / f"{NAME}.ipynb", course)
    _run([otter, "assign", "--no-run-tests", f"{NAME}.ipynb", "dist"], cwd=course)
    autograder = next((course / "dist" / "autograder").glob("*.zip"))
    outside = course / "outside.txt"
    outside.write_text("original")
    before = _snapshot(course)
    subs = {
        kind: make_submission(course / "dist" / "student" / f"{NAME}.ipynb",
                              _answers(kind, outside), course / "subs" / kind / f"{NAME}.ipynb")
        for kind in KINDS
    }  # fmt: skip

    def grade(kind):
        out = course / "results" / kind
        out.mkdir(parents=True)
        if kind == "buggy":  # through gradlab's Gradescope command, which runs `otter run`
            _run([sys.executable, "-m", "gradlab.cli", "grade", str(subs[kind]), "--assignment",
                  str(course / "dist"), "--out", str(out / "results.json")], cwd=course)  # fmt: skip
        else:
            _run([otter, "run", "--no-logo", "-a", str(autograder), "-o", str(out),
                  str(subs[kind])], cwd=course)  # fmt: skip
        return kind, json.loads((out / "results.json").read_text())

    # otter run mostly waits (kernel start-up, its logging server): two at a time; four
    # kernels starting at once on a loaded 2-core machine can miss the kernel start timeout
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        results = dict(pool.map(grade, KINDS))
    return {"results": results, "course": course, "before": before, "outside": outside}


@pytest.fixture(scope="session")
def otter_graded(early_result):
    return early_result("otter_graded", grade_with_otter)


def _otter_scores(results: dict) -> dict:
    return {t["name"]: t["score"] for t in results["tests"] if t["name"] != "Public Tests"}


TOP_KEYS = {"score", "tests", "output", "visibility", "stdout_visibility", "execution_time",
            "extra_data", "leaderboard", "output_format"}  # fmt: skip
TEST_KEYS = {"name", "score", "max_score", "output", "visibility", "status", "number", "tags",
             "extra_data", "name_format", "output_format"}  # fmt: skip
VISIBLE = {"hidden", "after_due_date", "after_published", "visible"}


def check_gradescope_format(results: dict) -> None:
    """Gradescope's results.json specification, written out as checks."""
    assert isinstance(results, dict) and set(results) <= TOP_KEYS, set(results) - TOP_KEYS
    assert isinstance(results["tests"], list) and results["tests"]
    number = (int, float)
    for test in results["tests"]:
        assert {"name", "score", "max_score", "output", "visibility"} <= set(test) <= TEST_KEYS
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], number) and isinstance(test["max_score"], number)
        assert 0 <= test["score"] <= test["max_score"] or test["max_score"] == 0
        assert test["visibility"] in VISIBLE
    assert isinstance(results["score"], number)
    assert results["score"] == sum(t["score"] for t in results["tests"])
    assert results.get("stdout_visibility", "hidden") in VISIBLE


def test_otter_student_version_hides_solutions_and_hidden_tests(otter_graded):
    student = (otter_graded["course"] / "dist" / "student" / f"{NAME}.ipynb").read_text()
    assert r"f_k - \\mathbb{I}(y_i = k)" not in student
    assert "X / m" not in student and "2022" not in student  # hidden data seed
    nb = nbformat.read(otter_graded["course"] / "dist" / "student" / f"{NAME}.ipynb", 4)
    assert _answer_cells(nb)["q1"].source == "eq2_answer = ..."


def test_otter_solution_gets_full_marks(otter_graded):
    scores = _otter_scores(otter_graded["results"]["solution"])
    assert scores == {"q1": 3, "q2": 3, "q3": 6, "q4": 1, "q5": 3}


def test_gradlab_grade_writes_gradescope_results(otter_graded):
    results = otter_graded["results"]["buggy"]  # written by `gradlab grade`
    check_gradescope_format(results)
    assert results["score"] == 10
    with pytest.raises(AssertionError):  # the check can fail: otter's own file has no score
        check_gradescope_format(otter_graded["results"]["solution"])


def test_otter_buggy_gets_partial_marks_and_gradlab_diagnosis(otter_graded):
    results = otter_graded["results"]["buggy"]
    scores = _otter_scores(results)
    # q1: understood (1) but the sign is wrong (0 of 2); q3: J right (1 + 1), dW and b wrong
    assert scores == {"q1": 1, "q2": 3, "q3": 2, "q4": 1, "q5": 3}
    outputs = {t["name"]: t.get("output", "") for t in results["tests"]}
    assert "hint: Sign error." in outputs["q1"]
    assert "forgot to divide by m = 37?" in outputs["q3"]
    assert "W and b wrong" in outputs["q3"]


def test_otter_empty_gets_zero(otter_graded):
    results = otter_graded["results"]["empty"]
    assert set(_otter_scores(results).values()) == {0}
    assert "not answered yet" in json.dumps(results)


def test_otter_hostile_gains_nothing_and_changes_nothing_outside(otter_graded):
    assert set(_otter_scores(otter_graded["results"]["hostile"]).values()) == {0}
    course = otter_graded["course"]
    assert otter_graded["outside"].read_text() == "original"
    assert not (course / "escaped.txt").exists() and not (course / "pwned").exists()
    assert _snapshot(course) == otter_graded["before"]


# ----------------------------------------------------------------- nbgrader


def grade_with_nbgrader(folder: Path) -> dict:
    """Build the course with nbgrader and autograde the four submissions in ``folder``."""
    nbgrader = _tool("nbgrader")
    course = folder / "nbgrader_course"
    course.mkdir()
    shutil.copytree(ASSIGNMENT / "nbgrader", course, dirs_exist_ok=True)
    _run([nbgrader, "generate_assignment", NAME], cwd=course)

    def grade(kind):
        """Autograde one submission in its own copy of the course (gradebook included)."""
        copy = folder / f"nbgrader_{kind}"
        copy.mkdir()
        shutil.copytree(course, copy, dirs_exist_ok=True)
        outside = copy / "outside.txt"
        outside.write_text("original")
        make_submission(copy / "release" / NAME / f"{NAME}.ipynb", _answers(kind, outside),
                        copy / "submitted" / kind / NAME / f"{NAME}.ipynb")  # fmt: skip
        before = _snapshot(copy)
        _run([nbgrader, "autograde", NAME, "--create"], cwd=copy)
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{copy / 'gradebook.db'}") as gb:
            notebook = gb.find_submission(NAME, kind).notebooks[0]
            grades = {g.name: g.score for g in notebook.grades}
        nb = nbformat.read(copy / "autograded" / kind / NAME / f"{NAME}.ipynb", 4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        printed = "".join(o.get("text", "") for c in code for o in c.outputs)
        outputs = {
            c.metadata["nbgrader"]["grade_id"]: "".join(o.get("text", "") for o in c.outputs)
            for c in code
            if c.metadata.get("nbgrader", {}).get("grade")
        }
        return kind, {"grades": grades, "outputs": outputs, "printed": printed, "course": copy,
                      "before": before, "outside": outside}  # fmt: skip

    # autograde mostly waits on kernels: two submissions at a time, one course copy each
    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        graded = dict(pool.map(grade, KINDS))
    return {"course": course, **graded}


@pytest.fixture(scope="session")
def nbgrader_graded(early_result):
    return early_result("nbgrader_graded", grade_with_nbgrader)


# the real tools mostly wait (kernels, otter's logging server): they start when collection
# ends and run beside the rest of the suite (tests/conftest.py)
EARLY = {"otter_graded": grade_with_otter, "nbgrader_graded": grade_with_nbgrader}

AUTOGRADED = ("q1_tests", "q2_tests", "q3_tests", "q4_tests", "q5_tests")


def _nbgrader_scores(graded: dict, kind: str) -> dict:
    return {k: graded[kind]["grades"][k] for k in AUTOGRADED}


def test_nbgrader_release_hides_solutions_and_hidden_tests(nbgrader_graded):
    release = (nbgrader_graded["course"] / "release" / NAME / f"{NAME}.ipynb").read_text()
    assert r"f_k - \\mathbb{I}(y_i = k)" not in release
    assert "2022" not in release and "BEGIN HIDDEN TESTS" not in release


def test_nbgrader_solution_gets_full_marks(nbgrader_graded):
    scores = _nbgrader_scores(nbgrader_graded, "solution")
    assert scores == dict(zip(AUTOGRADED, (3.0, 3.0, 6.0, 1.0, 3.0), strict=True))


def test_nbgrader_buggy_gets_partial_credit_with_feedback(nbgrader_graded):
    scores = _nbgrader_scores(nbgrader_graded, "buggy")
    assert scores == dict(zip(AUTOGRADED, (1.0, 3.0, 2.0, 1.0, 3.0), strict=True))
    out = nbgrader_graded["buggy"]["outputs"]
    assert "hint: Sign error." in out["q1_tests"]
    assert "forgot to divide by m = 37?" in out["q3_tests"]


def test_nbgrader_empty_gets_zero(nbgrader_graded):
    assert set(_nbgrader_scores(nbgrader_graded, "empty").values()) == {0.0}


def test_nbgrader_hostile_gains_nothing_and_changes_nothing_outside(nbgrader_graded):
    assert set(_nbgrader_scores(nbgrader_graded, "hostile").values()) == {0.0}
    hostile = nbgrader_graded["hostile"]
    printed = hostile["printed"]
    assert "patched gradlab" in printed  # the overwrite happened, and graded nothing
    assert printed.count("refused: grading:") == 9 and "succeeded" not in printed, printed
    course = hostile["course"]
    assert hostile["outside"].read_text() == "original"
    assert not (course / "escaped.txt").exists() and not (course / "pwned").exists()
    after = _snapshot(course)
    after.pop(course / "gradebook.db")  # nbgrader's own records
    before = dict(hostile["before"])
    before.pop(course / "gradebook.db", None)
    assert after == before
