"""The decision boundary evolving over the recorded epochs, as a matplotlib animation."""

from __future__ import annotations

import numpy as np

from gradlab.plots._display import Display
from gradlab.plots._regions import (
    checked_data,
    checked_model,
    count_arg,
    draw_boundaries,
    draw_regions,
    label_axes,
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


class TrainingAnimation(Display):
    """What :func:`animate_training` returns: the animation and the figure it plays on.

    In Jupyter, a cell ending in it plays the animation (``_repr_html_``).

    Attributes
    ----------
    figure, ax, axes
        See :class:`gradlab.plots.Display`; ``ax`` holds the regions, ``axes[1]``
        the loss panel when there is one.
    animation : matplotlib.animation.FuncAnimation
    frame_indices : list of int
        The positions in ``model.history_`` shown, in order.

    Examples
    --------
    >>> import gradlab
    >>> from gradlab.plots import animate_training
    >>> X, y = gradlab.datasets.make_blobs(n_samples=60, n_classes=3, seed=0)
    >>> model = gradlab.SoftmaxRegression(epochs=10).fit(X, y)
    >>> anim = animate_training(model, X, y, frames=3, resolution=30)
    >>> len(anim.frame_indices), anim.figure is anim.ax.figure
    (3, True)
    """

    def save(self, path, *, dpi=None, writer=None, **kwargs):
        """Write the animation; a ``.gif`` by gradlab's own writer, anything else by matplotlib.

        A GIF draws the still parts (axes, ticks, labels, the loss curve) once and
        only the regions, boundaries, points, legend, title and marker per frame,
        all frames sharing one 256-colour palette. Other files, or an explicit
        ``writer``, go to ``Animation.save(path, writer=writer, dpi=dpi, **kwargs)``.

        Returns
        -------
        path
        """
        if writer is None and not kwargs and str(path).lower().endswith(".gif"):
            _write_gif(self, path, dpi)
            return path
        import matplotlib as mpl

        # A "tight" bounding box (lecture_style's) draws every frame twice, to measure it.
        with mpl.rc_context({"savefig.bbox": "standard"}):
            self.animation.save(path, writer=writer or "pillow", dpi=dpi, **kwargs)
        return path

    def to_jshtml(self) -> str:
        """The animation as an HTML player (what Jupyter shows)."""
        return self.animation.to_jshtml()

    def _repr_html_(self) -> str:
        return self.to_jshtml()


def animate_training(
    model,
    X,
    y=None,
    *,
    frames=20,
    interval=200,
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
    frames : int, default 20
        At most this many frames, spread evenly over the recorded epochs (the first
        and the last are always shown).
    interval : int, default 200
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
    TrainingAnimation
        A display (see :class:`gradlab.plots.Display`) with the ``animation``;
        ``anim.save("training.gif")`` writes a GIF, and a notebook cell ending in
        ``anim`` plays it.

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
    >>> anim.figure is anim.ax.figure and len(anim.axes)
    2
    >>> html = anim.to_jshtml()  # what Jupyter displays; anim.save(path) writes a GIF
    """
    from matplotlib.animation import FuncAnimation

    model = checked_model(model)
    X, codes = checked_data(model, X, y)
    frames = count_arg("frames", frames, 1)
    history = model.history_
    n = len(history["epoch"])
    indices = np.unique(np.linspace(0, n - 1, min(frames, n)).round().astype(int)).tolist()
    plane = make_plane(X, features, resolution)

    own_figure = ax is None
    if own_figure:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(12.0, 5.2), layout="constrained")
        ax, loss_ax = fig.subplots(1, 2, width_ratios=(1.15, 1))
    fig = ax.figure
    marker = _loss_panel(loss_ax, history, indices[0]) if loss_ax is not None else None

    def logits(i):
        return plane.points @ history["coef"][i] + history["intercept"][i]

    Z = logits(indices[0])
    image = draw_regions(ax, Z, plane)
    state = {"boundaries": draw_boundaries(ax, Z, plane)}
    overlay = []  # static, but drawn over the regions: redrawn on every frame of a GIF
    if codes is not None:
        overlay += scatter_classes(ax, X, codes, model.classes_, plane.features, s=30)
        overlay.append(ax.legend(title="class", loc="upper right", framealpha=0.85))
    note = label_axes(ax, plane, feature_names, "")
    ax.set_xlim(plane.extent[:2])
    ax.set_ylim(plane.extent[2:])
    ax.grid(False)
    note = f"\n{note}" if note else ""

    def caption(i):
        return (
            # plain text: a mathtext caption would be parsed again for every frame
            f"{model.optimizer}, epoch {history['epoch'][i]}: "
            f"J = {history['loss'][i]:.3f}, accuracy {history['accuracy'][i]:.0%}{note}"
        )

    ax.set_title(caption(indices[0]))

    layout = _LayoutOnce(fig) if own_figure else None

    def update(i):
        if layout is not None:
            layout.before_frame()
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

    def moving():
        """What changes between frames, and what lies over it, in drawing order."""
        extra = [] if marker is None else [marker]
        return [image, *state["boundaries"], *overlay, ax.title, *extra]

    anim = FuncAnimation(
        fig, update, frames=indices, interval=interval, blit=False, repeat_delay=1000
    )
    return TrainingAnimation(
        [ax] if loss_ax is None else [ax, loss_ax],
        animation=anim,
        frame_indices=indices,
        _update=update,
        _moving=moving,
        _interval=interval,
    )


def _write_gif(shown: TrainingAnimation, path, dpi) -> None:
    """Blit the frames onto one rendering of the still parts; write them with Pillow."""
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    fig = shown.figure
    old_dpi, old_canvas, old_layout = fig.dpi, fig.canvas, fig.get_layout_engine()
    no_layout = {"figure.autolayout": False, "figure.constrained_layout.use": False}
    canvas = FigureCanvasAgg(fig)
    try:
        if dpi is not None:
            fig.set_dpi(dpi)
        first = shown.frame_indices[0]
        shown._update(first)
        canvas.draw()  # laid out once, with every artist in place
        # keep those places: hiding the moving artists must not re-run the layout
        with mpl.rc_context(no_layout):
            fig.set_layout_engine(None)
        hidden = shown._moving()
        for artist in hidden:
            artist.set_visible(False)
        canvas.draw()
        background = canvas.copy_from_bbox(fig.bbox)
        for artist in hidden:
            artist.set_visible(True)
        frames = []
        for i in shown.frame_indices:
            shown._update(i)
            canvas.restore_region(background)
            for artist in shown._moving():
                fig.draw_artist(artist)
            width, height = canvas.get_width_height()
            rgba = Image.frombuffer(
                "RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1
            )
            frames.append(rgba.convert("RGB"))
        # one palette, from the last frame (every class region at full colour), for all
        palette = frames[-1].quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        frames = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
        durations = [shown._interval] * len(frames)
        durations[-1] += 1000  # rest on the trained model before the loop starts again
        frames[0].save(path, save_all=True, append_images=frames[1:], duration=durations, loop=0)
    finally:
        fig.set_dpi(old_dpi)
        fig.set_canvas(old_canvas)
        with mpl.rc_context(no_layout):  # the caller's figure as it was (None stays None)
            fig.set_layout_engine(old_layout)


class _LayoutOnce:
    """Lay the figure out for its first frame only: every frame has the same artists
    in the same places, and re-solving the constrained layout (one extra pass over all
    text per frame) took half of each frame's time."""

    def __init__(self, fig):
        self.fig = fig
        self.drawn = False
        self.connection = fig.canvas.mpl_connect("draw_event", self._seen)

    def _seen(self, event):
        self.drawn = True
        self.fig.canvas.mpl_disconnect(self.connection)

    def before_frame(self):
        """Called between frames, outside savefig (which restores the engine it saw)."""
        if self.drawn and self.fig.get_layout_engine() is not None:
            import matplotlib as mpl

            # layout=None with these rc values means no engine at all ("none" keeps a
            # placeholder that still costs the extra pass)
            no_layout = {"figure.autolayout": False, "figure.constrained_layout.use": False}
            with mpl.rc_context(no_layout):
                self.fig.set_layout_engine(None)


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
