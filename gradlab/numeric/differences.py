"""Finite differences of a scalar function: step rules, four methods, error estimates.

Every method differentiates the 1-D slice ``g(t) = f(x + t u)`` at ``t = 0``,
where ``u`` is a unit vector ``e_j`` (one entry) or a direction ``v``:

============  ===========================================  =============  ===========
method        formula                                      evaluations    default h
============  ===========================================  =============  ===========
forward       (g(h) - g(0)) / h                            1 (+ g(0))     √ε · s
central       (g(h) - g(-h)) / 2h                          2              ε^(1/3) · s
complex       Im g(ih) / h   (exact for analytic f)        1 (complex)    1e-20 · s
richardson    central at h, h/2, h/4 extrapolated to h^6   6              ε^(1/5) · s
============  ===========================================  =============  ===========

``ε`` is the machine epsilon of the working precision (float32 or float64) and
``s = max(|x_j|, typical)`` the size of the entry, where ``typical`` is the root mean
square of the parameter it belongs to (1 if that is all zeros); for a direction, the
root mean square of all of x.

Each estimate comes with an estimate of its own error: the round-off bound
``noise / h`` (``noise`` is the rounding error of one evaluation of ``f``),
plus, for Richardson, the difference between the 6th- and the 4th-order
extrapolation, which also captures truncation error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradlab.numeric._params import Evaluator, NonFiniteValue, NotComplexSafe, Params
from gradlab.numeric.policy import POLICY

__all__ = ["numeric_gradient"]

METHODS = ("forward", "central", "complex", "richardson")


def eps_of(dtype) -> float:
    return float(np.finfo(np.float32 if np.dtype(dtype) == np.float32 else np.float64).eps)


def base_step(method: str, eps: float) -> float:
    """The error-optimal step for a function and derivatives of size one."""
    return {
        "forward": np.sqrt(eps),
        "central": eps ** (1 / 3),
        "richardson": eps ** (1 / 5),
        "complex": 1e-20,
    }[method]


class Line:
    """The slice ``g(t) = f(x + t u)`` along ``u = e_j`` or a direction ``v``."""

    __slots__ = ("ev", "j", "scale", "v", "x")

    def __init__(self, ev: Evaluator, j: int | None = None, v: np.ndarray | None = None):
        self.ev, self.j, self.v = ev, j, v
        theta = ev.params.theta
        if j is not None:
            self.x = theta[j]  # a NumPy scalar of the working dtype
            self.scale = max(abs(float(self.x)), float(ev.params.typical[j]))
        else:
            self.x = None
            self.scale = ev.params.typical_all

    def g(self, t: float) -> float:
        if self.j is not None:
            return self.ev.shifted(self.j, t)
        return self.ev.along(self.v, t)

    def actual(self, t: float) -> float:
        """The step actually taken once ``x_j + t`` is rounded to the working precision."""
        if self.j is None:
            return t
        x = self.x
        step = float((x + x.dtype.type(t)) - x)
        # A step below the spacing of x_j would vanish: take the smallest one that does not.
        return step if step != 0 else float(np.copysign(np.spacing(x), t))

    def imag(self, h: float) -> complex:
        if self.j is not None:
            return self.ev.complex_at(None, self.j, h)
        return self.ev.complex_at(h * self.v)


@dataclass
class Estimate:
    """One numeric derivative, its estimated absolute error and, when known, one-sided values."""

    value: float
    error: float
    right: float = np.nan
    left: float = np.nan
    side_error: float = np.nan
    central: float = np.nan  # the plain central difference at the widest step


def forward(line: Line, h: float, f0: float, noise: float) -> Estimate:
    t = line.actual(h)
    return Estimate((line.g(t) - f0) / t, 2 * noise / abs(t))


def central(line: Line, h: float, noise: float) -> Estimate:
    tp, tm = line.actual(h), -line.actual(-h)
    return Estimate((line.g(tp) - line.g(-tm)) / (tp + tm), 2 * noise / (tp + tm))


def complex_step(line: Line, h: float, eps: float) -> Estimate:
    c = line.imag(h)
    d = c.imag / h
    # Complex step has no subtractive cancellation: only the rounding of f's own
    # arithmetic on the imaginary part, a few ulps of the result.
    return Estimate(d, POLICY.complex_ulps * eps * abs(d))


def richardson(
    line: Line, h: float, f0: float, noise: float, side_noise: float | None = None
) -> Estimate:
    """Central differences at h, h/2, h/4 extrapolated to 6th order.

    The error estimate is the gap between the 6th- and the best 4th-order value
    (truncation) plus the amplified round-off. One-sided values from the same
    six evaluations expose kinks: at a non-differentiable point the left and
    right derivatives differ for every h. ``side_noise`` (default ``noise``) sets
    their round-off allowance: a measured noise level is inflated by the kink itself.
    """
    steps = [line.actual(h / 2**k) for k in range(3)]
    plus = [line.g(t) for t in steps]
    minus = [line.g(-t) for t in steps]
    # Round-off is judged at the stencil's own values too: f(x) may be far smaller
    # than f(x ± h) (at a minimum where f = 0, say).
    local = noise_level(max(map(abs, plus + minus)), eps_of(line.ev.params.dtype))
    noise = max(noise, local)
    side_noise = local if side_noise is None else max(side_noise, local)
    D = [(p - q) / (2 * t) for p, q, t in zip(plus, minus, steps, strict=False)]
    # Extrapolation weights from the steps actually taken: rounded to the spacing of
    # x_j, they need not halve exactly, and weights for exact halving would leave the
    # leading error term in (a quadratic with a huge curvature then looks like a kink).
    t0, t1, t2 = steps
    R1 = _eliminate(D[0], D[1], t0**2, t1**2)
    R2 = _eliminate(D[1], D[2], t1**2, t2**2)
    R = _eliminate(R1, R2, t0**2, t2**2)
    round_off = 2.5 * noise / steps[2]
    # One-sided differences extrapolated twice (their error has all powers of h).
    P = [(p - f0) / t for p, t in zip(plus, steps, strict=False)]
    M = [(f0 - q) / t for q, t in zip(minus, steps, strict=False)]

    def one_sided(S):
        Q1, Q2 = _eliminate(S[0], S[1], t0, t1), _eliminate(S[1], S[2], t1, t2)
        Q = _eliminate(Q1, Q2, t0, t2)
        return Q, abs(Q - Q2) + 8 * (noise if side_noise is None else side_noise) / steps[2]

    right, err_r = one_sided(P)
    left, err_l = one_sided(M)
    return Estimate(R, abs(R - R2) + round_off, right, left, max(err_r, err_l), D[0])


def _eliminate(A0: float, A1: float, s0: float, s1: float) -> float:
    """Remove the error term proportional to s from A(s) measured at s0 and s1.

    With s1 = s0 / 2 this is (2 A1 - A0); with s1 = s0 / 4 it is (4 A1 - A0) / 3.
    """
    if s0 == s1:
        return A1  # the step could not shrink (spacing of x): nothing to extrapolate
    return (s0 * A1 - s1 * A0) / (s0 - s1)


def estimate(method: str, line: Line, h: float, f0: float, noise: float, eps: float) -> Estimate:
    if method == "forward":
        return forward(line, h, f0, noise)
    if method == "central":
        return central(line, h, noise)
    if method == "complex":
        return complex_step(line, h, eps)
    return richardson(line, h, f0, noise)


def check_method(method: str, allowed=METHODS) -> str:
    if method not in allowed:
        raise ValueError(f"method must be one of {list(allowed)}; got {method!r}")
    return method


def steps_for(params: Params, method: str, eps: float, h) -> np.ndarray:
    """Per-entry steps: ``h`` as given (scalar or like x), else the default rule."""
    if h is None:
        return base_step(method, eps) * np.maximum(
            np.abs(params.theta.astype(float)), params.typical
        )
    if np.ndim(h) == 0 and not isinstance(h, dict):
        if isinstance(h, bool) or not np.isreal(h) or not np.isfinite(h) or not float(h) > 0:
            raise ValueError(f"h must be a positive finite step; got {h!r}")
        return np.full(params.size, float(h))
    hv = params.flatten(h, "h")
    if not (hv > 0).all():
        raise ValueError("h must hold positive steps")
    return hv


def numeric_gradient(f, x, method="central", h=None, *, return_error=False):
    """The gradient of a scalar function by finite differences.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``; takes the same structure as ``x`` (an array or a dict of
        arrays) and returns a real scalar. Must be analytic (NumPy arithmetic without
        ``abs``, ``max``, ``real`` or comparisons) for ``method="complex"``.
    x : ndarray or dict of str to ndarray
        The point. Integer arrays are converted to float64 with a warning. Never modified.
    method : {"central", "forward", "complex", "richardson"}
        ``"forward"`` costs one evaluation per entry (plus ``f(x)``), error O(h);
        ``"central"`` two, error O(h²); ``"complex"`` one complex evaluation,
        exact to machine precision; ``"richardson"`` six, error O(h⁶), with an
        error estimate.
    h : float, array or dict like x, optional
        The step. Default: near the error-optimal step for the method and the
        precision of ``x``, scaled by ``max(|x_j|, rms of its parameter)`` (see the module
        docstring).
    return_error : bool, default False
        Also return the estimated absolute error of each entry.

    Returns
    -------
    ndarray or dict of ndarray (float64)
        Same structure and shapes as ``x``; with ``return_error=True`` a pair
        ``(gradient, error)``.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.numeric import numeric_gradient
    >>> f = lambda x: np.sum(x**3)
    >>> numeric_gradient(f, np.array([1.0, 2.0]), method="complex")  # 3 x^2, exactly
    array([ 3., 12.])
    >>> g, err = numeric_gradient(f, np.array([1.0, 2.0]), "richardson", return_error=True)
    >>> print(np.round(g, 8), bool((err < 1e-8).all()))
    [ 3. 12.] True
    >>> g = numeric_gradient(lambda p: np.sum(p["W"] ** 2) + p["b"][0], {"W": np.eye(2), "b": np.zeros(1)})
    >>> print(np.round(g["W"], 6), np.round(g["b"], 6))
    [[2. 0.]
     [0. 2.]] [1.]
    """
    method = check_method(method)
    params = Params(x)
    ev = Evaluator(f, params)
    f0 = ev.at()
    eps = max(eps_of(params.dtype), eps_of(ev.out_dtype or np.float64))
    noise, *_ = measured_noise(ev, f0, eps, np.random.default_rng(0))
    steps = steps_for(params, method, eps, h)
    values = np.empty(params.size)
    errors = np.empty(params.size)
    try:
        for j in range(params.size):
            est = estimate(method, Line(ev, j=j), steps[j], f0, noise, eps)
            values[j], errors[j] = est.value, est.error
    except NotComplexSafe as exc:
        raise ValueError(f"method='complex' needs a complex-safe f: {exc}") from None
    if ev.mutated is not None:
        import warnings

        warnings.warn(
            f"f modified its input in place (first at {ev.mutated}); gradlab worked on "
            "copies, so your arrays are unchanged, but f should not modify x",
            UserWarning,
            stacklevel=2,
        )
    grad = params.unflatten(values)
    if return_error:
        return grad, params.unflatten(errors)
    return grad


def noise_level(f0: float, eps: float) -> float:
    """The rounding error of one evaluation of f: a few ulps of |f(x)|."""
    return POLICY.rounding_ulps * eps * max(abs(f0), np.finfo(float).tiny)


def measured_noise(ev: Evaluator, f0: float, eps: float, rng) -> tuple[float, float, float, bool]:
    """The rounding error of f near x, measured rather than assumed; f(x) once more; the
    largest |f| seen near x (what "a few ulps of f" means at a zero of f); and whether the
    level measured is rounding (False: f's variation below the probe's scale).

    ``few ulps of |f(x)|`` underestimates it when f is a small difference of large
    terms (at a minimum where f = 0, say). The 4th difference of f at five points
    ``δ`` apart along a random direction removes the smooth part (δ⁴ f⁗ is
    negligible) and leaves noise of standard deviation ``σ √70``. The centre point is
    a fresh evaluation at x, returned too: if it differs from ``f0``, f is not
    deterministic. Costs 5 evaluations (9 when the first look is far above rounding).
    """
    v = rng.standard_normal(ev.params.size)
    v /= np.linalg.norm(v)
    delta = eps**0.4 * ev.params.typical_all
    f_again = ev.at()
    try:
        g = [ev.along(v, k * delta) for k in (-2, -1)] + [f_again]
        g += [ev.along(v, k * delta) for k in (1, 2)]
    except NonFiniteValue:
        return noise_level(f0, eps), f_again, abs(f0), True  # x is at the edge of f's domain
    floor = noise_level(f0, eps)
    size = max(abs(v) for v in g)
    rounding = True
    d4 = g[0] - 4 * g[1] + 6 * g[2] - 4 * g[3] + g[4]
    if abs(d4) > POLICY.noise_far * floor:
        # Far above rounding: noise, or f varying on a scale below δ (sin(x) at x ~ 1e8),
        # whose δ⁴ f⁗ is signal. Noise does not depend on δ, signal falls as δ⁴: look
        # again 1000× closer. (Repeated values there are a staircase, f rounding to a
        # coarser grid than x, as log(1 - σ(z)) does at large z: that is noise, keep
        # the first look.)
        try:
            near = [ev.along(v, k * delta * POLICY.noise_closer) for k in (-2, -1, 1, 2)]
        except NonFiniteValue:
            near = None
        if near is not None and len({*near, f_again}) == 5:
            d4_near = near[0] - 4 * near[1] + 6 * f_again - 4 * near[2] + near[3]
            if abs(d4_near) < abs(d4) / POLICY.noise_far:
                d4 = d4_near
                rounding = False  # signal: f varies on a scale below δ, or has a kink
    return max(floor, 2 * abs(d4) / np.sqrt(70)), f_again, size, rounding


def staircase_noise(ev: Evaluator, a: np.ndarray, f0: float, eps: float, rng) -> float:
    """The height of f's steps when f rounds to a grid far coarser than x's, else 0.

    ``log(1 - σ(z))`` at z ~ 30 keeps 1 - σ to a few digits: f is a staircase, constant
    over small steps, then jumping. Five samples can all sit on one step, and the
    measured noise then calls f exact. Along a random direction, at ±δ:

    * the second difference ``f(x+δ) + f(x-δ) - 2 f(x)`` is far above rounding, above
      what f's curvature (seen at 100δ) explains, and does not shrink with the step (a
      kink's would, seen at δ/100): rounding of that size. A wrong analytic slope
      cancels out of it, so a bug is not mistaken for noise;
    * or f does not move at all although the analytic slope says it moves far beyond
      rounding, and at a 10-10⁴x larger step its change matches that slope within 10%
      (a flat f with a wrong slope does not): the rise over δ is the step height.

    Costs 2 evaluations, up to 10 when f is flat or rough.
    """
    v = rng.standard_normal(ev.params.size)
    v /= np.linalg.norm(v)
    s = float(v @ a)
    t = eps**0.4 * ev.params.typical_all
    floor = POLICY.lossy_noise_ratio * noise_level(f0, eps)
    try:
        up, down = ev.along(v, t), ev.along(v, -t)
        if up != f0 or down != f0:
            rough = abs(up + down - 2 * f0)
            if not rough > floor:
                return 0.0
            # Curvature grows as step², a kink as step; rounding does not shrink.
            T = 100 * t
            curved = abs(ev.along(v, T) + ev.along(v, -T) - 2 * f0) * (t / T) ** 2
            fine = abs(ev.along(v, t / 100) + ev.along(v, -t / 100) - 2 * f0)
            # 0 at the finer step: it sits on one stair
            steady = fine > rough / POLICY.stair_shrink or fine == 0
            return rough / 2 if rough > POLICY.stair_curvature * curved and steady else 0.0
        if not abs(s) * t > floor:
            return 0.0
        for k in (1, 2, 3, 4):
            T = t * 10.0**k
            up, down = ev.along(v, T), ev.along(v, -T)
            if (up != f0 or down != f0) and abs(
                (up - down) / (2 * T) - s
            ) <= POLICY.stair_slope * abs(s):
                return abs(s) * t
    except NonFiniteValue:
        return 0.0
    return 0.0
