"""Decision regions and probability maps of a fitted model over a plane of feature space."""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from gradlab._validation import as_array, describe, require_finite
from gradlab.model import softmax
from gradlab.plots._style import class_color, class_marker

# ----------------------------------------------------------------------------- the plane


@dataclass
class Plane:
    """A grid over two features; the other features are held at their mean over ``X``."""

    features: tuple[int, int]
    extent: tuple[float, float, float, float]  # left, right, bottom, top (imshow order)
    points: np.ndarray  # (resolution**2, d): rows of feature vectors, row-major, y outer
    shape: tuple[int, int]  # (rows, columns) = (y steps, x steps)
    n_features: int

    def note(self, names) -> str:
        """What a 2-D picture of more than 2 features hides: empty for 2-D data."""
        if self.n_features <= 2:
            return ""
        others = ", ".join(names[k] for k in range(self.n_features) if k not in self.features)
        return f"2-D slice of {self.n_features}-D data: {others} fixed at their mean"


def _checked_model(model):
    if not hasattr(model, "coef_"):
        raise ValueError(
            f"model must be a fitted SoftmaxRegression (call fit first); got {type(model).__name__}"
        )
    return model


def _checked_data(model, X, y):
    X = as_array("X", X, ndim=2, shape_hint=" of shape (m, d)")
    require_finite("X", X)
    d = model.coef_.shape[0]
    if X.shape[1] != d:
        raise ValueError(f"X must have the model's {d} features (columns); got shape {X.shape}")
    codes = None
    if y is not None:
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(
                f"y must be 1-D with one label per row of X ({X.shape[0]}); got shape {y.shape}"
            )
        classes = model.classes_
        try:
            codes = np.clip(np.searchsorted(classes, y), 0, len(classes) - 1)
            unknown = classes[codes] != y
        except TypeError as exc:  # e.g. numbers against string classes
            raise ValueError(
                f"y must hold labels like model.classes_ ({classes.tolist()}); got dtype {y.dtype}"
            ) from exc
        if unknown.any():
            raise ValueError(
                f"y holds labels the model has not seen: {np.unique(y[unknown])[:5].tolist()}; "
                f"model.classes_ is {classes.tolist()}"
            )
    return X, codes


def count_arg(name, value, minimum) -> int:
    """An integer argument such as ``resolution`` or ``frames`` (int() would truncate 2.7)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {describe(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return int(value)


def make_plane(X, features=None, resolution=300, pad=0.08) -> Plane:
    """The grid of a 2-D plot; with more than 2 features, a slice at the mean of the others."""
    d = X.shape[1]
    if d < 2:
        raise ValueError(
            f"a decision-region plot needs at least 2 features; X has {d}. "
            "Plot the probabilities against the single feature instead"
        )
    if features is None:
        features = (0, 1)
    features = tuple(int(f) for f in features)
    if len(features) != 2 or features[0] == features[1] or not all(0 <= f < d for f in features):
        raise ValueError(
            f"features must be two different column indices in 0..{d - 1}; got {features}"
        )
    resolution = count_arg("resolution", resolution, 2)
    i, j = features
    lo, hi = X[:, [i, j]].min(axis=0), X[:, [i, j]].max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    lo, hi = lo - pad * span, hi + pad * span
    xs = np.linspace(lo[0], hi[0], resolution)
    ys = np.linspace(lo[1], hi[1], resolution)
    points = np.tile(X.mean(axis=0), (resolution * resolution, 1))
    points[:, i] = np.tile(xs, resolution)
    points[:, j] = np.repeat(ys, resolution)
    # Pixel centres sit on the grid points, so the image extends half a step beyond them.
    hx, hy = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    extent = (xs[0] - hx, xs[-1] + hx, ys[0] - hy, ys[-1] + hy)
    return Plane(features, extent, points, (resolution, resolution), d)


def _logits_on(model, plane: Plane) -> np.ndarray:
    return plane.points @ model.coef_ + model.intercept_


def _axes(ax, **subplots):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.subplots(**subplots)[1]


def _label_axes(ax, plane: Plane, feature_names, title, with_note=True):
    i, j = plane.features
    names = feature_names or [f"$x_{k + 1}$" for k in range(plane.n_features)]
    if len(names) != plane.n_features:
        raise ValueError(
            f"feature_names must name all {plane.n_features} features; got {len(names)}"
        )
    ax.set_xlabel(names[i])
    ax.set_ylabel(names[j])
    note = plane.note(names)
    if note and with_note:
        title = f"{title}\n{note}" if title else note
    ax.set_title(title, fontsize="medium" if note and with_note else None)
    return note


# ----------------------------------------------------------------------------- regions


@dataclass
class DecisionBoundaryPlot:
    """What :func:`plot_decision_boundary` drew, for further styling or tests.

    Examples
    --------
    >>> import gradlab
    >>> from gradlab.plots import plot_decision_boundary
    >>> X, y = gradlab.datasets.make_blobs(n_samples=60, n_classes=3, seed=0)
    >>> model = gradlab.SoftmaxRegression("lbfgs", epochs=50).fit(X, y)
    >>> drawn = plot_decision_boundary(model, X, y, resolution=50)
    >>> len(drawn.points)  # one scatter per class
    3
    """

    ax: object
    image: object  # AxesImage: colour = predicted class, opacity = confidence
    boundaries: list = field(default_factory=list)  # ContourSets where two classes tie
    points: list = field(default_factory=list)  # one PathCollection per class
    legend: object = None
    plane: Plane | None = None


def region_rgba(Z: np.ndarray, shape) -> np.ndarray:
    """RGBA image: the predicted class's colour, more opaque where the model is surer."""
    C = Z.shape[1]
    F = softmax(Z, -1, validate=False)
    k = F.argmax(axis=1)
    confidence = (F[np.arange(len(k)), k] - 1 / C) / (1 - 1 / C)  # 0 at a tie, 1 when sure
    colors = np.array([class_color(c) for c in range(C)])
    rgba = np.empty((len(k), 4))
    rgba[:, :3] = colors[k]
    rgba[:, 3] = 0.12 + 0.5 * confidence
    return rgba.reshape(*shape, 4)


