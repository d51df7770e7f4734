"""Train softmax regression with the gradient of eq (3), scikit-learn style.

:class:`SoftmaxRegression` minimizes ``J = mean cross-entropy + (l2/2) ||W||^2``
(eq 1 plus an optional penalty on ``W``; the bias ``b`` is not penalized) with one of
the optimizers in :mod:`gradlab.optimizers`, and keeps a per-epoch history for plots.
"""

from __future__ import annotations

import numbers

import numpy as np

from gradlab.estimator import (
    Classifier,
    DivergenceError,
    DivergenceWarning,
    check_fit_data,
    check_on_divergence,
    report_divergence,
    training_options,
)
from gradlab.model import log_softmax, logits, softmax
from gradlab.optimizers import BLOW_UP, Diverged, InverseTimeDecay, run_first_order, run_lbfgs

__all__ = ["DivergenceError", "DivergenceWarning", "InverseTimeDecay", "SoftmaxRegression"]


class SoftmaxRegression(Classifier):
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

    _PARAMS = ("optimizer", "lr", "epochs", "batch_size", "momentum", "l2", "tol", "seed",
               "record_every")  # fmt: skip

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
        check_on_divergence(on_divergence)
        opts = training_options(self)
        X, classes, codes, validation = check_fit_data(X, y, X_val, y_val)

        d, C = X.shape[1], classes.shape[0]
        l2 = opts["l2"]
        records: list[tuple] = []

        def record(epoch, params, J, gnorm):
            W, b = params
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
            (W, b), n = exc.params, exc.last_epoch
            converged = False
        # set together, after training, so that a fit that raises leaves the last one whole
        self.classes_, self.n_features_in_ = classes, d
        self.coef_, self.intercept_ = W.copy(), b.copy()
        self.n_iter_, self.converged_, self.diverged_ = int(n), bool(converged), bool(diverged)
        self.history_ = _history(records, validation is not None)
        if diverged is not None:
            message = self._divergence_message(diverged.epoch, diverged.loss, n, X, l2)
            report_divergence(message, on_divergence)
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

    # ------------------------------------------------------------------ predict

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
