"""Train softmax regression with the gradient of eq (3), scikit-learn style.

:class:`SoftmaxRegression` minimizes ``J = mean cross-entropy + (l2/2) ||W||^2``
(eq 1 plus an optional penalty on ``W``; the bias ``b`` is not penalized) with one of
the optimizers in :mod:`gradlab.optimizers`, and keeps a per-epoch history for plots.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from gradlab._validation import as_array, as_l2, describe, require_finite
from gradlab.model import log_softmax, logits, softmax
from gradlab.optimizers import (
    BLOW_UP,
    OPTIMIZERS,
    Diverged,
    InverseTimeDecay,
    run_first_order,
    run_lbfgs,
)

__all__ = ["DivergenceError", "DivergenceWarning", "InverseTimeDecay", "SoftmaxRegression"]


class DivergenceWarning(UserWarning):
    """Training stopped because the loss became inf or blew up (learning rate too large)."""


class DivergenceError(FloatingPointError):
    """Raised by ``fit(..., on_divergence="raise")`` when training diverges."""


_DEFAULT_SGD_BATCH = 32


class SoftmaxRegression:
    """Softmax (multinomial logistic) regression trained by gradient methods.

    Minimizes ``J(W, b) = -(1/m) sum_i log f_{y_i}(x_i) + (l2/2) ||W||_F^2`` (eq 1)
    using the gradient of eq (3), starting from ``W = 0, b = 0`` (uniform ``f_k``).

    Parameters
    ----------
    optimizer : {"gd", "sgd", "momentum", "nesterov", "lbfgs"}, default "gd"
        ``"gd"``: full-batch gradient descent; ``"sgd"``: mini-batches reshuffled every
        epoch; ``"momentum"``: heavy ball; ``"nesterov"``: Nesterov's accelerated
        gradient; ``"lbfgs"``: SciPy's L-BFGS-B (ignores ``lr`` and ``momentum``).
    lr : float or callable, default 0.1
        Learning rate, or a schedule ``lr(epoch) -> float`` such as
        :class:`gradlab.optimizers.InverseTimeDecay` (what SGD needs to converge).
        If it is too large the loss becomes inf, or blows up past 1000 times its value
        at epoch 0; training then stops at the last epoch before that (see ``fit``).
    epochs : int, default 100
        Passes over the training set (iterations for ``"lbfgs"``).
    batch_size : int, optional
        Mini-batch size for ``"sgd"`` (default 32), ``"momentum"`` and ``"nesterov"``
        (default: the full batch). Must be left unset for ``"gd"`` and ``"lbfgs"``.
    momentum : float, default 0.9
        The factor ``mu`` in ``[0, 1)`` of ``"momentum"`` and ``"nesterov"``.
    l2 : float, default 0.0
        Strength ``lambda`` of the L2 penalty on ``W``.
    tol : float, optional
        Stop once the full-batch gradient norm ``||dJ/d(W, b)||`` is at most ``tol``
        (the projected-gradient tolerance for ``"lbfgs"``). By default run all epochs.
    seed : int, default 0
        Seed of the mini-batch shuffling; the same seed gives the same model.
    record_every : int, default 1
        Record the history every this many epochs (epoch 0 and the last are always kept).

    Attributes
    ----------
    coef_ : ndarray, shape (d, C)
        ``W``; column ``k`` is ``w_k``.
    intercept_ : ndarray, shape (C,)
        ``b``.
    classes_ : ndarray, shape (C,)
        The label values, sorted; column ``k`` of ``coef_`` belongs to ``classes_[k]``.
    history_ : dict of ndarray
        One entry per recorded epoch: ``"epoch"``, ``"loss"`` (``J`` on the training set),
        ``"accuracy"``, ``"grad_norm"``, ``"coef"`` (n, d, C) and ``"intercept"`` (n, C)
        snapshots; with validation data also ``"val_loss"`` (the same ``J`` on it) and
        ``"val_accuracy"``.
    n_iter_ : int
        Epochs actually run.
    converged_ : bool
        Whether ``tol`` (or L-BFGS-B's own test) stopped training early.
    diverged_ : bool
        Whether training stopped because the loss became inf or blew up.

    Examples
    --------
    >>> from gradlab import SoftmaxRegression
    >>> from gradlab.datasets import make_blobs
    >>> X, y = make_blobs(n_samples=150, seed=0)
    >>> model = SoftmaxRegression(lr=0.5, epochs=50).fit(X, y)
    >>> print(f"accuracy {model.score(X, y):.2f}, J = {model.history_['loss'][-1]:.3f}")
    accuracy 0.98, J = 0.046
    >>> model.coef_.shape, model.history_["coef"].shape
    ((2, 3), (51, 2, 3))
    """

    def __init__(
        self,
        optimizer="gd",
        lr=0.1,
        epochs=100,
        batch_size=None,
        momentum=0.9,
        l2=0.0,
        tol=None,
        seed=0,
        record_every=1,
    ):
        self.optimizer = optimizer
        self.lr = lr
        self.epochs = epochs
        self.batch_size = batch_size
        self.momentum = momentum
        self.l2 = l2
        self.tol = tol
        self.seed = seed
        self.record_every = record_every

    # ------------------------------------------------------------------ sklearn protocol

    _PARAMS = ("optimizer", "lr", "epochs", "batch_size", "momentum", "l2", "tol", "seed",
               "record_every")  # fmt: skip

    def get_params(self, deep=True):
        """The constructor parameters as a dict (scikit-learn convention)."""
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params):
        """Set constructor parameters; returns self (scikit-learn convention)."""
        for name, value in params.items():
            if name not in self._PARAMS:
                raise ValueError(
                    f"invalid parameter {name!r} for SoftmaxRegression; "
                    f"valid parameters are {', '.join(self._PARAMS)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = SoftmaxRegression().get_params()
        changed = [f"{k}={v!r}" for k, v in self.get_params().items() if v != defaults[k]]
        return f"SoftmaxRegression({', '.join(changed)})"

    # ------------------------------------------------------------------ fit

    def fit(self, X, y, X_val=None, y_val=None, *, on_divergence="warn"):
        """Train on ``(X, y)``, optionally tracking ``(X_val, y_val)``; returns self.

        Parameters
        ----------
        X : array_like, shape (m, d)
        y : array_like, shape (m,)
            Any label values (ints, strings ...), at least two distinct ones.
        X_val, y_val : array_like, optional
            Validation data, recorded in ``history_`` but never trained on.
        on_divergence : {"warn", "raise"}, default "warn"
            If the loss becomes inf or blows up (learning rate too large), training stops and
            keeps the last finite epoch; then ``"warn"`` issues a
            :class:`DivergenceWarning` and ``"raise"`` raises :class:`DivergenceError`.

        Returns
        -------
        self
        """
        if on_divergence not in ("warn", "raise"):
            raise ValueError(f'on_divergence must be "warn" or "raise"; got {on_divergence!r}')
        opts = self._checked_params()
        X = _as_features("X", X)
        classes, codes = _encode(y, X.shape[0])
        validation = None
        if (X_val is None) != (y_val is None):
            raise ValueError("pass both X_val and y_val for validation, or neither")
        if X_val is not None:
            Xv = _as_features("X_val", X_val, d=X.shape[1])
            validation = (Xv, _encode_with("y_val", y_val, classes, Xv.shape[0]))

        d, C = X.shape[1], classes.shape[0]
        l2 = opts["l2"]
        records: list[tuple] = []

        def record(epoch, W, b, J, gnorm):
            row = [epoch, J, _accuracy(W, b, X, codes), gnorm, W, b]
            if validation is not None:
                row += list(_loss_accuracy(W, b, *validation, l2))
            records.append(row)

        W, b = np.zeros((d, C)), np.zeros(C)
        diverged = None
        try:
            if opts["optimizer"] == "lbfgs":
                W, b, n, converged = run_lbfgs(
                    W, b, X, codes, l2=l2, epochs=opts["epochs"], tol=opts["tol"],
                    record_every=opts["record_every"], record=record,
                )  # fmt: skip
            else:
                rng = np.random.default_rng(opts["seed"])
                W, b, n, converged = run_first_order(
                    opts["optimizer"], W, b, X, codes, l2=l2, lr=opts["lr"],
                    momentum=opts["momentum"], epochs=opts["epochs"],
                    batch_size=opts["batch_size"], tol=opts["tol"],
                    record_every=opts["record_every"], rng=rng, record=record,
                )  # fmt: skip
        except Diverged as exc:
            diverged = exc
            W, b, n = exc.params
            converged = False
        # set together, after training, so that a fit that raises leaves the last one whole
        self.classes_, self.n_features_in_ = classes, d
        self.coef_, self.intercept_ = W.copy(), b.copy()
        self.n_iter_, self.converged_, self.diverged_ = int(n), bool(converged), bool(diverged)
        self.history_ = _history(records, validation is not None)
        if diverged is not None:
            message = self._divergence_message(diverged.epoch, diverged.loss, n, X, l2)
            if on_divergence == "raise":
                raise DivergenceError(message)
            warnings.warn(message, DivergenceWarning, stacklevel=2)
        return self

    def _divergence_message(self, epoch, J, last, X, l2):
        if self.optimizer == "lbfgs":  # no learning rate: only overflow stops L-BFGS
            return (
                f"loss became inf at iteration {epoch} of L-BFGS: X W + b overflowed; "
                "the features are too large, standardize X. Training stopped: coef_, "
                f"intercept_ and history_ hold iteration {last}, the last finite one."
            )
        L = smoothness(X, l2)
        lr = self.lr
        lr_text = f"lr={lr:g}" if isinstance(lr, numbers.Real) else f"lr={lr!r}"
        what = (
            "became inf"
            if not np.isfinite(J)
            else f"blew up to {J:.3g} (over {BLOW_UP:g} times its value at epoch 0)"
        )
        if np.isfinite(L):
            advice = f"try lr <= {1 / L:.3g} (= 1/L, where L = {L:.3g} bounds the curvature of J)"
        else:
            advice = "the features are too large for any learning rate: standardize X"
        return (
            f"loss {what} at epoch {epoch}; {lr_text} is too large for this data, {advice}. "
            f"Training stopped: coef_, intercept_ and history_ hold epoch {last}, "
            "the last one before it diverged."
        )

    def _checked_params(self) -> dict:
        opt = self.optimizer
        if opt not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {opt!r}")
        lr = self.lr
        if not callable(lr):
            if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
                raise TypeError(f"lr must be a positive number or a schedule; got {describe(lr)}")
            if not np.isfinite(lr) or lr <= 0:
                raise ValueError(f"lr must be a finite number > 0; got {lr!r}")
        epochs = _int_param("epochs", self.epochs, 0)
        record_every = _int_param("record_every", self.record_every, 1)
        batch_size = self.batch_size
        if batch_size is not None:
            batch_size = _int_param("batch_size", batch_size, 1)
            if opt in ("gd", "lbfgs"):
                raise ValueError(
                    f'batch_size is for mini-batch training; optimizer="{opt}" always uses '
                    f'the full batch. Use optimizer="sgd" (or momentum/nesterov) with '
                    f"batch_size={batch_size}, or leave batch_size=None"
                )
        elif opt == "sgd":
            batch_size = _DEFAULT_SGD_BATCH
        mu = self.momentum
        if isinstance(mu, bool) or not isinstance(mu, numbers.Real) or not 0 <= mu < 1:
            raise ValueError(f"momentum must be a number in [0, 1); got {describe(mu)}")
        tol = self.tol
        if tol is not None and (
            isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol > 0
        ):
            raise ValueError(f"tol must be None or a number > 0; got {describe(tol)}")
        seed = self.seed
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0
        ):
            raise ValueError(f"seed must be None or an integer >= 0; got {describe(seed)}")
        return {"optimizer": opt, "lr": lr, "epochs": epochs, "batch_size": batch_size,
                "momentum": float(mu), "l2": as_l2(self.l2), "tol": tol, "seed": self.seed,
                "record_every": record_every}  # fmt: skip

    # ------------------------------------------------------------------ predict

    def _check_fitted_X(self, X) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise ValueError(
                "this SoftmaxRegression is not fitted yet: call fit(X, y) before using it"
            )
        return _as_features("X", X, d=self.n_features_in_)

    def decision_function(self, X):
        """The logits ``Z = X W + b``, shape (m, C)."""
        X = self._check_fitted_X(X)
        return logits(self.coef_, self.intercept_, X, validate=False)

    def predict_proba(self, X):
        """Class probabilities ``f_k(x_i)``, shape (m, C), columns in ``classes_`` order.

        Examples
        --------
        >>> from gradlab import SoftmaxRegression
        >>> model = SoftmaxRegression(epochs=0).fit([[0.0], [1.0]], ["a", "b"])
        >>> model.predict_proba([[5.0]])  # untrained: uniform
        array([[0.5, 0.5]])
        """
        return softmax(self.decision_function(X), -1, validate=False)

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


def smoothness(X, l2=0.0) -> float:
    """An upper bound ``L`` on the curvature of ``J`` (Boehning's bound).

    The Hessian of the cross-entropy in the logits is at most ``(1/2) I``, so
    ``L = lambda_max([X 1]^T [X 1]) / (2m) + l2``; gradient descent with
    ``lr <= 1/L`` decreases ``J`` at every step.
    """
    X = np.asarray(X, dtype=np.float64)
    Xb = np.column_stack([X, np.ones(X.shape[0])])
    # lambda_max(Xb^T Xb) = sigma_max(Xb)^2; scaling first keeps huge features from
    # overflowing Xb^T Xb (which makes eigvalsh fail) -- past float range the bound is inf
    scale = np.abs(Xb).max()
    with np.errstate(over="ignore"):
        sigma = scale * np.linalg.norm(Xb / scale, 2)
        return float(sigma * (sigma / (2 * X.shape[0])) + l2)


# ---------------------------------------------------------------------- helpers


def _int_param(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= {minimum}; got {describe(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value}")
    return int(value)


def _as_features(name, X, d=None) -> np.ndarray:
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


def _encode(y, m):
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


def _encode_with(name, y, classes, m):
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


def _accuracy(W, b, X, y) -> float:
    with np.errstate(over="ignore", invalid="ignore"):
        return float(((X @ W + b).argmax(axis=1) == y).mean())


def _loss_accuracy(W, b, X, y, l2) -> tuple[float, float]:
    try:
        Z = logits(W, b, X, validate=False)
    except ValueError:  # overflow on validation data the training set did not see
        return np.inf, _accuracy(W, b, X, y)
    J = (
        -log_softmax(Z, -1, validate=False)[np.arange(X.shape[0]), y].mean()
        + 0.5 * l2 * (W * W).sum()
    )
    return float(J), float((Z.argmax(axis=1) == y).mean())


def _history(records, with_validation) -> dict:
    keys = ["epoch", "loss", "accuracy", "grad_norm", "coef", "intercept"]
    if with_validation:
        keys += ["val_loss", "val_accuracy"]
    columns = list(zip(*records, strict=True)) if records else [[] for _ in keys]
    history = {key: np.array(col) for key, col in zip(keys, columns, strict=True)}
    history["epoch"] = history["epoch"].astype(int)
    return history
