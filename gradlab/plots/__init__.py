"""Lecture figures for softmax regression: loss curves, decision regions, probabilities.

Every function draws on ``ax=`` (a new figure by default) and returns a *display*
(:class:`Display`), and so do the ``.plot()`` methods of gradlab's gradient-check
report and step-size sweep. One convention for all of them:

- ``display.figure``: the matplotlib Figure (``display.figure.savefig("out.png")``);
- ``display.axes``: every Axes drawn on, a tuple in panel order;
- ``display.ax``: the main Axes, ``axes[0]``;
- plus the artists of that plot (``lines``, ``image``, ``legend`` ...), listed in
  each function's Returns section.

The names are plain, not scikit-learn's ``figure_`` / ``ax_``: a display is a
drawing, not a fitted estimator. Colours follow the colour-blind-safe Okabe-Ito
palette and every class also has its own marker. Wrap calls in :func:`lecture_style`
for slide-sized fonts and lines; :func:`lecture_figure` makes a figure outside pyplot.

>>> import gradlab
>>> sorted(name for name in gradlab.plots.__all__ if name.startswith("plot"))  # doctest: +NORMALIZE_WHITESPACE
['plot_backprop_graph', 'plot_decision_boundary', 'plot_hidden_units', 'plot_loss',
 'plot_probabilities']
"""

from __future__ import annotations

from gradlab.plots._animate import TrainingAnimation, animate_training
from gradlab.plots._display import Display
from gradlab.plots._graph import plot_backprop_graph, plot_hidden_units
from gradlab.plots._loss import LossPlot, plot_loss
from gradlab.plots._probabilities import ProbabilityPlot, plot_probabilities
from gradlab.plots._regions import DecisionBoundaryPlot, plot_decision_boundary
from gradlab.plots._style import MARKERS, PALETTE, lecture_figure, lecture_style

__all__ = [
    "MARKERS",
    "PALETTE",
    "DecisionBoundaryPlot",
    "Display",
    "LossPlot",
    "ProbabilityPlot",
    "TrainingAnimation",
    "animate_training",
    "lecture_figure",
    "lecture_style",
    "plot_backprop_graph",
    "plot_decision_boundary",
    "plot_hidden_units",
    "plot_loss",
    "plot_probabilities",
]
