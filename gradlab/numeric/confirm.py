"""The ladder after the screen: sharper step, confirm, resolve (see ``gradlab.numeric.check``).

Each rung makes real-arithmetic estimates with an error bar (Richardson's from steps
of different size, plus rounding from f's measured noise) and decides only when the
bar allows; the first rung that decides stops the ladder. A screening artefact
(truncation, rounding, a stencil wider than the scale of f, a kink) is therefore never
reported as a wrong gradient, and a wrong gradient is never cleared by a vague bar.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
from gradlab.numeric.policy import POLICY, Policy, Stage, Status
from gradlab.numeric.trace import Decision

__all__ = ["Context", "decide", "flat_where_f_aliases", "probe_complex_safety"]

P = POLICY


@dataclass(frozen=True)
class Context:
    """What every rung needs to know about the check: method, f's rounding, tolerances."""

    method: str
    f0: float
    noise: float  # f's rounding near x, measured
    eps: float
    rtol: float
    trust_complex: bool  # the caller said method="complex": f is complex-safe
    lossy: bool  # f rounds far above a few ulps of |f(x)|: it loses digits here
    policy: Policy = POLICY
    _safe: dict = field(default_factory=dict)  # complex safety, probed once if needed

    def complex_safe(self, ev) -> bool:
        """Is f complex-safe (probed as method 'auto' does, once per check)?"""
        if "safe" not in self._safe:
            rng = np.random.default_rng(0)
            self._safe["safe"] = probe_complex_safety(ev, self.f0, self.eps, self.noise, rng)[0]
        return self._safe["safe"]

    @property
    def witness(self) -> bool:
        """The screen's complex step is exact for this f, so it can decide with real
        differences; not when f loses digits (it differentiates the rounded f)."""
        return self.method == "complex" and not self.lossy

    @property
    def side_noise(self) -> float:
        """Rounding allowed in one-sided slopes: a few ulps of f, since a kink inflates the
        noise measured at x; the measured level when f loses digits (that is rounding)."""
        return self.noise if self.lossy else noise_level(self.f0, self.eps)

    def tol(self, a, value, err, atol) -> float:
        return atol + self.rtol * max(abs(a), abs(value)) + self.policy.safety * err

    def contains(self, est: Estimate, a, atol) -> bool:
        return abs(a - est.value) <= self.tol(a, est.value, est.error, atol)


def probe_complex_safety(
    ev: Evaluator, f0: float, eps: float, noise: float, rng
) -> tuple[bool, str]:
    """Is ``f`` analytic? One complex evaluation against a real central value."""
    v = rng.standard_normal(ev.params.theta.size)
    v /= np.linalg.norm(v)
    line = Line(ev, v=v)
    h = base_step("complex", eps) * line.scale
    try:
        c = line.imag(h)
    except NotComplexSafe as exc:
        return False, str(exc)
    except Exception as exc:  # noqa: BLE001 - any failure on complex input means "not safe"
        return False, f"f raised {type(exc).__name__} on complex input: {exc}"
    if abs(c.real - f0) > P.nondeterministic_eps * eps * abs(f0) + 1e-25:
        return False, "the real part of f changed under a complex perturbation"
    dc = c.imag / h
    # The reference: central differences at two steps; their gap bounds the truncation.
    hc = base_step("central", eps) * line.scale
    try:
        d1, d2 = central(line, hc, noise), central(line, hc / 2, noise)
    except NonFiniteValue:
        return False, "f overflows at the reference steps, so complex safety could not be verified"
    ref, ref_err = d2.value, abs(d1.value - d2.value) + d2.error
    if abs(dc - ref) > P.safe_bars * ref_err + P.safe_rtol * abs(ref) + 1e-300:
        return False, (
            f"the complex-step derivative along a random direction ({dc:.6g}) disagrees with "
            f"real differences ({ref:.6g} ± {ref_err:.1g}): f uses abs, max, real or "
            "comparisons"
        )
    return True, "f is complex-safe (checked along a random direction)"


