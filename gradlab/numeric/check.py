"""Gradient checks with a verdict that rests on error estimates.

The rule
--------
Each probe ``p`` (an entry of x, or a random direction ``v`` in directional mode)
compares the analytic value ``a_p`` (``grad[j]`` or ``vᵀ grad``) with the numeric
value ``n_p``, whose own numerical error is estimated as ``e_p``. The probe passes if

    |a_p - n_p| <= atol + rtol · max(|a_p|, |n_p|) + 3 · e_p

Defaults (float64 / float32 working precision; float32 when x, f(x) or grad is float32):

==========  =========  =========
method      rtol f64   rtol f32
==========  =========  =========
complex     1e-8       1e-4
richardson  1e-8       1e-3
central     1e-7       1e-3
forward     1e-5       1e-2
==========  =========  =========

and ``atol = 100 ε · largest`` (rounding in an analytic gradient computed with terms
as large as the largest ``|a_j|`` or ``|n_j|`` of the parameter), plus, for central and
forward screening (which has no truncation estimate), ``1e-3 · rtol · typical``.
``typical`` is the upper quartile of the parameter's ``|a_j|`` (its largest if over
3/4 are zero), or the entry's own size if larger: entries whose true value is near
zero are judged against the size of the gradient around them, not against zero, and
one entry 1e10 times the others does not hide an error in them.

A probe that fails this screening, or passes it only thanks to an error bar wider
than ``max(1%, 2 rtol)`` of ``typical``, is not yet judged: it is recomputed with
Richardson extrapolation (six more evaluations, with an error estimate that
includes truncation error) and a second opinion at a 100× smaller step, at smaller
steps still if the two disagree, and with left and right derivatives to spot kinks.
It counts as wrong only if both opinions reject the analytic value, at two steps
100× apart (a near miss is first re-measured with a stencil 0.1% wider, whose spread
from the first exposes round-off that the noise measured at x missed); when the
complex step was used, real differences siding with it settle the matter at once.
It passes only if both contain it within an error bar narrower than 5% of
``max(|a_p|, min(typical, 1e-3 · largest))`` and no narrower one at a wider step
rejected it; a bar wider than 0.2% clears it only if the next, 100× smaller, step
decides nothing sharper. A failure found with
real differences is rechecked at the smallest step that still resolves it (stencils
scaled by ``|x|`` can all miss an f that varies on a far smaller scale), and not
counted if f, sampled at the few smallest steps x's precision allows, departs from a
parabola by far more than its rounding yet no more than the analytic slope explains
(f may vary at or below x's spacing: ``"aliased"``; so too a probe along which f is
flat at every such step when other probes found f aliased or changing with h).
Anything else gives no verdict
for that probe (``"unresolved"``,
``"imprecise"``, or under ``method="auto"`` ``"complex-only"`` when only the complex
step sees a difference), and the check is inconclusive rather than wrong. So a
truncation or round-off artefact, or f varying on a scale far below the step, does
not produce a false alarm or a false pass, and a real error just above the noise is
still caught.
"""

from __future__ import annotations

import numpy as np

from gradlab._validation import describe
from gradlab.numeric._params import Evaluator, NonFiniteValue, NotComplexSafe, Params
from gradlab.numeric.analytic import analytic_gradient
from gradlab.numeric.confirm import SAFETY, confirm, flat_where_f_aliases, probe_complex_safety
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
)
from gradlab.numeric.report import GradientCheck

__all__ = ["assert_gradient", "check_gradient"]

RTOL = {
    "float64": {"complex": 1e-8, "richardson": 1e-8, "central": 1e-7, "forward": 1e-5},
    "float32": {"complex": 1e-4, "richardson": 1e-3, "central": 1e-3, "forward": 1e-2},
}
MODES = ("full", "sparse", "directional")
# Up to this many suspect probes are all confirmed (or cleared) one by one.
_CONFIRM_ALL = 5
# Full checks expected to take longer than this show a progress bar.
_PROGRESS_SECONDS = 2.0
# A screening error bar wider than this fraction of the gradient (or 10 rtol) decides
# nothing: the probe is confirmed.
_VAGUE = 1e-2
# Methods whose screening error bar has no truncation estimate (see atol below).
_LOOSE = ("central", "forward")
# Above this many probes, method="auto" falls back to central rather than Richardson.
_RICHARDSON_MAX_PROBES = 2000


def _probes(params: Params, mode: str, n, rng):
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
    # as positive ones, so errors of either sign cannot cancel systematically.
    V = rng.standard_normal((k, N))
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    return np.arange(k), V


