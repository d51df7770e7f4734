"""Write the softmax-gradient assignment in otter-grader's and nbgrader's formats.

The questions, solutions and tests are defined once, here; run this file after
editing them:

    python assignments/softmax_gradient/make_notebooks.py

It writes ``otter/softmax_gradient.ipynb`` (an otter-assign master notebook) and
``nbgrader/source/softmax_gradient/softmax_gradient.ipynb`` (an nbgrader source
notebook). Every test grades with :mod:`gradlab.grading`, so the failure message a
student sees is gradlab's feedback. Each test first drops gradlab from
``sys.modules`` and imports it again from disk: functions a submission overwrote
in memory are not the ones that grade it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
NAME = "softmax_gradient"

FRESH_GRADLAB = (
    "import sys\n\n"
    "# grade with gradlab as installed, not with anything the notebook changed in memory\n"
    'for name in [n for n in sys.modules if n.split(".")[0] == "gradlab"]:\n'
    "    del sys.modules[name]\n"
)


@dataclass(frozen=True)
class Test:
    """One test case: ``grade`` is an expression giving a gradlab Grade."""

    name: str
    points: int
    hidden: bool
    args: tuple  # the notebook variables the test reads
    setup: str  # code before the grade (hidden data ...), may be ""
    grade: str
    part: str | None = None  # a parameter of a gradient Grade (otter: one test case each)


@dataclass(frozen=True)
class Question:
    name: str
    prompt: str  # markdown
    solution: str  # code; the lines between "# BEGIN SOLUTION" and "# END SOLUTION" are removed
    tests: tuple = ()
    manual_points: int = 0
    written: str = ""  # a written (markdown) answer, graded by hand


INTRO = """\
# Homework: the gradient of softmax regression

This homework follows the lecture note *Gradient of Softmax Regression*: the loss

$$J(\\mathbf{W}) = -\\frac{1}{m} \\sum_{i=1}^m \\sum_{j=1}^C \\mathbb{I}(y_i = j)
\\log f_j(\\mathbf{x}_i), \\qquad f_j = \\frac{\\exp(z_j)}{\\sum_{c=1}^C \\exp(z_c)},
\\quad z_j = \\mathbf{w}_j^\\top \\mathbf{x}_i + b_j. \\tag{1}$$

Type derivatives as text, in LaTeX or plain notation, e.g. `\\frac{e^{z_k}}{\\sum_c e^{z_c}}`,
`\\mathbb{I}(y_i = j)` or `(1/m) sum_i (...) x_i`. Run the whole notebook before you hand it in."""

SETUP = """\
import numpy as np

import gradlab
from gradlab import SoftmaxRegression, datasets
from gradlab.plots import plot_decision_boundary

# a small problem for checking gradients: m = 20 samples, d = 3 features, C = 4 classes
rng = np.random.default_rng(0)
X_check, y_check = rng.normal(size=(20, 3)), rng.integers(0, 4, size=20)

