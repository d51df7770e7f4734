"""A two-layer network in the lecture's notation: the forward pass and backpropagation.

One hidden layer of ``H`` units between the input and softmax regression::

    z¹ = W¹ᵀx + b¹,   h = φ(z¹),   z² = W²ᵀh + b²,   f = softmax(z²)

with ``φ`` one of ``"relu"``, ``"tanh"`` or ``"sigmoid"``, and the loss of eq (1)
on ``f`` plus an optional L2 penalty on the weights (not the biases)::

    J = -(1/m) Σ_i log f_{y_i}(x_i) + (λ/2) (‖W¹‖² + ‖W²‖²)

Parameters are a dict with the keys ``"W1"`` (d, H), ``"b1"`` (H,), ``"W2"`` (H, C) and
``"b2"`` (C,), the same layout as :mod:`gradlab.model` (column ``k`` of ``W2`` is the
``w_k`` of softmax regression, now acting on ``h`` instead of ``x``). For all ``m``
samples at once, with one sample per row::

    Z¹ = X W¹ + b¹ (m, H),  H = φ(Z¹),  Z² = H W² + b² (m, C),  F = softmax(Z²)

Backpropagation, the chain rule from the loss back to each parameter::

    dZ² = (F - Y) / m                     eq (2) for every sample, averaged
    dW² = Hᵀ dZ² + λ W²,   db² = Σ_i dZ²_i
    dH  = dZ² W²ᵀ                         every unit feeds every class: a sum over k
    dZ¹ = dH ⊙ φ′(Z¹)                     elementwise, φ′ at the *input* z¹ of φ
    dW¹ = Xᵀ dZ¹ + λ W¹,   db¹ = Σ_i dZ¹_i

Dtype rules are those of :mod:`gradlab.model`: the computation runs in
``numpy.result_type`` of ``X`` and the parameters (float32 stays float32), integer and
boolean input becomes float64, and complex parameters give complex results for the
complex-step check when ``φ`` is analytic (``tanh``, ``sigmoid``; ``relu`` is not, and
refuses complex parameters). Nothing the caller passes in is modified.
"""

from __future__ import annotations

import numpy as np

from gradlab._validation import as_array, as_l2, as_labels, describe, require_finite
from gradlab.model import log_softmax

__all__ = [
    "ACTIVATIONS",
    "PARAMETERS",
    "activate",
    "activation_derivative",
    "backprop",
    "forward",
    "gradient",
    "hidden",
    "init_params",
    "loss",
    "loss_and_gradient",
    "predict",
    "predict_proba",
]

PARAMETERS = ("W1", "b1", "W2", "b2")
ACTIVATIONS = ("relu", "tanh", "sigmoid")
_ANALYTIC = ("tanh", "sigmoid")  # complex-safe: the complex step works through them


# ----------------------------------------------------------------------------- activations


def _check_activation(activation) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {', '.join(map(repr, ACTIVATIONS))}; "
            f"got {describe(activation)}"
        )
    return activation


def activate(Z, activation):
    """``φ(Z)`` elementwise: ``max(0, z)``, ``tanh(z)`` or ``σ(z) = 1 / (1 + exp(-z))``.

    The sigmoid is computed as ``(1 + tanh(z/2)) / 2``: the same function, with no
    overflow for large ``|z|`` and analytic for complex ``z``.

    Examples
    --------
    >>> from gradlab.mlp import activate
    >>> activate([-1.0, 0.0, 2.0], "relu")
    array([0., 0., 2.])
    >>> activate([-1000.0, 0.0, 1000.0], "sigmoid")
    array([0. , 0.5, 1. ])
    """
    activation = _check_activation(activation)
    Z = as_array("Z", Z)
    return _phi(Z, activation)


def activation_derivative(Z, activation):
    """``φ′(Z)`` elementwise, at the input ``z`` of the activation.

    ``relu′(z) = I(z > 0)`` (0 at the kink), ``tanh′(z) = 1 - tanh²(z)``,
    ``σ′(z) = σ(z)(1 - σ(z))``.

    Examples
    --------
    >>> from gradlab.mlp import activation_derivative
    >>> activation_derivative([-1.0, 2.0], "relu")
    array([0., 1.])
    >>> activation_derivative([0.0], "sigmoid")
    array([0.25])
    """
    activation = _check_activation(activation)
    Z = as_array("Z", Z)
    return _phi_prime(Z, _phi(Z, activation), activation)


def _phi(Z: np.ndarray, activation: str) -> np.ndarray:
    if activation == "relu":
        return np.maximum(Z, 0)
    if activation == "tanh":
        return np.tanh(Z)
    return 0.5 * (1 + np.tanh(0.5 * Z))


