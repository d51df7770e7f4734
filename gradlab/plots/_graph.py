"""Figures for backpropagation: the computational graph of one sample, and the hidden units.

Drawn with matplotlib alone (no graphviz): boxes and arrows placed by hand on one Axes.
"""

from __future__ import annotations

import numpy as np

from gradlab import mlp
from gradlab.plots._style import PALETTE

__all__ = ["plot_backprop_graph", "plot_hidden_units"]

_FORWARD = "black"
_BACKWARD = PALETTE[3]  # vermilion: the gradients flowing back

# node -> (x, y) on the canvas, label; the chain runs left to right, parameters above it
_LAYOUT = {
    "x": ((0.0, 0.0), r"$\mathbf{x}$"),
    "W1": ((1.25, 2.0), r"$W^{1}$"),
    "b1": ((3.2, 2.0), r"$b^{1}$"),
    "Z1": ((2.2, 0.0), r"$z^{1} = W^{1\top}\mathbf{x} + b^{1}$"),
    "H": ((4.45, 0.0), r"$h = \varphi(z^{1})$"),
    "W2": ((5.7, 2.0), r"$W^{2}$"),
    "b2": ((7.65, 2.0), r"$b^{2}$"),
    "Z2": ((6.7, 0.0), r"$z^{2} = W^{2\top}h + b^{2}$"),
    "F": ((8.95, 0.0), r"$f = \mathrm{softmax}(z^{2})$"),
    "J": ((10.9, 0.0), r"$J = -\log f_{y}$"),
}
_LINE = 0.2  # height of a text line in data units, at the figure size below
_EDGES = [("x", "Z1"), ("W1", "Z1"), ("b1", "Z1"), ("Z1", "H"), ("H", "Z2"), ("W2", "Z2"),
          ("b2", "Z2"), ("Z2", "F"), ("F", "J")]  # fmt: skip


def _fmt(a) -> str:
    a = np.asarray(a, dtype=float)
    if a.ndim == 0:
        return f"{a:.3f}"
    if a.ndim == 1:
        return "[" + ", ".join(f"{v:.2f}" for v in a) + "]"
    return "\n".join(_fmt(row) for row in a)


