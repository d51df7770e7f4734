"""Second looks: is f complex-safe, and is a suspect entry really wrong?

Both compare against real-arithmetic differences, whose error is estimated, so a
screening artefact (truncation, round-off, a stencil wider than the scale on which f
varies, a kink) is never reported as a wrong gradient.
"""

from __future__ import annotations

import numpy as np

from gradlab.numeric._params import Evaluator, NonFiniteValue, NotComplexSafe
from gradlab.numeric.differences import (
    Estimate,
    Line,
    base_step,
    central,
    noise_level,
    richardson,
)

# Error estimates are trusted up to this factor.
SAFETY = 3.0
# A confirmation whose error bar exceeds this fraction of the gradient clears nothing.
_VAGUE = 0.05
# A clearing error bar wider than this fraction of the gradient is held back while a
# smaller step may still be tried.
_SHARP = 2e-3


def probe_complex_safety(
    ev: Evaluator, f0: float, eps: float, noise: float, rng
) -> tuple[bool, str]:
    """Is ``f`` analytic? One complex evaluation against a real Richardson value."""
    theta = ev.params.theta
    v = rng.standard_normal(theta.size)
    v /= np.linalg.norm(v)
    line = Line(ev, v=v)
    h = 1e-20 * line.scale
    try:
        c = line.imag(h)
    except NotComplexSafe as exc:
        return False, str(exc)
    except Exception as exc:  # noqa: BLE001 - any failure on complex input means "not safe"
        return False, f"f raised {type(exc).__name__} on complex input: {exc}"
    if abs(c.real - f0) > 1e3 * eps * abs(f0) + 1e-25:
        return False, "the real part of f changed under a complex perturbation"
    dc = c.imag / h
    # The reference: central differences at two steps; their gap bounds the truncation.
    hc = base_step("central", eps) * line.scale
    try:
        d1, d2 = central(line, hc, noise), central(line, hc / 2, noise)
    except NonFiniteValue:
        return False, "f overflows at the reference steps, so complex safety could not be verified"
    ref, ref_err = d2.value, abs(d1.value - d2.value) + d2.error
    if abs(dc - ref) > 10 * ref_err + 1e-6 * abs(ref) + 1e-300:
        return False, (
            f"the complex-step derivative along a random direction ({dc:.6g}) disagrees with "
            f"real differences ({ref:.6g} ± {ref_err:.1g}): f uses abs, max, real or "
            "comparisons"
        )
    return True, "f is complex-safe (checked along a random direction)"


def confirm(
    line, a, n, method, f0, noise, eps, rtol, atol, scale, *, trust_complex=True
) -> tuple[str, Estimate]:
    """Recheck a suspect probe (see :func:`_confirm`); a failure found with real
    differences must also hold at the smallest step that still resolves it.

    The steps tried first are scaled by the size of x: when f varies on a scale far
    below it (sin(x - 1e8) at x ~ 1e8, a tanh saturating on a scale of 1e-8), stencils
    decades too wide can agree with each other and all miss the derivative. So a
    failure is rechecked with Richardson at the step where its own round-off bar is a
    tenth of the discrepancy: if that sees the analytic value, the wide stencils were
    wrong and no verdict is given.
    """
    verdict, est = _confirm(
        line, a, n, method, f0, noise, eps, rtol, atol, scale, trust_complex=trust_complex
    )
    if verdict != "fail" or method == "complex":
        return verdict, est  # the complex step has no stencil width to be fooled by
    miss = abs(a - est.value)
    size = abs(float(line.x)) if line.x is not None else float(np.abs(line.ev.params.theta).max())
    if _below_spacing(line, a, f0, noise, eps, size, est):
        return "aliased", est
    smallest = base_step("richardson", eps) * line.scale * 1e-4  # the loop's last step
    # Richardson's round-off bar is 10 noise / h; SAFETY times it should be miss / 10.
    # The noise measured near x can itself be f's fast variation (sin(x / 1e-3) at
    # x ~ 1e6): then the rounding of f(x) itself sets a second, smaller step.
    tried = set()
    # A step along an entry is rounded exactly (Line.actual); along a direction each
    # x_j + h v_j is rounded on its own, an error of about eps |x| in the displacement.
    floor = (16 if line.x is not None else 1e4) * eps * size
    f_noise = noise_level(f0, eps)
    candidates = []
    for level in (noise, f_noise):
        wanted = 100 * SAFETY * level / max(miss, 1e-300)
        candidates.append((max(wanted, floor, 1e-300), level))
        if line.x is None and wanted < floor:
            # The step that resolves the miss is below the floor for directions: look
            # there too; the stencil 37% wider (below) exposes the rounding of x + h v.
            candidates.append((max(wanted, 16 * eps * size, 1e-300), level))
    for h, level in candidates:
        if h >= smallest or h in tried:
            continue  # the loop already tried steps this small
        tried.add(h)
        try:
            close = richardson(line, h, f0, level, side_noise=noise_level(f0, eps))
            if not _contains(close, a, atol, rtol):
                # At so small a step, rounding x + h v to the working precision (not
                # counted in the noise) can dominate: a stencil 37% wider rounds
                # differently, and the spread of the two exposes it.
                close = _jittered(line, h, f0, level, eps, close, widen=1.37)
        except NonFiniteValue:
            continue
        if _contains(close, a, atol, rtol):
            return "unresolved", close
        if abs(close.value - close.central) > miss / 3:
            # Even here the plain central difference is far from its extrapolation:
            # the stencil is not in its asymptotic regime (f varies on a scale below
            # the spacing of x, as a tanh saturating within one float32 step does).
            return "unresolved", close
    return verdict, est


