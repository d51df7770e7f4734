"""Check a student's softmax-regression gradient against the model's own loss, eq (1)."""

from __future__ import annotations

import warnings

import numpy as np

from gradlab._validation import as_array, as_l2, as_labels, describe
from gradlab.model import check_inputs, logits, loss, one_hot, softmax
from gradlab.numeric.check import check_gradient, random_generator
from gradlab.numeric.report import GradientCheck

__all__ = ["check_softmax_gradient"]


class _SoftmaxContext:
    """Softmax-specific hypotheses for the diagnosis: mistakes with the one-hot matrix."""

    def __init__(self, W, b, X, y, l2):
        self.l2 = l2
        m, C = X.shape[0], W.shape[1]
        self.X, self.m, self.C = X, m, C
        self.F = softmax(logits(W, b, X, validate=False), -1, validate=False)
        self.Y = one_hot(y, C)
        self.W = W
        self.d = W.size

    def _delta(self, D: np.ndarray) -> np.ndarray:
        """The flat (dW, db) contribution of ``dZ = D / m``."""
        return np.concatenate([(self.X.T @ D).ravel() / self.m, D.sum(axis=0) / self.m])

    def hypotheses(self, a: np.ndarray):
        # a = X^T (F - Y')/m (+ l2 W): recover which class each column of Y' holds.
        yield (
            a - self._delta(self.Y),
            (
                "analytic - numeric = Xᵀ Y / m: forgot to subtract the one-hot 𝕀(y_i = k) "
                "(eq 2: dJ_i/dz_k = f_k - 𝕀(y_i = k))"
            ),
        )
        aW = a[: self.d].reshape(self.W.shape)
        U = self.X.T @ self.F / self.m + self.l2 * self.W - aW
        T = self.X.T @ self.Y / self.m
        dist = np.linalg.norm(U[:, :, None] - T[:, None, :], axis=0)
        perm = dist.argmin(axis=1)
        if np.array_equal(np.sort(perm), np.arange(self.C)) and not np.array_equal(
            perm, np.arange(self.C)
        ):
            moved = {int(k): int(p) for k, p in enumerate(perm) if k != p}
            yield (
                a - self._delta(self.Y - self.Y[:, perm]),
                (
                    f"the one-hot matrix has its classes in a different order (column k holds class "
                    f"{moved}): build Y[i, y_i] = 1 with labels 0..C-1, as in 𝕀(y_i = k) of eq 2"
                ),
            )


def _legacy_order(W, b, X, y):
    """``(grad_fn, X, y[, W, b])``, the order before the model's: detected by labels in the
    place of ``b`` (integers, one per row of the array in the place of ``W``) and, if
    given, a float vector in the place of ``y``."""
    if W is None or b is None or np.ndim(W) != 2 or np.ndim(b) != 1:
        return None
    if np.asarray(b).dtype.kind not in "iu" or np.shape(b)[0] != np.shape(W)[0]:
        return None
    if y is not None and np.asarray(y).dtype.kind != "f":
        return None
    warnings.warn(
        "check_softmax_gradient(grad_fn, X, y, W, b) is deprecated: the arguments follow the "
        "model's order, check_softmax_gradient(grad_fn, W, b, X, y), or pass X=X, y=y",
        DeprecationWarning,
        stacklevel=3,
    )
    return X, y, W, b  # W, b, X, y in the new order


