"""Gradient checks whose verdict rests on an error model, decided by a named ladder.

The error model
---------------
A probe ``p`` (an entry of x, or a random direction ``v``) compares the analytic value
``a`` (``grad[j]`` or ``vᵀ grad``) with a numeric value ``n`` that carries its own error
estimate ``e``: truncation from steps of different size (Richardson: the gap between
its 6th- and 4th-order values), rounding from f's noise measured at x (``noise / h``).
The probe agrees when

    |a - n| <= tol = atol + rtol · max(|a|, |n|) + 3 · e

A bar ``3 e`` too wide to tell a wrong value from the right one decides nothing.
f "loses digits" when its rounding at x is over 1e3 times a few ulps of ``|f(x)|``
(``log(1 - σ(z))`` at large z): the complex step then differentiates the rounded f
and decides nothing alone; real differences, whose bars count that rounding, decide.

The ladder
----------
Each probe climbs until a stage decides (:class:`~gradlab.numeric.policy.Stage`):

=============  ==========================================  =======================  ==========================
stage          estimate                                     agrees when              disagrees when
=============  ==========================================  =======================  ==========================
screen         the method at its default step               within tol, bar < 1%     never alone: goes on
sharper step   Richardson R at h0 and S at h0/100           R and S hold a, bar <    R sides with the exact
                                                            5% of the gradient       complex step against a
confirm        the same at h0/100 and h0/10⁴                as above                 R and S reject a at two
                                                                                     steps 100x apart
resolve        the smallest step resolving the miss; f at   a between the one-sided  the failure survives
               x's spacing; one-sided slopes (kinks); the   slopes (a kink)          every resolving step; or
               complex step as a second method                                       R rejected a once and the
                                                                                     complex step sides with R
=============  ==========================================  =======================  ==========================

A probe that no stage decides is undecided (``unresolved``, ``imprecise``, ``aliased``,
``complex-only``, ``lost-digits``) and the check is inconclusive rather than wrong. The
tolerances and every other threshold are in :class:`~gradlab.numeric.policy.Policy`:

==========  =========  =========
method      rtol f64   rtol f32
==========  =========  =========
complex     1e-8       1e-4
richardson  1e-8       1e-3
central     1e-7       1e-3
forward     1e-5       1e-2
==========  =========  =========

``atol = 100 ε · largest`` (rounding in an analytic gradient with terms as large as its
parameter's largest entry), plus ``1e-3 · rtol · typical`` for central and forward
screening (no truncation estimate). ``typical`` is the upper quartile of the parameter's
``|a|``, or the entry itself if larger: an entry near zero is judged against the
gradient around it. Where a parameter's analytic gradient is exactly zero (a
stationary point) it is judged on the scale of f and x: ``1e-3 · |f| / |x|``.
:attr:`GradientCheck.trace` records, for each probe, the stage that decided it and
the numbers it rested on.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradlab._validation import describe
from gradlab.numeric._params import Evaluator, NonFiniteValue, NotComplexSafe, Params
from gradlab.numeric.analytic import analytic_gradient
from gradlab.numeric.confirm import Context, decide, flat_where_f_aliases, probe_complex_safety
from gradlab.numeric.diagnosis import diagnose
from gradlab.numeric.differences import (
    METHODS,
    Estimate,
    Line,
    base_step,
    check_method,
    eps_of,
    estimate,
    measured_noise,
    noise_level,
    staircase_noise,
)
from gradlab.numeric.policy import POLICY, Stage, Status
from gradlab.numeric.report import GradientCheck
from gradlab.numeric.scales import gradient_scale, screen_steps
from gradlab.numeric.trace import Decision

__all__ = ["assert_gradient", "check_gradient", "random_generator"]

P = POLICY
RTOL = P.rtol
MODES = ("full", "sparse", "directional")
# Full checks expected to take longer than this show a progress bar (display only).
_PROGRESS_SECONDS = 2.0
# Methods whose screening error bar has no truncation estimate.
_LOOSE = ("central", "forward")


def check_gradient(f, grad, x, *, method="auto", mode="full", n=None, rtol=None, atol=None,
                   seed=0, m=None, progress=None, _context=None) -> GradientCheck:  # fmt: skip
    """Check an analytic gradient against finite differences, entry by entry.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``; the same structure as ``x``.
    grad : callable or array or dict
        The gradient to check: ``grad(x)`` or its precomputed value at ``x``.
    x : ndarray or dict of str to ndarray
        The point. Never modified; integer arrays are converted to float64 with a warning.
    method : {"auto", "complex", "richardson", "central", "forward"}
        ``"auto"`` uses the complex step when ``f`` is complex-safe (checked on the
        spot), else Richardson (central for more than 2000 probes).
    mode : {"full", "sparse", "directional"}
        Every entry; ``n`` random entries (default 20); or ``n`` random normalized
        directions ``v`` comparing ``vᵀ grad`` with the directional difference
        (default 10; cost independent of the size of x).
    n : int, optional
        Entries or directions for the sparse and directional modes.
    rtol, atol : float, optional
        Tolerances; defaults depend on method and precision (see the module docstring).
    seed : int, default 0
        Seed for the random entries, directions and the complex-safety probe.
    m : int, optional
        The batch size, if f averages over m samples: lets the diagnosis recognize
        factors of m ("forgot to divide by m?").
    progress : bool, optional
        Show a progress bar (tqdm) for a full check; default: when it is expected to
        take over 2 s.

    Returns
    -------
    GradientCheck
        ``.verdict``, ``.ok``, per-entry errors, worst entries, ``.diagnosis`` and
        ``.trace`` (the stage that decided each entry, with its numbers).

    Notes
    -----
    A probe agrees if ``|a - n| <= atol + rtol·max(|a|, |n|) + 3·e``, with ``e`` the
    estimated error of the numeric value ``n``; one that does not, or whose error bar
    is too wide to decide, climbs the ladder of the module docstring of
    ``gradlab.numeric.check`` before it counts as wrong.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.numeric import check_gradient
    >>> f = lambda x: np.sum(np.sin(x))
    >>> report = check_gradient(f, np.cos, np.array([0.1, 0.2, 0.3]))
    >>> report.verdict, report.method
    ('pass', 'complex')
    >>> bad = check_gradient(f, lambda x: -np.cos(x), np.array([0.1, 0.2, 0.3]))
    >>> bad.verdict
    'fail'
    >>> print(bad.diagnosis[0])
    sign flip: analytic = -numeric (you may be computing the gradient of -f, or subtracting in the wrong order)
    >>> print(bad.trace[0])  # doctest: +ELLIPSIS
    [0]: sharper step, richardson, siding with the complex step h=2e-04 says 0.995004 ± ...
    """
    if method != "auto":
        check_method(method, ("auto", *METHODS))
    if m is not None and (isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1):
        raise ValueError(f"m must be a positive integer (the batch size) or None; got {m!r}")
    run = _Run.start(f, grad, x, random_generator(seed))
    probe_idx, V = _probes(run.params, mode, n, run.rng, run.a)
    notes = []
    # An explicit method="complex" is the caller's word that f is complex-safe; "auto"
    # checks it along one direction only, to the accuracy of real differences.
    trust_complex = method == "complex"
    method, why = _choose_method(method, run, len(probe_idx))
    if why:
        notes.append(why)
    rtol = RTOL[run.precision][method] if rtol is None else _tolerance("rtol", rtol)
    atol = None if atol is None else _tolerance("atol", atol)
    ctx = Context(method, run.f0, run.noise, run.num_eps, rtol, trust_complex, run.lossy)
    probes = _Probes(run, ctx, probe_idx, V)
    probes.screen(progress, mode)
    probes.set_tolerances(atol)
    if not run.nondeterministic:
        probes.sharpen()
        probes.climb()
    report = probes.report(mode)
    report.diagnosis = diagnose(
        report, notes=notes, nondeterministic=run.twice if run.nondeterministic else None,
        mutated=run.ev.mutated, nonfinite=run.ev.nonfinite, grad_mutated=run.grad_mutated,
        m=m, context=_context, analytic_dtype=run.a_dtype, lossy=run.noise_ratio if
        run.lossy else None,
    )  # fmt: skip
    if run.nondeterministic:
        report.verdict = "inconclusive"
    return report


@dataclass
class _Run:
    """What a check learns about f, x and grad before any probe: f(x), its measured
    rounding, the analytic gradient and the working precision."""

    params: Params
    ev: Evaluator
    rng: np.random.Generator
    f0: float
    a: np.ndarray
    a_dtype: np.dtype
    grad_mutated: str | None
    precision: str
    eps: float  # of the working precision: the analytic gradient's rounding (atol)
    num_eps: float  # of x and f: the numeric estimates' rounding
    noise: float
    twice: tuple
    f_size: float  # the largest |f| seen near x
    rounding: bool  # the noise measured is rounding, not f's variation below the step

    @classmethod
    def start(cls, f, grad, x, rng) -> _Run:
        params = Params(x)
        ev = Evaluator(f, params)
        f0 = ev.at()
        a, a_dtype, grad_mutated = analytic_gradient(grad, params)
        f32 = np.dtype(np.float32)
        precision = "float32" if f32 in (params.dtype, a_dtype, ev.out_dtype) else "float64"
        # The differences are as precise as x and f; a float32 analytic gradient of a
        # float64 f limits the tolerances (rtol, atol), not the numeric estimates.
        num_eps = eps_of("float32" if f32 in (params.dtype, ev.out_dtype) else "float64")
        noise, f0_again, f_size, rounding = measured_noise(ev, f0, num_eps, rng)
        stairs = staircase_noise(ev, a, f0, num_eps, rng)
        noise = max(noise, 4 * abs(f0 - f0_again), stairs)
        return cls(params, ev, rng, f0, a, a_dtype, grad_mutated, precision, eps_of(precision),
                   num_eps, noise, (f0, f0_again), f_size, rounding or stairs > 0)  # fmt: skip

    @property
    def nondeterministic(self) -> bool:
        f0, f1 = self.twice
        return abs(f0 - f1) > P.nondeterministic_eps * self.num_eps * max(abs(f0), 1e-300)

    @property
    def noise_ratio(self) -> float:
        """f's measured rounding in units of a few ulps of |f(x)|."""
        if not self.rounding:
            return 1.0  # the level measured is f's variation (a kink, a fast f), not rounding
        return self.noise / noise_level(self.f_size, self.num_eps)

    @property
    def lossy(self) -> bool:
        return self.noise_ratio > P.lossy_noise_ratio and not self.nondeterministic


