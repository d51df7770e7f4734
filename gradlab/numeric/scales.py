"""How large is the gradient a probe is judged against, and how wide is its screening step?

Both come from the analytic gradient and the check's measurements of f (see
``gradlab.numeric.check``): an entry near zero is judged against the gradient around it,
a stationary point against the scale of f and x.
"""

from __future__ import annotations

import numpy as np

from gradlab.numeric.differences import base_step
from gradlab.numeric.policy import POLICY as P

__all__ = ["gradient_scale", "screen_steps"]


def gradient_scale(run, n_p, e_p, probe_idx, V) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per probe: the largest and the typical size of the gradient of its parameter.

    The largest bounds the analytic gradient's rounding; the typical size (the upper
    quartile of the parameter's entries, or the entry itself if larger) is what an
    entry near zero is judged against. Both come from the analytic gradient: a wild
    screening value must not set the scale that would let it pass. Where the analytic
    gradient is exactly zero, the scale of f and x (a stationary point) or the
    resolved part of the numeric values (a missing term) sets it; the mask of those
    probes is returned too.
    """
    resolved = np.nan_to_num(np.abs(n_p) - P.safety * e_p, nan=0.0, posinf=0.0, neginf=0.0)
    params, a = run.params, run.a
    f_scale = max(abs(run.f0), run.f_size, run.noise)  # f may be 0 at a minimum
    stationary = f_scale / params.typical_all
    if V is not None:
        s = np.linalg.norm(a)
        if s == 0:
            s = max(resolved.max(initial=0.0), P.stationary * stationary)
        k = len(n_p)
        return np.full(k, s), np.full(k, s), np.full(k, not np.any(a))
    largest = np.empty(len(probe_idx))
    typical = np.empty(len(probe_idx))
    zero = np.zeros(len(probe_idx), bool)
    for _, sl, _ in params.blocks:
        inside = (probe_idx >= sl.start) & (probe_idx < sl.stop)
        if not inside.any():
            continue
        mags = np.abs(a[sl])
        top = mags.max()
        floor = f_scale / float(params.typical[sl.start])
        if top == 0:  # a stationary point, or a missing term
            top = max(resolved[inside].max(), P.stationary * floor)
            largest[inside] = typical[inside] = top
            zero[inside] = True
            continue
        largest[inside] = top
        q = np.percentile(mags, P.typical_quantile)
        typical[inside] = q if q > 0 else top
    return largest, np.maximum(typical, np.abs(a[probe_idx])), zero


def screen_steps(ctx, lines, a) -> np.ndarray:
    """The screen's step per probe: the method's default, scaled by the entry's size.

    Forward differences at √ε·s are rounding-limited (bar 2·noise/h): they take the
    smallest step whose rounding bar is 1/4 % of the analytic value, up to central's
    ε^(1/3)·s, so that small entries need no second look. (A wrong analytic value only
    moves the step within that range; the bar stays honest either way.)
    """
    scale = np.array([ln.scale for ln in lines])
    h = base_step(ctx.method, ctx.eps) * scale
    if ctx.method != "forward":
        return h
    with np.errstate(divide="ignore"):
        wanted = 2 * P.safety * ctx.noise / (P.screen_vague / 4 * np.abs(a))
    return np.clip(wanted, h, base_step("central", ctx.eps) * scale)
