"""Lecture figures for softmax regression: loss curves, decision regions, probabilities.

Every function draws on ``ax=`` (a new figure by default) and returns what it drew.
Colours follow the colour-blind-safe Okabe-Ito palette and every class also has its
own marker. Wrap calls in :func:`lecture_style` for slide-sized fonts and lines.

>>> import gradlab
>>> sorted(name for name in gradlab.plots.__all__ if name.startswith("plot"))  # doctest: +NORMALIZE_WHITESPACE
['plot_backprop_graph', 'plot_decision_boundary', 'plot_hidden_units', 'plot_loss',
 'plot_probabilities']
"""

from __future__ import annotations

from gradlab.plots._animate import animate_training
from gradlab.plots._graph import plot_backprop_graph, plot_hidden_units
from gradlab.plots._loss import plot_loss
from gradlab.plots._regions import DecisionBoundaryPlot, plot_decision_boundary, plot_probabilities
from gradlab.plots._style import MARKERS, PALETTE, lecture_style

__all__ = [
    "MARKERS",
    "PALETTE",
    "DecisionBoundaryPlot",
    "animate_training",
    "lecture_style",
    "plot_backprop_graph",
    "plot_decision_boundary",
    "plot_hidden_units",
    "plot_loss",
    "plot_probabilities",
]
