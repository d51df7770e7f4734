"""Plain-language findings about a gradient check.

Each suspected bug is a hypothesis about how the analytic gradient ``a`` relates to
the true one: ``a = k · g`` (missing 1/m, sign flip, a factor 2), per parameter or for
all of them; a parameter left at zero; a transposed matrix; a regularization term off
by ``κ x``; a data term scaled while the regularization term is not; or (from
:func:`check_softmax_gradient`) a mistake with the one-hot matrix. A hypothesis is
reported only when undoing it makes every probe agree with the finite differences,
within the check's own tolerances. Otherwise the findings localize the errors: which
parameters agree, which rows, columns or block of a matrix disagree. "No simple
pattern" is said only when none of these holds.
"""

from __future__ import annotations

import numpy as np

from gradlab.numeric.location import location_findings, parameter_findings
from gradlab.numeric.policy import POLICY, Status

__all__ = ["diagnose"]

P = POLICY


class _Fit:
    """Tests corrected gradients ``g_H`` against the numeric probes of a report."""

    def __init__(self, report):
        self.r = report
        self.params = report._params
        self.a = report._a_full
        self.n = report.numeric
        self.err = report.numeric_error

    def proj(self, g: np.ndarray) -> np.ndarray:
        if self.r.directions is not None:
            return self.r.directions @ g
        return g[self.r.probe_idx]

    def inside(self, sl: slice) -> np.ndarray:
        """Probes in the parameter ``sl`` (all of them in directional mode)."""
        if self.r.directions is not None:
            return np.ones(len(self.n), bool)
        return (self.r.probe_idx >= sl.start) & (self.r.probe_idx < sl.stop)

    def fits(self, g: np.ndarray, where: np.ndarray | None = None) -> bool:
        """Does ``g`` agree with every probe (in ``where``), explaining the misses?"""
        where = np.ones(len(self.n), bool) if where is None else where
        p = self.proj(g)[where]
        n, err = self.n[where], self.err[where]
        atol = np.broadcast_to(self.r.atol, self.n.shape)[where]
        tol = atol + self.r.rtol * np.maximum(np.abs(p), np.abs(n)) + P.safety * err
        ok = (np.abs(p - n) <= P.fit_slack * tol) | (self.r.status[where] == Status.KINK)
        if not ok.all():
            return False
        # The correction must explain the disagreement, not just nudge a nearly right answer.
        before = np.abs(self.proj(self.a)[where] - n).max()
        return bool(np.abs(p - n).max() <= P.fit_explains * before)

    def masked(self, g: np.ndarray, sl: slice) -> np.ndarray:
        out = np.zeros_like(g)
        out[sl] = g[sl]
        return out


def _nice_factor(k: float, m: int | None) -> str:
    """What a factor ``analytic = k × numeric`` usually means."""

    def near(a, b):
        return abs(a - b) <= P.factor_match * abs(b)

    if near(k, -1):
        return (
            "sign flip: analytic = -numeric (you may be computing the gradient of -f, "
            "or subtracting in the wrong order)"
        )
    if m is not None and m > 1:
        if near(k, m):
            return f"analytic = {m} × numeric: forgot to divide by m = {m}?"
        if near(k, 1 / m):
            return f"analytic = numeric / {m}: divided by m = {m} twice?"
        if near(k, -m):
            return (
                f"analytic = -{m} × numeric: forgot to divide by m = {m}, and the sign is flipped"
            )
    if near(k, 2):
        return (
            "analytic = 2 × numeric: an extra factor 2, as from differentiating a square "
            "(the gradient of ½‖w‖² is w, not 2w)?"
        )
    if near(k, 0.5):
        return "analytic = ½ × numeric: a missing factor 2 (the gradient of ‖w‖² is 2w)?"
    return f"analytic = {k:.6g} × numeric: a constant factor"


def _factor_findings(fit: _Fit, m) -> list[str] | None:
    """One constant factor per parameter that makes every probe agree (1 for those right)."""
    blocks = fit.params.blocks
    P_ = np.column_stack([fit.proj(fit.masked(fit.a, sl)) for _, sl, _ in blocks])
    if not np.any(P_):
        return None
    c, *_ = np.linalg.lstsq(P_, fit.n, rcond=None)
    if not np.all(np.isfinite(c)) or np.any(c == 0):
        return None
    g = np.zeros_like(fit.a)
    for (_, sl, _), cb in zip(blocks, c, strict=False):
        g[sl] = cb * fit.a[sl]
    if not fit.fits(g):
        return None
    out = []
    for (label, _, _), cb in zip(blocks, c, strict=False):
        k = 1 / cb
        if abs(k - 1) > 1e-6:
            msg = _nice_factor(k, m)
            out.append(f"for '{label}': {msg}" if label else msg)
    return out or None


