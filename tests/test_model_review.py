"""Review regressions for the model's input checks: clear errors naming the argument."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import gradlab

X = np.array([[1.0, 2.0], [0.5, -1.0], [0.0, 1.0]])
y = np.array([0, 2, 1])
W = np.zeros((2, 3))
b = np.zeros(3)


def test_huge_integer_valued_float_labels_are_named_out_of_range_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "invalid value encountered in cast"
        with pytest.raises(ValueError, match=re.escape("outside that range: [1e+20]")):
            gradlab.loss(W, b, X, np.array([0.0, 1.0, 1e20]))


@pytest.mark.parametrize("axis", [1.0, "1", None, True])
def test_softmax_axis_must_be_an_integer(axis):
    Z = np.array([[1.0, 2.0], [3.0, 4.0]])
    for fn in (gradlab.softmax, gradlab.log_softmax):
        with pytest.raises(TypeError, match="axis must be an integer"):
            fn(Z, axis=axis)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_numpy_matrix_input_works_like_an_array():
    expected = gradlab.loss(W + 0.1, b, X, y)
    # an independent per-sample computation of eq (1)
    Z = X @ (W + 0.1) + b
    by_hand = np.mean([np.log(np.exp(z).sum()) - z[k] for z, k in zip(Z, y, strict=True)])
    assert np.isclose(expected, by_hand)
    assert np.isclose(gradlab.loss(np.asmatrix(W + 0.1), b, np.asmatrix(X), y), by_hand)
    F = gradlab.softmax(np.asmatrix(Z))
    assert isinstance(F, np.ndarray) and not isinstance(F, np.matrix)
    np.testing.assert_allclose(F, np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True))