def decide(line: Line, a, n, atol, scale, ctx: Context) -> Decision:
    """Run the ladder past the screen for one suspect probe.

    ``a`` is the analytic value, ``n`` the screening value, ``scale`` the size of the
    gradient the probe is judged against. A failure found with real differences is
    rechecked at the smallest step that resolves it (the resolve rung).
    """
    ladder = _Ladder(line, a, n, atol, scale, ctx)
    d = ladder.run()
    if d.status is Status.FAIL and not ctx.witness:
        d = _resolve(line, a, atol, ctx, d)
    elif d.status in (Status.UNRESOLVED, Status.IMPRECISE):
        d = _complex_witness(line, a, atol, ctx, ladder) or d
    if ctx.lossy and d.status in (Status.UNRESOLVED, Status.IMPRECISE, Status.COMPLEX_ONLY):
        # f's rounding at x is far above a few ulps of f: that is the reason, not h.
        why = "f loses digits here" + (f"; {d.why}" if d.why else "")
        return Decision(Status.LOST_DIGITS, d.stage, d.method, d.h, d.value, d.error, why)
    return d


class _Ladder:
    """The sharper-step and confirm rungs: Richardson ``R`` at h (steps h, h/2, h/4) and
    a second opinion ``S`` at h/100, for h shrinking by 100x per rung.

    If R and S disagree, the derivative changes with h (too wide a stencil, or a kink):
    shrink. Otherwise the analytic value is wrong if both reject it at this step and at
    the next, 100x smaller one; it is cleared if the tighter one contains it within an
    error bar narrower than ``clear_vague`` of the gradient.
    """

    def __init__(self, line, a, n, atol, scale, ctx: Context):
        self.line, self.a, self.n, self.atol, self.scale, self.ctx = line, a, n, atol, scale, ctx
        self.best = self.kink = self.pending = self.deferred = None
        self.kink_h = self.h = np.nan
        self.best_at = (Stage.SHARPER, np.nan)
        self.imprecise = False
        self.kinks = 0  # consecutive rungs whose one-sided slopes differed
        self.rejecting = None  # the sharpest Richardson estimate that rejected a, and its h
        self.rejected_by = np.inf  # the narrowest error bar that has rejected a
        self.stage = Stage.SHARPER

    # -- helpers ------------------------------------------------------------------
    def within(self, value, est: Estimate) -> bool:
        return self.ctx.contains(est, value, self.atol)

    def tol(self, value, est, err) -> float:
        return self.ctx.tol(value, est, err, self.atol)

    def keep(self, est: Estimate) -> bool:
        """Remember the sharpest estimate seen, for an undecided probe's trace."""
        if self.best is None or est.error < self.best.error:
            self.best, self.best_at = est, (self.stage, self.h)
        return True

    def say(self, status, est: Estimate, method="richardson", why="") -> Decision:
        return Decision(status, self.stage, method, self.h, est.value, est.error, why)

    # -- the rungs ----------------------------------------------------------------
    def run(self) -> Decision:
        c = self.ctx
        for i, shrink in enumerate(P.shrinks):
            self.stage = Stage.SHARPER if i == 0 else Stage.CONFIRM
            self.h = base_step("richardson", c.eps) * self.line.scale * shrink
            try:
                d = self._rung(shrink)
            except NonFiniteValue:
                continue  # the step reaches where f overflows: try a smaller one
            if d is not None:
                return d
        return self._finish()

    def _rung(self, shrink) -> Decision | None:
        c, a = self.ctx, self.a
        R = richardson(self.line, self.h, c.f0, c.noise, side_noise=c.side_noise)
        if c.witness and self.within(self.n, R) and not self.within(a, R):
            # Real differences side with the exact complex step against a.
            return self.say(Status.FAIL, R, "richardson, siding with the complex step")
        S = _second_opinion(self.line, R, self.h, c.noise)
        if abs(R.value - S.value) > self.tol(R.value, S.value, R.error + S.error):
            self.kink, self.kinks = None, 0
            self.keep(R)
            return None  # the derivative changes with h: shrink
        if self._is_kink(R):
            self.kink, self.kink_h = R, self.h
            self.kinks += 1
            return None  # a smaller step tells a kink near x from one at x
        self.kink, self.kinks = None, 0
        R = self._rejittered(R, S)
        best = R if R.error <= S.error else S
        in_R, in_S = self.within(a, R), self.within(a, S)
        if not in_R and (self.rejecting is None or R.error < self.rejecting[0].error):
            self.rejecting = (R, self.h)
        if self.pending is not None:
            return self._second_rejection(R, S, best, in_R, in_S)
        if not in_R and not in_S:
            self.pending = best  # rejected once; a 100x smaller step must reject it too
            return None
        if not (in_R and in_S):
            self.keep(best)
            self.rejected_by = min(self.rejected_by, R.error if not in_R else S.error)
            return None
        return self._clear(R, best, shrink)

    def _is_kink(self, R: Estimate) -> bool:
        jump = abs(R.right - R.left)
        return jump > self.tol(R.right, R.left, R.side_error) and jump > P.kink_jump * self.scale

    def _rejittered(self, R: Estimate, S: Estimate) -> Estimate:
        """A near miss re-measured with a stencil 0.1% wider: the spread of the two
        exposes rounding beyond the noise measured at x (large cancelling terms)."""
        c, a = self.ctx, self.a
        miss = abs(a - R.value) - self.tol(a, R.value, R.error)
        if 0 < miss < P.near_miss * self.tol(a, R.value, R.error) and not self.within(a, S):
            return _jittered(self.line, self.h, c.f0, c.noise, c.eps, R, P.jitter)
        return R

    def _second_rejection(self, R, S, best, in_R, in_S) -> Decision | None:
        if not in_R and not in_S:
            return self.say(Status.FAIL, best)
        if not in_R and _blurred(S, self.a, R):
            # The second opinion is lost in rounding (float32, h/100): Richardson alone
            # confirms at this 100x smaller step.
            return self.say(Status.FAIL, R)
        if in_R and in_S:
            if self.ctx.witness:
                return self.say(Status.FAIL, self.pending, "complex, unrefuted")
            return self.say(Status.UNRESOLVED, best, why="rejected at one step, not the next")
        return None

    def _clear(self, R, best, shrink) -> Decision | None:
        c, a, scale = self.ctx, self.a, self.scale
        if best.error >= self.rejected_by:
            self.imprecise = self.keep(best)  # a sharper bar rejected a
            return None
        size = max(scale, abs(a))
        if scale != 0 and P.safety * best.error > P.clear_vague * size:
            self.imprecise = self.keep(best)  # too vague to clear
            return None
        if (
            self.deferred is None
            and (not c.witness or not self.within(self.n, best))
            and shrink > P.shrinks[-1]
            and P.safety * best.error > P.sharp * size
        ):
            self.deferred = best  # a few % wide: let a 100x smaller step try to reject
            return None
        if not self.within(self.n, best) or not c.witness:
            return self.say(Status.OK, best)
        # Real differences cannot tell the complex-step value from a: look further.
        self.keep(R)
        return None

    def _finish(self) -> Decision:
        c = self.ctx
        if self.deferred is not None and self.pending is None and self.kink is None:
            return self.say(Status.OK, self.deferred)
        if self.pending is not None:
            if c.witness:
                return self.say(Status.FAIL, self.pending, "complex, unrefuted")
            return self.say(Status.UNRESOLVED, self.pending, why="no smaller step confirms")
        if self.kink is not None and c.method != "complex":
            return self._kink_verdict()
        if c.witness:
            return self._complex_alone()
        status = Status.IMPRECISE if self.imprecise else Status.UNRESOLVED
        if self.best is None:
            return self.say(status, Estimate(self.n, np.inf), why=_WHY[status])
        (stage, h), b = self.best_at, self.best
        return Decision(status, stage, "richardson", h, b.value, b.error, _WHY[status])

    def _kink_verdict(self) -> Decision:
        """Left and right slopes differed at every step tried: f has a kink at x."""
        kink, h = self.kink, self.kink_h
        self.stage = Stage.RESOLVE
        if abs(self.line.actual(h / 4)) > 1.5 * h / 4:
            # The stencil could not shrink below x's spacing: curvature below it looks
            # like a kink.
            return self.say(
                Status.UNRESOLVED, kink, why="the stencil cannot shrink below x's spacing"
            )
        if self.kinks < P.kink_steps:
            # Seen at one step only (the smaller ones overflowed or disagreed): a kink is
            # claimed only when two steps 100x apart both show it.
            return self.say(Status.UNRESOLVED, kink, why="one-sided slopes differ at one step")
        lo, hi = sorted((kink.right, kink.left))
        margin = self.tol(lo, hi, kink.side_error)
        inside = lo - margin <= self.a <= hi + margin
        why = f"one-sided slopes {lo:.6g} and {hi:.6g}"
        return self.say(Status.KINK if inside else Status.FAIL, kink, "one-sided differences", why)

    def _complex_alone(self) -> Decision:
        """Real differences cannot resolve the probe; the exact complex step stands once
        its own O(h²) truncation is ruled out (f = x³ at 0 gives -1e-40, not 0)."""
        self.stage = Stage.RESOLVE
        fine = _finer_complex_step(self.line, self.ctx.eps)
        if fine is not None and self.within(self.a, fine):
            return Decision(Status.OK, self.stage, "complex (finer step)", self.h, fine.value,
                            fine.error)  # fmt: skip
        best = self.best or Estimate(self.n, np.inf)
        if self.ctx.trust_complex:
            return Decision(Status.FAIL, self.stage, "complex", self.h, self.n, best.error)
        return Decision(Status.COMPLEX_ONLY, self.stage, "complex", self.h, self.n, best.error,
                        _WHY[Status.COMPLEX_ONLY])  # fmt: skip