def _choose_method(method, run: _Run, n_probes) -> tuple[str, str | None]:
    """The method, and a note when "auto" falls back from the complex step."""
    if method != "auto":
        return method, None
    safe, why = probe_complex_safety(run.ev, run.f0, run.num_eps, run.noise, run.rng)
    if safe:
        return "complex", None
    chosen = "richardson" if n_probes <= P.richardson_max_probes else "central"
    return chosen, f"method 'auto' chose {chosen}: f is not complex-safe ({why})"


class _Probes:
    """The probes of one check, their screening values and the decisions about them."""

    def __init__(self, run: _Run, ctx: Context, probe_idx, V):
        self.run, self.ctx, self.idx, self.V = run, ctx, probe_idx, V
        ev = run.ev
        self.lines = [Line(ev, j=int(j)) if V is None else Line(ev, v=V[k])
                      for k, j in enumerate(probe_idx)]  # fmt: skip
        self.a = run.a[probe_idx] if V is None else V @ run.a
        self.steps = screen_steps(ctx, self.lines, self.a)
        self.decisions: list[Decision] = []

    # -- stage 1: screen ------------------------------------------------------------
    def screen(self, progress, mode) -> None:
        c = self.ctx
        bar = _progress_bar(progress, self.run.ev, len(self.lines), c.method, mode)
        try:
            ests = [_screen(c.method, ln, h, c.f0, c.noise, c.eps)
                    for ln, h in zip(self.lines, self.steps, strict=True)]  # fmt: skip
        except NotComplexSafe as exc:
            raise ValueError(f"method='complex' needs a complex-safe f: {exc}") from None
        finally:
            if bar is not None:
                bar.close()
                self.run.ev.bar = None
        self.n = np.array([e.value for e in ests])
        self.e = np.array([e.error for e in ests])

    def set_tolerances(self, atol) -> None:
        c, a, n, e = self.ctx, self.a, self.n, self.e
        self.largest, self.scale, zero = gradient_scale(self.run, n, e, self.idx, self.V)
        if atol is None:
            self.atol_c = P.atol_eps * self.run.eps * self.largest
            loose = P.loose_atol * c.rtol * self.scale if c.method in _LOOSE else 0
            self.atol = self.atol_c + loose
        else:
            self.atol_c = self.atol = np.full(len(a), float(atol))
        self.tol = self.atol + c.rtol * np.maximum(np.abs(a), np.abs(n)) + P.safety * e
        agrees = np.abs(a - n) <= self.tol
        # A bar must be narrow against the entry itself, or against at most 1e-3 of the
        # largest if the entry is smaller (near zero, it is judged on its neighbours).
        self.narrow = np.maximum(np.minimum(self.scale, P.narrow_fraction * self.largest),
                                 np.abs(a))  # fmt: skip
        self.narrow[zero] = self.scale[zero]  # all zero: no entry is smaller than another
        # A bar this wide passes a wrong gradient as readily as the right one; the complex
        # step of an f that loses digits has no honest bar at all.
        self.vague = ~(P.safety * e <= max(P.screen_vague, 2 * c.rtol) * self.narrow)
        self.vague &= self.scale != 0
        if c.lossy and c.method == "complex":
            self.vague[:] = True
        ok = agrees & ~self.vague
        self.status = np.array([Status.OK if o else Status.SUSPECT for o in ok], dtype=object)
        self.decisions = [self._screen_decision(k) for k in range(len(a))]

    def _screen_decision(self, k) -> Decision:
        return Decision(self.status[k], Stage.SCREEN, self.ctx.method, float(self.steps[k]),
                        float(self.n[k]), float(self.e[k]))  # fmt: skip

    # -- stages 2-4: the ladder for each suspect ---------------------------------------
    def sharpen(self) -> None:
        """Forward differences are rounding-limited at their small step: a probe whose bar
        is too wide gets central differences at their own, larger step first (2
        evaluations) before the ladder's Richardson (6 or more)."""
        if self.ctx.method != "forward":
            return
        c = self.ctx
        for k in np.flatnonzero(self.status == Status.SUSPECT):
            h = base_step("central", c.eps) * self.lines[k].scale
            est = _screen("central", self.lines[k], h, c.f0, c.noise, c.eps)
            a, n = self.a[k], est.value
            tol = self.atol[k] + c.rtol * max(abs(a), abs(n)) + P.safety * est.error
            sharp = P.safety * est.error <= max(P.screen_vague, 2 * c.rtol) * self.narrow[k]
            if abs(a - n) <= tol and sharp:
                self.n[k], self.e[k], self.tol[k] = n, est.error, tol
                self.status[k] = Status.OK
                self.decisions[k] = Decision(Status.OK, Stage.SHARPER, "central", h, n, est.error)

    def climb(self) -> None:
        order = np.argsort(-(np.abs(self.a - self.n) / np.maximum(self.tol, 1e-300)))
        n_suspects = int((self.status == Status.SUSPECT).sum())
        self.confirmed = 0
        while True:  # each pass settles at least one suspect probe
            for k in order:
                if self.status[k] is not Status.SUSPECT:
                    continue
                if self.confirmed and n_suspects > P.confirm_all and not self.vague[k]:
                    continue  # one confirmed failure settles it; the rest stay suspect
                self._decide(k)
            if self.ctx.method == "complex" or not self._any(Status.ALIASED, Status.UNRESOLVED):
                break
            self._alias_failures()
            if self.confirmed or not self._any(Status.SUSPECT):
                break  # else the suspects left unconfirmed need confirming after all

    def _decide(self, k) -> None:
        d = decide(self.lines[k], self.a[k], self.n[k], self.atol_c[k], self.narrow[k], self.ctx)
        self.decisions[k] = d
        self.status[k] = d.status
        if d.status is Status.FAIL:
            self.confirmed += 1
        elif d.status is Status.OK:
            self.n[k], self.e[k] = d.value, d.error
            self.atol[k] = self.atol_c[k]
            self.tol[k] = self.atol_c[k] + self.ctx.rtol * max(abs(self.a[k]), abs(self.n[k]))
            self.tol[k] += P.safety * self.e[k]

    def _alias_failures(self) -> None:
        """Other probes found f varying below x's spacing: a failure along which f is flat
        at every representable step, though the analytic slope would move it far beyond
        rounding there, has the same explanation."""
        for k in np.flatnonzero(self.status == Status.FAIL):
            if flat_where_f_aliases(self.lines[k], self.a[k], self.ctx.f0, self.ctx.eps):
                self.status[k] = Status.ALIASED
                d = self.decisions[k]
                self.decisions[k] = Decision(Status.ALIASED, Stage.RESOLVE, d.method, d.h,
                                             d.value, d.error, "f is flat at x's spacing")  # fmt: skip
                self.confirmed -= 1

    def _any(self, *statuses) -> bool:
        return any(s in statuses for s in self.status)

    def report(self, mode) -> GradientCheck:
        run = self.run
        return GradientCheck(
            params=run.params, mode=mode, method=self.ctx.method, probe_idx=self.idx,
            directions=self.V, analytic_full=run.a, analytic=self.a, numeric=self.n,
            numeric_error=self.e, tolerance=self.tol, status=self.status, steps=self.steps,
            rtol=self.ctx.rtol, atol=self.atol, precision=run.precision,
            n_evals=run.ev.n_evals, seconds=run.ev.seconds, decisions=self.decisions,
        )  # fmt: skip