def draw_regions(ax, Z: np.ndarray, plane: Plane):
    """The shaded class regions of the logits ``Z`` over ``plane``, as one image."""
    return ax.imshow(
        region_rgba(Z, plane.shape),
        origin="lower",
        extent=plane.extent,
        aspect="auto",
        interpolation="nearest",
        zorder=0,
    )


def draw_boundaries(ax, Z: np.ndarray, plane: Plane, **line_kw) -> list:
    """Where the top two classes j, k tie: the contour z_j - z_k = 0 on that region only."""
    C = Z.shape[1]
    if C == 2:
        pairs, top = [(0, 1)], None
    else:
        order = np.argsort(Z, axis=1)
        top = np.sort(order[:, -2:], axis=1)  # the two most probable classes, as a pair
        pairs = [(j, k) for j in range(C) for k in range(j + 1, C)]
    xs = np.linspace(plane.extent[0], plane.extent[1], plane.shape[1] + 1)
    ys = np.linspace(plane.extent[2], plane.extent[3], plane.shape[0] + 1)
    xc, yc = (xs[:-1] + xs[1:]) / 2, (ys[:-1] + ys[1:]) / 2
    kw = {"colors": "0.15", "linewidths": 1.6, **line_kw}
    sets = []
    for j, k in pairs:
        D = Z[:, j] - Z[:, k]
        if top is not None:
            mine = (top[:, 0] == j) & (top[:, 1] == k)
            if not mine.any():
                continue
            D = np.ma.masked_array(D, ~mine)
        D = D.reshape(plane.shape)
        if D.min() < 0 < D.max():
            sets.append(ax.contour(xc, yc, D, levels=[0.0], **kw))
    return sets


def plot_decision_boundary(
    model,
    X,
    y=None,
    *,
    features=None,
    feature_names=None,
    resolution=300,
    ax=None,
    title="Decision regions of softmax regression",
    legend=True,
):
    """Shade the predicted class over the plane, draw the boundaries and the data.

    Each region has its class's colour, more opaque where the model is more
    confident (``max_k f_k`` near 1) and fading where classes tie; boundaries are
    drawn where the two most probable classes have equal logits; each sample is
    drawn with its class's colour and marker, so a misclassified point stands out
    in a region of another colour. The palette is colour-blind safe (Okabe-Ito).

    Parameters
    ----------
    model : fitted SoftmaxRegression
    X : array_like, shape (m, d)
        The samples to draw; they also set the plotted range.
    y : array_like, shape (m,), optional
        Their labels (values from ``model.classes_``). Without ``y`` no points are drawn.
    features : pair of int, optional
        The two columns on the axes (default the first two). With more than two
        features the plot is a slice through feature space with the other features
        held at their mean over ``X``, and its title says so.
    feature_names : sequence of str, optional
        Axis labels, one per feature (default ``$x_1$, $x_2$, ...``).
    resolution : int, default 300
        Grid points per axis.
    ax : matplotlib Axes, optional
        Where to draw; a new figure by default.
    title : str
    legend : bool, default True

    Returns
    -------
    DecisionBoundaryPlot
        With the ``ax``, the region ``image``, the ``boundaries`` contour sets, the
        ``points`` (one scatter per class) and the ``legend``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from gradlab import SoftmaxRegression
    >>> from gradlab.datasets import make_blobs
    >>> from gradlab.plots import plot_decision_boundary
    >>> X, y = make_blobs(n_samples=90)
    >>> model = SoftmaxRegression(lr=0.5, epochs=30).fit(X, y)
    >>> drawn = plot_decision_boundary(model, X, y, resolution=50)
    >>> [text.get_text() for text in drawn.legend.get_texts()]
    ['0', '1', '2']
    >>> plt.close("all")
    """
    model = _checked_model(model)
    X, codes = _checked_data(model, X, y)
    plane = make_plane(X, features, resolution)
    Z = _logits_on(model, plane)
    ax = _axes(ax, figsize=(6.4, 5.4))
    image = draw_regions(ax, Z, plane)
    drawn = DecisionBoundaryPlot(ax=ax, image=image, plane=plane)
    drawn.boundaries = draw_boundaries(ax, Z, plane)
    if codes is not None:
        drawn.points = scatter_classes(ax, X, codes, model.classes_, plane.features)
        if legend:
            drawn.legend = ax.legend(title="class", loc="best", framealpha=0.85)
    _label_axes(ax, plane, feature_names, title)
    ax.set_xlim(plane.extent[:2])
    ax.set_ylim(plane.extent[2:])
    ax.grid(False)
    return drawn


