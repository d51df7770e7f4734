"""Colours, markers and the lecture style shared by every gradlab plot."""

from __future__ import annotations

import contextlib

import matplotlib as mpl
from matplotlib.colors import to_rgb

# Okabe & Ito (2008): distinguishable under the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
# A second cue besides colour, so classes stay apart in greyscale print. One more marker
# than colours: past 8 classes the pairs (colour, marker) stay distinct (72 of them).
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h")


def class_color(k: int) -> tuple[float, float, float]:
    """The RGB colour of class ``k`` (cycles after 8 classes; the marker tells them apart)."""
    return to_rgb(PALETTE[k % len(PALETTE)])


def class_marker(k: int) -> str:
    return MARKERS[k % len(MARKERS)]


_LECTURE_RC = {
    "font.size": 14,
    "axes.titlesize": 16,
    "axes.labelsize": 15,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "legend.fontsize": 12,
    "legend.title_fontsize": 12,
    "lines.linewidth": 2.5,
    "lines.markersize": 8,
    "axes.linewidth": 1.2,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 110,
    "figure.constrained_layout.use": True,
    "savefig.dpi": 200,
    "savefig.bbox": "tight",
    "pdf.fonttype": 42,  # embed TrueType so slides can edit the text
    "svg.fonttype": "none",
}


@contextlib.contextmanager
def lecture_style(**overrides):
    """Matplotlib settings for slides: larger fonts, thicker lines, tight layout.

    Everything drawn inside the ``with`` block uses the style; the previous settings
    come back afterwards, even after an error.

    Parameters
    ----------
    **overrides
        Further ``rcParams`` on top, e.g. ``lecture_style(**{"font.size": 18})``.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> from gradlab.plots import lecture_style
    >>> before = mpl.rcParams["font.size"]
    >>> with lecture_style():
    ...     print(mpl.rcParams["font.size"], mpl.rcParams["lines.linewidth"])
    14.0 2.5
    >>> mpl.rcParams["font.size"] == before
    True
    """
    rc = {**_LECTURE_RC, "axes.prop_cycle": mpl.cycler(color=list(PALETTE)), **overrides}
    interactive = mpl.is_interactive()
    try:
        with mpl.rc_context(rc):
            try:
                yield
            finally:
                interactive = mpl.is_interactive()
    finally:
        # Jupyter's inline backend is chosen lazily, at the first figure, and switches
        # interactive mode on then; rc_context would switch it off again on exit, and
        # every later figure in the notebook would silently not be shown.
        mpl.interactive(interactive)


def lecture_figure(ncols: int = 1, *, width: float = 6.4, height: float = 5.0):
    """A new figure of ``ncols`` panels side by side, outside pyplot: ``(fig, [ax, ...])``.

    The figure is a plain ``matplotlib.figure.Figure`` with constrained layout: it
    opens no window and leaves no global state behind, so scripts and the CLI can
    make many of them. ``width`` is per panel, in inches.

    Examples
    --------
    >>> from gradlab.plots import lecture_figure
    >>> fig, axes = lecture_figure(2, width=4.0, height=3.0)
    >>> len(axes), fig.get_size_inches().tolist()
    (2, [8.0, 3.0])
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width * ncols, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)