_WHY = {
    Status.IMPRECISE: "every error bar was too wide to clear it",
    Status.UNRESOLVED: "the numeric derivative changes with h",
    Status.COMPLEX_ONLY: "only the complex step sees the difference",
}


def _complex_witness(line, a, atol, ctx: Context, ladder) -> Decision | None:
    """Real differences could not decide (in float32 a 100x smaller step is lost in
    rounding); the complex step, which has no stencil to be too wide for f, is a second,
    independent method:

    * Richardson rejected ``a`` at some step, and the complex step agrees with that
      estimate within its bar and rejects ``a`` too: the failure stands;
    * Richardson's sharpest estimate holds ``a`` within a bar under half the derivative,
      f passes the complex-safety probe of method 'auto', and the complex step agrees with
      Richardson and holds ``a`` within its own, far narrower bar: ``a`` agrees.
    """
    if ctx.lossy or ctx.method == "complex":
        return None
    step = base_step("complex", ctx.eps) * line.scale
    try:
        c = line.imag(step)
    except Exception:  # noqa: BLE001 - f is not complex-safe: no second method
        return None
    d = c.imag / step
    est = Estimate(d, P.complex_ulps * ctx.eps * abs(d))
    if not np.isfinite(d):
        return None
    if ladder.rejecting is not None:
        R, h = ladder.rejecting
        if ctx.contains(R, d, atol) and not ctx.contains(est, a, atol):
            return Decision(Status.FAIL, Stage.RESOLVE, "richardson, confirmed by the complex "
                            "step", h, R.value, R.error, f"the complex step says {d:.6g}")  # fmt: skip
        return None
    R, (_, h) = ladder.best, ladder.best_at
    if R is None or not (ctx.contains(R, a, atol) and ctx.contains(R, d, atol)):
        return None
    if P.safety * R.error > P.witness_bar * abs(d):
        return None  # real differences do not pin it down: the complex step would be alone
    if ctx.contains(est, a, atol) and ctx.complex_safe(line.ev):
        return Decision(Status.OK, Stage.RESOLVE, "complex, consistent with richardson", step,
                        d, est.error)  # fmt: skip
    return None


