"""The Taylor test: a gradient check with no step size to choose.

Along a direction ``v`` the remainder ``r(h) = |f(x + h v) - f(x) - h vᵀg|`` shrinks
as ``h²`` when ``g`` is the gradient, but only as ``h`` when it is not. The slopes
of ``log r`` against ``log h`` are the observed orders of convergence.
"""

from __future__ import annotations

import html

import numpy as np

from gradlab.numeric._params import Evaluator, NonFiniteValue, Params
from gradlab.numeric.analytic import analytic_gradient
from gradlab.numeric.check import random_generator
from gradlab.numeric.differences import eps_of, noise_level

__all__ = ["TaylorResult", "taylor_test"]

# A measured order at least this high passes (2 expected, 1 for a wrong gradient).
_ORDER_OK = 1.8
# With no order measurable, a pass needs vᵀg pinned down to this fraction of itself.
_LINEAR_RESOLUTION = 1e-6


class TaylorResult:
    """The result of :func:`taylor_test`.

    Attributes
    ----------
    hs, residuals : ndarray
        The steps and the remainders ``|f(x + h v) - f(x) - h vᵀg|``.
    slopes : ndarray
        Observed convergence orders between consecutive steps (NaN where the
        remainder is lost in round-off).
    order : float
        The order in the asymptotic (small-h, above round-off) regime: 2 for a correct
        gradient, 1 for a wrong one; NaN if f is linear along v (nothing to measure).
    verdict : {"pass", "fail", "inconclusive"}
        ``"pass"`` when ``order >= 1.8``; ``"fail"`` when a lower order is measured;
        ``"inconclusive"`` when the remainder is at round-off level for every h (f
        changes by less than its own rounding, as a saturated tanh or an f sitting at
        1e20 does), unless that still pins ``vᵀg`` down to 1e-6 of itself (f linear
        along v, where the remainder vanishes because the slope is right).
    ok : bool
        ``verdict == "pass"``.
    reason : str or None
        Why the test failed or is inconclusive, in plain words; None when it passed.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.numeric import taylor_test
    >>> right = taylor_test(lambda x: np.sum(x**3), lambda x: 3 * x**2, np.array([1.0, 2.0]))
    >>> wrong = taylor_test(lambda x: np.sum(x**3), lambda x: 2 * x**2, np.array([1.0, 2.0]))
    >>> print(round(right.order), round(wrong.order), right.ok, wrong.ok)
    2 1 True False
    """

    def __init__(self, hs, residuals, slopes, order, noise, verdict="pass", reason=None):
        self.hs, self.residuals, self.slopes, self.order = hs, residuals, slopes, order
        self.noise = noise
        self.verdict, self.reason = verdict, reason
        self.ok = verdict == "pass"

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        word = {"pass": "passed", "fail": "FAILED"}.get(self.verdict, self.verdict)
        head = (
            f"Taylor test {word}: observed order {self.order:.2f} "
            "(2 for a correct gradient, 1 for a wrong one)"
        )
        if self.reason:
            head += f"\n  {self.reason}"
        rows = [f"  {'h':>10}{'remainder':>12}{'slope':>8}"]
        for h, r, s in zip(self.hs, self.residuals, [np.nan, *self.slopes], strict=False):
            rows.append(f"  {h:>10.2e}{r:>12.3e}{s:>8.2f}")
        return "\n".join([head, *rows])

    def __repr__(self) -> str:
        return f"<TaylorResult {self.verdict} order={self.order:.2f}>"

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{h:.2e}</td><td>{r:.3e}</td><td>{s:.2f}</td></tr>"
            for h, r, s in zip(self.hs, self.residuals, [np.nan, *self.slopes], strict=False)
        )
        head = html.escape(str(self).splitlines()[0])
        return (
            f"<p><b>{head}</b></p><table><tr><th>h</th><th>remainder</th><th>slope</th></tr>"
            f"{body}</table>"
        )

    def plot(self, ax=None):
        """Plot the remainder against h on log-log axes with h and h² guides; returns the artists.

        Examples
        --------
        >>> import numpy as np
        >>> from gradlab.numeric import taylor_test
        >>> artists = taylor_test(lambda x: np.sum(x**3), lambda x: 3 * x**2, np.ones(3)).plot()
        >>> len(artists)
        3
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.8))
        r = np.maximum(self.residuals, 1e-300)
        (line,) = ax.loglog(self.hs, r, "o-", label="remainder |f(x+hv) - f(x) - h vᵀg|")
        i = len(self.hs) // 2
        (g1,) = ax.loglog(
            self.hs, r[i] * self.hs / self.hs[i], ":", color="gray", label="∝ h (wrong g)"
        )
        (g2,) = ax.loglog(self.hs, r[i] * (self.hs / self.hs[i]) ** 2, "--", color="gray",
                          label="∝ h² (correct g)")  # fmt: skip
        ax.set_xlabel("step h")
        ax.set_ylabel("Taylor remainder")
        ax.set_title(f"Taylor test: order {self.order:.2f}")
        ax.legend(fontsize="small")
        return [line, g1, g2]


def taylor_test(f, grad, x, direction=None, *, hs=None, seed=0) -> TaylorResult:
    """Check ``grad`` without choosing a step: the Taylor remainder must shrink as h².

    Parameters
    ----------
    f : callable
        ``f(x) -> float``.
    grad : callable or array or dict
        The gradient to test, ``grad(x)`` or its value at x.
    x : ndarray or dict of ndarray
        The point; never modified.
    direction : ndarray or dict like x, optional
        The direction ``v``; default a random unit direction (seeded by ``seed``).
    hs : array_like, optional
        Decreasing steps; default three per decade from ``0.1·max(|x|, 1)`` down to
        ``1e-10·min(|x|, 1)`` (``|x|`` the largest entry), so that the small-h regime is
        reached even when f varies on a scale far below the size of x.
    seed : int, default 0

    Returns
    -------
    TaylorResult
        ``.slopes`` (observed orders), ``.order``, ``.ok``, ``.verdict`` ("pass",
        "fail" or "inconclusive" when the remainder is at round-off for every step)
        and ``.reason``.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.numeric import taylor_test
    >>> f = lambda x: np.sum(np.exp(x))
    >>> x = np.array([0.1, -0.2, 0.3])
    >>> print(round(taylor_test(f, np.exp, x).order))
    2
    >>> bad = taylor_test(f, lambda x: 1.01 * np.exp(x), x)
    >>> bad.ok, round(bad.order)
    (False, 1)
    >>> flat = taylor_test(np.tanh, lambda x: 1 - np.tanh(x) ** 2, np.array([30.0]))
    >>> flat.ok, flat.verdict  # saturated: f is flat to round-off, nothing to measure
    (False, 'inconclusive')
    """
    params = Params(x)
    ev = Evaluator(f, params)
    f0 = ev.at()
    g, g_dtype, _ = analytic_gradient(grad, params)
    eps = max(eps_of(params.dtype), eps_of(g_dtype), eps_of(ev.out_dtype or np.float64))
    if direction is None:
        v = random_generator(seed).standard_normal(params.size)
    else:
        v = params.flatten(direction, "direction")
    norm = np.linalg.norm(v)
    if norm == 0:
        raise ValueError("direction must be non-zero")
    v = v / norm
    if hs is None:
        size = float(np.abs(params.theta).max())
        top, bottom = 0.1 * max(size, 1.0), 1e-10 * (min(size, 1.0) if size > 0 else 1.0)
        decades = np.log10(top / bottom)
        hs = np.logspace(np.log10(top), np.log10(bottom), round(float(3 * decades)) + 1)
    else:
        hs = np.asarray(hs, dtype=float)
    if hs.ndim != 1 or hs.size < 2 or not (hs > 0).all():
        raise ValueError("hs must be a 1-D array of at least two positive steps")
    slope_g = float(v @ g)
    res = np.array([_remainder(ev, v, h, f0, slope_g) for h in hs])
    # Below this the remainder is rounding, not Taylor: those points carry no order.
    # Rounding x + h v to the working precision moves each x_j by up to eps |x_j|, which
    # changes f by about eps Σ|g_j x_j|: large when x sits far from 0 (an offset).
    placement = eps * float(np.abs(g * params.theta.astype(float)).sum())
    noise = 100 * (noise_level(f0, eps) + eps * np.abs(hs * slope_g) + placement)
    valid = res > noise  # NaN (f overflowed at that step) is not valid
    slopes = np.full(hs.size - 1, np.nan)
    both = valid[1:] & valid[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        slopes[both] = (np.log(res[1:]) - np.log(res[:-1]))[both] / (
            np.log(hs[1:]) - np.log(hs[:-1])
        )[both]
    good = slopes[~np.isnan(slopes)]
    order = float(np.median(good[-3:])) if good.size else np.nan
    if good.size:
        if order >= _ORDER_OK:
            return TaylorResult(hs, res, slopes, order, noise)
        reason = (
            f"observed order {order:.2f}, not 2: vᵀg = {slope_g:.6g} is not the slope of f along v"
        )
        return TaylorResult(hs, res, slopes, order, noise, "fail", reason)
    # Every remainder is below round-off: f(x + h v) - f(x) matched h vᵀg to within
    # the noise at each step, which bounds the slope error by noise / h at best.
    with np.errstate(invalid="ignore"):
        finite = np.isfinite(res)
    bound = float(np.min(noise[finite] / hs[finite])) if finite.any() else np.inf
    if slope_g != 0 and bound <= _LINEAR_RESOLUTION * abs(slope_g):
        # f is linear along v and vᵀg is its slope, to 6 digits or better.
        return TaylorResult(hs, res, slopes, order, noise)
    reason = (
        "inconclusive: the remainder is at round-off level for every step (f changes by "
        "less than its rounding error along v, e.g. a saturated tanh or a large constant "
        f"offset), so no order can be measured; vᵀg = {slope_g:.3g} is only known to be "
        f"within ±{bound:.2g} of the true slope. Try another x or direction."
    )
    return TaylorResult(hs, res, slopes, order, noise, "inconclusive", reason)


def _remainder(ev: Evaluator, v: np.ndarray, h: float, f0: float, slope: float) -> float:
    try:
        return abs(ev.along(v, h) - f0 - h * slope)
    except NonFiniteValue:
        return np.nan  # the widest steps may leave f's domain (exp overflowing, say)