# the training set: 4 classes; the second feature is in other units (x 100, shifted)
X_train, y_train = datasets.make_blobs(n_samples=300, n_classes=4, spread=1.2, seed=0)
X_train = X_train * [1, 100] + [0, 500]"""

HIDDEN_DATA = (
    "rng = np.random.default_rng(2022)\n"
    "X, y = rng.normal(size=(37, 5)), rng.integers(0, 4, size=37)\n"
)

QUESTIONS = (
    Question(
        "q1",
        "**Question 1 (eq 2).** Type $\\partial J_i / \\partial z_k$, the derivative of one "
        "sample's loss with respect to the logit $z_k$, as a string `eq2_answer`.",
        '# BEGIN SOLUTION\neq2_answer = r"f_k - \\mathbb{I}(y_i = k)"\n# END SOLUTION',
        (
            Test(
                "eq2 understood",
                1,
                False,
                ("eq2_answer",),
                "",
                'grade_answer(eq2_answer, "softmax_dz", name="eq (2)").answered()',
            ),
            Test(
                "eq2 correct",
                2,
                True,
                ("eq2_answer",),
                "",
                'grade_answer(eq2_answer, "softmax_dz", name="eq (2)")',
            ),
        ),
    ),
    Question(
        "q2",
        "**Question 2 (eq 3).** Type $\\partial J / \\partial \\mathbf{w}_k$, the gradient of "
        "the whole loss with respect to the weights of class $k$, as a string `eq3_answer`.",
        '# BEGIN SOLUTION\neq3_answer = r"\\frac{1}{m} \\sum_i (f_k - \\mathbb{I}(y_i = k)) x_i"\n'
        "# END SOLUTION",
        (
            Test(
                "eq3 understood",
                1,
                False,
                ("eq3_answer",),
                "",
                'grade_answer(eq3_answer, "softmax_dw", name="eq (3)").answered()',
            ),
            Test(
                "eq3 correct",
                2,
                True,
                ("eq3_answer",),
                "",
                'grade_answer(eq3_answer, "softmax_dw", name="eq (3)")',
            ),
        ),
    ),
    Question(
        "q3",
        "**Question 3.** Implement `loss_and_gradient(W, b, X, y)`: the loss $J$ (eq 1) and "
        "its gradients `dW` (shape $(d, C)$, eq 3) and `db` (shape $(C,)$), vectorized (no "
        "loop over samples). `X` is $(m, d)$, `y` holds labels $0..C-1$.",
        '''def loss_and_gradient(W, b, X, y):
    """Return J, dJ/dW and dJ/db for softmax regression."""
    # BEGIN SOLUTION
    m = X.shape[0]
    Z = X @ W + b
    Z = Z - Z.max(axis=1, keepdims=True)  # for stability; f does not change
    F = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    J = -np.log(F[np.arange(m), y]).mean()
    G = F.copy()
    G[np.arange(m), y] -= 1  # eq (2): f_k - I(y_i = k)
    dW = X.T @ G / m  # eq (3)
    db = G.sum(axis=0) / m
    return J, dW, db
    # END SOLUTION''',
        (
            Test(
                "loss on X_check",
                1,
                False,
                ("loss_and_gradient", "X_check", "y_check"),
                "",
                'grade_loss(loss_and_gradient, X_check, y_check, name="J on X_check")',
            ),
            Test(
                "loss on hidden data",
                1,
                True,
                ("loss_and_gradient",),
                HIDDEN_DATA,
                'grade_loss(loss_and_gradient, X, y, name="J on hidden data")',
            ),
            Test(
                "dW on hidden data",
                2,
                True,
                ("loss_and_gradient",),
                HIDDEN_DATA,
                'grade_gradient(loss_and_gradient, X, y, name="dW, db on hidden data")',
                part="W",
            ),
            Test(
                "db on hidden data",
                2,
                True,
                ("loss_and_gradient",),
                HIDDEN_DATA,
                'grade_gradient(loss_and_gradient, X, y, name="dW, db on hidden data")',
                part="b",
            ),
        ),
    ),
    Question(
        "q4",
        "**Question 4.** Check your own `loss_and_gradient` with "
        "`gradlab.check_softmax_gradient` on `X_check, y_check`, and keep the report in "
        "`report`. (It takes a function returning `(dW, db)`.)",
        "def my_gradient(W, b, X, y):\n"
        "    return loss_and_gradient(W, b, X, y)[1:]\n\n\n"
        "# BEGIN SOLUTION\n"
        "report = gradlab.check_softmax_gradient(my_gradient, X=X_check, y=y_check)\n"
        "# END SOLUTION\n"
        "report",
        (
            Test(
                "your own check",
                1,
                False,
                ("report", "loss_and_gradient", "X_check", "y_check"),
                "",
                "grade_own_check(report, loss_and_gradient, X_check, y_check)",
            ),
        ),
    ),
    Question(
        "q5",
        "**Question 5.** Train a `SoftmaxRegression` `model` on `X_train, y_train` and write "
        "`classify(X_new)`, which returns the predicted labels of new points given in the "
        "same units as `X_train`. It must reach 90% accuracy on points you have not seen. "
        "(Look at the scales of the two features first.)",
        "# BEGIN SOLUTION\n"
        "X_scaled = datasets.standardize(X_train)\n"
        "model = SoftmaxRegression(lr=0.5, epochs=200).fit(X_scaled, y_train)\n"
        "# END SOLUTION\n\n\n"
        "def classify(X_new):\n"
        '    """The predicted labels of new points, in the units of X_train."""\n'
        "    # BEGIN SOLUTION\n"
        "    return model.predict(datasets.standardize(X_new, reference=X_train))\n"
        "    # END SOLUTION",
        (
            Test(
                "training accuracy",
                1,
                False,
                ("classify", "X_train", "y_train"),
                "",
                'grade_accuracy(classify, X_train, y_train, 0.9, name="training accuracy")',
            ),
            Test(
                "held-out accuracy",
                2,
                True,
                ("classify",),
                "X_test, y_test = datasets.make_blobs(n_samples=300, n_classes=4, spread=1.2, "
                "seed=2022)\nX_test = X_test * [1, 100] + [0, 500]\n",
                'grade_accuracy(classify, X_test, y_test, 0.9, name="held-out accuracy")',
            ),
        ),
    ),
    Question(
        "q6",
        "**Question 6 (graded by hand).** Draw the decision boundary of your model on the "
        "standardized training set with `plot_decision_boundary(model, X, y)`. Which two "
        "classes does the model confuse most, and why there?",
        "# BEGIN SOLUTION\n"
        "plot_decision_boundary(model, datasets.standardize(X_train), y_train);\n"
        "# END SOLUTION",
        written="Neighbouring classes on the circle, e.g. 0 and 1: their blobs overlap "
        "where the centres are closest, and the straight boundary between them cuts "
        "through that overlap, so the points on the wrong side are there.",
        manual_points=2,
    ),
)


# --------------------------------------------------------------------------- otter


def _otter_solution(code: str) -> str:
    """A one-line solution block becomes ``name = value  # SOLUTION`` (the student gets
    ``name = ...``); a longer block stays a block (the student gets ``...``)."""
    lines = code.splitlines()
    out, i = [], 0
    while i < len(lines):
        ln = lines[i]
        one_line = (
            ln.strip() == "# BEGIN SOLUTION"
            and i + 2 < len(lines)
            and lines[i + 2].strip() == "# END SOLUTION"
            and re.match(r"\s*\w+ = ", lines[i + 1])
        )
        if one_line:
            out.append(lines[i + 1] + "  # SOLUTION")
            i += 3
            continue
        out.append(ln)
        i += 1
    return "\n".join(out)


def _imports(setup: str, helpers) -> str:
    """Fresh imports of what a test uses, sorted as ruff's isort wants them."""
    lines = ["import numpy as np\n"] if "np." in setup else []
    lines += ["from gradlab import datasets"] if "datasets." in setup else []
    lines.append(f"from gradlab.grading import {', '.join(sorted(helpers))}\n")
    return FRESH_GRADLAB + "\n".join(lines) + "\n"