def _below_spacing(line, a, f0, noise, eps, size, est: Estimate) -> bool:
    """Could f vary on a scale at or below the spacing of x, so that no step sees a?

    Real differences see f only at representable points. Along the probe, f is sampled
    at the six smallest steps x's precision allows (a few of its spacings) and a parabola
    fitted through them and f(x). If f departs from it by far more than its rounding
    (100 times 16 ulps), yet by no more than the analytic slope moves f over ten such
    steps, then values of f aliased between representable points (sin((x - 1e4) / 1e-4)
    at float32 x ~ 1e4, a tanh stepping between neighbouring floats) explain the
    failure as well as a wrong gradient: no verdict. A smooth f, or one whose
    fluctuation is its rounding, keeps its failure, whatever the precision.
    """
    sampled = _smallest_steps(line, f0, eps, size)
    if sampled is None:
        return False
    t, g = sampled
    u = t / np.abs(t).max()
    fit = np.polynomial.polynomial.polyfit(u, g, 2)
    resid = float(np.sqrt(np.mean((g - np.polynomial.polynomial.polyval(u, fit)) ** 2)))
    rounding = noise_level(float(np.abs(g).max()), eps)
    if resid > 100 * rounding:
        return bool(resid <= 10 * abs(a) * float(np.abs(t).max()))
    # Flat at every representable step (saturated tanh terms cancelling) although the
    # analytic slope would move f far beyond rounding there, while wider steps, or
    # other directions (the noise measured near x), see f change far beyond rounding:
    # f varies between representable points. (A flat f that is smooth around x, a
    # dead ReLU, keeps its failure.)
    moving = abs(est.value) > SAFETY * est.error or noise > 1e3 * noise_level(f0, eps)
    return moving and _flat(a, g, t, rounding)


def _flat(a, g, t, rounding) -> bool:
    return bool(np.ptp(g) <= rounding and abs(a) * float(np.abs(t).max()) > 1e3 * rounding)


def _smallest_steps(line, f0, eps, size):
    """f at the six smallest steps x's precision allows along the probe, and f(x)."""
    s0 = (1.0 if line.x is not None else 16.0) * eps * size
    if not s0 > 0:
        return None
    t = np.array([line.actual(k * s0) for k in (-3, -2, -1, 1, 2, 3)] + [0.0])
    try:
        g = np.array([line.g(float(tk)) for tk in t[:-1]] + [f0])
    except NonFiniteValue:
        return None
    return t, g


def flat_where_f_aliases(line, a, f0, eps) -> bool:
    """A failed probe along which f is flat at every representable step, in a check
    where other probes found f varying below x's spacing: the same aliasing explains it
    (saturated tanh terms that cancel along this direction)."""
    size = abs(float(line.x)) if line.x is not None else float(np.abs(line.ev.params.theta).max())
    sampled = _smallest_steps(line, f0, eps, size)
    if sampled is None:
        return False
    t, g = sampled
    return _flat(a, g, t, noise_level(float(np.abs(g).max()), eps))


def _blurred(S: Estimate, a, R: Estimate) -> bool:
    """Is the second opinion's error bar so wide that it holds both ``a`` and ``R``?"""
    return bool(SAFETY * S.error > abs(a - R.value) + abs(S.value - R.value))


def _contains(est: Estimate, a, atol, rtol) -> bool:
    return abs(a - est.value) <= atol + rtol * max(abs(a), abs(est.value)) + SAFETY * est.error


