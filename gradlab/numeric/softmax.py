"""Check a student's softmax-regression gradient against gradlab's loss, eq (1)."""

from __future__ import annotations

import numpy as np

from gradlab._validation import as_array, as_l2, as_labels, describe
from gradlab.model import _check_params, _check_X, _logits, _one_hot, _shifted, _softmax
from gradlab.numeric.check import check_gradient, random_generator
from gradlab.numeric.report import GradientCheck

__all__ = ["check_softmax_gradient"]


class _SoftmaxContext:
    """Softmax-specific hypotheses for the diagnosis: mistakes with the one-hot matrix."""

    def __init__(self, W, b, X, y, l2):
        self.l2 = l2
        m, C = X.shape[0], W.shape[1]
        self.X, self.m, self.C = X, m, C
        self.F = _softmax(_logits(W, b, X), -1)
        self.Y = _one_hot(y, C, np.float64)
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


def check_softmax_gradient(grad_fn, X, y, W=None, b=None, l2=0.0, **kw) -> GradientCheck:
    """Check a student's ``grad_fn(W, b, X, y) -> (dW, db)`` against gradlab's loss.

    The reference is :func:`gradlab.loss` (eq 1, plus ``(l2/2)‖W‖²``), which is
    complex-safe, so the default check uses the complex step and catches an error of
    one part in a million in a single entry.

    Parameters
    ----------
    grad_fn : callable
        ``grad_fn(W, b, X, y)`` returning ``(dW, db)`` of shapes (d, C) and (C,).
    X : array_like, shape (m, d)
    y : array_like of int, shape (m,)
    W : array_like, shape (d, C), optional
        Default: random normal with scale 1/√d (seeded by ``seed``).
    b : array_like, shape (C,), optional
        Default: random normal with scale 0.1.
    l2 : float, default 0.0
        The L2 strength λ of the reference loss; ``grad_fn`` must include ``λ W``.
    **kw
        Passed to :func:`check_gradient` (``method``, ``mode``, ``n``, ``rtol``, ``seed`` ...).

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
    >>> report = check_softmax_gradient(grad_fn, X, y, W=np.zeros((4, 3)), b=np.zeros(3))
    >>> report.ok
    False
    >>> print(report.diagnosis[0])
    for 'W': analytic = 50 × numeric: forgot to divide by m = 50?
    """
    if not callable(grad_fn):
        raise TypeError(f"grad_fn must be callable as grad_fn(W, b, X, y); got {describe(grad_fn)}")
    l2 = as_l2(l2)
    X = _check_X(X)
    if X.dtype.kind != "f":
        X = X.astype(np.float64)
    m, d = X.shape
    y_arr = as_labels(y, m=m)
    rng = random_generator(kw.get("seed", 0))
    if W is not None:
        W = as_array("W", W, ndim=2, shape_hint=" of shape (d, C)")
    if b is not None:
        b = as_array("b", b, ndim=1, shape_hint=" of shape (C,)")
    if W is None and b is None and y_arr.min() >= 1:
        # C is inferred from the labels here, so 1-based labels would silently add an
        # empty class 0 and check a different model from the student's
        raise ValueError(
            f"labels must be 0..C-1; these look 1-based (they run from {y_arr.min()} to "
            f"{y_arr.max()}): pass y - 1, or pass W of shape (d, C) to fix C"
        )
    C = W.shape[1] if W is not None else (b.shape[0] if b is not None else None)
    C = C if C is not None else max(int(y_arr.max()) + 1, 2)
    W = rng.normal(scale=1 / np.sqrt(d), size=(d, C)) if W is None else W
    b = rng.normal(scale=0.1, size=C) if b is None else b
    W, b = _check_params(W, b, d=d)
    y_arr = as_labels(y_arr, n_classes=C, m=m)
    rows = np.arange(m)
    X_ref = X.copy()  # the loss never sees the caller's X, nor does grad_fn
    y_ref = y_arr.copy()

    def f(p):
        S = _shifted(_logits(p["W"], p["b"], X_ref), -1)
        J = (np.log(np.exp(S).sum(axis=1)).sum() - S[rows, y_ref].sum()) / m
        if l2:
            J = J + 0.5 * l2 * (p["W"] * p["W"]).sum()
        return J

    def grad(p):
        out = grad_fn(p["W"], p["b"], X_ref.copy(), y_ref.copy())
        if isinstance(out, dict):
            return out
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError(f"grad_fn must return a pair (dW, db); got {describe(out)}")
        return {"W": out[0], "b": out[1]}

    W0 = W.astype(np.float64) if W.dtype.kind != "f" else W
    b0 = b.astype(W0.dtype)
    ctx = _SoftmaxContext(W0.astype(float), b0.astype(float), X_ref.astype(float), y_ref, l2)
    kw.setdefault("m", m)
    return check_gradient(f, grad, {"W": W0, "b": b0}, _context=ctx, **kw)
