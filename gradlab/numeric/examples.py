"""Example student gradients for softmax regression: one correct, the rest with classic bugs.

Used by ``gradlab gradcheck --bug NAME`` and handy in classroom notebooks::

    from gradlab.numeric import check_softmax_gradient
    from gradlab.numeric.examples import STUDENT_GRADIENTS
    check_softmax_gradient(STUDENT_GRADIENTS["sign-flip"], X=X, y=y)

Each takes ``(W, b, X, y)`` and returns ``(dW, db)``; ``l2`` is fixed at ``L2``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["L2", "STUDENT_GRADIENTS"]

L2 = 0.1  # the penalty the "l2-twice" example is written for


def _probs(W, b, X):
    Z = X @ W + b
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def _onehot(y, C):
    Y = np.zeros((len(y), C))
    Y[np.arange(len(y)), y] = 1.0
    return Y


def correct(W, b, X, y):
    """Eq (3): dW = Xᵀ (F - Y) / m, db = Σ_i (F - Y)_i / m."""
    D = (_probs(W, b, X) - _onehot(y, W.shape[1])) / len(y)
    return X.T @ D, D.sum(axis=0)


def missing_m(W, b, X, y):
    dW, db = correct(W, b, X, y)
    return dW * len(y), db * len(y)


def sign_flip(W, b, X, y):
    D = (_onehot(y, W.shape[1]) - _probs(W, b, X)) / len(y)
    return X.T @ D, D.sum(axis=0)


def db_zeros(W, b, X, y):
    return correct(W, b, X, y)[0], np.zeros(W.shape[1])


def no_onehot(W, b, X, y):
    D = _probs(W, b, X) / len(y)
    return X.T @ D, D.sum(axis=0)


def one_entry(W, b, X, y):
    dW, db = correct(W, b, X, y)
    dW = dW.copy()
    dW[0, 0] *= 1 + 1e-6
    return dW, db


def transposed(W, b, X, y):
    dW, db = correct(W, b, X, y)
    return dW.T, db


def permuted(W, b, X, y):
    C = W.shape[1]
    Y = _onehot(y, C)[:, np.roll(np.arange(C), 1)]
    D = (_probs(W, b, X) - Y) / len(y)
    return X.T @ D, D.sum(axis=0)


def l2_twice(W, b, X, y):
    dW, db = correct(W, b, X, y)
    return dW + 2 * L2 * W, db


STUDENT_GRADIENTS = {
    "none": correct,
    "missing-m": missing_m,
    "sign-flip": sign_flip,
    "db-zeros": db_zeros,
    "no-onehot": no_onehot,
    "one-entry": one_entry,
    "transposed": transposed,
    "permuted": permuted,
    "l2-twice": l2_twice,
}
