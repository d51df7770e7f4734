"""Train the two-layer network of :mod:`gradlab.mlp` by backpropagation, scikit-learn style.

:class:`TwoLayerNet` follows :class:`gradlab.SoftmaxRegression`'s conventions (``fit``
returns self, learned attributes end in ``_``, a per-epoch ``history_``) and its
optimizers (:data:`gradlab.optimizers.OPTIMIZERS`); each step costs one forward pass and
one backward pass of :func:`gradlab.mlp.loss_and_gradient`.
"""

from __future__ import annotations

import numpy as np

from gradlab import mlp
from gradlab._validation import as_int
from gradlab.estimator import (
    Classifier,
    check_fit_data,
    check_on_divergence,
    report_divergence,
    training_options,
)
from gradlab.optimizers import Diverged, descend, lbfgs

__all__ = ["NetworkLogits", "TwoLayerNet"]


class NetworkLogits:
    """The network's map ``x -> W²ᵀφ(W¹ᵀx + b¹)``, usable where a weight matrix is.

    ``X @ net.coef_ + net.intercept_`` gives the logits ``Z²`` of a :class:`TwoLayerNet`
    just as ``X @ coef_ + intercept_`` gives those of softmax regression, so code written
    for linear models (the decision-region plots and the training animation of
    :mod:`gradlab.plots`) draws the network's curved boundaries unchanged. ``shape`` is
    ``(d, C)`` like a weight matrix; ``params`` holds the layers.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab import mlp
    >>> from gradlab.network import NetworkLogits
    >>> params = mlp.init_params(2, 4, 3)
    >>> coef = NetworkLogits(params, "tanh")
    >>> X = np.ones((5, 2))
    >>> bool(np.allclose(X @ coef + params["b2"], mlp.forward(params, X)["Z2"]))
    True
    """

    # NumPy defers ``ndarray @ NetworkLogits`` to __rmatmul__ instead of converting it
    __array_ufunc__ = None

    def __init__(self, params: dict, activation: str):
        self.params = params
        self.activation = activation

    @property
    def shape(self) -> tuple[int, int]:
        return (self.params["W1"].shape[0], self.params["W2"].shape[1])

    def __rmatmul__(self, X):
        H = mlp.activate(np.asarray(X) @ self.params["W1"] + self.params["b1"], self.activation)
        return H @ self.params["W2"]

    def __repr__(self) -> str:
        d, C = self.shape
        H = self.params["W2"].shape[0]
        return f"<NetworkLogits {d} -> {H} ({self.activation}) -> {C}>"