def _probes(params: Params, mode: str, n, rng, a):
    if mode not in MODES:
        raise ValueError(f"mode must be one of {list(MODES)}; got {mode!r}")
    if n is not None and (isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1):
        raise ValueError(f"n must be a positive integer; got {n!r}")
    N = params.size
    if mode == "full":
        return np.arange(N), None
    if mode == "sparse":
        k = min(N, 20 if n is None else int(n))
        return np.sort(rng.choice(N, size=k, replace=False)), None
    k = 10 if n is None else int(n)
    # Symmetric (Gaussian) directions, normalized: negative components are as likely
    # as positive ones, so errors of either sign cannot cancel systematically. Each
    # entry is weighted by 1 / |a_j| (floored at 1e-2 of the largest): a 5% error in a
    # small entry then moves vᵀa as much as one in a large entry, instead of vanishing
    # below the resolution of the directional difference.
    V = rng.standard_normal((k, N))
    mags = np.abs(a)
    if mags.max() > 0:
        V /= np.maximum(mags, P.direction_floor * mags.max())
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    return np.arange(k), V


def _screen(method, line, h, f0, noise, eps) -> Estimate:
    try:
        return estimate(method, line, h, f0, noise, eps)
    except NonFiniteValue:
        # f overflows at this step (f varies on a scale far below that of x): no
        # screening value; the ladder retries with smaller steps.
        return Estimate(np.nan, np.inf)


