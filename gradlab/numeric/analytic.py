"""The analytic gradient under test, read once into a flat vector.

Shared by :func:`check_gradient`, :func:`taylor_test` and :func:`step_size_sweep`:
``grad`` may be a function of x (called on a private copy, never on the caller's
arrays) or its value at x, with the structure of x.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gradlab._validation import describe
from gradlab.numeric._params import Params

__all__ = ["AnalyticGradient", "analytic_gradient"]


class AnalyticGradient(NamedTuple):
    """The flat analytic gradient, the lowest float precision it came in, and ``"grad"``
    if calling it modified its input (else None)."""

    value: np.ndarray
    dtype: np.dtype
    mutated: str | None


def analytic_gradient(grad, params: Params) -> AnalyticGradient:
    """``grad`` (a callable or a value like x) as a flat float64 vector, with clear errors.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.numeric._params import Params
    >>> g = analytic_gradient(lambda x: 2 * x, Params(np.array([1.0, 2.0], np.float32)))
    >>> g.value, g.dtype, g.mutated
    (array([2., 4.]), dtype('float32'), None)
    """
    if callable(grad):
        before = params.theta.copy()
        copy = params.unflatten(before.copy())
        out = grad(copy)
        after = np.concatenate(
            [np.ravel(copy[k]) for k in params.keys] if params.names else [np.ravel(copy)]
        )
        mutated = None if np.array_equal(after, before) else "grad"
        if out is None:
            raise TypeError(
                "grad returned None; it must return the gradient (did you forget `return`?)"
            )
        return AnalyticGradient(params.flatten(out, "grad(x)"), params.value_dtype(out), mutated)
    if isinstance(grad, (np.ndarray, dict, list, tuple)) or np.isscalar(grad):
        return AnalyticGradient(params.flatten(grad, "grad"), params.value_dtype(grad), None)
    raise TypeError(f"grad must be a callable or an array/dict like x; got {describe(grad)}")