def _zero_findings(fit: _Fit) -> list[str]:
    out = []
    for label, sl, _ in fit.params.blocks:
        if not np.any(fit.a[sl]):
            if fit.r.directions is None and not fit.r.failed[fit.inside(sl)].any():
                continue
            name = f"'{label}'" if label else "x"
            d = f"d{label}" if label else "the gradient"
            out.append(
                f"the analytic gradient of {name} is all zeros, but the numeric one is not: "
                f"did you forget to compute or return {d}?"
            )
    return out


def _transpose_findings(fit: _Fit) -> list[str]:
    out = []
    for label, sl, shape in fit.params.blocks:
        if len(shape) == 2 and shape[0] == shape[1] and shape[0] > 1:
            g = fit.a.copy()
            g[sl] = fit.a[sl].reshape(shape).T.ravel()
            if not np.allclose(g, fit.a) and fit.fits(g):
                name = f"'{label}'" if label else "the gradient"
                out.append(
                    f"{name} is transposed: analytic = numericᵀ (the product's factors are "
                    "swapped, e.g. dZ.T @ X instead of X.T @ dZ)"
                )
    return out


def _regularization_findings(fit: _Fit, l2) -> list[str]:
    """The difference has the form κ·x in one parameter: a wrong regularization term."""
    out = []
    r = fit.proj(fit.a) - fit.n
    theta = fit.params.theta.astype(float)
    for label, sl, _ in fit.params.blocks:
        q = fit.proj(fit.masked(theta, sl))
        qq = float(q @ q)
        kappa = float(q @ r) / qq if qq else 0.0
        if kappa == 0:
            continue
        g = fit.a.copy()
        g[sl] -= kappa * theta[sl]
        if fit.fits(g):
            out.append(_regularization_message(label or "x", kappa, l2))
    return out


def _regularization_message(name, kappa, l2) -> str:
    msg = (f"analytic - numeric = {kappa:.4g} × {name}: the data term is right and the "
           f"regularization term is off by {kappa:.4g}·{name}")  # fmt: skip
    if not l2:
        return msg + " (e.g. 2λW instead of λW, or a forgotten λW)"
    ratio = kappa / l2
    if abs(ratio - 1) < P.l2_match:
        return msg + (f" = λ{name} (λ = {l2:g}): did you use 2λ{name}? The gradient of "
                      f"(λ/2)‖{name}‖² is λ{name}")  # fmt: skip
    if abs(ratio + 1) < P.l2_match:
        return msg + f" = -λ{name} (λ = {l2:g}): did you forget the regularization term λ{name}?"
    return msg + f" = {ratio:.4g} λ{name} (λ = {l2:g})"


def _data_term_findings(fit: _Fit, m, l2) -> list[str]:
    """The data term scaled by k while the regularization term is not: a - n = α n + β x
    (per parameter β), with k = 1 + α. With l2 known, the regularization term's own
    weight follows: λ' = β + k λ."""
    theta = fit.params.theta.astype(float)
    blocks = [(lbl, sl) for lbl, sl, _ in fit.params.blocks if np.any(theta[sl])]
    if not blocks:
        return []
    cols = [fit.n] + [fit.proj(fit.masked(theta, sl)) for _, sl in blocks]
    A = np.column_stack(cols)
    coef, *_ = np.linalg.lstsq(A, fit.proj(fit.a) - fit.n, rcond=None)
    alpha, betas = float(coef[0]), coef[1:]
    if not np.all(np.isfinite(coef)) or abs(alpha) < 1e-6 or 1 + alpha == 0:
        return []
    g = fit.a.copy()
    for (_, sl), beta in zip(blocks, betas, strict=True):
        g[sl] -= beta * theta[sl]
    g /= 1 + alpha
    if not fit.fits(g):
        return []
    k = 1 + alpha
    what = _nice_factor(k, m).split(": ", 1)[-1]
    msg = f"the data term is {k:.6g} × the true one ({what}) while the regularization term is not"
    if l2:
        lam = [float(b + k * l2) for b in betas]
        if all(abs(x - l2) <= P.l2_match * l2 for x in lam):
            msg += f": the regularization term λ·x (λ = {l2:g}) is right, fix the data term"
    return [msg]


