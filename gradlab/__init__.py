"""gradlab: derive, check and train with the softmax-regression gradient.

The package follows one lecture note: the loss J(W) (eq 1), the gradient
dJ_i/dz_k = f_k - I(y_i = k) (eq 2) and dJ/dw_k = (1/m) sum_i (f_k - I(y_i = k)) x_i
(eq 3).

``import gradlab`` loads only NumPy. SymPy, matplotlib and SciPy are imported
the first time a function that needs them is used.
"""

from __future__ import annotations

import importlib

from gradlab.model import (
    gradient,
    log_softmax,
    loss,
    loss_and_gradient,
    one_hot,
    predict,
    predict_proba,
    softmax,
)

__version__ = "0.1.0"

# Public name -> the module that defines it, imported on first access (PEP 562)
# so that the heavy libraries behind them stay unloaded until needed.
_LAZY = {
    # numeric gradient checks
    "numeric_gradient": "gradlab.numeric",
    "check_gradient": "gradlab.numeric",
    "assert_gradient": "gradlab.numeric",
    "check_softmax_gradient": "gradlab.numeric",
    "taylor_test": "gradlab.numeric",
    "step_size_sweep": "gradlab.numeric",
    "GradientCheck": "gradlab.numeric",
    # backpropagation: layer checks and the two-layer network
    "check_layer": "gradlab.numeric",
    "check_model_gradient": "gradlab.numeric",
    "TwoLayerNet": "gradlab.network",
    # symbolic derivations
    "derive": "gradlab.symbolic",
    "derivations": "gradlab.symbolic",
    "Derivation": "gradlab.symbolic",
    # student answers
    "check_answer": "gradlab.answers",
    "AnswerCheck": "gradlab.answers",
    # training
    "SoftmaxRegression": "gradlab.train",
}
_SUBMODULES = ("datasets", "plots", "numeric", "symbolic", "answers", "train", "mlp", "network")

__all__ = [
    "AnswerCheck",
    "Derivation",
    "GradientCheck",
    "SoftmaxRegression",
    "TwoLayerNet",
    "assert_gradient",
    "check_answer",
    "check_gradient",
    "check_layer",
    "check_model_gradient",
    "check_softmax_gradient",
    "datasets",
    "derivations",
    "derive",
    "gradient",
    "log_softmax",
    "loss",
    "loss_and_gradient",
    "numeric_gradient",
    "one_hot",
    "plots",
    "predict",
    "predict_proba",
    "softmax",
    "step_size_sweep",
    "taylor_test",
]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f"gradlab.{name}")
    else:
        raise AttributeError(f"module 'gradlab' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