def _phi_prime(Z: np.ndarray, H: np.ndarray, activation: str) -> np.ndarray:
    """``φ′(Z)``, written with ``H = φ(Z)`` where that saves work: still φ′ at Z."""
    if activation == "relu":
        return (Z > 0).astype(H.dtype)
    if activation == "tanh":
        return 1 - H * H
    return H * (1 - H)


# ----------------------------------------------------------------------------- checks


_SHAPES = {"W1": "(d, H)", "b1": "(H,)", "W2": "(H, C)", "b2": "(C,)"}


def _check_params(params, activation: str, d: int | None = None) -> dict:
    if not isinstance(params, dict):
        raise TypeError(
            "params must be a dict with keys 'W1', 'b1', 'W2', 'b2' (see gradlab.mlp); "
            f"got {describe(params)}"
        )
    missing = [k for k in PARAMETERS if k not in params]
    extra = [k for k in params if k not in PARAMETERS]
    if missing or extra:
        raise ValueError(
            "params must have exactly the keys 'W1', 'b1', 'W2', 'b2'; "
            + (f"missing {missing}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"unexpected {extra}" if extra else "")
        )
    out = {}
    for key in PARAMETERS:
        ndim = 2 if key.startswith("W") else 1
        out[key] = as_array(
            f"params[{key!r}]", params[key], ndim=ndim, shape_hint=f" of shape {_SHAPES[key]}"
        )
    W1, b1, W2, b2 = (out[k] for k in PARAMETERS)
    H, C = W2.shape
    if d is not None and W1.shape[0] != d:
        raise ValueError(
            f"params['W1'] must have shape (d, H) = ({d}, H) to match X with d = {d} features; "
            f"got shape {W1.shape}"
        )
    if W1.shape[1] != H:
        raise ValueError(
            f"params['W1'] has {W1.shape[1]} columns (hidden units) but params['W2'] has "
            f"{H} rows: both must equal H; got W1 {W1.shape} and W2 {W2.shape}"
        )
    if H == 0 or C == 0:
        raise ValueError(
            f"the network needs at least one hidden unit and one class; got W2 of shape {W2.shape}"
        )
    if b1.shape != (H,):
        raise ValueError(f"params['b1'] must have shape (H,) = ({H},); got shape {b1.shape}")
    if b2.shape != (C,):
        raise ValueError(f"params['b2'] must have shape (C,) = ({C},); got shape {b2.shape}")
    for key in PARAMETERS:
        require_finite(f"params[{key!r}]", out[key])
    if activation not in _ANALYTIC and any(out[k].dtype.kind == "c" for k in PARAMETERS):
        raise TypeError(
            f"activation {activation!r} is not analytic, so complex parameters (the complex-step "
            "check) cannot pass through it; use real parameters, or tanh / sigmoid"
        )
    return out


def _check_X(X) -> np.ndarray:
    X = as_array("X", X, ndim=2, shape_hint=" of shape (m, d)")
    if X.shape[0] == 0:
        raise ValueError(f"X must have at least one sample (row); got shape {X.shape}")
    if X.dtype.kind == "c":
        raise TypeError("X must be real; got complex X (only the parameters may be complex)")
    return X


def _check_all(params, X, y, activation, l2=0.0):
    activation = _check_activation(activation)
    l2 = as_l2(l2)
    X = _check_X(X)
    p = _check_params(params, activation, d=X.shape[1])
    labels = None if y is None else as_labels(y, n_classes=p["W2"].shape[1], m=X.shape[0])
    return p, X, labels, activation, l2


# ----------------------------------------------------------------------------- forward


def _affine(A: np.ndarray, W: np.ndarray, b: np.ndarray, name: str) -> np.ndarray:
    """``A W + b``; a large real ``A`` stays real when ``W`` is complex (no complex copy)."""
    with np.errstate(invalid="ignore", over="ignore"):
        if W.dtype.kind == "c" and A.dtype.kind != "c":
            Z = A @ W.real + 1j * (A @ W.imag) + b
        else:
            Z = A @ W + b
    if not np.isfinite(Z).all():
        # X was not scanned up front (it is the largest array): a NaN there shows up here
        if name == "Z1":
            require_finite("X", A)
        raise ValueError(
            f"{name} overflowed to inf: the inputs or weights are too large "
            f"(max |input| = {np.abs(A).max():.3g}, max |W| = {np.abs(W).max():.3g}); "
            "standardize X or shrink the weights"
        )
    return Z


def _forward(p: dict, X: np.ndarray, activation: str) -> dict:
    Z1 = _affine(X, p["W1"], p["b1"], "Z1")
    H = _phi(Z1, activation)
    Z2 = _affine(H, p["W2"], p["b2"], "Z2")
    return {"Z1": Z1, "H": H, "Z2": Z2}


def forward(params, X, activation="tanh"):
    """Every intermediate of the forward pass: ``{"Z1", "H", "Z2", "F"}``.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.mlp import forward, init_params
    >>> values = forward(init_params(2, 4, 3), np.ones((5, 2)))
    >>> {k: v.shape for k, v in values.items()}
    {'Z1': (5, 4), 'H': (5, 4), 'Z2': (5, 3), 'F': (5, 3)}
    """
    p, X, _, activation, _ = _check_all(params, X, None, activation)
    values = _forward(p, X, activation)
    values["F"] = np.exp(log_softmax(values["Z2"], axis=1))
    return values


def hidden(params, X, activation="tanh"):
    """The hidden units' values ``H = φ(X W¹ + b¹)``, shape (m, H)."""
    return forward(params, X, activation)["H"]


def predict_proba(params, X, activation="tanh"):
    """Class probabilities ``F = softmax(Z²)``, shape (m, C)."""
    return forward(params, X, activation)["F"]


def predict(params, X, activation="tanh"):
    """The most probable class ``argmax_k f_k`` for each row of ``X``, labels ``0..C-1``."""
    p, X, _, activation, _ = _check_all(params, X, None, activation)
    if any(p[k].dtype.kind == "c" for k in PARAMETERS):
        raise TypeError("predict needs real parameters; got complex ones")
    return _forward(p, X, activation)["Z2"].argmax(axis=1)


def _penalty(p: dict, l2: float):
    return 0.5 * l2 * ((p["W1"] * p["W1"]).sum() + (p["W2"] * p["W2"]).sum())


def loss(params, X, y, activation="tanh", l2=0.0):
    """The loss of eq (1) on the network's ``f``, plus ``(l2/2)(‖W¹‖² + ‖W²‖²)``.

    Parameters
    ----------
    params : dict
        ``{"W1": (d, H), "b1": (H,), "W2": (H, C), "b2": (C,)}``; may be complex for
        ``tanh`` and ``sigmoid``.
    X : array_like, shape (m, d)
    y : array_like of int, shape (m,)
        Labels ``0..C-1``.
    activation : {"relu", "tanh", "sigmoid"}, default "tanh"
    l2 : float, default 0.0
        Strength ``λ`` of the penalty on the weights (biases are not penalized).

    Returns
    -------
    float
        ``J`` as a NumPy scalar of the computation dtype.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab import mlp
    >>> params = mlp.init_params(2, 4, 3, seed=0)
    >>> params["W2"][:] = 0; params["b2"][:] = 0  # uniform f: J = log 3
    >>> print(f"{mlp.loss(params, np.ones((2, 2)), [0, 2]):.4f}")
    1.0986
    """
    p, X, y, activation, l2 = _check_all(params, X, y, activation, l2)
    Z2 = _forward(p, X, activation)["Z2"]
    J = -log_softmax(Z2, axis=1)[np.arange(X.shape[0]), y].sum() / X.shape[0]
    return J + _penalty(p, l2) if l2 else J


def _backprop(p: dict, X: np.ndarray, y: np.ndarray, activation: str, l2: float, keep=False):
    """Backpropagation on checked arrays: one forward pass, then the chain rule backwards.

    Returns ``(J, grads, values)``; with ``keep`` the gradients of the intermediate nodes
    (``"Z2"``, ``"H"``, ``"Z1"``) are in ``grads`` too, and ``values`` holds the forward pass.
    """
    m = X.shape[0]
    values = _forward(p, X, activation)
    H = values["H"]
    logF = log_softmax(values["Z2"], axis=1)
    rows = np.arange(m)
    J = -logF[rows, y].sum() / m
    dZ2 = np.exp(logF)  # F, overwritten in place by (F - Y) / m: eq (2) averaged
    if keep:
        values["F"] = dZ2.copy()
    dZ2[rows, y] -= 1
    dZ2 /= m
    grads = {"W2": H.T @ dZ2, "b2": dZ2.sum(axis=0)}
    dZ1 = dZ2 @ p["W2"].T  # dH: each hidden unit collects from every class
    if keep:
        grads.update(Z2=dZ2, H=dZ1.copy())
    dZ1 *= _phi_prime(values["Z1"], H, activation)
    if dZ1.dtype.kind == "c":  # keep the large real X real: no complex copy of it
        grads["W1"] = X.T @ dZ1.real + 1j * (X.T @ dZ1.imag)
    else:
        grads["W1"] = X.T @ dZ1
    grads["b1"] = dZ1.sum(axis=0)
    if keep:
        grads["Z1"] = dZ1
    if l2:
        J = J + _penalty(p, l2)
        grads["W1"] += l2 * p["W1"]
        grads["W2"] += l2 * p["W2"]
    return J, grads, values


def backprop(params, X, y, activation="tanh", l2=0.0):
    """The forward pass and the gradient of ``J`` at every node of the network.

    Returns
    -------
    J : float
    values : dict
        ``"Z1"``, ``"H"``, ``"Z2"``, ``"F"``: the forward pass.
    grads : dict
        ``∂J/∂`` every node: the parameters ``"W1"``, ``"b1"``, ``"W2"``, ``"b2"`` and
        the intermediates ``"Z2"`` (``(F - Y)/m``), ``"H"`` and ``"Z1"``.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab import mlp
    >>> J, values, grads = mlp.backprop(mlp.init_params(2, 3, 2), np.ones((1, 2)), [1])
    >>> sorted(grads)
    ['H', 'W1', 'W2', 'Z1', 'Z2', 'b1', 'b2']
    """
    p, X, y, activation, l2 = _check_all(params, X, y, activation, l2)
    J, grads, values = _backprop(p, X, y, activation, l2, keep=True)
    return J, values, grads


def gradient(params, X, y, activation="tanh", l2=0.0):
    """The gradient of :func:`loss` by backpropagation: a dict like ``params``.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab import mlp
    >>> params = mlp.init_params(2, 4, 3, seed=0)
    >>> grads = mlp.gradient(params, np.ones((5, 2)), [0, 1, 2, 1, 0])
    >>> {k: g.shape for k, g in grads.items()}
    {'W1': (2, 4), 'b1': (4,), 'W2': (4, 3), 'b2': (3,)}
    """
    return loss_and_gradient(params, X, y, activation, l2)[1]


def loss_and_gradient(params, X, y, activation="tanh", l2=0.0):
    """:func:`loss` and :func:`gradient` from one shared forward pass.

    Returns
    -------
    J : float
    grads : dict of ndarray
        ``{"W1", "b1", "W2", "b2"}``, each shaped like its parameter.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab import mlp
    >>> params = mlp.init_params(3, 5, 2, seed=1)
    >>> X, y = np.random.default_rng(0).normal(size=(4, 3)), [0, 1, 1, 0]
    >>> J, grads = mlp.loss_and_gradient(params, X, y, activation="relu", l2=0.1)
    >>> bool(np.isclose(J, mlp.loss(params, X, y, activation="relu", l2=0.1)))
    True
    """
    p, X, y, activation, l2 = _check_all(params, X, y, activation, l2)
    J, grads, _ = _backprop(p, X, y, activation, l2)
    return J, {k: grads[k] for k in PARAMETERS}


def init_params(d, hidden, n_classes, *, activation="tanh", seed=0):
    """Glorot-uniform weights and biases, drawn exactly as scikit-learn's ``MLPClassifier``.

    Each layer with ``fan_in`` inputs and ``fan_out`` outputs draws its weights, then its
    biases, from ``U(-a, a)`` with ``a = sqrt(6 / (fan_in + fan_out))`` (``sqrt(2 / ...)``
    for the sigmoid), from ``numpy.random.RandomState(seed)``: so ``seed=s`` starts where
    ``MLPClassifier(random_state=s)`` does (for three or more classes).

    Examples
    --------
    >>> from gradlab.mlp import init_params
    >>> {k: v.shape for k, v in init_params(2, 8, 3).items()}
    {'W1': (2, 8), 'b1': (8,), 'W2': (8, 3), 'b2': (3,)}
    """
    _check_activation(activation)
    for name, value in (("d", d), ("hidden", hidden), ("n_classes", n_classes)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {describe(value)}")
    rng = np.random.RandomState(seed)
    factor = 2.0 if activation == "sigmoid" else 6.0
    params = {}
    for (fan_in, fan_out), (w, b) in zip(
        ((d, hidden), (hidden, n_classes)), (("W1", "b1"), ("W2", "b2")), strict=True
    ):
        bound = np.sqrt(factor / (fan_in + fan_out))
        params[w] = rng.uniform(-bound, bound, (fan_in, fan_out))
        params[b] = rng.uniform(-bound, bound, fan_out)
    return {k: params[k] for k in PARAMETERS}