def random_generator(seed) -> np.random.Generator:
    """``np.random.default_rng(seed)``, with a bad seed named as such."""
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError):
        raise TypeError(f"seed must be an integer >= 0 or None; got {describe(seed)}") from None


def _tolerance(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number >= 0; got {describe(value)}")
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be a finite number >= 0; got {value!r}")
    return float(value)


def _progress_bar(progress, ev: Evaluator, n_probes: int, method: str, mode: str):
    if progress is False or mode != "full":
        return None
    per_probe = {"forward": 1, "central": 2, "complex": 1, "richardson": 6}[method]
    total = n_probes * per_probe
    if progress is None:
        per_eval = ev.seconds / max(ev.n_evals, 1)
        if per_eval * total < _PROGRESS_SECONDS:
            return None
    from tqdm.auto import tqdm

    ev.bar = tqdm(total=total, desc=f"gradient check ({method})", unit="eval", leave=False)
    return ev.bar


def assert_gradient(f, grad, x, **kw) -> GradientCheck:
    """Raise ``AssertionError`` with the full report unless ``check_gradient`` passes.

    For pytest and autograded notebooks. Keyword arguments go to :func:`check_gradient`.

    Returns
    -------
    GradientCheck
        The report, when the check passes.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.numeric import assert_gradient
    >>> _ = assert_gradient(lambda x: np.sum(x**2), lambda x: 2 * x, np.ones(3))
    >>> try:
    ...     assert_gradient(lambda x: np.sum(x**2), lambda x: x, np.ones(3))
    ... except AssertionError as err:
    ...     print(str(err).splitlines()[0])
    gradient check FAILED: 3 of 3 entries disagree (method complex, mode full)
    """
    report = check_gradient(f, grad, x, **kw)
    if not report.ok:
        raise AssertionError(str(report))
    return report
