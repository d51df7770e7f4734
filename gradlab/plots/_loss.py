"""Training curves: loss, accuracy or gradient norm per epoch, several runs on one axes."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from gradlab.plots._display import Display

_METRICS = {
    # metric: (history key, validation key, y label, title)
    "loss": ("loss", "val_loss", r"loss $J(\mathbf{W})$", "Training loss"),
    "accuracy": ("accuracy", "val_accuracy", "accuracy", "Accuracy"),
    "grad_norm": ("grad_norm", None, r"$\|\nabla J\|$", "Gradient norm"),
}


def _runs(runs, labels):
    """``runs`` as a list of (label, history, diverged)."""
    if isinstance(runs, Mapping) and "loss" not in runs:
        labels, runs = list(runs.keys()), list(runs.values())
    elif not isinstance(runs, list | tuple):
        runs = [runs]
    if labels is not None and len(labels) != len(runs):
        raise ValueError(f"labels must name each of the {len(runs)} runs; got {len(labels)}")
    out = []
    for n, run in enumerate(runs):
        if isinstance(run, Mapping):
            history, diverged, auto = run, False, f"run {n + 1}"
        elif hasattr(run, "history_"):
            history, diverged = run.history_, run.diverged_
            lr = run.lr if run.optimizer != "lbfgs" else None
            auto = run.optimizer + (
                ""
                if lr is None
                else f", lr={lr:g}"
                if isinstance(lr, int | float)
                else f", lr={lr!r}"
            )
        else:
            raise TypeError(
                "runs must be fitted SoftmaxRegression models or their history_ dicts "
                f"(or a list or {{label: run}} dict of them); got {type(run).__name__}"
            )
        if "epoch" not in history or "loss" not in history:
            raise ValueError("a history must have 'epoch' and 'loss' entries, like history_")
        out.append((auto if labels is None else str(labels[n]), history, diverged))
    return out


class LossPlot(Display):
    """What :func:`plot_loss` drew.

    Attributes
    ----------
    figure, ax, axes
        See :class:`gradlab.plots.Display`.
    lines : list of Line2D
        For each run its training curve, then its validation curve if drawn.
    legend : Legend

    Examples
    --------
    >>> import gradlab
    >>> from gradlab.plots import plot_loss
    >>> X, y = gradlab.datasets.make_blobs(n_samples=60, n_classes=3, seed=0)
    >>> drawn = plot_loss(gradlab.SoftmaxRegression(epochs=20).fit(X, y))
    >>> drawn.figure is drawn.ax.figure
    True
    """


def _colors(colors, n: int) -> list:
    """``colors``, or the colour cycle in effect (``lecture_style`` sets the palette)."""
    if colors is None:
        import matplotlib as mpl

        colors = mpl.rcParams["axes.prop_cycle"].by_key().get("color") or ["C0"]
    elif isinstance(colors, str) or not hasattr(colors, "__len__") or len(colors) == 0:
        raise ValueError(f"colors must be a non-empty list of matplotlib colours; got {colors!r}")
    return [colors[i % len(colors)] for i in range(n)]


def plot_loss(
    runs,
    *,
    metric="loss",
    labels=None,
    colors=None,
    validation=True,
    log=None,
    optimum=None,
    ax=None,
    title=None,
):
    """Plot a metric per epoch for one or several training runs.

    Training curves are solid, validation curves dashed in the same colour (the
    legend has one entry per run plus one for "validation"); a run that diverged ends
    with a cross at its last epoch before the blow-up and says so in the legend.

    Parameters
    ----------
    runs : model, history dict, list of them, or dict {label: model or history}
        Fitted :class:`gradlab.SoftmaxRegression` models (their ``history_`` is used).
    metric : {"loss", "accuracy", "grad_norm"}, default "loss"
    labels : sequence of str, optional
        Legend labels; by default the optimizer and learning rate of each model.
    colors : sequence of matplotlib colours, optional
        One per run (repeated when shorter); by default the colour cycle in effect
        (``axes.prop_cycle``), which :func:`lecture_style` sets to the Okabe-Ito palette.
    validation : bool, default True
        Also draw validation curves where the history has them.
    log : bool, optional
        Logarithmic y axis; by default on for loss and gradient norm when the plotted
        values span more than two decades.
    optimum : float, optional
        With ``metric="loss"``, plot the gap ``J - J*`` to this optimal value ``J*``
        (on a log axis): how fast each optimizer converges, the classic comparison.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    LossPlot
        A display (see :class:`gradlab.plots.Display`): its ``figure``, ``ax``,
        ``lines`` (for each run its training curve, then its validation curve if
        drawn) and ``legend``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from gradlab import SoftmaxRegression
    >>> from gradlab.datasets import make_blobs
    >>> from gradlab.plots import plot_loss
    >>> X, y = make_blobs(n_samples=90)
    >>> runs = [SoftmaxRegression(lr=lr, epochs=20).fit(X, y) for lr in (0.05, 0.5)]
    >>> drawn = plot_loss(runs, colors=["black", "tab:red"])
    >>> [line.get_label() for line in drawn.lines]
    ['gd, lr=0.05', 'gd, lr=0.5']
    >>> drawn.lines[1].get_color()
    'tab:red'
    >>> plt.close("all")
    """
    if metric not in _METRICS:
        raise ValueError(f"metric must be one of {', '.join(_METRICS)}; got {metric!r}")
    key, val_key, ylabel, default_title = _METRICS[metric]
    shift = 0.0
    if optimum is not None:
        if metric != "loss":
            raise ValueError(f'optimum is for metric="loss"; got metric={metric!r}')
        shift, val_key, log = float(optimum), None, True
        ylabel, default_title = r"$J(\mathbf{W}) - J^*$", "Distance to the optimum"
    runs = _runs(runs, labels)
    palette = _colors(colors, len(runs))
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.subplots(figsize=(6.4, 4.4))[1]
    lines, values = [], []
    for n, (label, history, diverged) in enumerate(runs):
        color = palette[n]
        epochs = np.asarray(history["epoch"])
        v = np.asarray(history[key], dtype=float) - shift
        if shift:
            # Rounding leaves gaps at or below zero once a run has converged; hide them.
            v = np.where(v > 0, v, np.nan)
        values.append(v)
        suffix = f" (diverged after epoch {epochs[-1]})" if diverged else ""
        (line,) = ax.plot(epochs, v, color=color, label=label + suffix)
        lines.append(line)
        if diverged:
            ax.plot(
                epochs[-1:],
                v[-1:],
                marker="X",
                markersize=11,
                color=color,
                markeredgecolor="black",
                linestyle="none",
            )
        if validation and val_key and val_key in history:
            vv = np.asarray(history[val_key], dtype=float)
            values.append(vv)
            (vline,) = ax.plot(
                epochs, vv, color=color, linestyle="--", label=f"{label} (validation)"
            )
            lines.append(vline)
    if shift and not any(np.isfinite(v).any() for v in values):
        raise ValueError(
            f"optimum ({shift:g}) must be below the recorded losses (the lowest is "
            f"{min(float(np.min(r[1]['loss'])) for r in runs):g}); is it J* of another run?"
        )
    if log is None:
        finite = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in values] or [np.ones(1)])
        log = metric != "accuracy" and finite.size > 0 and finite.max() > 100 * finite.min()
    if log:
        ax.set_yscale("log")
    if metric == "accuracy" and not log:  # a log axis cannot start below zero
        ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(default_title if title is None else title)
    handles = [line for line in lines if line.get_linestyle() != "--"]
    if len(handles) < len(lines):
        # One legend entry per run, plus one saying what dashing means, keeps it short.
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], color="0.3", linestyle="--", label="validation"))
    legend = ax.legend(handles=handles, loc="best")
    return LossPlot([ax], lines=lines, legend=legend)