def _otter_test(test: Test) -> str:
    config = f'""" # BEGIN TEST CONFIG\npoints: {test.points}\nhidden: {str(test.hidden).lower()}\n"""  # END TEST CONFIG\n\n\n'
    part = f'"{test.part}"' if test.part else ""
    body = (_imports(test.setup, [test.grade.split("(", 1)[0]]) + test.setup
            + f"({test.grade}).require({part})\n")  # fmt: skip
    fn = re.sub(r"\W+", "_", test.name)
    return config + f"def test_{fn}({', '.join(test.args)}):\n" + textwrap.indent(body, "    ")


def otter_notebook() -> nbformat.NotebookNode:
    raw, md, code = (
        nbformat.v4.new_raw_cell,
        nbformat.v4.new_markdown_cell,
        nbformat.v4.new_code_cell,
    )
    cells = [
        raw(
            "# ASSIGNMENT CONFIG\n"
            f"name: {NAME}\n"
            "init_cell: true\n"
            "check_all_cell: false\n"
            "export_cell: false\n"
            "solutions_pdf: false\n"
            "tests:\n  files: false\n  ok_format: false\n"
            "plugins:\n  - gradlab.grading.otter.ConfineSubmission\n"
            "generate:\n  pdf: false\n"
        ),
        md(INTRO),
        code(SETUP),
    ]
    for q in QUESTIONS:
        points = f"points: {q.manual_points}\nmanual: true\n" if q.manual_points else ""
        cells.append(raw(f"# BEGIN QUESTION\nname: {q.name}\n{points}"))
        cells.append(md(q.prompt))
        cells.append(raw("# BEGIN SOLUTION"))
        cells.append(code(_otter_solution(q.solution)))
        if q.written:
            cells.append(md(q.written))
        cells.append(raw("# END SOLUTION"))
        if q.tests:
            cells.append(raw("# BEGIN TESTS"))
            cells += [code(_otter_test(t)) for t in q.tests]
            cells.append(raw("# END TESTS"))
        cells.append(raw("# END QUESTION"))
    return _notebook(cells)