def _resolve(line, a, atol, ctx: Context, d: Decision) -> Decision:
    """A failure found with real differences must hold at the smallest step that still
    resolves it: stencils scaled by |x| can all miss an f that varies on a far smaller
    scale (sin(x - 1e8) at x ~ 1e8), and f may vary below x's spacing (aliased)."""
    est = Estimate(d.value, d.error)
    miss = abs(a - est.value)
    size = abs(float(line.x)) if line.x is not None else float(np.abs(line.ev.params.theta).max())
    if _below_spacing(line, a, ctx.f0, ctx.noise, ctx.eps, size, est):
        return Decision(Status.ALIASED, Stage.RESOLVE, d.method, d.h, d.value, d.error,
                        "f varies at or below x's spacing")  # fmt: skip
    for h, level in _resolving_steps(line, miss, ctx, size):
        try:
            close = richardson(line, h, ctx.f0, level, side_noise=noise_level(ctx.f0, ctx.eps))
            if not ctx.contains(close, a, atol):
                close = _jittered(line, h, ctx.f0, level, ctx.eps, close, P.resolve_jitter)
        except NonFiniteValue:
            continue
        if ctx.contains(close, a, atol):
            why = "the smallest resolving step agrees with the analytic value"
        elif abs(close.value - close.central) > miss * P.not_asymptotic:
            why = "central differences are far from their extrapolation at every step"
        else:
            continue
        return Decision(Status.UNRESOLVED, Stage.RESOLVE, "richardson", h, close.value,
                        close.error, why)  # fmt: skip
    return d