def _block_factor_findings(fit: _Fit, m) -> list[str]:
    """A constant factor in one parameter, fitted on that parameter's probes alone."""
    out = []
    if fit.r.directions is not None:
        return out
    for label, sl, _ in fit.params.blocks:
        inside = fit.inside(sl)
        if not fit.r.failed[inside].any():
            continue
        p = fit.proj(fit.masked(fit.a, sl))[inside]
        if not np.any(p):
            continue
        c = float(p @ fit.n[inside]) / float(p @ p)
        if c == 0 or not np.isfinite(c):
            continue
        g = fit.a.copy()
        g[sl] *= c
        if fit.fits(g, inside):
            name = f"'{label}'" if label else "x"
            out.append(f"for {name}: {_nice_factor(1 / c, m)}")
    return out


# Entries that got no verdict (or a kink's subgradient pass): why, in plain language.
_STATUS_FINDINGS = {
    Status.KINK: (
        "f has a kink at x for {names}: left and right derivatives differ (e.g. ReLU at 0 or "
        "a tie in a max); any value between them is a valid subgradient, and the analytic "
        "value lies between them, so these entries pass"
    ),
    Status.UNRESOLVED: (
        "the numeric derivative changes with h for {names} (a kink close to x, e.g. ReLU near "
        "0, or f varying on a scale far below the step, e.g. x ~ 1e8 but f(x) = sin(x - 1e8)): "
        "no verdict for these; move x slightly, or centre x near 0"
    ),
    Status.IMPRECISE: (
        "finite differences cannot pin down the derivative for {names}: their error bar is too "
        "wide (over 5% of the gradient, or wider than a sharper estimate that disagreed) at "
        "every step tried, so a wrong gradient would look as right as a correct one; no "
        "verdict for these. f varies on a scale far from the step (scaled by |x|), or its "
        "changes are lost in rounding (a tiny term added to a large one): rescale x or f"
    ),
    Status.ALIASED: (
        "f may vary on a scale at or below the spacing of x's {precision} values for {names}: "
        "near x it fluctuates by as much as the analytic slope predicts within a few "
        "representable steps, so every step finite differences can take sees aliased or flat "
        "values of f; no verdict for these. Use float64 x, or centre x near 0 (x - c loses the "
        "digits that f varies on)"
    ),
    Status.COMPLEX_ONLY: (
        "only the complex step disagrees with the analytic value for {names}, by less than "
        "real differences can resolve, and method 'auto' verified that f is complex-safe only "
        "to that accuracy (an abs or max in a small term would look the same): no verdict for "
        "these; pass method='complex' if f has no abs, max, real or comparisons"
    ),
    Status.LOST_DIGITS: (
        "f loses digits here: it rounds {ratio:.0e} times worse than its value's own precision "
        "(it subtracts nearly equal numbers, as log(1 - σ(z)) does for large z, or x - c for "
        "x far from 0), so neither the complex step of this implementation nor real "
        "differences resolve {names}; no verdict for these. Compute log(1 - σ(z)) as "
        "-softplus(z) = -np.logaddexp(0, z) (and log σ(z) as -softplus(-z)), or centre x near 0"
    ),
}


def diagnose(report, *, notes=(), nondeterministic=None, mutated=None, grad_mutated=None,
             m=None, context=None, nonfinite=None, analytic_dtype=None,
             lossy=None) -> list[str]:  # fmt: skip
    """The findings for ``report``, most specific first."""
    findings = _input_findings(nondeterministic, mutated, grad_mutated, nonfinite)
    fit = _Fit(report)
    fit.usable = bool(np.isfinite(fit.n).all() and np.isfinite(fit.err).all())
    float32_grad = (
        analytic_dtype == np.float32 and report._params.dtype == np.float64
    )  # a float32 gradient for float64 x
    if report.verdict == "fail" and not fit.usable:
        findings.append(location_findings(fit)[0] if fit.r.failed.sum() == 1 else
                        "f is not finite at every screening step: no pattern can be fitted")  # fmt: skip
    elif report.verdict == "fail":
        if float32_grad:
            findings.append(_float32_grad_finding(report))
        findings += _explain_failure(fit, m, context)
    for status, explain in _STATUS_FINDINGS.items():
        names = [report.probe_name(k) for k in np.flatnonzero(report.status == status)]
        if names:
            findings.append(
                explain.format(names=_few(names), precision=report.precision, ratio=lossy or 0)
            )
    if report.precision == "float32":
        findings.append(_precision_finding(report, float32_grad))
    findings += list(notes)
    return findings