def scatter_classes(ax, X, codes, classes, features, **kw) -> list:
    i, j = features
    points = []
    for k, name in enumerate(classes):
        mine = codes == k
        points.append(
            ax.scatter(
                X[mine, i],
                X[mine, j],
                color=class_color(k),
                marker=class_marker(k),
                edgecolors="black",
                linewidths=0.7,
                s=kw.get("s", 38),
                label=str(name),
                zorder=3,
            )
        )
    return points


# ----------------------------------------------------------------------------- probabilities


def plot_probabilities(
    model,
    X,
    y=None,
    *,
    features=None,
    feature_names=None,
    resolution=200,
    ax=None,
    cmap="viridis",
):
    """One map per class of the softmax probability ``f_k(x)`` over the plane.

    Parameters
    ----------
    model : fitted SoftmaxRegression
    X : array_like, shape (m, d)
        Sets the plotted range (and the slice, as in :func:`plot_decision_boundary`).
    y : array_like, shape (m,), optional
        Labels; each panel marks the samples of its own class.
    features, feature_names, resolution
        As in :func:`plot_decision_boundary`.
    ax : sequence of C Axes, optional
        One per class; by default a new row of ``C`` panels.
    cmap : str, default "viridis"
        A perceptually uniform colour map; 0 and 1 are its ends in every panel.

    Returns
    -------
    dict
        ``"axes"``, ``"images"`` (one AxesImage per class), ``"contours"`` (the
        ``f_k = 0.5`` lines) and ``"colorbar"`` (None when ``ax`` is given).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from gradlab import SoftmaxRegression
    >>> from gradlab.datasets import make_blobs
    >>> from gradlab.plots import plot_probabilities
    >>> X, y = make_blobs(n_samples=90)
    >>> drawn = plot_probabilities(SoftmaxRegression().fit(X, y), X, y, resolution=40)
    >>> [ax.get_title() for ax in drawn["axes"]]
    ['$f_1$: P(y = 0 | x)', '$f_2$: P(y = 1 | x)', '$f_3$: P(y = 2 | x)']
    >>> plt.close("all")
    """
    model = _checked_model(model)
    X, codes = _checked_data(model, X, y)
    plane = make_plane(X, features, resolution)
    F = softmax(_logits_on(model, plane), -1, validate=False)
    C = F.shape[1]
    colorbar = None
    if ax is None:
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(
            1, C, figsize=(4.2 * C + 1, 4.2), sharex=True, sharey=True, squeeze=False
        )
        axes = list(axes[0])
    else:
        axes = list(np.atleast_1d(ax))
        if len(axes) != C:
            raise ValueError(f"ax must hold one Axes per class ({C}); got {len(axes)}")
    i, j = plane.features
    images, contours = [], []
    xs = np.linspace(plane.extent[0], plane.extent[1], plane.shape[1] + 1)
    ys = np.linspace(plane.extent[2], plane.extent[3], plane.shape[0] + 1)
    xc, yc = (xs[:-1] + xs[1:]) / 2, (ys[:-1] + ys[1:]) / 2
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
                edgecolors="white",
                linewidths=0.7,
                zorder=3,
            )
        # A slice of higher-dimensional data is said once, above the panels.
        note = _label_axes(
            a, plane, feature_names, f"$f_{k + 1}$: P(y = {model.classes_[k]} | x)", with_note=False
        )
        a.grid(False)
        if k:
            a.set_ylabel("")
    if note and ax is None:
        fig.suptitle(note, fontsize="medium")
    elif note:  # the caller's figure keeps its own suptitle
        axes[0].set_title(f"{axes[0].get_title()}\n{note}", fontsize="medium")
    if ax is None:
        colorbar = fig.colorbar(images[-1], ax=axes, shrink=0.9, label="probability $f_k$")
    return {"axes": axes, "images": images, "contours": contours, "colorbar": colorbar}