# --------------------------------------------------------------------------- nbgrader


def _meta(grade_id: str, *, solution=False, grade=False, locked=False, points=0) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}  # fmt: skip
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def _nbgrader_solution(code: str) -> str:
    return code.replace("# BEGIN SOLUTION", "### BEGIN SOLUTION").replace(
        "# END SOLUTION", "### END SOLUTION"
    )


def _nbgrader_test(q: Question, tests: tuple) -> str:
    """One test cell per question: prints gradlab's feedback, ends with the points earned."""
    public = [t for t in tests if not t.hidden]
    hidden = [t for t in tests if t.hidden]
    helpers = {t.grade.split("(", 1)[0] for t in tests}
    lines = [_imports("".join(t.setup for t in tests), helpers) + "points = 0.0"]

    def block(ts):
        out = []
        done = set()
        for t in ts:
            if t.setup and t.setup not in done:
                out.append(t.setup.rstrip())
                done.add(t.setup)
            key = t.grade
            if t.part and key in done:
                continue  # one gradient grade scores W and b together (per parameter)
            done.add(key)
            pts = sum(u.points for u in ts if u.grade == key)
            out += [f"grade = {t.grade}", "print(grade.feedback)", f"points += grade.points({pts})"]
        return out

    lines += block(public)
    if hidden:
        lines += ["### BEGIN HIDDEN TESTS", *block(hidden), "### END HIDDEN TESTS"]
    lines.append("points")
    return "\n".join(lines)


def nbgrader_notebook() -> nbformat.NotebookNode:
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    cells = [
        md(INTRO, metadata=_meta("intro", locked=True)),
        code(SETUP, metadata=_meta("setup", locked=True)),
    ]
    for q in QUESTIONS:
        cells.append(md(q.prompt, metadata=_meta(f"{q.name}_prompt", locked=True)))
        if q.manual_points:
            cells.append(code(_nbgrader_solution(q.solution),
                              metadata=_meta(f"{q.name}_figure", solution=True)))  # fmt: skip
            cells.append(md(q.written, metadata=_meta(
                f"{q.name}_answer", solution=True, grade=True, points=q.manual_points)))  # fmt: skip
            continue
        cells.append(code(_nbgrader_solution(q.solution), metadata=_meta(q.name, solution=True)))
        points = sum(t.points for t in q.tests)
        cells.append(code(_nbgrader_test(q, q.tests),
                          metadata=_meta(f"{q.name}_tests", grade=True, locked=True, points=points)))  # fmt: skip
    return _notebook(cells)


def _notebook(cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def write(root: Path = HERE) -> list[Path]:
    """Write both notebooks under ``root`` (formatted by ruff when it is installed)."""
    paths = [
        (root / "otter" / f"{NAME}.ipynb", otter_notebook()),
        (root / "nbgrader" / "source" / NAME / f"{NAME}.ipynb", nbgrader_notebook()),
    ]
    for path, nb in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"{NAME}-{i}"  # stable ids: rewriting gives the same file
            cell["source"] = cell["source"].rstrip("\n")  # as ruff format leaves code cells
        nbformat.write(nb, path)
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if Path(ruff).exists():  # the repository's style, so that `ruff format --check` passes
        subprocess.run([ruff, "format", "--quiet", *(str(p) for p, _ in paths)], check=True)
    return [p for p, _ in paths]


if __name__ == "__main__":
    for path in write():
        print(f"wrote {path.relative_to(HERE)}")
