"""Train the two-layer network of :mod:`gradlab.mlp` by backpropagation, scikit-learn style.

:class:`TwoLayerNet` follows :class:`gradlab.SoftmaxRegression`'s conventions (``fit``
returns self, learned attributes end in ``_``, a per-epoch ``history_``) and its
optimizers (:data:`gradlab.optimizers.OPTIMIZERS`); each step costs one forward pass and
one backward pass of :func:`gradlab.mlp.loss_and_gradient`.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from gradlab import mlp
from gradlab._validation import as_array, as_l2, describe, require_finite
from gradlab.optimizers import BLOW_UP, OPTIMIZERS
from gradlab.train import DivergenceError, DivergenceWarning

__all__ = ["NetworkLogits", "TwoLayerNet"]

_DEFAULT_SGD_BATCH = 32


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


class TwoLayerNet:
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

    def get_params(self, deep=True):
        """The constructor parameters as a dict (scikit-learn convention)."""
        return {name: getattr(self, name) for name in self._PARAMS}

    def set_params(self, **params):
        """Set constructor parameters; returns self."""
        for name, value in params.items():
            if name not in self._PARAMS:
                raise ValueError(
                    f"invalid parameter {name!r} for TwoLayerNet; "
                    f"valid parameters are {', '.join(self._PARAMS)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = TwoLayerNet().get_params()
        changed = [f"{k}={v!r}" for k, v in self.get_params().items() if v != defaults[k]]
        return f"TwoLayerNet({', '.join(changed)})"

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
        params = mlp.init_params(
            X.shape[1], opts["hidden"], len(classes), activation=opts["activation"],
            seed=opts["seed"],
        )  # fmt: skip
        run = _Run(X, codes, opts, validation)
        if opts["optimizer"] == "lbfgs":
            params = run.lbfgs(params)
        else:
            params = run.first_order(params, np.random.default_rng(opts["seed"]))
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
            if on_divergence == "raise":
                raise DivergenceError(message)
            warnings.warn(message, DivergenceWarning, stacklevel=2)
        return self

    def _checked_params(self) -> dict:
        opt = self.optimizer
        if opt not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {opt!r}")
        if self.activation not in mlp.ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {', '.join(mlp.ACTIVATIONS)}; "
                f"got {describe(self.activation)}"
            )
        lr = self.lr
        if not callable(lr) and (
            isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr < np.inf
        ):
            raise ValueError(f"lr must be a finite number > 0 or a schedule; got {describe(lr)}")
        batch_size = self.batch_size
        if batch_size is not None:
            batch_size = _int_param("batch_size", batch_size, 1)
            if opt in ("gd", "lbfgs"):
                raise ValueError(
                    f'batch_size is for mini-batch training; optimizer="{opt}" always uses the '
                    'full batch. Use optimizer="sgd" (or momentum/nesterov), or leave it None'
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
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"seed must be an integer >= 0; got {describe(seed)}")
        return {
            "hidden": _int_param("hidden", self.hidden, 1), "activation": self.activation,
            "optimizer": opt, "lr": lr, "epochs": _int_param("epochs", self.epochs, 0),
            "batch_size": batch_size, "momentum": float(mu), "l2": as_l2(self.l2),
            "tol": tol, "seed": int(seed),
            "record_every": _int_param("record_every", self.record_every, 1),
        }  # fmt: skip

    # ------------------------------------------------------------------ predict

    def _check_fitted_X(self, X) -> np.ndarray:
        if not hasattr(self, "params_"):
            raise ValueError("this TwoLayerNet is not fitted yet: call fit(X, y) before using it")
        return _as_features("X", X, d=self.n_features_in_)

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

    def predict(self, X):
        """The most probable label for each row of ``X`` (values from ``classes_``)."""
        Z = self.decision_function(X)
        return self.classes_[Z.argmax(axis=1)]

    def score(self, X, y):
        """Mean accuracy on ``(X, y)``."""
        X = self._check_fitted_X(X)
        y = np.asarray(y)
        if y.shape != (X.shape[0],):
            raise ValueError(
                f"y must be 1-D with one label per row of X ({X.shape[0]}); got shape {y.shape}"
            )
        return float((self.predict(X) == y).mean())

    def __str__(self) -> str:
        if not hasattr(self, "history_"):
            return repr(self) + " (not fitted)"
        h = self.history_
        return (
            f"{self!r}\n  epochs run : {self.n_iter_}{' (diverged)' if self.diverged_ else ''}\n"
            f"  final J    : {h['loss'][-1]:.6g}\n  accuracy   : {h['accuracy'][-1]:.3f}"
        )


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

    def record(self, epoch, params, J, grads):
        gnorm = float(np.sqrt(sum((g * g).sum() for g in grads.values())))
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

    def first_order(self, params, rng):
        o = self.opts
        lr_at = o["lr"] if callable(o["lr"]) else (lambda _epoch: o["lr"])
        mu = 0.0 if o["optimizer"] in ("gd", "sgd") else o["momentum"]
        nesterov = o["optimizer"] == "nesterov"
        velocity = {k: np.zeros_like(v) for k, v in params.items()}
        m, batch = self.X.shape[0], o["batch_size"]
        limit = np.inf
        last = None
        for epoch in range(o["epochs"] + 1):
            J, grads = self.evaluate(params)
            if not J <= limit:
                return self._stop(epoch, J, last)
            limit = BLOW_UP * J if epoch == 0 else limit
            gnorm = np.sqrt(sum((g * g).sum() for g in grads.values()))
            self.converged = o["tol"] is not None and gnorm <= o["tol"]
            if epoch % o["record_every"] == 0 or epoch == o["epochs"] or self.converged:
                self.record(epoch, params, J, grads)
            last = (epoch, params, J, grads)
            self.n_iter = epoch
            if self.converged or epoch == o["epochs"]:
                return params
            step = lr_at(epoch)
            if batch is None or batch >= m:
                params, velocity = _step(params, velocity, grads, step, mu, nesterov)
                continue
            order = rng.permutation(m)
            for start in range(0, m, batch):
                idx = order[start : start + batch]
                Jb, grads = self.evaluate(params, self.X[idx], self.y[idx])
                if not Jb <= limit:
                    return self._stop(epoch + 1, Jb, last)
                params, velocity = _step(params, velocity, grads, step, mu, nesterov)
        raise AssertionError("unreachable")  # pragma: no cover

    def _stop(self, epoch, J, last):
        last_epoch, params, J_last, grads = last
        if not self.records or self.records[-1][0] != last_epoch:
            self.record(last_epoch, params, J_last, grads)
        self.diverged, self.n_iter = (epoch, J), last_epoch
        return params

    def lbfgs(self, params):
        """SciPy's L-BFGS-B on the flattened parameters; each iteration is one epoch."""
        from scipy.optimize import minimize

        o = self.opts
        shapes = [(k, params[k].shape) for k in mlp.PARAMETERS]
        sizes = np.cumsum([0] + [int(np.prod(s)) for _, s in shapes])

        def unpack(theta):
            bounds = zip(shapes, sizes[:-1], sizes[1:], strict=True)
            return {k: theta[a:b].reshape(s) for (k, s), a, b in bounds}

        def fun(theta):
            J, grads = self.evaluate(unpack(theta))
            if grads is None:  # overflow: tell the line search to step back
                return np.inf, np.zeros_like(theta)
            return J, np.concatenate([grads[k].ravel() for k in mlp.PARAMETERS])

        iteration = 0

        def callback(theta):
            nonlocal iteration
            iteration += 1
            if iteration % o["record_every"] == 0:
                p = unpack(theta.copy())
                self.record(iteration, p, *self.evaluate(p))

        theta0 = np.concatenate([params[k].ravel() for k in mlp.PARAMETERS])
        self.record(0, params, *self.evaluate(params))
        if o["epochs"] == 0:
            return params
        # Without a tolerance run to (near) machine precision, like SoftmaxRegression's L-BFGS;
        # scikit-learn stops at gtol = 1e-4 by default.
        gtol = 1e-10 if o["tol"] is None else o["tol"]
        result = minimize(
            fun, theta0, jac=True, method="L-BFGS-B", callback=callback,
            options={"maxiter": o["epochs"], "maxfun": 20 * o["epochs"] + 20, "gtol": gtol,
                     "ftol": 0.0 if o["tol"] is None else 1e-12, "maxcor": 20},
        )  # fmt: skip
        final = unpack(result.x.copy())
        self.n_iter = int(result.nit)
        if self.records[-1][0] != self.n_iter:
            self.record(self.n_iter, final, *self.evaluate(final))
        self.converged = bool(result.success) and self.n_iter < o["epochs"]
        return final


