"""Plain-language findings about a gradient check.

Each suspected bug is a hypothesis about how the analytic gradient ``a`` relates to
the true one: ``a = k · g`` (missing 1/m, sign flip, a factor 2), a parameter left
at zero, a transposed matrix, a regularization term off by ``κ x``, or (from
:func:`check_softmax_gradient`) a mistake with the one-hot matrix. A hypothesis is
reported only when undoing it makes every probe agree with the finite differences,
within the check's own tolerances; otherwise the findings describe where the errors
are (one entry, one row, one column).
"""

from __future__ import annotations

import numpy as np

from gradlab.numeric.confirm import SAFETY

__all__ = ["diagnose"]

_SLACK = 2.0


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

    def fits(self, g: np.ndarray) -> bool:
        p = self.proj(g)
        tol = self.r.atol + self.r.rtol * np.maximum(np.abs(p), np.abs(self.n)) + SAFETY * self.err
        ok = np.abs(p - self.n) <= _SLACK * tol
        ok |= self.r.status == "kink"
        if not ok.all():
            return False
        # The correction must explain the disagreement, not just nudge a nearly right answer.
        before = np.abs(self.proj(self.a) - self.n).max()
        return bool(np.abs(p - self.n).max() <= 0.1 * before)

    def masked(self, g: np.ndarray, sl: slice) -> np.ndarray:
        out = np.zeros_like(g)
        out[sl] = g[sl]
        return out


def _nice_factor(k: float, m: int | None) -> str:
    """What a factor ``analytic = k × numeric`` usually means."""

    def near(a, b):
        return abs(a - b) <= 1e-4 * abs(b)

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
    blocks = fit.params.blocks
    P = np.column_stack([fit.proj(fit.masked(fit.a, sl)) for _, sl, _ in blocks])
    if not np.any(P):
        return None
    c, *_ = np.linalg.lstsq(P, fit.n, rcond=None)
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
            if fit.r.directions is None:
                inside = (fit.r.probe_idx >= sl.start) & (fit.r.probe_idx < sl.stop)
                if not (fit.r.failed[inside]).any():
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
    out = []
    r = fit.proj(fit.a) - fit.n
    theta = fit.params.theta.astype(float)
    for label, sl, _ in fit.params.blocks:
        q = fit.proj(fit.masked(theta, sl))
        qq = float(q @ q)
        if qq == 0:
            continue
        kappa = float(q @ r) / qq
        if kappa == 0:
            continue
        g = fit.a.copy()
        g[sl] -= kappa * theta[sl]
        if not fit.fits(g):
            continue
        name = label or "x"
        msg = f"analytic - numeric = {kappa:.4g} × {name}: a regularization term off by {kappa:.4g}·{name}"
        if l2:
            ratio = kappa / l2
            if abs(ratio - 1) < 1e-3:
                msg += f" = λ{name} (λ = {l2:g}): did you use 2λ{name}? The gradient of (λ/2)‖{name}‖² is λ{name}"
            elif abs(ratio + 1) < 1e-3:
                msg += f" = -λ{name} (λ = {l2:g}): did you forget the regularization term λ{name}?"
            else:
                msg += f" = {ratio:.4g} λ{name} (λ = {l2:g})"
        else:
            msg += " (e.g. 2λW instead of λW, or a forgotten λW)"
        out.append(msg)
    return out


def _location_findings(fit: _Fit) -> list[str]:
    r = fit.r
    if r.directions is not None:
        return [
            (
                "directional mode only sees directional derivatives: run mode='full' to locate the "
                "wrong entries"
            )
        ]
    failed = r.probe_idx[r.failed]
    if failed.size == 0:
        return []
    if failed.size == 1:
        k = int(np.flatnonzero(r.failed)[0])
        return [
            (
                f"only entry {r.probe_name(k)} disagrees: analytic {r.analytic[k]:.10g}, numeric "
                f"{r.numeric[k]:.10g} (relative error {r.rel_error[k]:.1e}); every other checked "
                "entry agrees"
            )
        ]
    out = []
    for label, sl, shape in fit.params.blocks:
        inside = failed[(failed >= sl.start) & (failed < sl.stop)] - sl.start
        if inside.size < 2 or len(shape) != 2:
            continue
        rows, cols = np.unravel_index(inside, shape)
        name = label or "x"
        if np.unique(rows).size == 1 and shape[1] > 1:
            out.append(
                f"the errors are confined to row {rows[0]} of {name} ({inside.size} entries); "
                "the other rows agree"
            )
        elif np.unique(cols).size == 1 and shape[0] > 1:
            out.append(
                f"the errors are confined to column {cols[0]} of {name} ({inside.size} entries); "
                "the other columns agree"
            )
    return out