def check_gradient(
    f,
    grad,
    x,
    *,
    method="auto",
    mode="full",
    n=None,
    rtol=None,
    atol=None,
    seed=0,
    m=None,
    progress=None,
    _context=None,
) -> GradientCheck:
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
        ``.ok``, ``.max_rel_error``, per-entry errors, worst entries, ``.diagnosis``...

    Notes
    -----
    A probe passes if ``|a - n| <= atol + rtol·max(|a|, |n|) + 3·e``, with ``e`` the
    estimated error of the numeric value ``n``; a probe that fails is recomputed with
    Richardson extrapolation (and one-sided differences, for kinks) before it counts
    as wrong. The module docstring of ``gradlab.numeric.check`` gives the defaults.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.numeric import check_gradient
    >>> f = lambda x: np.sum(np.sin(x))
    >>> report = check_gradient(f, np.cos, np.array([0.1, 0.2, 0.3]))
    >>> report.ok, report.method
    (True, 'complex')
    >>> bad = check_gradient(f, lambda x: -np.cos(x), np.array([0.1, 0.2, 0.3]))
    >>> bad.ok
    False
    >>> print(bad.diagnosis[0])
    sign flip: analytic = -numeric (you may be computing the gradient of -f, or subtracting in the wrong order)
    """
    params = Params(x)
    if method != "auto":
        check_method(method, ("auto", *METHODS))
    if m is not None and (isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1):
        raise ValueError(f"m must be a positive integer (the batch size) or None; got {m!r}")
    rng = random_generator(seed)
    ev = Evaluator(f, params)
    f0 = ev.at()
    a, a_dtype, grad_mutated = analytic_gradient(grad, params)

    precision = (
        "float32" if np.dtype(np.float32) in (params.dtype, a_dtype, ev.out_dtype) else "float64"
    )
    eps = eps_of(precision)
    noise, f0_again = measured_noise(ev, f0, eps, rng)
    nondeterministic = abs(f0 - f0_again) > 1e3 * eps * max(abs(f0), 1e-300)
    noise = max(noise, 4 * abs(f0 - f0_again))

    probe_idx, V = _probes(params, mode, n, rng)
    notes = []
    # An explicit method="complex" is the caller's word that f is complex-safe; "auto"
    # checks it along one direction only, to the accuracy of real differences.
    trust_complex = method == "complex"
    if method == "auto":
        safe, why = probe_complex_safety(ev, f0, eps, noise, rng)
        if safe:
            method = "complex"
        else:
            method = "richardson" if len(probe_idx) <= _RICHARDSON_MAX_PROBES else "central"
            notes.append(f"method 'auto' chose {method}: f is not complex-safe ({why})")
    rtol = RTOL[precision][method] if rtol is None else _tolerance("rtol", rtol)
    if atol is not None:
        atol = _tolerance("atol", atol)

    lines = [Line(ev, j=int(j)) if V is None else Line(ev, v=V[k]) for k, j in enumerate(probe_idx)]
    steps = np.array([base_step(method, eps) * line.scale for line in lines])
    a_p = a[probe_idx] if V is None else V @ a

    bar = _progress_bar(progress, ev, len(lines), method, mode)
    try:
        ests = [
            _screen(method, line, h, f0, noise, eps) for line, h in zip(lines, steps, strict=True)
        ]
    except NotComplexSafe as exc:
        raise ValueError(f"method='complex' needs a complex-safe f: {exc}") from None
    finally:
        if bar is not None:
            bar.close()
            ev.bar = None
    n_p = np.array([e.value for e in ests])
    e_p = np.array([e.error for e in ests])

    largest, scale = _scale(params, a, n_p, probe_idx, V)
    # atol allows for rounding in the analytic gradient, computed with terms as large
    # as the largest entry of its parameter: 100 eps of that. Plain central and forward
    # differences carry no truncation estimate, so their screening also allows 1e-3
    # rtol of it. It must not go further: one entry 1e10 times the others would hide
    # an error in them that the numeric derivative resolves.
    if atol is None:
        atol_c = 100 * eps * largest
        atol_p = atol_c + (1e-3 * rtol * scale if method in _LOOSE else 0)
    else:
        atol_c = atol_p = np.full(len(lines), float(atol))
    tol = atol_p + rtol * np.maximum(np.abs(a_p), np.abs(n_p)) + SAFETY * e_p
    status = np.where(np.abs(a_p - n_p) <= tol, "ok", "suspect").astype(object)
    # An error bar this wide (f varies on a scale far below the step, or is very noisy)
    # would pass a wrong gradient as readily as the right one: confirm those too.
    # (A gradient that is exactly zero, analytic and numeric, has no scale to compare with.)
    vague = ~(SAFETY * e_p <= max(_VAGUE, 2 * rtol) * scale) & (scale != 0)
    # A confirmation clears an entry only with an error bar small against the entry
    # itself, or against at most 1e-3 of the largest if the entry is smaller (with few
    # entries the upper quartile is the largest, and an entry 10x smaller than it is
    # not "near zero").
    narrow = np.maximum(np.minimum(scale, 1e-3 * largest), np.abs(a_p))
    status[vague] = "suspect"

    # Confirm each suspect probe with Richardson before calling it wrong (pointless
    # when f is not deterministic: the verdict is inconclusive anyway).
    order = np.argsort(-(np.abs(a_p - n_p) / np.maximum(tol, 1e-300)))
    confirmed = 0
    n_suspects = int((status == "suspect").sum())
    while True:  # each pass settles at least one suspect probe
        for k in order:
            if status[k] != "suspect" or nondeterministic:
                continue
            if confirmed and n_suspects > _CONFIRM_ALL and not vague[k]:
                # One confirmed failure settles the verdict; with many suspects the others
                # keep their screening result, marked "suspect" (counted as failures).
                continue
            verdict, est = confirm(
                lines[k], a_p[k], n_p[k], method, f0, noise, eps, rtol, atol_c[k], narrow[k],
                trust_complex=trust_complex,
            )  # fmt: skip
            if verdict == "fail":
                confirmed += 1
            elif verdict == "cleared":
                n_p[k], e_p[k] = est.value, est.error
                atol_p[k] = atol_c[k]
                tol[k] = atol_c[k] + rtol * max(abs(a_p[k]), abs(n_p[k])) + SAFETY * e_p[k]
            status[k] = {"cleared": "ok", "kink": "kink"}.get(verdict, verdict)
        if method == "complex" or not np.isin(status, ["aliased", "unresolved"]).any():
            break
        # Other probes found f varying below x's spacing (or changing with h): a failure
        # along which f is flat at every representable step, although the analytic
        # slope would move it far beyond rounding there, has the same explanation.
        for k in np.flatnonzero(status == "fail"):
            if flat_where_f_aliases(lines[k], a_p[k], f0, eps):
                status[k] = "aliased"
                confirmed -= 1
        if confirmed or not (status == "suspect").any():
            break  # else the suspects left unconfirmed need confirming after all

    report = GradientCheck(
        params=params,
        mode=mode,
        method=method,
        probe_idx=probe_idx,
        directions=V,
        analytic_full=a,
        analytic=a_p,
        numeric=n_p,
        numeric_error=e_p,
        tolerance=tol,
        status=status,
        steps=steps,
        rtol=rtol,
        atol=atol_p,
        precision=precision,
        n_evals=ev.n_evals,
        seconds=ev.seconds,
    )
    report.diagnosis = diagnose(
        report,
        notes=notes,
        nondeterministic=(f0, f0_again) if nondeterministic else None,
        mutated=ev.mutated,
        nonfinite=ev.nonfinite,
        grad_mutated=grad_mutated,
        m=m,
        context=_context,
    )
    if nondeterministic:
        report.verdict = "inconclusive"
    return report


def _screen(method, line, h, f0, noise, eps) -> Estimate:
    try:
        return estimate(method, line, h, f0, noise, eps)
    except NonFiniteValue:
        # f overflows at this step (f varies on a scale far below that of x): no
        # screening value; the confirmation retries with smaller steps.
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


def _scale(params, a, n_p, probe_idx, V) -> tuple[np.ndarray, np.ndarray]:
    """Per probe: the largest and the typical size of the gradient of its parameter.

    The largest (of the whole gradient, for directions) bounds the analytic gradient's
    rounding. The typical size is what an entry near zero is judged against: the upper
    quartile of the parameter's entries (its largest when over 3/4 are zero), or the
    entry itself if larger, so that one entry 1e10 times the others does not make an
    error bar that swamps them look narrow. Both come from the analytic gradient: a
    screening value can be wildly off (a stencil far wider than the scale of f), and
    letting it set the scale would let it pass. Only where the analytic gradient is all
    zeros (a missing term) do the numeric values set it.
    """
    n_abs = np.nan_to_num(np.abs(n_p), nan=0.0, posinf=0.0)
    if V is not None:
        s = np.linalg.norm(a) or n_abs.max()
        return np.full(len(n_p), s), np.full(len(n_p), s)
    largest = np.empty(len(probe_idx))
    typical = np.empty(len(probe_idx))
    for _, sl, _ in params.blocks:
        inside = (probe_idx >= sl.start) & (probe_idx < sl.stop)
        if inside.any():
            mags = np.abs(a[sl])
            top = mags.max() or n_abs[inside].max()
            largest[inside] = top
            q = np.percentile(mags, 75)
            typical[inside] = q if q > 0 else top
    return largest, np.maximum(typical, np.abs(a[probe_idx]))


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
