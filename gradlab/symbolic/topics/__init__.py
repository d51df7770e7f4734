"""The derivations gradlab knows, one builder per topic."""

from __future__ import annotations

from gradlab.symbolic.topics.regression import linear_dw, logistic_dw, logistic_dz, softmax_dw
from gradlab.symbolic.topics.softmax import softmax_dz, softmax_jacobian

# name -> (builder, one-line description); the names are public and fixed.
TOPICS = {
    "softmax_dz": (softmax_dz, "dJ_i/dz_k = f_k - I(y_i = k) for softmax cross-entropy (eq 2)"),
    "softmax_dw": (
        softmax_dw,
        "dJ/dw_k = (1/m) Σ_i (f_k - I(y_i = k)) x_i, dJ/db_k and ∇_W J = (1/m) Xᵀ(F - Y) (eq 3)",
    ),
    "softmax_jacobian": (
        softmax_jacobian,
        "df_j/dz_k = f_j (I(j = k) - f_k), the softmax Jacobian, by the quotient rule",
    ),
    "logistic_dz": (logistic_dz, "dJ_i/dz = σ(z) - y_i for binary cross-entropy with a sigmoid"),
    "logistic_dw": (
        logistic_dw,
        "dJ/dw = (1/m) Σ_i (σ(z_i) - y_i) x_i, dJ/db and the matrix form",
    ),
    "linear_dw": (linear_dw, "dJ/dw = (1/m) Xᵀ(Xw - y) for squared error"),
}

# Backpropagation through a two-layer network (issue 14): topics defined in topics/mlp*.py.
from gradlab.symbolic.topics.mlp import TOPICS as _MLP_TOPICS
from gradlab.symbolic.topics.mlp_matrix import TOPICS as _MLP_MATRIX_TOPICS

TOPICS.update(_MLP_TOPICS)
TOPICS.update(_MLP_MATRIX_TOPICS)
