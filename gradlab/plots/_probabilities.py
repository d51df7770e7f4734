"""Probability maps: one panel per class of the softmax output ``f_k`` over a plane."""

from __future__ import annotations

import math

import numpy as np

from gradlab.plots._display import Display
from gradlab.plots._regions import checked_data, checked_model, count_arg, label_axes, make_plane
from gradlab.plots._style import class_color, class_marker


class ProbabilityPlot(Display):
    """What :func:`plot_probabilities` drew.

    Attributes
    ----------
    figure, ax, axes
        The figure and the C panels, one per class in ``model.classes_`` order (see
        :class:`gradlab.plots.Display`).
    images : list of AxesImage
        One map of ``f_k`` per class.
    contours : list of ContourSet
        The ``f_k = 0.5`` lines (where a class has them).
    colorbar : Colorbar or None
        None when the caller passed ``ax``.

    Examples
    --------
    >>> import gradlab
    >>> from gradlab.plots import plot_probabilities
    >>> X, y = gradlab.datasets.make_blobs(n_samples=60, n_classes=3, seed=0)
    >>> drawn = plot_probabilities(gradlab.SoftmaxRegression().fit(X, y), X, y, resolution=30)
    >>> len(drawn.images)  # one map per class
    3
    """


def _class_title(label) -> str:
    # The class as the data name it (0-based integers, strings): no f_k, whose
    # 1-based index would contradict a 0-based label on the same line.
    return f"P(y = {label} | x)"


def _panel_grid(C: int, ncols):
    if ncols is None:
        # one row up to 4 classes; beyond, a near-square grid (9 classes: 3 x 3)
        ncols = C if C <= 4 else math.ceil(math.sqrt(C))
    ncols = min(count_arg("ncols", ncols, 1), C)
    return math.ceil(C / ncols), ncols


def plot_probabilities(
    model,
    X,
    y=None,
    *,
    features=None,
    feature_names=None,
    resolution=200,
    ncols=None,
    ax=None,
    cmap="viridis",
):
    """One map per class of the softmax probability ``f_k(x)`` over the plane.

    Each panel is titled with the class as the data name it, ``P(y = c | x)``.

    Parameters
    ----------
    model : fitted SoftmaxRegression
    X : array_like, shape (m, d)
        Sets the plotted range (and the slice, as in :func:`plot_decision_boundary`).
    y : array_like, shape (m,), optional
        Labels; each panel marks the samples of its own class.
    features, feature_names, resolution
        As in :func:`plot_decision_boundary`.
    ncols : int, optional
        Panels per row of a new figure: by default all in one row up to 4 classes,
        a near-square grid beyond (9 classes: 3 x 3).
    ax : sequence of C Axes, optional
        One per class; by default a new figure with ``ncols`` panels per row.
    cmap : str, default "viridis"
        A perceptually uniform colour map; 0 and 1 are its ends in every panel.

    Returns
    -------
    ProbabilityPlot
        A display (see :class:`gradlab.plots.Display`): its ``figure``, ``axes`` (one
        per class), ``images``, ``contours`` (the ``f_k = 0.5`` lines) and
        ``colorbar`` (None when ``ax`` is given).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from gradlab import SoftmaxRegression
    >>> from gradlab.datasets import make_blobs
    >>> from gradlab.plots import plot_probabilities
    >>> X, y = make_blobs(n_samples=90)
    >>> drawn = plot_probabilities(SoftmaxRegression().fit(X, y), X, y, resolution=40)
    >>> [ax.get_title() for ax in drawn.axes]
    ['P(y = 0 | x)', 'P(y = 1 | x)', 'P(y = 2 | x)']
    >>> plt.close("all")
    """
    model = checked_model(model)
    X, codes = checked_data(model, X, y)
    plane = make_plane(X, features, resolution)
    F = model.predict_proba(plane.points)
    C = F.shape[1]
    colorbar = None
    if ax is None:
        import matplotlib.pyplot as plt

        nrows, ncols = _panel_grid(C, ncols)
        fig, grid = plt.subplots(
            nrows,
            ncols,
            figsize=(3.6 * ncols + 1.2, 3.4 * nrows + 0.4),
            sharex=True,
            sharey=True,
            squeeze=False,
            layout="constrained",
        )
        axes = list(grid.ravel()[:C])
        for spare in grid.ravel()[C:]:
            spare.remove()
    else:
        if ncols is not None:
            raise ValueError(
                "ncols lays out a new figure; with ax given, arrange the Axes yourself"
            )
        axes = list(np.atleast_1d(ax).ravel())
        if len(axes) != C:
            raise ValueError(f"ax must hold one Axes per class ({C}); got {len(axes)}")
    i, j = plane.features
    images, contours = [], []
    xs = np.linspace(plane.extent[0], plane.extent[1], plane.shape[1] + 1)
    ys = np.linspace(plane.extent[2], plane.extent[3], plane.shape[0] + 1)
    xc, yc = (xs[:-1] + xs[1:]) / 2, (ys[:-1] + ys[1:]) / 2
    note = ""
    for k, a in enumerate(axes):
        Fk = F[:, k].reshape(plane.shape)
        images.append(
            a.imshow(
                Fk,
                origin="lower",
                extent=plane.extent,
                aspect="auto",
                cmap=cmap,
                vmin=0.0,
                vmax=1.0,
                interpolation="bilinear",
            )
        )
        if Fk.min() < 0.5 < Fk.max():
            contours.append(
                a.contour(xc, yc, Fk, levels=[0.5], colors="white", linewidths=1.5, linestyles="--")
            )
        if codes is not None:
            mine = codes == k
            a.scatter(
                X[~mine, i], X[~mine, j], s=12, color="white", alpha=0.35, linewidths=0, zorder=2
            )
            a.scatter(
                X[mine, i],
                X[mine, j],
                s=30,
                color=class_color(k),
                marker=class_marker(k),
                # black edges: an orange or green point stays visible on viridis yellow
                edgecolors="black",
                linewidths=0.8,
                zorder=3,
            )
        # A slice of higher-dimensional data is said once, above the panels.
        note = label_axes(a, plane, feature_names, _class_title(model.classes_[k]), with_note=False)
        a.grid(False)
        if (k % ncols if ax is None else k) != 0:  # the first panel of a row says it
            a.set_ylabel("")
        if ax is None and k + ncols < C:  # a panel below repeats the x label
            a.set_xlabel("")
        elif ax is None:  # sharex hides the tick labels above an empty grid cell
            a.xaxis.set_tick_params(labelbottom=True)
    if note and ax is None:
        fig.suptitle(note, fontsize="medium")
    elif note:  # the caller's figure keeps its own suptitle
        axes[0].set_title(f"{axes[0].get_title()}\n{note}", fontsize="medium")
    if ax is None:
        colorbar = fig.colorbar(images[-1], ax=axes, shrink=0.9, label="probability")
    return ProbabilityPlot(axes, images=images, contours=contours, colorbar=colorbar)
