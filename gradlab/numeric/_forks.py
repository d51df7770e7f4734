"""Forks in a layer's forward pass: one input used by several operations, split by branch.

:func:`branch_gradients` hands each NumPy operation that uses the input its own copy
(an ndarray subclass intercepts ufuncs and array functions), so the gradient through each
use can be measured on its own. Views of the input (``x.T``, ``x[...]``) cannot be
replayed on a copy: a forward that uses them gets no split, and so no fork diagnosis.
"""

from __future__ import annotations

import numpy as np

from gradlab.numeric.differences import numeric_gradient

__all__ = ["branch_gradients", "branch_objective"]


class _Uses(np.ndarray):
    """An input that hands each NumPy operation using it its own copy (one per branch)."""

    def __array_ufunc__(self, ufunc, method, *args, **kwargs):
        if "out" in kwargs:
            self._tracker["supported"] = False
        args = [self._take(a) for a in args]
        return getattr(ufunc, method)(*args, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        args = [self._take(a) for a in args]
        return func(*args, **kwargs)

    def _take(self, a):
        if not isinstance(a, _Uses):
            return a
        tracker = a._tracker
        if a is not tracker["root"]:  # a view (x.T, x[...]): its branch cannot be replayed
            tracker["supported"] = False
            return np.asarray(a).view(np.ndarray)
        use = tracker["count"]
        tracker["count"] += 1
        return tracker["values"].get(use, tracker["base"]).copy()


def _traced_forward(layer, name, values_by_use):
    base = layer.values[layer.names.index(name)]
    tracked = base.copy().view(_Uses)
    tracker = {"root": tracked, "count": 0, "values": values_by_use, "base": base,
               "supported": True}  # fmt: skip
    tracked._tracker = tracker
    args = [v.copy() for v in layer.values]
    args[layer.names.index(name)] = tracked
    try:
        out = np.asarray(layer.forward(*args)).view(np.ndarray)
    except Exception:  # noqa: BLE001 - a forward that cannot take the tracer: no fork test
        return None, tracker
    if isinstance(out, _Uses):
        tracker["supported"] = False
    return out, tracker


def branch_objective(layer, name, use):
    def f(x):
        out, _ = _traced_forward(layer, name, {use: x[name]})
        return np.sum(layer.dout * out)

    return f


def branch_gradients(layer, name):
    out, tracker = _traced_forward(layer, name, {})
    if out is None or not tracker["supported"] or tracker["count"] < 2:
        return None
    if not np.allclose(out, layer.out, rtol=1e-12, atol=0):
        return None  # the traced forward differs from the real one: do not split it
    x = {name: layer.values[layer.names.index(name)]}
    return [
        numeric_gradient(branch_objective(layer, name, use), x, method="richardson")[name]
        for use in range(tracker["count"])
    ]