def _input_findings(nondeterministic, mutated, grad_mutated, nonfinite) -> list[str]:
    out = []
    if nondeterministic is not None:
        f0, f1 = nondeterministic
        out.append(
            f"f is not deterministic: two evaluations at the same x gave {f0:.12g} and {f1:.12g}; "
            "finite differences need a deterministic f (fix the random seed inside f, turn off "
            "dropout), so the verdict is inconclusive"
        )
    if mutated is not None:
        out.append(
            f"f modifies its input in place (first changed: {mutated}); gradlab passed copies, so "
            "your arrays are unchanged, but f should work on a copy"
        )
    if grad_mutated is not None:
        out.append(
            "grad modifies its input in place; gradlab passed a copy, but grad should not change x"
        )
    if nonfinite is not None:
        out.append(
            f"f is not finite at some perturbed points ({nonfinite}): x is close to where f is "
            "undefined (log of a negative number, overflow); smaller steps were tried"
        )
    return out


def _float32_grad_finding(report) -> str:
    return (
        "the analytic gradient is float32 while x is float64: it carries only about 7 "
        "significant digits, so it cannot agree with float64 differences to better than "
        "about 1e-7 relative (cast it to float64 inside grad, or check at float32 tolerances "
        "with rtol=1e-4); errors this size are its rounding, not a wrong derivation"
    )


def _precision_finding(report, float32_grad) -> str:
    if float32_grad and report.verdict != "fail":
        return (
            "the analytic gradient is float32 while x is float64: the check ran at float32 "
            f"tolerances (rtol {report.rtol:.0e}), so smaller errors go unnoticed"
        )
    return (
        f"float32 precision limits the check: finite differences resolve only about "
        f"{report.rtol:.0e} relative, so smaller errors go unnoticed; use float64 x (and f) "
        "for a sharper check"
    )


def _kink_failures(fit: _Fit) -> list[str]:
    """Failures decided by one-sided differences: a kink, and a value outside its slopes."""
    r, out = fit.r, []
    for k, d in enumerate(r._decisions or []):
        if d.status is Status.FAIL and d.method == "one-sided differences":
            out.append(
                f"f has a kink at x for {r.probe_name(k)} ({d.why}), and the analytic value "
                f"{r.analytic[k]:.6g} lies outside them: not a valid subgradient (at a kink, "
                "any value between the one-sided slopes is)"
            )
    return out


def _explain_failure(fit: _Fit, m, context) -> list[str]:
    kinks = _kink_failures(fit)
    if kinks and len(kinks) == int(fit.r.failed.sum()):
        return kinks
    l2 = getattr(context, "l2", 0.0)
    zeros = _zero_findings(fit)
    if zeros and fit.r.directions is None:
        zero = np.zeros(fit.a.size, bool)
        for _label, sl, _ in fit.params.blocks:
            if not np.any(fit.a[sl]):
                zero[sl] = True
        if zero[fit.r.probe_idx[fit.r.failed]].all():  # every failure is in a zero block
            return zeros
    factor = _factor_findings(fit, m)
    if factor:
        return zeros + factor
    for finder in (
        _transpose_findings,
        lambda f: _regularization_findings(f, l2),
        lambda f: _data_term_findings(f, m, l2),
    ):
        found = finder(fit)
        if found:
            return zeros + found
    if context is not None:
        for g, msg in context.hypotheses(fit.a):
            if fit.fits(g):
                return [*zeros, msg]
    if int(fit.r.failed.sum()) == 1:
        where = location_findings(fit)
    else:
        where = parameter_findings(fit) + _block_factor_findings(fit, m)
        where += location_findings(fit)
    return zeros + (where or [
        ("the errors follow no simple pattern (not a constant factor, sign flip, transpose, "
        "regularization term, or a row, column or block): recheck the derivation")
    ])  # fmt: skip


def _few(names: list[str], k: int = 4) -> str:
    shown = ", ".join(names[:k])
    return shown + (f" and {len(names) - k} more" if len(names) > k else "")
