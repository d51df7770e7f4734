"""What gradlab's classifiers share: data checks, label encoding, options and display.

:class:`gradlab.SoftmaxRegression` and :class:`gradlab.network.TwoLayerNet` both build on
:class:`Classifier`, so every rule, and every error message a student sees, is written
once: the features ``X``, the labels ``y`` (any values, encoded as codes ``0..C-1`` in
sorted order: ``classes_``), validation data, the training options, the scikit-learn
protocol (``get_params``, ``set_params``, ``predict``, ``score``) and what happens when
training diverges.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from gradlab._validation import as_array, as_int, as_l2, describe, require_finite
from gradlab.optimizers import OPTIMIZERS

__all__ = [
    "DEFAULT_SGD_BATCH",
    "Classifier",
    "DivergenceError",
    "DivergenceWarning",
    "as_features",
    "check_fit_data",
    "check_on_divergence",
    "encode_labels",
    "encode_like",
    "report_divergence",
    "training_options",
]

DEFAULT_SGD_BATCH = 32


class DivergenceWarning(UserWarning):
    """Training stopped because the loss became inf or blew up (learning rate too large)."""


class DivergenceError(FloatingPointError):
    """Raised by ``fit(..., on_divergence="raise")`` when training diverges."""


# ---------------------------------------------------------------------- data


def as_features(name, X, d=None) -> np.ndarray:
    """``X`` as a finite float64 matrix (m, d) with at least one row (and ``d`` columns).

    Examples
    --------
    >>> from gradlab.estimator import as_features
    >>> as_features("X", [[1, 2]])
    array([[1., 2.]])
    """
    X = as_array(name, X, ndim=2, shape_hint=" of shape (m, d)")
    if X.dtype.kind == "c":
        raise TypeError(f"{name} must be real; got complex values")
    if X.shape[0] == 0:
        raise ValueError(f"{name} must have at least one sample (row); got shape {X.shape}")
    if d is not None and X.shape[1] != d:
        raise ValueError(
            f"{name} must have {d} features (columns) like the training data; got shape {X.shape}"
        )
    require_finite(name, X)
    return np.ascontiguousarray(X, dtype=np.float64)


def _labels_array(name, y, m) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != m:
        hint = ""
        if y.ndim == 2 and y.shape[0] == m and y.shape[1] > 1:
            hint = f"; if it is one-hot (the lecture's Y), pass {name}=Y.argmax(axis=1)"
        raise ValueError(
            f"{name} must be a 1-D array with one label per row of "
            f"{'X' if name == 'y' else 'X_val'} (m = {m}); got shape {y.shape}{hint}"
        )
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError(f"{name} must not contain NaN or inf labels")
    return y


def _label_kind(dtype) -> str:
    return {"U": "text", "S": "text", "O": "object"}.get(dtype.kind, "number")


def encode_labels(y, m):
    """``(classes, codes)``: the sorted distinct labels of ``y`` and each label's index.

    Examples
    --------
    >>> from gradlab.estimator import encode_labels
    >>> classes, codes = encode_labels(["b", "a", "b"], 3)
    >>> classes.tolist(), codes.tolist()
    (['a', 'b'], [1, 0, 1])
    """
    y = _labels_array("y", y, m)
    try:
        classes, codes = np.unique(y, return_inverse=True)
    except TypeError as exc:  # labels that cannot be sorted together, e.g. 1 and "a"
        kinds = sorted({type(v).__name__ for v in y.tolist()})
        raise TypeError(
            "y must hold labels of one kind (all numbers or all strings) so that classes_ "
            f"can be sorted; got {', '.join(kinds)} values"
        ) from exc
    if classes.shape[0] < 2:
        raise ValueError(
            f"y must contain at least two classes to train a classifier; got only {classes!r}"
        )
    return classes, codes.reshape(-1).astype(np.intp)


def encode_like(name, y, classes, m) -> np.ndarray:
    """The codes of labels ``y`` (named ``name``) in the ``classes`` found in the training ``y``.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.estimator import encode_like
    >>> encode_like("y_val", ["b", "b", "a"], np.array(["a", "b"]), 3).tolist()
    [1, 1, 0]
    """
    y = _labels_array(name, y, m)
    try:
        codes = np.clip(np.searchsorted(classes, y), 0, classes.shape[0] - 1)
        unknown = classes[codes] != y
    except TypeError as exc:  # e.g. numbers against string classes
        raise ValueError(
            f"{name} must hold labels like y's ({classes.dtype} values such as "
            f"{classes[0]!r}); got dtype {y.dtype}"
        ) from exc
    if unknown.any():
        raise ValueError(
            f"{name} contains labels not seen in y: {np.unique(y[unknown])[:5].tolist()}; "
            f"the classes are {classes.tolist()}"
        )
    return codes.astype(np.intp)


def check_fit_data(X, y, X_val=None, y_val=None):
    """``fit``'s data checked: ``(X, classes, codes, validation)``.

    ``validation`` is ``None`` or ``(X_val, codes of y_val)``, the codes in ``classes``.

    Examples
    --------
    >>> from gradlab.estimator import check_fit_data
    >>> X, classes, codes, validation = check_fit_data([[0.0], [1.0]], ["no", "yes"])
    >>> classes.tolist(), codes.tolist(), validation
    (['no', 'yes'], [0, 1], None)
    """
    X = as_features("X", X)
    classes, codes = encode_labels(y, X.shape[0])
    if (X_val is None) != (y_val is None):
        raise ValueError("pass both X_val and y_val for validation, or neither")
    validation = None
    if X_val is not None:
        Xv = as_features("X_val", X_val, d=X.shape[1])
        validation = (Xv, encode_like("y_val", y_val, classes, Xv.shape[0]))
    return X, classes, codes, validation


# ---------------------------------------------------------------------- options


def training_options(est) -> dict:
    """The training options every classifier has, checked, as a dict.

    ``optimizer``, ``lr``, ``epochs``, ``batch_size`` (the SGD default filled in),
    ``momentum``, ``l2``, ``tol``, ``seed`` and ``record_every``, read from ``est``.

    Examples
    --------
    >>> from gradlab import SoftmaxRegression
    >>> from gradlab.estimator import training_options
    >>> training_options(SoftmaxRegression(optimizer="sgd"))["batch_size"]
    32
    """
    opt = est.optimizer
    if opt not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {opt!r}")
    lr = est.lr
    if not callable(lr):
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
            raise TypeError(f"lr must be a positive number or a schedule; got {describe(lr)}")
        if not np.isfinite(lr) or lr <= 0:
            raise ValueError(f"lr must be a finite number > 0; got {lr!r}")
    batch_size = est.batch_size
    if batch_size is not None:
        batch_size = as_int("batch_size", batch_size, 1)
        if opt in ("gd", "lbfgs"):
            raise ValueError(
                f'batch_size is for mini-batch training; optimizer="{opt}" always uses '
                f'the full batch. Use optimizer="sgd" (or momentum/nesterov) with '
                f"batch_size={batch_size}, or leave batch_size=None"
            )
    elif opt == "sgd":
        batch_size = DEFAULT_SGD_BATCH
    mu = est.momentum
    if isinstance(mu, bool) or not isinstance(mu, numbers.Real) or not 0 <= mu < 1:
        raise ValueError(f"momentum must be a number in [0, 1); got {describe(mu)}")
    tol = est.tol
    if tol is not None and (
        isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol > 0
    ):
        raise ValueError(f"tol must be None or a number > 0; got {describe(tol)}")
    seed = est.seed
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0
    ):
        raise ValueError(f"seed must be None or an integer >= 0; got {describe(seed)}")
    return {"optimizer": opt, "lr": lr, "epochs": as_int("epochs", est.epochs, 0),
            "batch_size": batch_size, "momentum": float(mu), "l2": as_l2(est.l2), "tol": tol,
            "seed": None if seed is None else int(seed),
            "record_every": as_int("record_every", est.record_every, 1)}  # fmt: skip


def check_on_divergence(on_divergence) -> None:
    """Refuse an ``on_divergence`` other than ``"warn"`` or ``"raise"``."""
    if on_divergence not in ("warn", "raise"):
        raise ValueError(f'on_divergence must be "warn" or "raise"; got {on_divergence!r}')


def report_divergence(message: str, on_divergence: str) -> None:
    """Raise :class:`DivergenceError` or warn with :class:`DivergenceWarning`, as asked."""
    if on_divergence == "raise":
        raise DivergenceError(message)
    # stacklevel 3: the warning points at the line that called fit
    warnings.warn(message, DivergenceWarning, stacklevel=3)


# ---------------------------------------------------------------------- the protocol


class Classifier:
    """The scikit-learn protocol of gradlab's classifiers.

    A subclass lists its constructor parameters in ``_PARAMS``, sets ``coef_``,
    ``intercept_``, ``classes_``, ``n_features_in_``, ``n_iter_``, ``diverged_`` and
    ``history_`` in ``fit``, and defines ``decision_function``.

    Examples
    --------
    >>> from gradlab import SoftmaxRegression, TwoLayerNet
    >>> from gradlab.estimator import Classifier
    >>> issubclass(SoftmaxRegression, Classifier), issubclass(TwoLayerNet, Classifier)
    (True, True)
    >>> TwoLayerNet(hidden=8).set_params(lr=0.5)
    TwoLayerNet(hidden=8, lr=0.5)
    """

    _PARAMS: tuple[str, ...] = ()

    def get_params(self, deep=True):
        """The constructor parameters as a dict (scikit-learn convention)."""
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params):
        """Set constructor parameters; returns self (scikit-learn convention)."""
        for name, value in params.items():
            if name not in self._PARAMS:
                raise ValueError(
                    f"invalid parameter {name!r} for {type(self).__name__}; "
                    f"valid parameters are {', '.join(self._PARAMS)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = type(self)().get_params()
        changed = [f"{k}={v!r}" for k, v in self.get_params().items() if v != defaults[k]]
        return f"{type(self).__name__}({', '.join(changed)})"

    def _check_fitted_X(self, X) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise ValueError(
                f"this {type(self).__name__} is not fitted yet: call fit(X, y) before using it"
            )
        return as_features("X", X, d=self.n_features_in_)

    def decision_function(self, X):  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def predict(self, X):
        """The most probable label for each row of ``X`` (values from ``classes_``).

        Examples
        --------
        >>> from gradlab import SoftmaxRegression
        >>> model = SoftmaxRegression(lr=1.0).fit([[-1.0], [1.0]], ["neg", "pos"])
        >>> model.predict([[-3.0], [2.0]]).tolist()
        ['neg', 'pos']
        """
        Z = self.decision_function(X)
        return self.classes_[Z.argmax(axis=1)]

    def score(self, X, y):
        """Mean accuracy on ``(X, y)``.

        Examples
        --------
        >>> from gradlab import SoftmaxRegression
        >>> X, y = [[-1.0], [1.0], [2.0]], [0, 1, 1]
        >>> SoftmaxRegression(lr=1.0).fit(X, y).score(X, y)
        1.0
        """
        X = self._check_fitted_X(X)
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(
                f"y must be 1-D with one label per row of X ({X.shape[0]}); got shape {y.shape}"
            )
        kinds = {_label_kind(y.dtype), _label_kind(self.classes_.dtype)}
        if len(kinds) == 2 and "object" not in kinds:
            # e.g. integer codes against string classes: every comparison is False
            raise ValueError(
                f"y must hold labels like classes_ ({self.classes_.dtype} values such as "
                f"{self.classes_[0]!r}); got dtype {y.dtype}"
            )
        return float((self.predict(X) == y).mean())

    # ------------------------------------------------------------------ display

    def _summary_rows(self) -> list[tuple[str, str]]:
        h = self.history_
        rows = [
            ("optimizer", f"{self.optimizer} (lr={self.lr}, l2={self.l2})"),
            ("classes", ", ".join(map(str, self.classes_))),
            ("epochs run", f"{self.n_iter_}" + (" (diverged)" if self.diverged_ else "")),
            ("final J", f"{h['loss'][-1]:.6g}"),
            ("train accuracy", f"{h['accuracy'][-1]:.3f}"),
        ]
        if "val_loss" in h:
            rows.append(("validation J / accuracy",
                         f"{h['val_loss'][-1]:.6g} / {h['val_accuracy'][-1]:.3f}"))  # fmt: skip
        return rows

    def __str__(self) -> str:
        if not hasattr(self, "history_"):
            return repr(self) + " (not fitted)"
        width = max(len(k) for k, _ in self._summary_rows())
        return "\n".join([repr(self)] + [f"  {k:<{width}} : {v}" for k, v in self._summary_rows()])

    def _repr_html_(self) -> str:
        import html

        if not hasattr(self, "history_"):
            return f"<code>{html.escape(repr(self))}</code> (not fitted)"
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in self._summary_rows()
        )
        return f"<table><caption><code>{html.escape(repr(self))}</code></caption>{body}</table>"
