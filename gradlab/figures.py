"""The lecture figures gradlab offers, each a function that writes files into a folder.

``gradlab figures --out figures/`` runs them all. Adding a figure is one line::

    register("my_figure", make_my_figure)  # make_my_figure(out: Path) -> Path(s)

or the decorator ``@register("my_figure")`` on the function. Figures are drawn on
``matplotlib.figure.Figure`` objects, never through pyplot, so making them leaves no
open windows or global state behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["FIGURES", "make_figures", "register"]

FIGURES: dict[str, Callable[[Path], Path | Iterable[Path]]] = {}


def register(name: str, func: Callable | None = None):
    """Add a figure to ``FIGURES``: ``register(name, func)`` or ``@register(name)``.

    ``func(out)`` receives the output folder (it exists) and returns the path or
    paths it wrote.

    Examples
    --------
    >>> from gradlab.figures import FIGURES, register
    >>> @register("example")
    ... def example(out):
    ...     return out / "example.txt"
    >>> "example" in FIGURES
    True
    >>> del FIGURES["example"]
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"a figure needs a non-empty name; got {name!r}")

    def add(f):
        if not callable(f):
            raise TypeError(f"a figure must be a function of the output folder; got {f!r}")
        FIGURES[name] = f
        return f

    return add if func is None else add(func)