class TwoLayerNet(Classifier):
    """A two-layer network (one hidden layer) trained by backpropagation.

    Minimizes ``J = -(1/m) Σ_i log f_{y_i}(x_i) + (l2/2)(‖W¹‖² + ‖W²‖²)`` (eq 1 on the
    network's softmax output) with the gradient of :func:`gradlab.mlp.loss_and_gradient`,
    starting from :func:`gradlab.mlp.init_params` (scikit-learn's initialization).

    Parameters
    ----------
    hidden : int, default 32
        Hidden units ``H``.
    activation : {"tanh", "relu", "sigmoid"}, default "tanh"
        The activation ``φ``.
    optimizer : {"gd", "sgd", "momentum", "nesterov", "lbfgs"}, default "momentum"
        As in :class:`gradlab.SoftmaxRegression`.
    lr : float or callable, default 0.1
        Learning rate, or a schedule ``lr(epoch)``; ignored by ``"lbfgs"``.
    epochs : int, default 1000
        Passes over the training set (iterations for ``"lbfgs"``).
    batch_size : int, optional
        Mini-batch size for ``"sgd"`` (default 32), ``"momentum"`` and ``"nesterov"``
        (default: the full batch); must be unset for ``"gd"`` and ``"lbfgs"``.
    momentum : float, default 0.9
    l2 : float, default 0.0
        Strength ``λ`` of the L2 penalty on ``W¹`` and ``W²``. scikit-learn's
        ``MLPClassifier(alpha=a)`` penalizes ``a/(2m)‖W‖²``: it is ``l2 = a / m``.
    tol : float, optional
        Stop once the full-batch gradient norm is at most ``tol``.
    seed : int, default 0
        Seed of the initial weights (as ``MLPClassifier(random_state=seed)``) and of the
        mini-batch shuffling.
    record_every : int, default 1
        Record the history every this many epochs (the first and last are always kept).

    Attributes
    ----------
    params_ : dict of ndarray
        ``{"W1": (d, H), "b1": (H,), "W2": (H, C), "b2": (C,)}``.
    coef_ : NetworkLogits
        The network up to its output bias: ``X @ coef_ + intercept_`` are the logits.
    intercept_ : ndarray, shape (C,)
        ``b²``.
    classes_ : ndarray, shape (C,)
    history_ : dict of ndarray
        Per recorded epoch: ``"epoch"``, ``"loss"``, ``"accuracy"``, ``"grad_norm"``,
        ``"params"`` (a dict per epoch), ``"coef"`` (:class:`NetworkLogits` per epoch)
        and ``"intercept"`` (n, C); with validation data also ``"val_loss"`` and
        ``"val_accuracy"``.
    n_iter_ : int
    converged_, diverged_ : bool

    Examples
    --------
    >>> from gradlab.network import TwoLayerNet
    >>> from gradlab.datasets import make_spirals
    >>> X, y = make_spirals(n_samples=150, seed=0)
    >>> net = TwoLayerNet(hidden=20, optimizer="lbfgs", epochs=300).fit(X, y)
    >>> net.score(X, y) > 0.95
    True
    """

    _PARAMS = ("hidden", "activation", "optimizer", "lr", "epochs", "batch_size", "momentum",
               "l2", "tol", "seed", "record_every")  # fmt: skip

    def __init__(
        self,
        hidden=32,
        activation="tanh",
        optimizer="momentum",
        lr=0.1,
        epochs=1000,
        batch_size=None,
        momentum=0.9,
        l2=0.0,
        tol=None,
        seed=0,
        record_every=1,
    ):
        self.hidden = hidden
        self.activation = activation
        self.optimizer = optimizer
        self.lr = lr
        self.epochs = epochs
        self.batch_size = batch_size
        self.momentum = momentum
        self.l2 = l2
        self.tol = tol
        self.seed = seed
        self.record_every = record_every

    # ------------------------------------------------------------------ fit

    def fit(self, X, y, X_val=None, y_val=None, *, on_divergence="warn"):
        """Train on ``(X, y)``, optionally tracking ``(X_val, y_val)``; returns self.

        Parameters
        ----------
        X : array_like, shape (m, d)
        y : array_like, shape (m,)
            Any label values, at least two distinct ones.
        X_val, y_val : array_like, optional
            Validation data, recorded in ``history_`` (``"val_loss"``, ``"val_accuracy"``)
            but never trained on.
        on_divergence : {"warn", "raise"}, default "warn"
            If the loss becomes inf or blows up (learning rate too large), training stops
            at the last epoch before it; ``"warn"`` issues a :class:`DivergenceWarning`,
            ``"raise"`` raises :class:`DivergenceError`.
        """
        check_on_divergence(on_divergence)
        opts = self._checked_params()
        X, classes, codes, validation = check_fit_data(X, y, X_val, y_val)
        params = mlp.init_params(
            X.shape[1], opts["hidden"], len(classes), activation=opts["activation"],
            seed=opts["seed"],
        )  # fmt: skip
        run = _Run(X, codes, opts, validation)
        params = run.train(params, np.random.default_rng(opts["seed"]))
        self.classes_, self.n_features_in_ = classes, X.shape[1]
        self.params_ = {k: v.copy() for k, v in params.items()}
        self.coef_ = NetworkLogits(self.params_, opts["activation"])
        self.intercept_ = self.params_["b2"]
        self.n_iter_, self.converged_ = run.n_iter, run.converged
        self.diverged_ = run.diverged is not None
        self.history_ = run.history(opts["activation"])
        if run.diverged is not None:
            epoch, J = run.diverged
            message = (
                f"loss {'became inf' if not np.isfinite(J) else f'blew up to {J:.3g}'} at "
                f"epoch {epoch}; lr={self.lr!r} is too large for this network: try a smaller "
                f"one. Training stopped: params_ and history_ hold epoch {run.n_iter}, the "
                "last one before it diverged."
            )
            report_divergence(message, on_divergence)
        return self

    def _checked_params(self) -> dict:
        opts = training_options(self)
        opts["hidden"] = as_int("hidden", self.hidden, 1)
        opts["activation"] = mlp.check_activation(self.activation)
        return opts

    # ------------------------------------------------------------------ predict

    def decision_function(self, X):
        """The logits ``Z² = φ(X W¹ + b¹) W² + b²``, shape (m, C)."""
        X = self._check_fitted_X(X)
        return mlp.forward(self.params_, X, self.activation)["Z2"]

    def hidden_activations(self, X):
        """The hidden units' values ``h = φ(W¹ᵀx + b¹)`` for each row of ``X``, shape (m, H)."""
        X = self._check_fitted_X(X)
        return mlp.hidden(self.params_, X, self.activation)

    def predict_proba(self, X):
        """Class probabilities ``f_k(x_i)``, shape (m, C), columns in ``classes_`` order."""
        X = self._check_fitted_X(X)
        return mlp.predict_proba(self.params_, X, self.activation)

    def _summary_rows(self) -> list[tuple[str, str]]:
        d, C = self.coef_.shape
        layers = f"{d} -> {self.params_['W2'].shape[0]} ({self.activation}) -> {C}"
        return [("network", layers), *super()._summary_rows()]