# Entries that got no verdict (or a kink's subgradient pass): why, in plain language.
_STATUS_FINDINGS = {
    "kink": (
        "f has a kink at x for {names}: left and right derivatives differ (e.g. ReLU at 0 or "
        "a tie in a max); any value between them is a valid subgradient, and the analytic one "
        "is"
    ),
    "unresolved": (
        "the numeric derivative changes with h for {names} (a kink close to x, e.g. ReLU near "
        "0, or f varying on a scale far below the step, e.g. x ~ 1e8 but f(x) = sin(x - 1e8)): "
        "no verdict for these; move x slightly, or centre x near 0"
    ),
    "imprecise": (
        "finite differences cannot pin down the derivative for {names}: their error bar is too "
        "wide (over 5% of the gradient, or wider than a sharper estimate that disagreed) at "
        "every step tried, so a wrong gradient would look as right as a correct one; no "
        "verdict for these. f varies on a scale far from the step (scaled by |x|), or its "
        "changes are lost in rounding (a tiny term added to a large one): rescale x or f"
    ),
    "aliased": (
        "f may vary on a scale at or below the spacing of x's {precision} values for {names}: "
        "near x it fluctuates by as much as the analytic slope predicts within a few "
        "representable steps, so every step finite differences can take sees aliased or flat "
        "values of f; no verdict for these. Use float64 x, or centre x near 0 (x - c loses the "
        "digits that f varies on)"
    ),
    "complex-only": (
        "only the complex step disagrees with the analytic value for {names}, by less than "
        "real differences can resolve, and method 'auto' verified that f is complex-safe only "
        "to that accuracy (an abs or max in a small term would look the same): no verdict for "
        "these; pass method='complex' if f has no abs, max, real or comparisons"
    ),
}


def diagnose(report, *, notes=(), nondeterministic=None, mutated=None, grad_mutated=None,
             m=None, context=None, nonfinite=None) -> list[str]:  # fmt: skip
    """The findings for ``report``, most specific first."""
    findings: list[str] = []
    if nondeterministic is not None:
        f0, f1 = nondeterministic
        findings.append(
            f"f is not deterministic: two evaluations at the same x gave {f0:.12g} and {f1:.12g}; "
            "finite differences need a deterministic f (fix the random seed inside f, turn off "
            "dropout), so the verdict is inconclusive"
        )
    if mutated is not None:
        findings.append(
            f"f modifies its input in place (first changed: {mutated}); gradlab passed copies, so "
            "your arrays are unchanged, but f should work on a copy"
        )
    if grad_mutated is not None:
        findings.append(
            "grad modifies its input in place; gradlab passed a copy, but grad should not change x"
        )
    if nonfinite is not None:
        findings.append(
            f"f is not finite at some perturbed points ({nonfinite}): x is close to where f is "
            "undefined (log of a negative number, overflow); smaller steps were tried"
        )
    fit = _Fit(report)
    if report.verdict == "fail":
        findings += _explain_failure(fit, m, context)
    for status, explain in _STATUS_FINDINGS.items():
        names = [report.probe_name(k) for k in np.flatnonzero(report.status == status)]
        if names:
            findings.append(explain.format(names=_few(names), precision=report.precision))
    if report.precision == "float32":
        findings.append(
            f"float32 precision limits the check: finite differences resolve only about "
            f"{report.rtol:.0e} relative, so smaller errors go unnoticed; use float64 x (and f) "
            "for a sharper check"
        )
    findings += list(notes)
    return findings


def _explain_failure(fit: _Fit, m, context) -> list[str]:
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
    for finder in (_transpose_findings, lambda f: _regularization_findings(f, l2)):
        found = finder(fit)
        if found:
            return zeros + found
    if context is not None:
        for g, msg in context.hypotheses(fit.a):
            if fit.fits(g):
                return [*zeros, msg]
    return zeros + (_location_findings(fit) or [
        ("the errors follow no simple pattern (not a constant factor, sign flip, transpose or "
        "regularization term): recheck the derivation")
    ])  # fmt: skip


def _few(names: list[str], k: int = 4) -> str:
    shown = ", ".join(names[:k])
    return shown + (f" and {len(names) - k} more" if len(names) > k else "")
