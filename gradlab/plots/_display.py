"""What every gradlab plotting function returns: a display with its figure and axes."""

from __future__ import annotations


class Display:
    """What a gradlab plotting function drew.

    Every plotting function and ``.plot()`` method in gradlab returns a display with
    the same three attributes, plus the artists particular to that plot (documented
    with each function):

    ``figure``
        The matplotlib ``Figure`` drawn on (``display.figure.savefig("out.png")``).
    ``axes``
        Every ``Axes`` drawn on, as a tuple, in panel order.
    ``ax``
        The main ``Axes``: ``axes[0]``.

    The names are plain (no trailing underscore, unlike scikit-learn's ``figure_``
    and ``ax_``): a display is the drawing itself, not an estimator fitted on data.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from gradlab.plots import Display
    >>> fig, ax = plt.subplots()
    >>> shown = Display([ax], lines=ax.plot([0, 1], [1, 0]))
    >>> shown.figure is fig and shown.ax is ax and shown.axes == (ax,)
    True
    >>> shown
    <Display: 1 axes, lines>
    >>> plt.close("all")
    """

    def __init__(self, axes, **artists):
        axes = tuple(axes)
        if not axes:
            raise ValueError("a display needs at least one Axes")
        self.axes = axes
        self.figure = axes[0].figure
        self._names = tuple(name for name in artists if not name.startswith("_"))
        for name, value in artists.items():
            setattr(self, name, value)

    @property
    def ax(self):
        """The main Axes (the first of ``axes``)."""
        return self.axes[0]

    def __repr__(self) -> str:
        # short on purpose: a notebook cell ending in a plot call echoes this line
        extra = f", {', '.join(self._names)}" if self._names else ""
        return f"<{type(self).__name__}: {len(self.axes)} axes{extra}>"
