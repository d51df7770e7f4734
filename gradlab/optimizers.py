"""The optimizers behind :class:`gradlab.SoftmaxRegression` and :class:`gradlab.TwoLayerNet`.

Each runs on arrays that ``fit`` has already checked (float64 ``X``, integer
codes ``y``), and calls the model's ``loss_and_gradient(..., validate=False)`` so that
a step costs one forward and one backward pass with no re-validation. :func:`descend`
runs the first-order methods on any model's parameters (softmax regression's
``(W, b)``, the two-layer network's ``(W¹, b¹, W², b²)``).

First-order methods, with ``g = dJ/dtheta`` from eq (3) and learning rate ``lr``:

* ``gd``:       ``theta <- theta - lr g`` on the whole training set;
* ``sgd``:      the same on mini-batches, reshuffled every epoch;
* ``momentum``: heavy ball, ``v <- mu v - lr g;  theta <- theta + v``;
* ``nesterov``: ``g`` taken at the look-ahead point ``theta + mu v``, written in the
  equivalent form that keeps the look-ahead point as the parameters
  (``v <- mu v - lr g;  theta <- theta + mu v - lr g``);
* ``lbfgs``:    SciPy's L-BFGS-B quasi-Newton method (no learning rate), :func:`lbfgs`.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from gradlab._validation import describe
from gradlab.model import loss_and_gradient

__all__ = ["OPTIMIZERS", "InverseTimeDecay", "descend", "grad_norm", "lbfgs"]

OPTIMIZERS = ("gd", "sgd", "momentum", "nesterov", "lbfgs")

# Training starts at W = 0, b = 0 where J = log C. A loss this many times larger
# only comes from steps that overshoot (lr too large): count it as divergence, like
# inf, rather than plot numbers such as 1e240 that mean nothing.
BLOW_UP = 1e3


class InverseTimeDecay:
    """A decaying learning rate ``lr(epoch) = lr0 / (1 + epoch / half_life)``.

    Pass it as ``lr=`` to :class:`gradlab.SoftmaxRegression`. With a constant rate,
    SGD keeps bouncing around the optimum because each mini-batch gradient is noisy;
    a rate that decays like ``1/epoch`` lets it settle (Robbins-Monro conditions).

    Parameters
    ----------
    lr0 : float
        The initial learning rate.
    half_life : float, default 10.0
        The epoch at which the rate has halved.

    Examples
    --------
    >>> from gradlab.optimizers import InverseTimeDecay
    >>> schedule = InverseTimeDecay(0.5, half_life=10)
    >>> [round(schedule(epoch), 3) for epoch in (0, 10, 30)]
    [0.5, 0.25, 0.125]
    """

    def __init__(self, lr0, half_life=10.0):
        self.lr0 = _positive("lr0", lr0)
        self.half_life = _positive("half_life", half_life)

    def __call__(self, epoch: float) -> float:
        return self.lr0 / (1.0 + epoch / self.half_life)

    def __repr__(self) -> str:
        return f"InverseTimeDecay({self.lr0:g}, half_life={self.half_life:g})"


def _positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number; got {describe(value)}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}")
    return float(value)


class Diverged(Exception):
    """Internal signal: the loss became inf (or blew up) at ``epoch``.

    ``params`` holds the parameters of ``last_epoch``, the last finite one.
    """

    def __init__(self, epoch: int, loss: float, params: tuple, last_epoch: int):
        super().__init__(epoch, loss)
        self.epoch, self.loss, self.params, self.last_epoch = epoch, loss, params, last_epoch


def _evaluate(W, b, X, y, l2):
    """``loss_and_gradient`` that reports overflow as an infinite loss instead of raising."""
    # X was checked finite in fit, so the only ValueError left is X W + b overflowing.
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            J, dW, db = loss_and_gradient(W, b, X, y, l2, validate=False)
        except ValueError:
            return np.inf, np.zeros_like(W), np.zeros_like(b)
    if not (np.isfinite(J) and np.isfinite(dW).all() and np.isfinite(db).all()):
        return np.inf, dW, db
    return float(J), dW, db


def grad_norm(grads) -> float:
    """``‖(g_1, g_2, ...)‖``, the Euclidean norm of all the gradient arrays together.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.optimizers import grad_norm
    >>> grad_norm((np.array([[3.0]]), np.array([4.0])))
    5.0
    """
    with np.errstate(over="ignore"):
        squares = sum((g * g).sum() for g in grads)
    if squares < np.finfo(float).max:
        return float(np.sqrt(squares))
    # huge features: squaring overflowed, so scale first (the norm itself is finite)
    scale = max(np.abs(g).max() for g in grads)
    return float(scale * np.sqrt(sum(((g / scale) ** 2).sum() for g in grads)))


# record(epoch, params, J, grad_norm), params a tuple of arrays
Recorder = Callable[[int, tuple, float, float], None]
# evaluate(params, rows) -> (J, grads): on the training rows ``rows`` (all of them for
# None), J = inf where it overflowed
Evaluator = Callable[[tuple, "np.ndarray | None"], tuple]


def descend(
    method: str,
    params: tuple,
    evaluate: Evaluator,
    m: int,
    *,
    lr,
    momentum: float,
    epochs: int,
    batch_size: int | None,
    tol: float | None,
    record_every: int,
    rng: np.random.Generator,
    record: Recorder,
):
    """gd, sgd, momentum or nesterov on any model; returns ``(params, epochs_run, converged)``.

    ``params`` is a tuple of arrays and ``evaluate(params, rows)`` its loss and gradients
    (a tuple alike) on ``rows`` of the ``m`` training samples. ``record(epoch, params, J,
    grad_norm)`` is called with the full-batch objective for epoch 0, every
    ``record_every`` epochs and the last epoch. Raises :class:`Diverged` after recording
    the last finite epoch.

    Examples
    --------
    Gradient descent on ``J(w) = ‖w - 1‖² / 2`` (the gradient is ``w - 1``):

    >>> import numpy as np
    >>> from gradlab.optimizers import descend
    >>> def evaluate(params, rows):
    ...     (w,) = params
    ...     return float(((w - 1) ** 2).sum() / 2), (w - 1,)
    >>> (w,), epochs, converged = descend(
    ...     "gd", (np.zeros(2),), evaluate, 1, lr=0.5, momentum=0.0, epochs=50,
    ...     batch_size=None, tol=1e-6, record_every=1, rng=None,
    ...     record=lambda *row: None)
    >>> w.round(6), epochs, converged
    (array([1., 1.]), 21, True)
    """
    lr_at = lr if callable(lr) else (lambda _epoch, lr=lr: lr)
    mu = 0.0 if method in ("gd", "sgd") else momentum
    nesterov = method == "nesterov"
    velocity = tuple(np.zeros_like(p) for p in params)
    full_batch = batch_size is None or batch_size >= m
    previous = None  # (epoch, params, J, grad_norm) of the last finite full evaluation
    limit = np.inf

    for epoch in range(epochs + 1):
        J, grads = evaluate(params, None)
        if not J <= limit:
            _diverge(epoch, J, previous, record, record_every, epochs)
        if epoch == 0:
            # Relative to the start, not to the best loss so far: a run that reached
            # J = 1e-4 may still oscillate up to J = 1 without diverging.
            limit = BLOW_UP * J
        gnorm = grad_norm(grads)
        converged = tol is not None and gnorm <= tol
        if epoch % record_every == 0 or epoch == epochs or converged:
            record(epoch, params, J, gnorm)
        previous = (epoch, params, J, gnorm)
        if converged or epoch == epochs:
            return params, epoch, converged
        step = lr_at(epoch)
        if callable(lr):
            _check_scheduled(step, epoch)
        if full_batch:
            params, velocity = _step(params, velocity, grads, step, mu, nesterov)
            continue
        order = rng.permutation(m)
        for start in range(0, m, batch_size):
            Jb, grads = evaluate(params, order[start : start + batch_size])
            if not Jb <= limit:
                _diverge(epoch + 1, Jb, previous, record, record_every, epochs)
            params, velocity = _step(params, velocity, grads, step, mu, nesterov)
    raise AssertionError("unreachable")  # pragma: no cover


def run_first_order(method, W, b, X, y, *, l2, **options):
    """:func:`descend` on softmax regression's ``(W, b)``; returns ``(W, b, epochs, converged)``."""

    def evaluate(params, rows):
        Xr, yr = (X, y) if rows is None else (X[rows], y[rows])
        J, dW, db = _evaluate(*params, Xr, yr, l2)
        return J, (dW, db)

    (W, b), n, converged = descend(method, (W, b), evaluate, X.shape[0], **options)
    return W, b, n, converged