def _step(params, velocity, grads, lr, mu, nesterov):
    # new arrays rather than in-place updates: the history keeps references to old ones
    if mu == 0.0:
        return {k: params[k] - lr * grads[k] for k in params}, velocity
    velocity = {k: mu * velocity[k] - lr * grads[k] for k in params}
    if nesterov:
        return {k: params[k] + mu * velocity[k] - lr * grads[k] for k in params}, velocity
    return {k: params[k] + velocity[k] for k in params}, velocity


# ---------------------------------------------------------------------- input checks
# (train.py has private versions of these; they belong in gradlab._validation)


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


def _encode(y, m):
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != m:
        raise ValueError(
            f"y must be a 1-D array with one label per row of X (m = {m}); got shape {y.shape}"
        )
    classes, codes = np.unique(y, return_inverse=True)
    if classes.shape[0] < 2:
        raise ValueError(
            f"y must contain at least two classes to train a classifier; got only {classes!r}"
        )
    return classes, codes.reshape(-1).astype(np.intp)


def _encode_with(name, y, classes, m):
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != m:
        raise ValueError(
            f"{name} must be a 1-D array with one label per row of X_val (m = {m}); "
            f"got shape {y.shape}"
        )
    codes = np.clip(np.searchsorted(classes, y), 0, classes.shape[0] - 1)
    unknown = classes[codes] != y
    if unknown.any():
        raise ValueError(
            f"{name} contains labels not seen in y: {np.unique(y[unknown])[:5].tolist()}; "
            f"the classes are {classes.tolist()}"
        )
    return codes.astype(np.intp)