# ---------------------------------------------------------------------- the training run


class _Run:
    """One training run on checked data: the optimizer loops and the history they record."""

    def __init__(self, X, y, opts, validation=None):
        self.X, self.y, self.opts, self.validation = X, y, opts, validation
        self.records: list[tuple] = []
        self.n_iter, self.converged, self.diverged = 0, False, None

    def evaluate(self, params, X=None, y=None):
        """``(J, grads)``, with overflow reported as an infinite loss instead of raising."""
        X = self.X if X is None else X
        y = self.y if y is None else y
        with np.errstate(over="ignore", invalid="ignore"):
            try:
                J, grads = mlp.loss_and_gradient(
                    params, X, y, self.opts["activation"], self.opts["l2"]
                )
            except ValueError:  # Z1 or Z2 overflowed
                return np.inf, None
        if not np.isfinite(J):
            return np.inf, None
        return float(J), grads

    def record(self, epoch, params, J, gnorm):
        row = [epoch, J, self._accuracy(params, self.X, self.y), gnorm,
               {k: v.copy() for k, v in params.items()}]  # fmt: skip
        if self.validation is not None:
            Xv, yv = self.validation
            row += [self.evaluate(params, Xv, yv)[0], self._accuracy(params, Xv, yv)]
        self.records.append(tuple(row))

    def _accuracy(self, params, X, y) -> float:
        with np.errstate(over="ignore", invalid="ignore"):
            Z2 = mlp.forward(params, X, self.opts["activation"])["Z2"]
        return float((Z2.argmax(axis=1) == y).mean())

    def history(self, activation) -> dict:
        columns = list(zip(*self.records, strict=True))
        epochs, losses, accuracy, gnorm, snapshots = columns[:5]
        coefs = np.empty(len(snapshots), dtype=object)
        coefs[:] = [NetworkLogits(p, activation) for p in snapshots]
        params = np.empty(len(snapshots), dtype=object)
        params[:] = snapshots
        history = {
            "epoch": np.array(epochs, dtype=int), "loss": np.array(losses),
            "accuracy": np.array(accuracy), "grad_norm": np.array(gnorm), "params": params,
            "coef": coefs, "intercept": np.array([p["b2"] for p in snapshots]),
        }  # fmt: skip
        if self.validation is not None:
            history["val_loss"], history["val_accuracy"] = map(np.array, columns[5:])
        return history

    def _as_model(self):
        """The layers as :mod:`gradlab.optimizers` sees a model: ``evaluate`` and ``record``."""
        keys = mlp.PARAMETERS

        def evaluate(values, rows):
            X, y = (self.X, self.y) if rows is None else (self.X[rows], self.y[rows])
            J, grads = self.evaluate(dict(zip(keys, values, strict=True)), X, y)
            if grads is None:  # overflow: J = inf stops training before a gradient is used
                return J, tuple(np.zeros_like(v) for v in values)
            return J, tuple(grads[k] for k in keys)

        def record(epoch, values, J, gnorm):
            self.record(epoch, dict(zip(keys, values, strict=True)), J, gnorm)

        return evaluate, record

    def train(self, params, rng):
        """Run the optimizer from ``params``; returns the trained (or last finite) ones."""
        o, keys = self.opts, mlp.PARAMETERS
        evaluate, record = self._as_model()
        values = tuple(params[k] for k in keys)
        common = {"epochs": o["epochs"], "tol": o["tol"], "record_every": o["record_every"],
                  "record": record}  # fmt: skip
        try:
            if o["optimizer"] == "lbfgs":
                values, self.n_iter, self.converged = lbfgs(
                    values, evaluate, maxfun=20 * o["epochs"] + 20, **common
                )
            else:
                values, self.n_iter, self.converged = descend(
                    o["optimizer"], values, evaluate, self.X.shape[0], lr=o["lr"],
                    momentum=o["momentum"], batch_size=o["batch_size"], rng=rng, **common,
                )  # fmt: skip
        except Diverged as exc:
            self.diverged, self.n_iter = (exc.epoch, exc.loss), exc.last_epoch
            values = exc.params
        return dict(zip(keys, values, strict=True))
