"""Input checks shared by the public functions.

Every check raises ``TypeError`` or ``ValueError`` whose message names the
argument, says what was expected and what was given, so that a student sees
their own mistake instead of a NumPy traceback from deep inside gradlab.
"""

from __future__ import annotations

import numbers

import numpy as np

_NUMERIC_KINDS = "biufc"
_KEPT_DTYPES = (np.float32, np.float64, np.complex64, np.complex128)


def describe(value) -> str:
    """A short description of ``value`` for error messages."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return f"{type(value).__name__} {value!r}"[:120]


def _asarray(value, expectation: str) -> np.ndarray:
    """``np.asarray(value)``, with NumPy's ragged-sequence error said in the caller's words."""
    if type(value) is np.ndarray:
        return value
    # np.asarray also turns subclasses such as np.matrix (whose max() and @ differ) into
    # plain arrays.
    try:
        return np.asarray(value)
    except ValueError as exc:
        raise ValueError(
            f"{expectation}; got a ragged nested sequence (rows of different lengths)"
        ) from exc


def as_array(name: str, value, *, ndim: int | None = None, shape_hint: str = "") -> np.ndarray:
    """``value`` as a numeric ndarray (no copy when it already is one).

    Integer and boolean input becomes float64; float32, float64 and complex
    input keep their dtype.
    """
    arr = _asarray(value, f"{name} must be a rectangular array{shape_hint}")
    if arr.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(f"{name} must contain numbers{shape_hint}; got {describe(arr)}")
    if arr.dtype not in _KEPT_DTYPES:
        # float16 and long double would silently change the precision rules;
        # integers would truncate every perturbation.
        arr = arr.astype(np.complex128 if arr.dtype.kind == "c" else np.float64)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(
            f"{name} must be a {ndim}-D array{shape_hint}; got a {arr.ndim}-D array of shape "
            f"{arr.shape}"
            + (
                "; for a single sample use X.reshape(1, -1)"
                if name == "X" and arr.ndim == 1
                else ""
            )
        )
    return arr


def require_finite(name: str, arr: np.ndarray) -> None:
    """Raise ``ValueError`` naming ``name`` if ``arr`` holds NaN or inf."""
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))
        where = tuple(int(i) for i in bad[0])
        raise ValueError(
            f"{name} must be finite; got {len(bad)} NaN or inf entr"
            f"{'y' if len(bad) == 1 else 'ies'}, the first at index {where}: "
            f"{arr[where].item()!r}"
        )


def as_l2(l2) -> float:
    """The regularization strength as a non-negative float."""
    if isinstance(l2, bool) or not isinstance(l2, numbers.Real):
        raise TypeError(f"l2 must be a non-negative real number; got {describe(l2)}")
    if not np.isfinite(l2) or l2 < 0:
        raise ValueError(f"l2 must be a finite number >= 0; got {l2!r}")
    return float(l2)


def as_int(name: str, value, minimum: int) -> int:
    """An integer option such as ``epochs`` as an ``int``, at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {describe(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return int(value)


def as_n_classes(n_classes) -> int:
    if isinstance(n_classes, bool) or not isinstance(n_classes, numbers.Integral):
        raise TypeError(f"n_classes must be a positive integer; got {describe(n_classes)}")
    if n_classes < 1:
        raise ValueError(f"n_classes must be a positive integer; got {n_classes}")
    return int(n_classes)


def as_labels(y, *, n_classes: int | None = None, m: int | None = None) -> np.ndarray:
    """Integer class labels 0..C-1 as an int64 (or intp) array of shape (m,)."""
    arr = _asarray(y, "y must be a 1-D sequence of integer labels")
    if arr.ndim != 1:
        hint = (
            "; y looks one-hot encoded: pass y.argmax(axis=1)"
            if arr.ndim == 2 and arr.size and set(np.unique(arr).tolist()) <= {0, 1}
            else ""
        )
        raise ValueError(
            f"y must be a 1-D array of integer labels of shape (m,); got shape {arr.shape}{hint}"
        )
    if m is not None and arr.shape[0] != m:
        raise ValueError(
            f"y must have one label per row of X: expected m = {m} labels; got {arr.shape[0]}"
        )
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise TypeError(f"y must hold integer class labels 0..C-1; got dtype {arr.dtype}")
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all():
            raise ValueError("y must hold integer class labels 0..C-1; got NaN or inf")
        fractional = arr != np.round(arr)
        if fractional.any():
            bad = arr[fractional][:3].tolist()
            raise ValueError(
                f"y must hold integer class labels 0..C-1; got non-integer values such as {bad}"
            )
        huge = np.abs(arr) > 2**53  # beyond exact integers; intp would overflow
        if huge.any():
            bad = arr[huge][:3].tolist()
            rng = "" if n_classes is None else f" = 0..{n_classes - 1} (C = {n_classes} classes)"
            raise ValueError(f"labels must be 0..C-1{rng}; got labels outside that range: {bad}")
    labels = arr.astype(np.intp, copy=False)
    if n_classes is not None and labels.size:
        lo, hi = int(labels.min()), int(labels.max())
        if lo < 0 or hi >= n_classes:
            if lo >= 1 and hi == n_classes:
                raise ValueError(
                    f"labels must be 0..C-1; these look 1-based (they run from {lo} to {hi} "
                    f"with C = {n_classes}): pass y - 1"
                )
            outside = np.unique(labels[(labels < 0) | (labels >= n_classes)])[:5].tolist()
            raise ValueError(
                f"labels must be 0..C-1 = 0..{n_classes - 1} (C = {n_classes} classes); "
                f"got labels outside that range: {outside}"
            )
    return labels
