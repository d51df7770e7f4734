"""Softmax regression in the lecture's notation: equations (1)-(3), NumPy only.

Shapes follow the note: ``X`` is (m, d) with one sample ``x_i`` per row,
``W`` is (d, C) whose column ``k`` is ``w_k``, ``b`` is (C,), and ``y`` is (m,)
with integer labels ``0..C-1`` (the note's classes ``1..C`` shifted by one).
The logits are ``Z = X W + b`` (row ``i`` holds ``z_1..z_C`` for sample ``i``)
and ``F = softmax(Z)`` holds the probabilities ``f_k``.

Dtype rules
-----------
* The computation runs in ``numpy.result_type(X, W, b)``: float32 inputs give
  float32 results, float64 gives float64, and a mix gives float64.
* Integer and boolean arrays are treated as float64.
* Complex ``W`` or ``b`` (used by the complex-step gradient check) give complex
  results; every function here is analytic in ``W`` and ``b``: the stabilizing
  shift uses the real part only and there is no ``abs`` or complex ``max``.
* Nothing the caller passes in is modified.
"""

from __future__ import annotations

import numbers

import numpy as np

from gradlab._validation import (
    as_array,
    as_l2,
    as_labels,
    as_n_classes,
    describe,
    require_finite,
)

__all__ = [
    "affine",
    "check_X",
    "check_inputs",
    "cross_entropy",
    "cross_entropy_and_dZ",
    "gradient",
    "log_softmax",
    "logits",
    "loss",
    "loss_and_gradient",
    "matmul",
    "one_hot",
    "predict",
    "predict_proba",
    "softmax",
]


# ----------------------------------------------------------------------------- softmax


def _as_logits(Z, axis: int) -> tuple[np.ndarray, int]:
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(
            f"axis must be an integer (the axis over the classes); got {describe(axis)}"
        )
    axis = int(axis)
    Z = as_array("Z", Z)
    if Z.ndim == 0:
        raise ValueError("Z must be an array of logits with at least one axis; got a scalar")
    if not -Z.ndim <= axis < Z.ndim:
        raise ValueError(
            f"axis must be in [{-Z.ndim}, {Z.ndim - 1}] for Z of shape {Z.shape}; got {axis}"
        )
    if Z.shape[axis] == 0:
        raise ValueError(f"Z must have at least one logit along axis {axis}; got shape {Z.shape}")
    require_finite("Z", Z)
    return Z, axis


def _shifted(Z: np.ndarray, axis: int) -> np.ndarray:
    # Subtracting the row maximum leaves softmax unchanged and keeps exp() from
    # overflowing. Only the real part sets the shift, so complex input stays analytic.
    return Z - Z.real.max(axis=axis, keepdims=True)


def _softmax(Z: np.ndarray, axis: int = -1) -> np.ndarray:
    E = np.exp(_shifted(Z, axis))
    E /= E.sum(axis=axis, keepdims=True)
    return E


def _log_softmax(Z: np.ndarray, axis: int = -1) -> np.ndarray:
    S = _shifted(Z, axis)
    return S - np.log(np.exp(S).sum(axis=axis, keepdims=True))


def softmax(Z, axis=-1, *, validate=True):
    """Softmax ``f_k = exp(z_k) / sum_c exp(z_c)`` along ``axis``, computed stably.

    Parameters
    ----------
    Z : array_like
        Logits; finite real or complex numbers.
    axis : int, default -1
        The axis over the classes.
    validate : bool, default True
        Check ``Z`` and ``axis`` first. ``False`` is for callers that pass an array of
        logits they built themselves (``logits(W, b, X)``) in a loop.

    Returns
    -------
    ndarray
        Probabilities of the same shape as ``Z``; they sum to 1 along ``axis``.

    Examples
    --------
    >>> import gradlab
    >>> gradlab.softmax([1.0, 2.0, 3.0]).round(4)
    array([0.09  , 0.2447, 0.6652])
    >>> gradlab.softmax([1e4, 0.0])  # no overflow
    array([1., 0.])
    """
    if validate:
        Z, axis = _as_logits(Z, axis)
    return _softmax(Z, axis)


def log_softmax(Z, axis=-1, *, validate=True):
    """``log f_k = z_k - log sum_c exp(z_c)`` along ``axis`` (log-sum-exp, stable).

    Parameters
    ----------
    Z, axis, validate
        As in :func:`softmax`.

    Returns
    -------
    ndarray
        Log-probabilities of the same shape as ``Z``.

    Examples
    --------
    >>> import gradlab
    >>> gradlab.log_softmax([0.0, -1e4])  # exact where log(softmax) would give -inf
    array([     0., -10000.])
    """
    if validate:
        Z, axis = _as_logits(Z, axis)
    return _log_softmax(Z, axis)