def check_softmax_gradient(
    grad_fn,
    W=None,
    b=None,
    X=None,
    y=None,
    *,
    l2=0.0,
    method="auto",
    mode="full",
    n=None,
    rtol=None,
    atol=None,
    seed=0,
    progress=None,
) -> GradientCheck:
    """Check a student's ``grad_fn(W, b, X, y) -> (dW, db)`` against :func:`gradlab.loss`.

    The arguments follow the model's order, ``(W, b, X, y)``. The reference is
    :func:`gradlab.loss` itself (eq 1, plus ``(l2/2)‖W‖²``), which is complex-safe, so
    the default check uses the complex step and catches an error of one part in a
    million in a single entry.

    Parameters
    ----------
    grad_fn : callable
        ``grad_fn(W, b, X, y)`` returning ``(dW, db)`` of shapes (d, C) and (C,).
    W : array_like, shape (d, C), optional
        Default: random normal with scale 1/√d (seeded by ``seed``).
    b : array_like, shape (C,), optional
        Default: random normal with scale 0.1.
    X : array_like, shape (m, d)
    y : array_like of int, shape (m,)
    l2 : float, default 0.0
        The L2 strength λ of the reference loss; ``grad_fn`` must include ``λ W``.
    method, mode, n, rtol, atol, seed, progress
        As in :func:`check_gradient` (``m`` is set to the number of samples).

    Returns
    -------
    GradientCheck
        Per-parameter report over ``{"W": ..., "b": ...}``.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.numeric import check_softmax_gradient
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(50, 4)), rng.integers(0, 3, size=50)
    >>> def grad_fn(W, b, X, y):  # forgot the 1/m
    ...     F = np.exp(X @ W + b); F /= F.sum(axis=1, keepdims=True)
    ...     F[np.arange(len(y)), y] -= 1
    ...     return X.T @ F, F.sum(axis=0)
    >>> report = check_softmax_gradient(grad_fn, np.zeros((4, 3)), np.zeros(3), X, y)
    >>> report.verdict
    'fail'
    >>> print(report.diagnosis[0])
    for 'W': analytic = 50 × numeric: forgot to divide by m = 50?
    """
    if not callable(grad_fn):
        raise TypeError(f"grad_fn must be callable as grad_fn(W, b, X, y); got {describe(grad_fn)}")
    legacy = _legacy_order(W, b, X, y)
    if legacy is not None:
        W, b, X, y = legacy
    if X is None or y is None:
        raise TypeError("check_softmax_gradient needs the data: pass X (m, d) and y (m,)")
    l2 = as_l2(l2)
    W, b, X, y = _point(W, b, X, y, random_generator(seed))
    X_ref, y_ref = X.copy(), y.copy()  # neither the loss nor grad_fn sees the caller's X

    def f(p):
        return loss(p["W"], p["b"], X_ref, y_ref, l2, validate=False)

    def grad(p):
        try:
            out = grad_fn(p["W"], p["b"], X_ref.copy(), y_ref.copy())
        except (ValueError, TypeError, IndexError) as exc:
            raise type(exc)(
                f"grad_fn(W, b, X, y) raised {type(exc).__name__}: {exc}: check the argument "
                f"order (W {W.shape}, b {b.shape}, X {X.shape}, y {y.shape})"
            ) from exc
        if isinstance(out, dict):
            return out
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError(f"grad_fn must return a pair (dW, db); got {describe(out)}")
        return {"W": out[0], "b": out[1]}

    ctx = _SoftmaxContext(W.astype(float), b.astype(float), X_ref.astype(float), y_ref, l2)
    return check_gradient(
        f, grad, {"W": W, "b": b}, method=method, mode=mode, n=n, rtol=rtol, atol=atol,
        seed=seed, m=X.shape[0], progress=progress, _context=ctx,
    )  # fmt: skip


def _point(W, b, X, y, rng):
    """The checked point: (W, b) given or drawn at random, X as floats, y as labels."""
    X = as_array("X", X, ndim=2, shape_hint=" of shape (m, d)")
    if X.dtype.kind != "f":
        X = X.astype(np.float64)
    m, d = X.shape
    y = as_labels(y, m=m)
    if W is not None:
        W = as_array("W", W, ndim=2, shape_hint=" of shape (d, C)")
    if b is not None:
        b = as_array("b", b, ndim=1, shape_hint=" of shape (C,)")
    if W is None and b is None and y.min() >= 1:
        # C is inferred from the labels here, so 1-based labels would silently add an
        # empty class 0 and check a different model from the student's
        raise ValueError(
            f"labels must be 0..C-1; these look 1-based (they run from {y.min()} to "
            f"{y.max()}): pass y - 1, or pass W of shape (d, C) to fix C"
        )
    C = W.shape[1] if W is not None else (b.shape[0] if b is not None else None)
    C = C if C is not None else max(int(y.max()) + 1, 2)
    W = rng.normal(scale=1 / np.sqrt(d), size=(d, C)) if W is None else W
    b = rng.normal(scale=0.1, size=C) if b is None else b
    W, b, X, y = check_inputs(W, b, X, y)
    W = W.astype(np.float64) if W.dtype.kind != "f" else W
    return W, b.astype(W.dtype), X, y
