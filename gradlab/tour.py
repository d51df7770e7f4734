"""``gradlab tour``: the lecture's story end to end, in the terminal.

Derive eq (2) and verify every step, check the reference gradient and a buggy
one numerically, train softmax regression on blobs, and write the figures.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

__all__ = ["tour"]

_RULE = "─" * 78


def _section(title: str, echo) -> None:
    echo("")
    echo(_RULE)
    echo(title)
    echo(_RULE)


def tour(out="figures", *, seed=0, echo=print) -> list[Path]:
    """Run the tour: derive, verify, check, train, plot; return the files written.

    Parameters
    ----------
    out : str or Path, default "figures"
        Folder for the figures; created if missing.
    seed : int, default 0
        Seed of the data and of the gradient checks.
    echo : callable, default print
        Receives each line of text.

    Returns
    -------
    list of Path
        The figures written.

    Examples
    --------
    >>> import tempfile
    >>> from gradlab.tour import tour
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = tour(folder, echo=lambda line: None)
    ...     print(sorted(path.name for path in written))
    ['tour_boundary_blobs.png', 'tour_loss_blobs.png', 'tour_softmax_dz.png', 'tour_step_size_sweep.png']
    """
    import matplotlib

    matplotlib.use("Agg", force=False)  # a terminal command: never open a window
    import gradlab
    from gradlab.datasets import make_blobs
    from gradlab.figures import _figure
    from gradlab.numeric.examples import STUDENT_GRADIENTS
    from gradlab.plots import lecture_style, plot_decision_boundary, plot_loss

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    start = time.perf_counter()

    _section("1. Eq (2), derived step by step by SymPy", echo)
    derivation = gradlab.derive("softmax_dz")
    echo(str(derivation))
    verification = derivation.verify(seed=seed)
    echo("")
    echo(str(verification))
    written.append(derivation.to_image(out / "tour_softmax_dz.png"))

    _section("2. Checking gradient code against finite differences", echo)
    rng = np.random.default_rng(seed)
    m, d, C = 50, 4, 3
    X, y = rng.normal(size=(m, d)), rng.integers(0, C, size=m)
    reference = gradlab.check_softmax_gradient(STUDENT_GRADIENTS["none"], X=X, y=y, seed=seed)
    echo("The reference gradient, eq (3) in matrix form:")
    echo(_first_line(reference))
    buggy = gradlab.check_softmax_gradient(STUDENT_GRADIENTS["missing-m"], X=X, y=y, seed=seed)
    echo("")
    echo("A student's gradient that forgot the 1/m of eq (3):")
    echo(_first_line(buggy))
    for finding in buggy.diagnosis:
        echo(f"  diagnosis: {finding}")

    W0, b0 = rng.normal(size=(d, C)), np.zeros(C)
    sweep = gradlab.step_size_sweep(
        lambda W: gradlab.loss(W, b0, X, y), lambda W: gradlab.gradient(W, b0, X, y)[0], W0
    )
    with lecture_style():
        fig, (ax,) = _figure(width=8, height=5)
        sweep.plot(ax=ax)
        written.append(_save(fig, out / "tour_step_size_sweep.png"))

    _section("3. Training softmax regression on three blobs", echo)
    X, y = make_blobs(n_samples=300, n_classes=3, seed=seed)
    model = gradlab.SoftmaxRegression(optimizer="gd", lr=0.5, epochs=200, seed=seed).fit(X, y)
    losses = model.history_["loss"]
    echo(f"gradient descent, lr = 0.5, {len(losses) - 1} epochs:")
    echo(f"  loss J(W): {losses[0]:.4f} at the start -> {losses[-1]:.4f} at the end")
    echo(f"  training accuracy: {model.score(X, y):.1%}")
    with lecture_style():
        fig, (ax,) = _figure(height=4.6)
        plot_loss(model, ax=ax, title="Gradient descent on blobs")
        written.append(_save(fig, out / "tour_loss_blobs.png"))
        fig, (ax,) = _figure(height=5.4)
        plot_decision_boundary(model, X, y, ax=ax)
        written.append(_save(fig, out / "tour_boundary_blobs.png"))

    _section("4. Checking a derivative a student typed", echo)
    answer = r"\mathbb{I}(y_i = k) - f_k"
    echo(f"The student typed:  {answer}")
    graded = gradlab.check_answer(answer, topic="softmax_dz")
    echo(str(graded))

    _section("Done", echo)
    # the sign-flipped answer and the buggy gradient must be caught, the rest must pass
    ok = verification.ok and reference.ok and not buggy.ok and not graded.correct
    echo(f"{'Everything checked out' if ok else 'SOMETHING FAILED'} in "
         f"{time.perf_counter() - start:.1f} s. Figures written to {out.resolve()}:")  # fmt: skip
    for path in written:
        echo(f"  {path.name}")
    echo("Next: `gradlab derive softmax_dw`, `gradlab check \"f_k - 1(y==k)\"`, "
         "`gradlab figures`, and the notebooks in notebooks/.")  # fmt: skip
    if not ok:
        raise RuntimeError("the tour's checks failed; see the report above")
    return written


def _first_line(report) -> str:
    return "  " + str(report).splitlines()[0]


def _save(fig, path: Path) -> Path:
    fig.savefig(path, dpi=150)
    return path
