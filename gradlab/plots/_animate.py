"""The decision boundary evolving over the recorded epochs, as a matplotlib animation."""

from __future__ import annotations

import numpy as np

from gradlab.plots._regions import (
    _checked_data,
    _checked_model,
    _label_axes,
    count_arg,
    draw_boundaries,
    draw_regions,
    make_plane,
    region_rgba,
    scatter_classes,
)


def _remove(artist) -> None:
    try:
        artist.remove()
    except (AttributeError, NotImplementedError):  # ContourSet before matplotlib 3.8
        for collection in artist.collections:
            collection.remove()


def animate_training(
    model,
    X,
    y=None,
    *,
    frames=30,
    interval=150,
    features=None,
    feature_names=None,
    resolution=120,
    ax=None,
    loss_ax=None,
):
    """Animate the decision regions over the epochs recorded in ``model.history_``.

    By default the figure has two panels, as in TensorFlow Playground: the regions
    on the left, and on the right the loss curves (training, and validation when
    recorded) with a marker that follows the current epoch.

    Parameters
    ----------
    model : fitted SoftmaxRegression
        Its ``history_["coef"]`` and ``history_["intercept"]`` snapshots are replayed.
    X, y : array_like
        The data drawn in every frame (as in :func:`plot_decision_boundary`).
    frames : int, default 30
        At most this many frames, spread evenly over the recorded epochs (the first
        and the last are always shown).
    interval : int, default 150
        Milliseconds between frames.
    features, feature_names, resolution
        As in :func:`plot_decision_boundary`; a coarser grid keeps it quick.
    ax : matplotlib Axes, optional
        Where to draw the regions; by default a new two-panel figure that is *not*
        registered with pyplot, so Jupyter shows only the animation, not an extra still.
    loss_ax : matplotlib Axes, optional
        Where to draw the loss panel when ``ax`` is given (by default there is none).

    Returns
    -------
    matplotlib.animation.FuncAnimation
        ``anim.save("training.gif", writer="pillow")`` writes a GIF;
        ``IPython.display.HTML(anim.to_jshtml())`` plays it in a notebook.

    Examples
    --------
    >>> from gradlab import SoftmaxRegression
    >>> from gradlab.datasets import make_blobs
    >>> from gradlab.plots import animate_training
    >>> X, y = make_blobs(n_samples=60)
    >>> model = SoftmaxRegression(lr=0.5, epochs=40).fit(X, y)
    >>> anim = animate_training(model, X, y, frames=5, resolution=30)
    >>> [int(model.history_["epoch"][i]) for i in anim.frame_indices]
    [0, 10, 20, 30, 40]
    >>> html = anim.to_jshtml()  # what Jupyter displays; anim.save(path, writer="pillow") for a GIF
    """
    from matplotlib.animation import FuncAnimation

    model = _checked_model(model)
    X, codes = _checked_data(model, X, y)
    frames = count_arg("frames", frames, 1)
    history = model.history_
    n = len(history["epoch"])
    indices = np.unique(np.linspace(0, n - 1, min(frames, n)).round().astype(int)).tolist()
    plane = make_plane(X, features, resolution)

    if ax is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(11.5, 5.0), layout="constrained")
        ax, loss_ax = fig.subplots(1, 2, width_ratios=(1.15, 1))
    fig = ax.figure
    marker = _loss_panel(loss_ax, history, indices[0]) if loss_ax is not None else None

    def logits(i):
        return plane.points @ history["coef"][i] + history["intercept"][i]

    Z = logits(indices[0])
    image = draw_regions(ax, Z, plane)
    state = {"boundaries": draw_boundaries(ax, Z, plane)}
    if codes is not None:
        scatter_classes(ax, X, codes, model.classes_, plane.features, s=30)
        ax.legend(title="class", loc="upper right", framealpha=0.85)
    note = _label_axes(ax, plane, feature_names, "")
    ax.set_xlim(plane.extent[:2])
    ax.set_ylim(plane.extent[2:])
    ax.grid(False)
    note = f"\n{note}" if note else ""

    def caption(i):
        return (
            f"{model.optimizer}: epoch {history['epoch'][i]}, "
            f"J = {history['loss'][i]:.3f}, accuracy {history['accuracy'][i]:.2f}{note}"
        )

    ax.set_title(caption(indices[0]))

    def update(i):
        Z = logits(i)
        image.set_data(region_rgba(Z, plane.shape))
        for artist in state["boundaries"]:
            _remove(artist)
        state["boundaries"] = draw_boundaries(ax, Z, plane)
        ax.set_title(caption(i))
        if marker is not None:
            marker.set_data(history["epoch"][i : i + 1], history["loss"][i : i + 1])
            return [image, *state["boundaries"], marker]
        return [image, *state["boundaries"]]

    anim = FuncAnimation(
        fig, update, frames=indices, interval=interval, blit=False, repeat_delay=1000
    )
    anim.frame_indices = indices
    return anim


def _loss_panel(ax, history, first):
    """The whole loss curve(s), and the marker that the animation moves along it."""
    ax.plot(history["epoch"], history["loss"], color="0.2", label="training")
    if "val_loss" in history:
        ax.plot(
            history["epoch"], history["val_loss"], color="0.2", linestyle="--", label="validation"
        )
    (marker,) = ax.plot(
        history["epoch"][first : first + 1],
        history["loss"][first : first + 1],
        marker="o",
        markersize=10,
        # black on white: a GIF's 256-colour palette per frame would merge any hue
        # near a class colour into that class colour
        markerfacecolor="white",
        markeredgecolor="black",
        markeredgewidth=2.5,
        linestyle="none",
        label="current epoch",
        zorder=3,
    )
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"loss $J(\mathbf{W})$")
    ax.set_title("Training loss")
    ax.legend(loc="upper right")
    return marker
