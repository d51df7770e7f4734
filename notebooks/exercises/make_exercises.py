"""Write the exercise notebooks and their solution key from one definition.

    python notebooks/exercises/make_exercises.py

Each exercise is a list of cells; a "your turn" cell has the student's stub and the
key's answer, and is tagged ``your-turn`` so that tests can fill it in. The check
cell after it calls gradlab and shows the feedback at once. The students' notebooks
go to ``notebooks/exercises/``, the instructors' key to ``notebooks/exercises/solutions/``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from gradlab.grading.exercises import QUESTIONS

HERE = Path(__file__).resolve().parent
TAG = "your-turn"
KEY = {name: q.answer for name, q in QUESTIONS.items() if not callable(q.answer)}


def md(text):
    return ("md", text)


def code(text):
    return ("code", text)


def turn(stub, key):
    """A cell the student fills in: ``stub`` for the student, ``key`` for the key."""
    return ("turn", stub, key)


EQ1 = r"""$$J(\mathbf{W}) = -\frac{1}{m} \sum_{i=1}^m \sum_{j=1}^C \mathbb{I}(y_i = j)
\log f_j(\mathbf{x}_i), \qquad f_j = \frac{\exp(z_j)}{\sum_{c=1}^C \exp(z_c)},
\quad z_j = \mathbf{w}_j^\top \mathbf{x}_i + b_j \tag{1}$$"""

EXERCISES = {
    "01_derive_and_vectorize": [
        md(
            "# Exercise 1: derive the gradient, then vectorize it\n\n"
            "The loss of softmax regression (lecture note, eq 1):\n\n" + EQ1 + "\n\n"
            "Type derivatives as text, in LaTeX or plain notation: `\\frac{1}{m}`, "
            "`\\sum_i`, `\\mathbb{I}(y_i = k)`, `f_k`, `x_i` ... Run the cell below each "
            "answer to check it."
        ),
        code("import numpy as np\n\nfrom gradlab.grading import grade_answer, grade_gradient"),
        md(
            "## 1. One sample: eq (2)\n\n**Your turn.** Derive $\\partial J_i / \\partial z_k$, "
            "the derivative of one sample's loss with respect to the logit $z_k$."
        ),
        turn("dJi_dzk = ...", 'dJi_dzk = r"f_k - \\mathbb{I}(y_i = k)"'),
        code('grade_answer(dJi_dzk, "softmax_dz", name="∂J_i/∂z_k")'),
        md(
            "## 2. All samples: eq (3)\n\n**Your turn.** Now the gradient of the whole loss "
            "with respect to the weights of class $k$, $\\partial J / \\partial \\mathbf{w}_k$."
        ),
        turn("dJ_dwk = ...", 'dJ_dwk = r"\\frac{1}{m} \\sum_i (f_k - \\mathbb{I}(y_i = k)) x_i"'),
        code('grade_answer(dJ_dwk, "softmax_dw", name="∂J/∂w_k")'),
        md(
            "## 3. Vectorize\n\nStack the probabilities in $F$ ($m \\times C$) and the one-hot "
            "labels in $Y$: eq (3) for every class at once is a single matrix product.\n\n"
            "**Your turn.** Write `loss_and_gradient(W, b, X, y)`, returning $J$, "
            "$\\partial J/\\partial W$ (shape $(d, C)$) and $\\partial J/\\partial b$ (shape "
            "$(C,)$), without a loop over samples. Labels `y` are $0, \\dots, C-1$."
        ),
        code(
            "rng = np.random.default_rng(0)\n"
            "X, y = rng.normal(size=(50, 4)), rng.integers(0, 3, size=50)"
        ),
        turn(
            "def loss_and_gradient(W, b, X, y):\n    # your code here: return J, dW, db\n    ...",
            "def loss_and_gradient(W, b, X, y):\n"
            "    m = X.shape[0]\n"
            "    Z = X @ W + b\n"
            "    F = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
            "    F /= F.sum(axis=1, keepdims=True)\n"
            "    Y = np.eye(W.shape[1])[y]\n"
            "    J = -np.mean(np.log(F[np.arange(m), y]))\n"
            "    return J, X.T @ (F - Y) / m, (F - Y).mean(axis=0)",
        ),
        code("grade_gradient(loss_and_gradient, X, y)"),
    ],
    "02_find_the_bug_and_the_step": [
        md(
            "# Exercise 2: find the bug, choose the step\n\n"
            "A classmate wrote the gradient of softmax regression below. It runs, and the "
            "loss goes down for a while, but training ends up worse than it should."
        ),
        code(
            "import numpy as np\n\nimport gradlab\n"
            "from gradlab.grading import grade_gradient, grade_step_size\n"
            "from gradlab.grading.exercises import check_choice\n\n"
            "rng = np.random.default_rng(1)\n"
            "X, y = rng.normal(size=(40, 3)), rng.integers(0, 4, size=40)"
        ),
        code(
            "def classmate_gradient(W, b, X, y):\n"
            "    m = X.shape[0]\n"
            "    Z = X @ W + b\n"
            "    F = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)\n"
            "    Y = np.eye(W.shape[1])[y]\n"
            "    J = -np.mean(np.log(F[np.arange(m), y]))\n"
            "    dW = X.T @ (F - Y) / m\n"
            "    db = (Y - F).sum(axis=0) / m\n"
            "    return J, dW, db"
        ),
        md(
            "## 1. Find the bug\n\nA gradient check compares the code with finite "
            "differences of $J$, parameter by parameter:"
        ),
        code(
            "gradlab.check_softmax_gradient(\n"
            "    lambda W, b, X, y: classmate_gradient(W, b, X, y)[1:], X=X, y=y\n)"
        ),
        md('**Your turn.** Which line is wrong: `"Z"`, `"F"`, `"Y"`, `"J"`, `"dW"` or `"db"`?'),
        turn("wrong_line = ...", f"wrong_line = {KEY['the wrong line']!r}"),
        code('check_choice("the wrong line", wrong_line)'),
        md("**Your turn.** Write `fixed_gradient`: the same function with that line fixed."),
        turn(
            "def fixed_gradient(W, b, X, y):\n    # your code here\n    ...",
            "def fixed_gradient(W, b, X, y):\n"
            "    m = X.shape[0]\n"
            "    Z = X @ W + b\n"
            "    F = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)\n"
            "    Y = np.eye(W.shape[1])[y]\n"
            "    J = -np.mean(np.log(F[np.arange(m), y]))\n"
            "    dW = X.T @ (F - Y) / m\n"
            "    db = (F - Y).sum(axis=0) / m\n"
            "    return J, dW, db",
        ),
        code('grade_gradient(fixed_gradient, X, y, name="fixed_gradient")'),
        md(
            "## 2. Choose the step\n\nThe central difference $\\frac{f(x + h) - f(x - h)}{2h}$ "
            "has a truncation error that shrinks like $h^2$ and a rounding error that "
            "grows like $\\varepsilon / h$. Here is its error on the softplus "
            "$f(x) = \\sum_j \\log(1 + e^{x_j})$, whose gradient is the sigmoid:"
        ),
        code(
            "def f(x):\n    return np.sum(np.log1p(np.exp(x)))\n\n\n"
            "def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n\n\n"
            "x = np.array([0.5, -1.0, 2.0])\n"
            'sweep = gradlab.step_size_sweep(f, sigmoid, x, methods=("central",))\n'
            "sweep.plot();"
        ),
        md("**Your turn.** Choose the step `h` for the central difference at this `x`."),
        turn("h = ...", "h = 1e-5"),
        code("grade_step_size(h, f, sigmoid, x)"),
    ],
    "03_read_a_decision_boundary": [
        md(
            "# Exercise 3: read a decision boundary\n\n"
            "Softmax regression predicts the class with the largest logit "
            "$z_k = \\mathbf{w}_k^\\top \\mathbf{x} + b_k$. The figure shows the regions it "
            "predicts after training on three blobs."
        ),
        code(
            "import numpy as np\n\n"
            "from gradlab import SoftmaxRegression, datasets\n"
            "from gradlab.grading.exercises import check_choice\n"
            "from gradlab.plots import plot_decision_boundary\n\n"
            "X, y = datasets.make_blobs(n_samples=150, n_classes=3, seed=3)\n"
            "model = SoftmaxRegression(lr=0.5, epochs=200).fit(X, y)\n"
            "P = np.array([2.0, -1.0])\n"
            "drawn = plot_decision_boundary(model, X, y)\n"
            'drawn.ax.plot(*P, "k*", markersize=18)\n'
            'drawn.ax.annotate("P", P, xytext=(8, 8), textcoords="offset points");'
        ),
        md("**Your turn.** Which class does the model predict at the star $P$ (0, 1 or 2)?"),
        turn("class_at_P = ...", "class_at_P = 2"),  # the model trained above predicts 2
        code('check_choice("class at P", class_at_P, model=model, P=P)'),
        md(
            "**Your turn.** Is the boundary between two classes always a straight line for "
            'softmax regression? Answer `"yes"` or `"no"`.'
        ),
        turn("straight = ...", f"straight = {KEY['straight boundaries']!r}"),
        code('check_choice("straight boundaries", straight)'),
    ],
}


def notebook(cells, *, key: bool) -> nbformat.NotebookNode:
    out = []
    for cell in cells:
        if cell[0] == "md":
            out.append(nbformat.v4.new_markdown_cell(cell[1]))
        elif cell[0] == "code":
            out.append(nbformat.v4.new_code_cell(cell[1]))
        else:
            out.append(nbformat.v4.new_code_cell(cell[2] if key else cell[1],
                                                 metadata={"tags": [TAG]}))  # fmt: skip
    nb = nbformat.v4.new_notebook(cells=out)
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    nb.metadata["language_info"] = {"name": "python"}
    for i, c in enumerate(nb.cells):
        c["id"] = f"cell-{i}"
    return nb


def write(root: Path = HERE) -> list[Path]:
    """Write every exercise and its key; format them with ruff when it is installed."""
    paths = []
    for name, cells in EXERCISES.items():
        for folder, key in ((root, False), (root / "solutions", True)):
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{name}.ipynb"
            nbformat.write(notebook(cells, key=key), path)
            paths.append(path)
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if Path(ruff).exists():
        subprocess.run([ruff, "format", "--quiet", *map(str, paths)], check=True)
    return paths


if __name__ == "__main__":
    for path in write():
        print(f"wrote {path.relative_to(HERE)}")