def _check_scheduled(step, epoch):
    # a schedule is user code: a NaN or negative rate would otherwise pass as "divergence"
    # or silently climb the loss
    if isinstance(step, bool) or not isinstance(step, numbers.Real) or not 0 < step < np.inf:
        raise ValueError(
            f"lr schedule returned {step!r} at epoch {epoch}; it must return a finite number > 0"
        )


def _step(params, velocity, grads, lr, mu, nesterov):
    # New arrays rather than in-place updates: the recorder keeps references to the params.
    if mu == 0.0:
        return tuple(p - lr * g for p, g in zip(params, grads, strict=True)), velocity
    velocity = tuple(mu * v - lr * g for v, g in zip(velocity, grads, strict=True))
    if nesterov:
        moved = (p + mu * v - lr * g for p, v, g in zip(params, velocity, grads, strict=True))
    else:
        moved = (p + v for p, v in zip(params, velocity, strict=True))
    return tuple(moved), velocity


def _diverge(epoch, J_bad, previous, record, record_every, epochs):
    last_epoch, params, J, gnorm = previous
    if last_epoch % record_every != 0 and last_epoch != epochs:
        record(last_epoch, params, J, gnorm)  # keep the last finite epoch in the history
    raise Diverged(epoch, J_bad, params, last_epoch)