def _confirm(
    line, a, n, method, f0, noise, eps, rtol, atol, scale, *, trust_complex=True
) -> tuple[str, Estimate]:
    """Recheck a suspect probe with Richardson at shrinking steps.

    At each step ``h`` two estimates are made: Richardson ``R`` (steps h, h/2, h/4)
    and a plain central difference ``S`` at h/100. If they disagree, the derivative
    changes with h (the stencil is too wide for f, or straddles a kink): shrink.
    Otherwise the tighter of the two decides: the analytic value is wrong if it lies
    outside that error bar at this step and at the next, 100× smaller, one; it is cleared
    if it lies inside an error bar narrower than 5% of the gradient.

    Returns ("fail" | "cleared" | "kink" | "unresolved" | "imprecise" | "complex-only",
    the estimate it rests on); "imprecise" when every decisive step had an error bar too
    wide to clear; "complex-only" when only an unverified complex step disagrees.
    """

    def tol(value, est, err):
        return atol + rtol * max(abs(value), abs(est)) + SAFETY * err

    def within(value, est):
        return abs(value - est.value) <= tol(value, est.value, est.error)

    best = kink = pending = None
    kink_h = np.nan
    imprecise = False
    rejected_by = np.inf  # the narrowest error bar that has rejected the analytic value
    deferred = None  # a clearing opinion with a wide error bar, held back
    for shrink in (1.0, 1e-2, 1e-4):
        h = base_step("richardson", eps) * line.scale * shrink
        try:
            R = richardson(line, h, f0, noise, side_noise=noise_level(f0, eps))
            if method == "complex" and within(n, R) and not within(a, R):
                # Real differences side with the complex step (exact, no cancellation)
                # against the analytic value: two independent methods agree.
                return "fail", R
            S = _second_opinion(line, R, h, noise)
        except NonFiniteValue:
            continue  # the step reaches where f overflows: try a smaller one
        if abs(R.value - S.value) > tol(R.value, S.value, R.error + S.error):
            kink = None
            best = best or R
            continue
        jump = abs(R.right - R.left)
        # A kink is a jump that matters on the scale of the gradient, not round-off.
        if jump > tol(R.right, R.left, R.side_error) and jump > 1e-3 * scale:
            # Left and right derivatives differ: a kink inside the stencil. A smaller
            # step tells a kink near x from one at x.
            kink, kink_h = R, h
            continue
        kink = None
        miss = abs(a - R.value) - tol(a, R.value, R.error)
        if 0 < miss < 100 * tol(a, R.value, R.error) and not within(a, S):
            # A near miss: round-off at the step may exceed the noise measured at x (a
            # small f built from large cancelling terms). A second stencil 0.1% wider
            # has the same truncation error but fresh round-off; their spread measures it.
            R = _jittered(line, h, f0, noise, eps, R)
        # R and S agree: the tighter of the two decides.
        best_here = R if R.error <= S.error else S
        # Both opinions, at steps 100x apart, must reject the analytic value: when both
        # stencils are wider than the scale on which f varies, the tighter can be wrong.
        in_R, in_S = within(a, R), within(a, S)
        rejects = not in_R and not in_S
        if pending is not None:
            # A stencil far wider than the scale on which f varies can agree with itself
            # and with its second opinion: a failure stands only if a 100× smaller step
            # rejects the analytic value too.
            if rejects:
                return "fail", best_here
            if not in_R and _blurred(S, a, R):
                # The second opinion's steps are lost in rounding (float32: h/100 is
                # below what f's precision resolves): it can neither confirm nor refute,
                # and Richardson at this 100x smaller step confirms the failure alone.
                return "fail", R
            if in_R and in_S:
                return ("fail", pending) if method == "complex" else ("unresolved", best_here)
            continue  # split again: let a smaller step decide
        if rejects:
            pending = best_here
            continue
        if not (in_R and in_S):
            # One opinion rejects the analytic value, the other does not: no verdict at
            # this step.
            best = best or best_here
            rejected_by = min(rejected_by, R.error if not in_R else S.error)
            continue
        if best_here.error >= rejected_by:
            # A sharper opinion at a wider step rejected the analytic value: a vaguer one
            # at a smaller step that contains it clears nothing.
            best = best or best_here
            imprecise = True
            continue
        if scale != 0 and SAFETY * best_here.error > _VAGUE * max(scale, abs(a)):
            # An error bar this wide contains a wrong gradient as easily as the right one
            # (f varies on a scale far from the step, or rounds its changes away): no
            # pass from it.
            best = best or best_here
            imprecise = True
            continue
        if (
            deferred is None
            and (method != "complex" or not within(n, best_here))  # else it clears nothing
            and shrink > 1e-4
            and SAFETY * best_here.error > _SHARP * max(scale, abs(a))
        ):
            # An error bar of a few percent contains a 1% error as easily as the right
            # value: look at a 100x smaller step first, which may be sharp enough to
            # reject it (f varying on 1e-7 at x ~ 1 in float64); clear on this one only
            # if nothing sharper decides.
            deferred = best_here
            continue
        if not within(n, best_here):
            # Real differences agree with the analytic value and rule out the screening one.
            return "cleared", best_here
        if method != "complex":
            # The screening value had no truncation estimate; these have, and agree.
            return "cleared", best_here
        # Real differences cannot tell the complex-step value from the analytic one.
        best = R if best is None or R.error < best.error else best
    if deferred is not None and pending is None and kink is None:
        return "cleared", deferred
    if pending is not None:
        # No smaller step could confirm the failure; the complex step (no cancellation)
        # still stands.
        return ("fail", pending) if method == "complex" else ("unresolved", pending)
    if kink is not None and method == "complex":
        # f is complex-safe, hence analytic: no kink. One-sided values that differ come
        # from stencils far wider than the scale on which f varies; the complex step
        # (below) is the better witness.
        kink = None
    if kink is not None and abs(line.actual(kink_h / 4)) > 1.5 * kink_h / 4:
        # The stencil could not shrink below the spacing of x_j: at every step tried it
        # was the same, and curvature on a scale below that spacing looks like a kink.
        return "unresolved", kink
    if kink is not None:
        # At every step tried, f has a kink at x: any value between the one-sided
        # derivatives is a valid subgradient.
        lo, hi = sorted((kink.right, kink.left))
        margin = tol(lo, hi, kink.side_error)
        return ("kink" if lo - margin <= a <= hi + margin else "fail"), kink
    if method == "complex":
        # Real differences cannot resolve it; the complex step (no cancellation) stands,
        # once its own O(h²) truncation is ruled out: negligible unless the derivative is
        # ~0 (f = x³ at 0 gives -h² = -1e-40 against an exact 0).
        fine = _finer_complex_step(line, eps)
        if fine is not None and within(a, fine):
            return "cleared", fine
        # Only the complex step sees the difference. Under method="auto" f's complex
        # safety was verified no more finely than real differences resolve, and an abs
        # or max whose term is this small (λ‖W‖₁ with a tiny λ) would look the same.
        return ("fail" if trust_complex else "complex-only"), best
    return ("imprecise" if imprecise else "unresolved"), best


