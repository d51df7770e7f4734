"""Finite-difference gradient checks that find the bug, say what it is, and never give a false verdict.

* :func:`numeric_gradient` - forward, central, complex-step and Richardson differences.
* :func:`check_gradient` / :func:`assert_gradient` - compare an analytic gradient with
  them, entry by entry, in random entries or along random directions; the report
  (:class:`GradientCheck`) says which entries are wrong and what the bug probably is.
* :func:`check_softmax_gradient` - the same for a student's softmax-regression gradient.
* :func:`check_layer` / :func:`check_model_gradient` - a layer's backward pass, input by
  input, and a whole network's, naming the classic backpropagation bug when it finds one.
* :func:`taylor_test` - the step-free check: the Taylor remainder must shrink as h².
* :func:`step_size_sweep` - the error of each method against h: the lecture figure.

matplotlib is imported only by the plotting methods, tqdm only when a progress bar is shown.
"""

from gradlab.numeric.check import assert_gradient, check_gradient
from gradlab.numeric.differences import numeric_gradient
from gradlab.numeric.layer import LayerCheck, check_layer
from gradlab.numeric.network import check_model_gradient
from gradlab.numeric.report import GradientCheck
from gradlab.numeric.softmax import check_softmax_gradient
from gradlab.numeric.sweep import SweepResult, step_size_sweep
from gradlab.numeric.taylor import TaylorResult, taylor_test

__all__ = [
    "GradientCheck",
    "LayerCheck",
    "SweepResult",
    "TaylorResult",
    "assert_gradient",
    "check_gradient",
    "check_layer",
    "check_model_gradient",
    "check_softmax_gradient",
    "numeric_gradient",
    "step_size_sweep",
    "taylor_test",
]