def lbfgs(
    params: tuple,
    evaluate: Evaluator,
    *,
    epochs: int,
    tol: float | None,
    record_every: int,
    record: Recorder,
    maxfun: int | None = None,
):
    """SciPy's L-BFGS-B on any model; each iteration counts as one epoch.

    ``params``, ``evaluate`` and ``record`` as in :func:`descend` (``evaluate`` is always
    called on all rows); returns ``(params, iterations, converged)``. If the loss
    overflows, raises :class:`Diverged` with the last iterate whose loss was finite.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.optimizers import lbfgs
    >>> def evaluate(params, rows):
    ...     (w,) = params
    ...     return float(((w - 1) ** 2).sum() / 2), (w - 1,)
    >>> (w,), iterations, converged = lbfgs(
    ...     (np.zeros(2),), evaluate, epochs=20, tol=1e-8, record_every=1,
    ...     record=lambda *row: None)
    >>> w, converged
    (array([1., 1.]), True)
    """
    from scipy.optimize import minimize

    shapes = [p.shape for p in params]
    bounds = np.cumsum([0] + [p.size for p in params])
    last = {}

    def unpack(theta):
        parts = zip(shapes, bounds[:-1], bounds[1:], strict=True)
        return tuple(theta[a:b].reshape(shape) for shape, a, b in parts)

    def fun(theta):
        J, grads = evaluate(unpack(theta), None)
        last.update(theta=theta.copy(), J=J, gnorm=grad_norm(grads))
        return J, np.concatenate([g.ravel() for g in grads])

    iteration = 0
    finite = {}  # the last iterate with a finite loss, kept if a later one overflows

    def callback(theta):
        nonlocal iteration
        iteration += 1
        if not np.array_equal(theta, last["theta"]):
            fun(theta)
        if not np.isfinite(last["J"]):
            return  # overflowed (huge features): never record it; handled after minimize
        finite.update(epoch=iteration, theta=theta.copy(), J=last["J"], gnorm=last["gnorm"])
        if iteration % record_every == 0:
            record(iteration, unpack(theta.copy()), last["J"], last["gnorm"])

    theta0 = np.concatenate([p.ravel() for p in params])
    J0, _ = fun(theta0)
    record(0, params, J0, last["gnorm"])
    finite.update(epoch=0, theta=theta0.copy(), J=J0, gnorm=last["gnorm"])
    if epochs == 0:  # SciPy would still take one iteration with maxiter=0
        return tuple(p.copy() for p in params), 0, False
    # Without a tolerance run to (near) machine precision, like the first-order methods
    # that run all their epochs; scikit-learn stops at gtol = 1e-4 by default.
    options = {"maxiter": epochs, "gtol": 1e-10 if tol is None else tol,
               "ftol": 0.0 if tol is None else 1e-12, "maxcor": 20}  # fmt: skip
    if maxfun is not None:
        options["maxfun"] = maxfun
    result = minimize(fun, theta0, jac=True, method="L-BFGS-B", callback=callback, options=options)
    final = unpack(result.x.copy())
    n = int(result.nit)
    J_end, grads = evaluate(final, None)
    if not np.isfinite(J_end) or finite["epoch"] < n:
        # J overflowed (X W + b beyond float range): stop at the last finite iterate
        previous = (finite["epoch"], unpack(finite["theta"]), finite["J"], finite["gnorm"])
        _diverge(finite["epoch"] + 1, np.inf, previous, record, record_every, epochs)
    if n % record_every != 0 and n > 0:
        record(n, final, J_end, grad_norm(grads))
    return final, n, bool(result.success) and n < epochs


def run_lbfgs(W, b, X, y, *, l2, **options):
    """:func:`lbfgs` on softmax regression's ``(W, b)``; returns ``(W, b, epochs, converged)``."""

    def evaluate(params, _rows):
        J, dW, db = _evaluate(*params, X, y, l2)
        return J, (dW, db)

    (W, b), n, converged = lbfgs((W, b), evaluate, **options)
    return W, b, n, converged