def make_figures(out="figures", names=None, *, echo=None) -> list[Path]:
    """Run the registered figures (all, or those in ``names``) into the folder ``out``.

    Parameters
    ----------
    out : str or Path, default "figures"
        Created if missing.
    names : iterable of str, optional
        A subset of ``FIGURES``.
    echo : callable, optional
        Called with each written path (the CLI passes ``print``).

    Returns
    -------
    list of Path
        Every file written.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    names = list(FIGURES) if names is None else list(names)
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        raise ValueError(f"unknown figure(s) {unknown}; the figures are {', '.join(FIGURES)}")
    written: list[Path] = []
    for name in names:
        paths = FIGURES[name](out)
        paths = [paths] if isinstance(paths, str | Path) else list(paths)
        for path in map(Path, paths):
            written.append(path)
            if echo is not None:
                echo(path)
    return written


# ----------------------------------------------------------------------------- helpers


def _figure(ncols=1, width=6.4, height=5.0):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * ncols, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def _save(fig, path: Path) -> Path:
    fig.savefig(path)
    return path


def _iris():
    from gradlab.datasets import load_iris

    return load_iris(standardized=True)


_IRIS_NAMES = [
    "sepal length (std.)",
    "sepal width (std.)",
    "petal length (std.)",
    "petal width (std.)",
]
_L2 = 1e-2  # iris comparisons: lambda = 0.01, as in the scikit-learn check of the tests


# ----------------------------------------------------------------------------- derivations


def _derivation(out: Path, topic: str, name: str, **kw) -> Path:
    from gradlab.symbolic import derive

    derivation = derive(topic, **kw)
    if not derivation.verify().ok:  # never typeset a derivation that does not hold
        raise RuntimeError(f"the derivation {topic!r} failed its verification")
    return derivation.to_image(out / f"{name}.png")


@register("softmax_dz")
def softmax_dz(out: Path) -> Path:
    """Eq (2), dJ_i/dz_k = f_k - I(y_i = k), typeset step by step with justifications."""
    return _derivation(out, "softmax_dz", "softmax_dz")


@register("softmax_dw")
def softmax_dw(out: Path) -> Path:
    """Eq (3), dJ/dw_k, the bias gradient and the matrix form, typeset step by step."""
    return _derivation(out, "softmax_dw", "softmax_dw")


@register("softmax_jacobian")
def softmax_jacobian(out: Path) -> Path:
    """The softmax Jacobian df_j/dz_k = f_j (I(j = k) - f_k) by the quotient rule."""
    return _derivation(out, "softmax_jacobian", "softmax_jacobian")


# ----------------------------------------------------------------------------- gradient checks


@register("step_size_sweep")
def step_size_sweep(out: Path) -> Path:
    """Forward, central and complex-step error against h: truncation versus round-off."""
    import numpy as np

    from gradlab.model import gradient, loss
    from gradlab.numeric import step_size_sweep as sweep
    from gradlab.plots import lecture_style

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), rng.integers(0, 3, size=40)
    W, b = rng.normal(size=(3, 3)), np.zeros(3)
    result = sweep(lambda W: loss(W, b, X, y), lambda W: gradient(W, b, X, y)[0], W)
    with lecture_style():
        fig, (ax,) = _figure(width=8.0, height=5.2)
        result.plot(ax=ax)
        return _save(fig, out / "step_size_sweep.png")


@register("gradient_check_report")
def gradient_check_report(out: Path) -> Path:
    """Per-entry errors of a gradient with one wrong entry, as check_gradient reports them."""
    import numpy as np

    from gradlab.numeric import check_softmax_gradient
    from gradlab.numeric.examples import STUDENT_GRADIENTS
    from gradlab.plots import lecture_style

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 4)), rng.integers(0, 3, size=40)
    report = check_softmax_gradient(STUDENT_GRADIENTS["one-entry"], X, y)
    with lecture_style():
        fig, axes = _figure(ncols=2, width=5.0, height=4.2)
        report.plot(ax=axes)
        return _save(fig, out / "gradient_check_report.png")


# ----------------------------------------------------------------------------- gradlab's own


@register("loss_optimizers")
def loss_optimizers(out: Path) -> Path:
    """gd, sgd, momentum, nesterov and L-BFGS on iris: J and the gap J - J* per epoch."""
    from gradlab.optimizers import InverseTimeDecay
    from gradlab.plots import lecture_style, plot_loss
    from gradlab.train import SoftmaxRegression

    X, y = _iris()
    runs = {
        "gd (lr=0.5)": SoftmaxRegression("gd", lr=0.5, epochs=150, l2=_L2),
        "sgd (lr=0.3/(1+t/50), batch 16)": SoftmaxRegression(
            "sgd", lr=InverseTimeDecay(0.3, 50), batch_size=16, epochs=150, l2=_L2
        ),
        "momentum (lr=0.1, μ=0.9)": SoftmaxRegression("momentum", lr=0.1, epochs=150, l2=_L2),
        "nesterov (lr=0.1, μ=0.9)": SoftmaxRegression("nesterov", lr=0.1, epochs=150, l2=_L2),
        "L-BFGS": SoftmaxRegression("lbfgs", epochs=150, l2=_L2),
    }
    runs = {label: model.fit(X, y) for label, model in runs.items()}
    J_star = float(SoftmaxRegression("lbfgs", epochs=1000, l2=_L2).fit(X, y).history_["loss"][-1])
    with lecture_style():
        fig, (left, right) = _figure(ncols=2, height=5.0)
        plot_loss(runs, ax=left, title="Iris, λ = 0.01: loss per epoch")
        plot_loss(runs, ax=right, optimum=J_star, title="Distance to the optimum J*")
        right.get_legend().remove()
        return _save(fig, out / "loss_optimizers.png")


@register("loss_learning_rates")
def loss_learning_rates(out: Path) -> Path:
    """Gradient descent on iris with small, good, large and too-large learning rates."""
    import warnings

    import numpy as np

    from gradlab.plots import lecture_style, plot_loss
    from gradlab.train import DivergenceWarning, SoftmaxRegression

    X, y = _iris()
    rng = np.random.default_rng(0)
    val = np.zeros(len(y), dtype=bool)
    val[rng.permutation(len(y))[:50]] = True
    runs = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DivergenceWarning)  # the point of the figure
        for lr in (0.05, 0.5, 5.0, 25.0):
            model = SoftmaxRegression(lr=lr, epochs=100, l2=0.1)
            runs[f"lr = {lr:g}"] = model.fit(X[~val], y[~val], X[val], y[val])
    with lecture_style():
        fig, (left, right) = _figure(ncols=2, height=5.0)
        plot_loss(runs, ax=left, log=True, title="Iris, λ = 0.1: gradient descent")
        plot_loss(runs, ax=right, metric="accuracy", title="Accuracy")
        right.get_legend().remove()
        return _save(fig, out / "loss_learning_rates.png")


def _boundary(out: Path, name: str, data, title: str, **kw) -> Path:
    from gradlab.plots import lecture_style, plot_decision_boundary
    from gradlab.train import SoftmaxRegression

    X, y = data
    model = SoftmaxRegression("lbfgs", epochs=200, l2=1e-3).fit(X, y)
    with lecture_style():
        fig, (ax,) = _figure(height=5.4)
        title = f"{title}: training accuracy {model.score(X, y):.0%}"
        plot_decision_boundary(model, X, y, ax=ax, title=title, **kw)
        return _save(fig, out / f"{name}.png")


@register("boundary_blobs")
def boundary_blobs(out: Path) -> Path:
    from gradlab.datasets import make_blobs

    return _boundary(out, "boundary_blobs", make_blobs(300, 3, seed=0), "Blobs")


@register("boundary_spirals")
def boundary_spirals(out: Path) -> Path:
    """Spirals: a linear model can only cut the plane into convex wedges."""
    from gradlab.datasets import make_spirals

    return _boundary(
        out, "boundary_spirals", make_spirals(300, 3, seed=0), "Spirals (not linearly separable)"
    )


@register("boundary_iris")
def boundary_iris(out: Path) -> Path:
    """Iris, trained on all four features, drawn in the petal plane."""
    return _boundary(
        out, "boundary_iris", _iris(), "Iris", features=(2, 3), feature_names=_IRIS_NAMES
    )


@register("probabilities_blobs")
def probabilities_blobs(out: Path) -> Path:
    """The softmax outputs f_k over the plane, one panel per class."""
    from gradlab.datasets import make_blobs
    from gradlab.plots import lecture_style, plot_probabilities
    from gradlab.train import SoftmaxRegression

    X, y = make_blobs(300, 3, seed=0)
    model = SoftmaxRegression("lbfgs", epochs=200, l2=1e-3).fit(X, y)
    with lecture_style():
        fig, axes = _figure(ncols=3, width=4.6, height=4.4)
        drawn = plot_probabilities(model, X, y, ax=axes)
        fig.colorbar(drawn["images"][-1], ax=axes, shrink=0.9, label="probability $f_k$")
        return _save(fig, out / "probabilities_blobs.png")


@register("training_blobs")
def training_blobs(out: Path) -> Path:
    """The boundary of gradient descent on blobs, epoch by epoch (GIF)."""
    from gradlab.datasets import make_blobs
    from gradlab.plots import animate_training, lecture_style
    from gradlab.train import SoftmaxRegression

    X, y = make_blobs(300, 3, spread=1.3, seed=1)
    model = SoftmaxRegression("gd", lr=0.05, epochs=60).fit(X, y)
    with lecture_style(**{"figure.dpi": 80}):
        anim = animate_training(model, X, y, frames=31, interval=150, resolution=120)
        path = out / "training_blobs.gif"
        anim.save(path, writer="pillow", dpi=80)
    return path


# ----------------------------------------------------------------------------- backpropagation


def _spirals_network(**kw):
    from gradlab.datasets import make_spirals
    from gradlab.network import TwoLayerNet

    X, y = make_spirals(300, 3, seed=0)
    options = {"hidden": 32, "optimizer": "lbfgs", "epochs": 300, "l2": 1e-3, **kw}
    return X, y, TwoLayerNet(**options).fit(X, y)


@register("boundary_spirals_network")
def boundary_spirals_network(out: Path) -> Path:
    """Spirals again, with one hidden layer: the boundary bends around the arms."""
    from gradlab.plots import lecture_style, plot_decision_boundary

    X, y, net = _spirals_network()
    with lecture_style():
        fig, (ax,) = _figure(height=5.4)
        title = f"Spirals, two-layer network (H = 32): training accuracy {net.score(X, y):.0%}"
        plot_decision_boundary(net, X, y, ax=ax, title=title)
        return _save(fig, out / "boundary_spirals_network.png")


@register("hidden_units_spirals")
def hidden_units_spirals(out: Path) -> Path:
    """What each hidden unit computes: a soft half-plane, switching at z¹_j = 0."""
    from gradlab.plots import lecture_style, plot_hidden_units

    X, y, net = _spirals_network(hidden=8)
    with lecture_style():
        drawn = plot_hidden_units(net, X, y)
        return _save(drawn["figure"], out / "hidden_units_spirals.png")


@register("training_spirals_network")
def training_spirals_network(out: Path) -> Path:
    """The network's boundary bending epoch by epoch under momentum (GIF)."""
    from gradlab.plots import animate_training, lecture_style

    X, y, net = _spirals_network(optimizer="momentum", lr=0.5, epochs=600, l2=0.0,
                                 record_every=20)  # fmt: skip
    with lecture_style(**{"figure.dpi": 80}):
        anim = animate_training(net, X, y, frames=31, interval=150, resolution=120)
        path = out / "training_spirals_network.gif"
        anim.save(path, writer="pillow", dpi=80)
    return path


@register("backprop_graph")
def backprop_graph(out: Path) -> Path:
    """One sample's computational graph: forward values and backward gradients on every node."""
    import numpy as np

    from gradlab import mlp
    from gradlab.plots import lecture_style, plot_backprop_graph

    with lecture_style():
        drawn = plot_backprop_graph(mlp.init_params(2, 3, 3, seed=0), np.array([0.5, -1.0]), 2)
        return _save(drawn["figure"], out / "backprop_graph.png")


@register("mlp_backprop")
def mlp_backprop(out: Path) -> Path:
    """The whole chain dJ_i/dW¹_lj from the loss down, typeset with justifications."""
    return _derivation(out, "mlp_backprop", "mlp_backprop")