def one_hot(y, n_classes):
    """The one-hot matrix ``Y`` with ``Y[i, k] = I(y_i = k)``.

    Parameters
    ----------
    y : array_like of int, shape (m,)
        Labels ``0..n_classes-1``.
    n_classes : int
        The number of classes ``C``.

    Returns
    -------
    ndarray of float64, shape (m, C)

    Examples
    --------
    >>> import gradlab
    >>> gradlab.one_hot([0, 2], 3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
    """
    n_classes = as_n_classes(n_classes)
    y = as_labels(y, n_classes=n_classes)
    return _one_hot(y, n_classes, np.float64)


def _one_hot(y: np.ndarray, n_classes: int, dtype) -> np.ndarray:
    Y = np.zeros((y.shape[0], n_classes), dtype=dtype)
    Y[np.arange(y.shape[0]), y] = 1
    return Y


# ----------------------------------------------------------------------------- checks


def _check_params(W, b, d: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    W = as_array("W", W, ndim=2, shape_hint=" of shape (d, C)")
    b = as_array("b", b, ndim=1, shape_hint=" of shape (C,)")
    d_w, C = W.shape
    if C == 0:
        raise ValueError(f"W must have at least one column (one per class); got shape {W.shape}")
    if d is not None and d_w != d:
        transposed = W.shape[::-1] == (d, b.shape[0])
        raise ValueError(
            f"W must have shape (d, C) = ({d}, C) to match X with d = {d} features; "
            f"got W of shape {W.shape}" + (" (it looks transposed: pass W.T)" if transposed else "")
        )
    if b.shape[0] != C:
        raise ValueError(
            f"b must have one entry per class: expected shape (C,) = ({C},) since W has "
            f"C = {C} columns; got b of shape {b.shape}"
        )
    require_finite("W", W)
    require_finite("b", b)
    return W, b


def check_X(X, *, parameters="W and b") -> np.ndarray:
    """``X`` as a real 2-D array (m, d) with at least one row; ``parameters`` may be complex.

    Examples
    --------
    >>> import gradlab
    >>> gradlab.model.check_X([[1, 2]])
    array([[1., 2.]])
    """
    X = as_array("X", X, ndim=2, shape_hint=" of shape (m, d)")
    if X.shape[0] == 0:
        raise ValueError(f"X must have at least one sample (row); got shape {X.shape}")
    if X.dtype.kind == "c":
        raise TypeError(f"X must be real; got complex X (only {parameters} may be complex)")
    return X


def check_inputs(W, b, X, y=None):
    """``(W, b, X, y)`` checked against each other, with errors naming the argument.

    The validation every function of this module runs; callers that evaluate the model
    many times on the same data check once here and then pass ``validate=False``.

    Returns
    -------
    W, b, X : ndarray
        As arrays (not copied when already arrays).
    y : ndarray of int or None

    Examples
    --------
    >>> import numpy as np, gradlab
    >>> W, b, X, y = gradlab.model.check_inputs(np.zeros((2, 3)), np.zeros(3), [[1.0, 2.0]], [2])
    >>> X.shape, y
    ((1, 2), array([2]))
    """
    X = check_X(X)
    W, b = _check_params(W, b, d=X.shape[1])
    labels = None if y is None else as_labels(y, n_classes=W.shape[1], m=X.shape[0])
    return W, b, X, labels


# ----------------------------------------------------------------------------- forward


def affine(A: np.ndarray, W: np.ndarray, b: np.ndarray, *, names=("X", "W", "b")) -> np.ndarray:
    """``A W + b`` (by :func:`matmul`) on checked arrays, NaN or overflow reported by name.

    The model's ``Z = X W + b`` and each layer of :mod:`gradlab.mlp` (``names`` are
    those of ``A``, ``W`` and ``b`` in the errors).

    Examples
    --------
    >>> import numpy as np, gradlab
    >>> gradlab.model.affine(np.ones((1, 2)), np.ones((2, 1)), np.zeros(1))
    array([[2.]])
    """
    a, w, b_name = names
    # NaN/inf are reported below with the argument that holds them, not as warnings.
    with np.errstate(invalid="ignore", over="ignore"):
        Z = matmul(A, W) + b
    if not np.isfinite(Z).all():
        # NaN or inf anywhere in A propagates to Z, so A (often the large X) is only
        # scanned on failure.
        require_finite(a, A)
        raise ValueError(
            f"{a} @ {w} + {b_name} overflowed to inf: the features or weights are too large "
            f"(max |{a}| = {np.abs(A).max():.3g}, max |{w}| = {np.abs(W).max():.3g}); "
            "standardize X"
        )
    return Z


def logits(W, b, X, *, validate=True):
    """The logits ``Z = X W + b``, shape (m, C): row ``i`` holds ``z_1..z_C`` of sample ``i``.

    ``validate=False`` skips the shape checks (for arrays already passed through
    :func:`check_inputs`); NaN or inf in the result is reported either way.

    Examples
    --------
    >>> import numpy as np, gradlab
    >>> gradlab.model.logits(np.eye(2), np.array([0.0, 1.0]), [[2.0, 3.0]])
    array([[2., 4.]])
    """
    if validate:
        W, b, X, _ = check_inputs(W, b, X)
    return affine(X, W, b)


def matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``A @ B`` that keeps a large real ``A`` real when ``B`` is complex.

    ``A @ complex B`` would first copy all of ``A`` to complex; two real products
    cost the same flops without the copy.

    Examples
    --------
    >>> import numpy as np, gradlab
    >>> gradlab.model.matmul(np.eye(2), np.array([[1j], [2.0]]))
    array([[0.+1.j],
           [2.+0.j]])
    """
    if B.dtype.kind == "c" and A.dtype.kind != "c":
        return A @ B.real + 1j * (A @ B.imag)
    return A @ B


def _check_logits_labels(Z, y) -> tuple[np.ndarray, np.ndarray]:
    Z = as_array("Z", Z, ndim=2, shape_hint=" of shape (m, C)")
    if 0 in Z.shape:
        raise ValueError(f"Z must have at least one sample and one class; got shape {Z.shape}")
    require_finite("Z", Z)
    return Z, as_labels(y, n_classes=Z.shape[1], m=Z.shape[0])


def cross_entropy(Z, y, *, validate=True):
    """Eq (1) from the logits ``Z`` (here ``X W + b``, in :mod:`gradlab.mlp` ``Z²``).

    ``J = -(1/m) sum_i log f_{y_i}`` with ``F = softmax(Z)`` row-wise; ``validate=False``
    is for arrays the caller built and checked itself.

    Examples
    --------
    >>> import numpy as np, gradlab
    >>> print(f"{gradlab.model.cross_entropy(np.zeros((2, 3)), [0, 2]):.4f}")  # log 3
    1.0986
    """
    if validate:
        Z, y = _check_logits_labels(Z, y)
    m = Z.shape[0]
    return -_log_softmax(Z, -1)[np.arange(m), y].sum() / m


def cross_entropy_and_dZ(Z, y, *, validate=True):
    """:func:`cross_entropy` and its gradient in the logits, ``dZ = (F - Y) / m`` (eq 2).

    Row ``i`` of ``dZ`` is eq (2) for sample ``i``, over ``m``; one ``exp`` serves both.

    Examples
    --------
    >>> import numpy as np, gradlab
    >>> J, dZ = gradlab.model.cross_entropy_and_dZ(np.zeros((1, 2)), [1])
    >>> dZ  # f_k - I(y = k) with f = (1/2, 1/2)
    array([[ 0.5, -0.5]])
    """
    if validate:
        Z, y = _check_logits_labels(Z, y)
    m = Z.shape[0]
    S = _shifted(Z, -1)
    E = np.exp(S)
    sums = E.sum(axis=1)
    rows = np.arange(m)
    # -log f_{y_i} = log sum_c exp(s_c) - s_{y_i}
    J = (np.log(sums).sum() - S[rows, y].sum()) / m
    # dZ = (F - Y) / m, eq (2) for every sample at once
    dZ = E
    dZ /= sums[:, None] * m
    dZ[rows, y] -= 1.0 / m
    return J, dZ


def _loss_and_gradient(W, b, X, y, l2: float):
    """Eqs (1) and (3) on checked arrays: one forward pass shared by both."""
    J, dZ = cross_entropy_and_dZ(affine(X, W, b), y, validate=False)
    dW = matmul(X.T, dZ)
    db = dZ.sum(axis=0)
    if l2:
        J = J + 0.5 * l2 * (W * W).sum()
        dW += l2 * W
    return J, dW, db


def loss(W, b, X, y, l2=0.0, *, validate=True):
    """The softmax-regression objective, eq (1), with optional L2 penalty.

    ``J = -(1/m) sum_i log f_{y_i}(x_i) + (l2/2) ||W||_F^2``; the bias is not penalized.

    Parameters
    ----------
    W : array_like, shape (d, C)
        Weights; column ``k`` is ``w_k``. May be complex.
    b : array_like, shape (C,)
        Biases. May be complex.
    X : array_like, shape (m, d)
        Samples, one per row.
    y : array_like of int, shape (m,)
        Labels ``0..C-1``.
    l2 : float, default 0.0
        Strength of the L2 penalty on ``W``.
    validate : bool, default True
        Check the arguments first. ``False`` is for a caller that evaluates ``J`` many
        times on arrays it checked once with :func:`check_inputs` (a gradient check).

    Returns
    -------
    float
        ``J`` as a NumPy scalar of the computation dtype (complex for complex ``W``/``b``).

    Examples
    --------
    >>> import numpy as np, gradlab
    >>> X = np.array([[1.0, 2.0], [0.5, -1.0]]); y = np.array([0, 2])
    >>> W = np.zeros((2, 3)); b = np.zeros(3)
    >>> print(f"{gradlab.loss(W, b, X, y):.4f}")  # uniform f_k = 1/3 gives J = log 3
    1.0986
    """
    if validate:
        l2 = as_l2(l2)
        W, b, X, y = check_inputs(W, b, X, y)
    J = cross_entropy(affine(X, W, b), y, validate=False)
    if l2:
        J = J + 0.5 * l2 * (W * W).sum()
    return J


def gradient(W, b, X, y, l2=0.0):
    """The gradient of :func:`loss`: eq (3) in matrix form.

    ``dZ = (F - Y) / m``, ``dW = X^T dZ + l2 W`` and ``db = sum_i dZ_i``,
    where ``F = softmax(X W + b)`` and ``Y`` is the one-hot matrix of ``y``.

    Parameters
    ----------
    W, b, X, y, l2
        As in :func:`loss`.

    Returns
    -------
    dW : ndarray, shape (d, C)
        Column ``k`` is ``dJ/dw_k``.
    db : ndarray, shape (C,)

    Examples
    --------
    >>> import numpy as np, gradlab
    >>> X = np.array([[1.0, 2.0]]); y = np.array([1])
    >>> dW, db = gradlab.gradient(np.zeros((2, 2)), np.zeros(2), X, y)
    >>> db  # f_k - I(y = k) with f = (1/2, 1/2)
    array([ 0.5, -0.5])
    >>> dW  # times x
    array([[ 0.5, -0.5],
           [ 1. , -1. ]])
    """
    _, dW, db = loss_and_gradient(W, b, X, y, l2)
    return dW, db


def loss_and_gradient(W, b, X, y, l2=0.0, *, validate=True):
    """:func:`loss` and :func:`gradient` from one shared forward pass.

    Parameters
    ----------
    W, b, X, y, l2, validate
        As in :func:`loss`.

    Returns
    -------
    J : float
    dW : ndarray, shape (d, C)
    db : ndarray, shape (C,)

    Examples
    --------
    >>> import numpy as np, gradlab
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(5, 3)), np.array([0, 1, 2, 1, 0])
    >>> W, b = rng.normal(size=(3, 3)), np.zeros(3)
    >>> J, dW, db = gradlab.loss_and_gradient(W, b, X, y, l2=0.1)
    >>> bool(np.isclose(J, gradlab.loss(W, b, X, y, l2=0.1)))
    True
    """
    if validate:
        l2 = as_l2(l2)
        W, b, X, y = check_inputs(W, b, X, y)
    return _loss_and_gradient(W, b, X, y, l2)


def predict_proba(W, b, X):
    """Class probabilities ``F = softmax(X W + b)``, shape (m, C).

    Examples
    --------
    >>> import numpy as np, gradlab
    >>> gradlab.predict_proba(np.eye(2), np.zeros(2), [[0.0, 0.0]])
    array([[0.5, 0.5]])
    """
    W, b, X, _ = check_inputs(W, b, X)
    return _softmax(affine(X, W, b), -1)


def predict(W, b, X):
    """The most probable class ``argmax_k f_k`` for each row of ``X``, labels ``0..C-1``.

    Examples
    --------
    >>> import numpy as np, gradlab
    >>> gradlab.predict(np.eye(2), np.zeros(2), [[2.0, 1.0], [0.0, 3.0]])
    array([0, 1])
    """
    W, b, X, _ = check_inputs(W, b, X)
    if W.dtype.kind == "c":
        raise TypeError("predict needs real W and b; got complex parameters")
    return affine(X, W, b).argmax(axis=1)