def _finer_complex_step(line, eps) -> Estimate | None:
    """The complex step at a step 1e-6 of the default, its truncation bounded by the change.

    The truncation error shrinks as h², so a step 1e-6 smaller leaves 1e-12 of the change
    between the two values.
    """
    h = base_step("complex", eps) * line.scale
    try:
        coarse, fine = line.imag(h).imag / h, line.imag(h * 1e-6).imag / (h * 1e-6)
    except (NonFiniteValue, NotComplexSafe):
        return None
    if not (np.isfinite(coarse) and np.isfinite(fine)):
        return None
    return Estimate(fine, 8 * eps * abs(fine) + 1e-12 * abs(coarse - fine))


def _second_opinion(line, R: Estimate, h, noise) -> Estimate:
    """Central differences at h/100 and h/200, extrapolated, with their own error estimate.

    Richardson's own error estimate comes from steps within a factor 4 of each other;
    a stencil far wider than the scale on which f varies can look self-consistent and
    be wrong. A second opinion two decades smaller exposes that. Its truncation error
    is measured at its own steps (the gap between h/100 and h/200), not extrapolated
    from the Richardson table, which is not in its asymptotic regime when the stencil
    is too wide.
    """
    S1, S2 = central(line, h / 100, noise), central(line, h / 200, noise)
    if line.actual(h / 100) == line.actual(h / 200):
        # Both steps rounded to the same multiple of x's spacing: one difference, no
        # extrapolation and no truncation estimate, so no opinion.
        return Estimate(S2.value, np.inf)
    value = (4 * S2.value - S1.value) / 3
    return Estimate(value, abs(S2.value - S1.value) / 3 + S1.error + S2.error)


def _jittered(line, h, f0, noise, eps, est: Estimate, widen=1.001) -> Estimate:
    other = richardson(line, h * widen, f0, noise, side_noise=noise_level(f0, eps))
    spread = abs(other.value - est.value)
    return Estimate(
        (est.value + other.value) / 2,
        max(est.error, other.error) + 2 * spread,
        est.right,
        est.left,
        est.side_error,
        est.central,
    )