def _resolving_steps(line, miss, ctx: Context, size) -> list[tuple[float, float]]:
    """Steps where Richardson's rounding bar is 1/100 of the miss, for the noise measured
    near x and for the rounding of f(x) itself, not yet tried by the ladder."""
    smallest = base_step("richardson", ctx.eps) * line.scale * P.shrinks[-1]
    # A step along an entry is rounded exactly (Line.actual); along a direction each
    # x_j + h v_j is rounded on its own, an error of about eps |x| in the displacement.
    floor = (P.entry_ulps if line.x is not None else P.direction_ulps) * ctx.eps * size
    out = []
    for level in (ctx.noise, noise_level(ctx.f0, ctx.eps)):
        wanted = P.resolve_margin * P.safety * level / max(miss, 1e-300)
        out.append((max(wanted, floor, 1e-300), level))
        if line.x is None and wanted < floor:
            out.append((max(wanted, P.entry_ulps * ctx.eps * size, 1e-300), level))
    seen, steps = set(), []
    for h, level in out:
        if h < smallest and h not in seen:
            seen.add(h)
            steps.append((h, level))
    return steps


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
    if resid > P.aliased_residual * rounding:
        return bool(resid <= P.aliased_slope * abs(a) * float(np.abs(t).max()))
    # Flat at every representable step (saturated tanh terms cancelling) although the
    # analytic slope would move f far beyond rounding there, while wider steps, or
    # other directions (the noise measured near x), see f change far beyond rounding:
    # f varies between representable points. (A flat f that is smooth around x, a
    # dead ReLU, keeps its failure.)
    moving = abs(est.value) > P.safety * est.error or noise > P.flat_slope * noise_level(f0, eps)
    return moving and _flat(a, g, t, rounding)


def _flat(a, g, t, rounding) -> bool:
    return bool(np.ptp(g) <= rounding and abs(a) * float(np.abs(t).max()) > P.flat_slope * rounding)


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
    return bool(P.safety * S.error > abs(a - R.value) + abs(S.value - R.value))


def _finer_complex_step(line, eps) -> Estimate | None:
    """The complex step at a step 1e-6 of the default, its truncation bounded by the change.

    The truncation error shrinks as h², so a step 1e-6 smaller leaves 1e-12 of the change
    between the two values.
    """
    h = base_step("complex", eps) * line.scale
    try:
        coarse, fine = (
            line.imag(h).imag / h,
            line.imag(h * P.finer_complex).imag / (h * P.finer_complex),
        )
    except (NonFiniteValue, NotComplexSafe):
        return None
    if not (np.isfinite(coarse) and np.isfinite(fine)):
        return None
    return Estimate(
        fine, P.complex_ulps * eps * abs(fine) + P.finer_complex**2 * abs(coarse - fine)
    )


def _second_opinion(line, R: Estimate, h, noise) -> Estimate:
    """Central differences at h/100 and h/200, extrapolated, with their own error estimate.

    Richardson's own error estimate comes from steps within a factor 4 of each other;
    a stencil far wider than the scale on which f varies can look self-consistent and
    be wrong. A second opinion two decades smaller exposes that. Its truncation error
    is measured at its own steps (the gap between h/100 and h/200), not extrapolated
    from the Richardson table, which is not in its asymptotic regime when the stencil
    is too wide.
    """
    k = P.second_opinion
    S1, S2 = central(line, h * k, noise), central(line, h * k / 2, noise)
    if line.actual(h * k) == line.actual(h * k / 2):
        # Both steps rounded to the same multiple of x's spacing: one difference, no
        # extrapolation and no truncation estimate, so no opinion.
        return Estimate(S2.value, np.inf)
    value = (4 * S2.value - S1.value) / 3
    return Estimate(value, abs(S2.value - S1.value) / 3 + S1.error + S2.error)


def _jittered(line, h, f0, noise, eps, est: Estimate, widen) -> Estimate:
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