def plot_backprop_graph(params, x, y, *, activation="tanh", ax=None):
    """The computational graph of one sample: forward values and backward gradients.

    Every node shows its value from the forward pass (black) and ``∂J/∂`` it from the
    backward pass (vermilion): the numbers a student computes by hand.

    Parameters
    ----------
    params : dict
        ``{"W1", "b1", "W2", "b2"}`` of :mod:`gradlab.mlp` (small: the numbers are printed).
    x : array_like, shape (d,)
        One sample.
    y : int
        Its label ``0..C-1``.
    activation : {"tanh", "relu", "sigmoid"}, default "tanh"
    ax : matplotlib Axes, optional
        Default: a new figure sized for a slide.

    Returns
    -------
    dict
        ``"figure"``, ``"axes"``, ``"nodes"`` (node name -> its box, a Text) and
        ``"gradients"`` (node name -> ``∂J/∂`` it, an ndarray).

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab import mlp
    >>> from gradlab.plots import plot_backprop_graph
    >>> drawn = plot_backprop_graph(mlp.init_params(2, 3, 3), np.array([0.5, -1.0]), 2)
    >>> sorted(drawn["nodes"])[:3], drawn["gradients"]["b2"].shape
    (['F', 'H', 'J'], (3,))
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must be one sample, a 1-D array of shape (d,); got shape {x.shape}")
    J, values, grads = mlp.backprop(params, x[None, :], [y], activation=activation)
    values = {**{k: np.asarray(v) for k, v in params.items()}, **values}
    shown = {k: np.asarray(v)[0] if k in ("Z1", "H", "Z2", "F") else np.asarray(v)
             for k, v in values.items()}  # fmt: skip
    shown.update(x=x, J=float(J))
    gradients = {k: np.asarray(g)[0] if k in ("Z1", "H", "Z2") else np.asarray(g)
                 for k, g in grads.items()}  # fmt: skip
    gradients["J"] = np.float64(1.0)
    if ax is None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=(16, 6.8), layout="constrained")
        ax = fig.subplots()
    ax.set_xlim(-0.7, 11.7)
    ax.set_ylim(-1.0, 3.9)
    ax.set_axis_off()
    nodes = {}
    for name, ((cx, cy), label) in _LAYOUT.items():
        value = _fmt(shown[name])
        nodes[name] = ax.text(
            cx, cy, f"{label}\n{value}", ha="center", va="center", fontsize=12.5,
            color=_FORWARD, bbox={"boxstyle": "round,pad=0.45", "facecolor": "white",
                                  "edgecolor": "0.3", "linewidth": 1.4},
        )  # fmt: skip
        if name not in gradients:
            continue  # the input x and f: the chain is shown from J to z² by eq (2)
        half = _LINE * (1 + value.count("\n") + 1) / 2 + 0.12
        grad = f"∂J/∂·  {_fmt(gradients[name])}" if "\n" not in _fmt(gradients[name]) else (
            f"∂J/∂·\n{_fmt(gradients[name])}")  # fmt: skip
        above = cy > 1
        ax.text(cx, cy + half + 0.08 if above else cy - half - 0.08, grad, ha="center",
                va="bottom" if above else "top", fontsize=12, color=_BACKWARD)  # fmt: skip
    for a, b in _EDGES:
        above = _LAYOUT[a][0][1] > _LAYOUT[b][0][1]
        # from the bottom of a parameter down into its layer; along the chain side to side
        start, end = ((0.5, 0.0), (0.5, 1.0)) if above else ((1.0, 0.5), (0.0, 0.5))
        ax.annotate("", xy=end, xytext=start, xycoords=nodes[b], textcoords=nodes[a],
                    arrowprops={"arrowstyle": "-|>", "color": "0.25", "lw": 1.6,
                                "shrinkA": 6, "shrinkB": 6})  # fmt: skip
    ax.annotate(
        f"label y = {y}", xy=(0.5, 1.0), xycoords=nodes["J"], xytext=(10.9, 1.3),
        textcoords="data", ha="center", fontsize=12.5,
        arrowprops={"arrowstyle": "-|>", "color": "0.25", "lw": 1.6, "shrinkB": 6},
    )  # fmt: skip
    ax.set_title(
        f"One sample through the network (φ = {activation}): forward values in black, "
        "backward gradients ∂J/∂· in vermilion",
        fontsize=15,
    )
    return {"figure": ax.figure, "axes": ax, "nodes": nodes, "gradients": gradients}


def plot_hidden_units(model, X, y=None, *, units=None, resolution=120, axes=None):
    """Each hidden unit's value ``h_j(x) = φ(w¹_jᵀx + b¹_j)`` over the plane, one panel each.

    The line ``z¹_j = 0`` (where the unit switches) is drawn on every panel: the output
    layer combines these half-planes into the network's curved decision regions.

    Parameters
    ----------
    model : fitted TwoLayerNet
        On two features.
    X : array_like, shape (m, 2)
        Sets the plotted range.
    y : array_like, optional
        Labels, drawn faintly on every panel.
    units : sequence of int, optional
        Which hidden units (default: the first 8).
    resolution : int, default 120
    axes : sequence of Axes, optional
        One per unit; default a new figure with up to 4 panels per row.

    Returns
    -------
    dict
        ``"figure"``, ``"axes"``, ``"images"`` (one per unit).

    Examples
    --------
    >>> from gradlab.network import TwoLayerNet
    >>> from gradlab.datasets import make_spirals
    >>> X, y = make_spirals(60)
    >>> net = TwoLayerNet(hidden=4, epochs=5).fit(X, y)
    >>> len(plot_hidden_units(net, X, y, resolution=20)["images"])
    4
    """
    if not hasattr(model, "params_"):
        raise ValueError("model must be a fitted TwoLayerNet (call fit first)")
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2 or model.n_features_in_ != 2:
        raise ValueError(f"plot_hidden_units draws 2-D data; got X of shape {X.shape}")
    H = model.params_["W1"].shape[1]
    units = list(range(min(H, 8))) if units is None else [int(u) for u in units]
    if any(not 0 <= u < H for u in units):
        raise ValueError(f"units must be in 0..{H - 1}; got {units}")
    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = 0.08 * (hi - lo)
    g0 = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    g1 = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    G0, G1 = np.meshgrid(g0, g1)
    plane = np.column_stack([G0.ravel(), G1.ravel()])
    values = mlp.forward(model.params_, plane, model.activation)
    if axes is None:
        from matplotlib.figure import Figure

        ncols = min(4, len(units))
        nrows = -(-len(units) // ncols)
        fig = Figure(figsize=(3.6 * ncols, 3.4 * nrows), layout="constrained")
        axes = list(np.ravel(fig.subplots(nrows, ncols, squeeze=False)))
        for extra in axes[len(units) :]:
            extra.set_visible(False)
    else:
        axes = list(np.ravel(axes))
    lims = {"tanh": (-1, 1), "sigmoid": (0, 1)}.get(model.activation)
    images = []
    extent = (g0[0], g0[-1], g1[0], g1[-1])
    for ax, u in zip(axes, units, strict=False):
        h = values["H"][:, u].reshape(G0.shape)
        vmin, vmax = lims if lims else (0.0, max(float(h.max()), 1e-12))
        images.append(ax.imshow(h, origin="lower", extent=extent, aspect="auto", cmap="PuOr_r",
                                vmin=vmin, vmax=vmax))  # fmt: skip
        ax.contour(G0, G1, values["Z1"][:, u].reshape(G0.shape), levels=[0.0], colors="black",
                   linewidths=1.8)  # fmt: skip
        if y is not None:
            ax.scatter(X[:, 0], X[:, 1], c=[PALETTE[k % len(PALETTE)] for k in
                       np.unique(y, return_inverse=True)[1]], s=8, alpha=0.55,
                       edgecolors="none")  # fmt: skip
        ax.set_title(f"unit {u + 1}: $h_{{{u + 1}}}(\\mathbf{{x}})$")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
    fig = axes[0].figure
    fig.colorbar(images[-1], ax=axes[: len(units)], shrink=0.85, label=f"{model.activation}(z¹)")
    return {"figure": fig, "axes": axes[: len(units)], "images": images}
