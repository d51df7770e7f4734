"""``GradientCheck``: the report of a gradient check, as text, HTML and a figure."""

from __future__ import annotations

import html

import numpy as np

from gradlab.numeric.policy import POLICY, UNDECIDED, Status
from gradlab.numeric.trace import TraceEntry, entry

__all__ = ["GradientCheck"]

_WORST = POLICY.worst_shown

# What each status in the report means, shown under the tables for those present.
_LEGEND = {
    Status.OK: "ok: agrees within the numeric error bar plus rtol/atol",
    Status.FAIL: (
        "fail: disagrees, confirmed by a second method or at two steps 100x apart "
        "(real differences, or the exact complex step)"
    ),
    Status.SUSPECT: (
        "suspect: disagreed at the screen and was not re-measured, since another entry's "
        "failure was already confirmed; counted as wrong"
    ),
    Status.KINK: "kink: f is not differentiable there; the analytic value is a valid subgradient",
    Status.UNRESOLVED: "unresolved: the numeric derivative changes with h; no verdict",
    Status.IMPRECISE: "imprecise: no error bar was narrow enough to decide; no verdict",
    Status.ALIASED: "aliased: f varies at or below the spacing of x; no verdict",
    Status.COMPLEX_ONLY: "complex-only: only the unverified complex step disagrees; no verdict",
    Status.LOST_DIGITS: "lost-digits: f loses digits at x, so no method resolves it; no verdict",
}


class GradientCheck:
    """The result of :func:`check_gradient`.

    Attributes
    ----------
    ok : bool
        True when every probe agrees (``verdict == "pass"``).
    verdict : {"pass", "fail", "inconclusive"}
        ``"inconclusive"`` when ``f`` is not deterministic or finite differences
        could not resolve an entry at any step.
    method, mode : str
        The difference method used (after ``"auto"``) and the check mode.
    rtol : float
        Relative tolerance used; ``atol`` holds the absolute tolerance per probe.
    h : float
        The median step of the differences (``steps`` holds each probe's step).
    precision : {"float64", "float32"}
        The working precision (float32 if x, f(x) or the gradient is float32).
    max_rel_error : float
        The largest ``|analytic - numeric| / max(|analytic|, |numeric|, atol/rtol)``.
    errors, rel_errors : ndarray or dict
        Per-entry absolute and relative errors shaped like x (NaN where an entry was
        not checked); per direction in directional mode.
    worst : list of dict
        The entries (or directions) furthest outside their tolerance.
    trace : list of TraceEntry
        Per probe: the stage of the ladder that decided it (``"screen"``, ``"sharper
        step"``, ``"confirm"``, ``"resolve"``), the estimate it rested on (method, step,
        value, error bar) and the verdict; ``str(entry)`` reads as one sentence.
    status : ndarray of Status (a str Enum)
        Per probe: ``"ok"``; ``"fail"`` (confirmed by Richardson extrapolation);
        ``"suspect"`` (failed the screening, left unconfirmed once another failure
        was confirmed; counted as a failure); ``"kink"`` (f is not differentiable
        there and the analytic value is a valid subgradient); ``"unresolved"`` (the
        numeric derivative changes with h); ``"imprecise"`` (finite differences could
        not pin the derivative down to 5% of the gradient, so no verdict);
        ``"complex-only"`` (under ``method="auto"``, only the complex step disagrees, by
        less than real differences can resolve); ``"aliased"`` (f fluctuates near x by as much as the
        analytic slope predicts within a few of x's representable steps: it may vary at
        or below x's spacing, where no real difference can see the slope);
        ``"lost-digits"`` (f rounds far above a few ulps at x, e.g. log(1 - σ(z)) at
        large z, and no method resolves the entry).
    summary : list of dict
        One row per parameter: name, shape, entries checked, failed, max relative error.
    diagnosis : list of str
        Plain-language findings.
    n_evals : int
        Evaluations of f made by the check.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.numeric import check_gradient
    >>> x = {"W": np.ones((2, 2)), "b": np.zeros(2)}
    >>> f = lambda p: np.sum(p["W"] ** 2) + np.sum(p["b"])
    >>> report = check_gradient(f, {"W": 2 * x["W"], "b": np.ones(2)}, x)
    >>> print(str(report).splitlines()[0])
    gradient check passed: all 6 entries agree (method complex, mode full)
    >>> [row["name"] for row in report.summary]
    ['W', 'b']
    """

    def __init__(self, *, params, mode, method, probe_idx, directions, analytic_full, analytic,
                 numeric, numeric_error, tolerance, status, steps, rtol, atol, precision,
                 n_evals, seconds, decisions=None):  # fmt: skip
        self._params = params
        self.mode = mode
        self.method = method
        self.probe_idx = probe_idx
        self.directions = directions
        self._a_full = analytic_full
        self.analytic = analytic
        self.numeric = numeric
        self.numeric_error = numeric_error
        self.tolerance = tolerance
        self.status = status
        self.steps = steps
        self.h = float(np.median(steps))
        self.rtol = rtol
        self.atol = atol
        self.precision = precision
        self.n_evals = n_evals
        self.seconds = seconds
        self.diagnosis: list[str] = []
        self._decisions = decisions
        if any(s is Status.FAIL for s in status):
            self.verdict = "fail"
        elif any(s in UNDECIDED for s in status):
            self.verdict = "inconclusive"
        else:
            self.verdict = "pass"

    # ------------------------------------------------------------------ numbers
    @property
    def ok(self) -> bool:
        return self.verdict == "pass"

    def __bool__(self) -> bool:
        return self.ok

    @property
    def abs_error(self) -> np.ndarray:
        return np.abs(self.analytic - self.numeric)

    @property
    def rel_error(self) -> np.ndarray:
        floor = self.atol / self.rtol if self.rtol > 0 else self.atol
        denom = np.maximum(np.maximum(np.abs(self.analytic), np.abs(self.numeric)), floor)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.where(denom > 0, self.abs_error / np.where(denom > 0, denom, 1), 0.0)
        return r

    @property
    def max_rel_error(self) -> float:
        return float(self.rel_error.max())

    def _per_entry(self, values):
        if self.directions is not None:
            return values.copy()
        full = np.full(self._params.size, np.nan)
        full[self.probe_idx] = values
        return self._params.unflatten(full)

    @property
    def errors(self):
        return self._per_entry(self.abs_error)

    @property
    def rel_errors(self):
        return self._per_entry(self.rel_error)

    @property
    def failed(self) -> np.ndarray:
        """Boolean per probe: judged wrong ("fail", or "suspect": failed the screening and
        left unconfirmed because another failure had already been confirmed)."""
        return (self.status == "fail") | (self.status == "suspect")

    def probe_name(self, k: int) -> str:
        if self.directions is not None:
            return f"direction {k}"
        return self._params.entry_name(int(self.probe_idx[k]))

    @property
    def trace(self) -> list[TraceEntry]:
        """Per probe, the stage that decided it and the numbers it rested on."""
        if self._decisions is None:
            return []
        return [
            entry(self.probe_name(k), d, self.analytic[k], self.tolerance[k])
            for k, d in enumerate(self._decisions)
        ]

    def _trace_shown(self) -> list[TraceEntry]:
        """The worst entries and every undecided one, for the text and HTML reports."""
        trace = self.trace
        if not trace:
            return []
        ratio = self.abs_error / np.maximum(self.tolerance, 1e-300)
        order = list(np.argsort(-ratio, kind="stable")[:_WORST])
        order += [k for k, s in enumerate(self.status) if s in UNDECIDED and k not in order]
        return [trace[int(k)] for k in order]

    def _legend(self) -> list[str]:
        present = {Status(str(s)) for s in self.status}
        return [text for s, text in _LEGEND.items() if s in present and s is not Status.OK]

    @property
    def worst(self) -> list[dict]:
        ratio = self.abs_error / np.maximum(self.tolerance, 1e-300)
        order = np.argsort(-ratio, kind="stable")[:_WORST]
        return [
            {
                "index": self.probe_name(int(k)),
                "analytic": float(self.analytic[k]),
                "numeric": float(self.numeric[k]),
                "error": float(self.abs_error[k]),
                "rel_error": float(self.rel_error[k]),
                "status": str(self.status[k]),
            }
            for k in order
        ]

    @property
    def summary(self) -> list[dict]:
        rows = []
        if self.directions is not None:
            return [
                {
                    "name": "directions",
                    "shape": (len(self.probe_idx),),
                    "checked": len(self.probe_idx),
                    "failed": int(self.failed.sum()),
                    "max_rel_error": self.max_rel_error,
                }
            ]
        rel = self.rel_error
        for label, sl, shape in self._params.blocks:
            inside = (self.probe_idx >= sl.start) & (self.probe_idx < sl.stop)
            rows.append(
                {
                    "name": label or "x",
                    "shape": shape,
                    "checked": int(inside.sum()),
                    "failed": int(self.failed[inside].sum()),
                    "max_rel_error": float(rel[inside].max()) if inside.any() else np.nan,
                }
            )
        return rows

    # ------------------------------------------------------------------ text
    def headline(self) -> str:
        unit = "directions" if self.directions is not None else "entries"
        total = len(self.probe_idx)
        how = f"(method {self.method}, mode {self.mode})"
        if self.verdict == "pass":
            return f"gradient check passed: all {total} {unit} agree {how}"
        if self.verdict == "fail":
            return (
                f"gradient check FAILED: {int(self.failed.sum())} of {total} {unit} disagree {how}"
            )
        return f"gradient check INCONCLUSIVE {how}"

    def _settings(self) -> str:
        return (
            f"max relative error {self.max_rel_error:.2e}; rtol {self.rtol:.0e}, "
            f"atol ≤ {np.max(self.atol):.1e}, h ≈ {self.h:.1e}, "
            f"{self.precision}, {self.n_evals} evaluations of f"
        )

    def __str__(self) -> str:
        lines = [self.headline(), "  " + self._settings(), ""]
        lines.append(
            f"  {'parameter':<12}{'shape':<14}{'checked':>8}{'failed':>8}{'max rel err':>13}"
        )
        for row in self.summary:
            lines.append(
                f"  {row['name']:<12}{row['shape']!s:<14}{row['checked']:>8}{row['failed']:>8}"
                f"{row['max_rel_error']:>13.2e}"
            )
        lines += [
            "",
            "  worst " + ("directions" if self.directions is not None else "entries") + ":",
        ]
        lines.append(
            f"  {'index':<16}{'analytic':>14}{'numeric':>14}{'abs error':>11}{'rel error':>11}  status"
        )
        for w in self.worst:
            lines.append(
                f"  {w['index']:<16}{w['analytic']:>14.6g}{w['numeric']:>14.6g}"
                f"{w['error']:>11.2e}{w['rel_error']:>11.2e}  {w['status']}"
            )
        shown = self._trace_shown()
        if shown:
            lines += ["", "  how each was decided:"] + [f"  {t}" for t in shown]
        legend = self._legend()
        if legend:
            lines += ["", "  statuses:"] + [f"  - {t}" for t in legend]
        if self.diagnosis:
            lines += ["", "  diagnosis:"] + [f"  - {d}" for d in self.diagnosis]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<GradientCheck {self.verdict}: {self.headline()}>"

    def _repr_html_(self) -> str:
        e = html.escape
        color = {"pass": "#1a7f37", "fail": "#cf222e"}.get(self.verdict, "#9a6700")
        rows = "".join(
            f"<tr><td>{e(r['name'])}</td><td>{e(str(r['shape']))}</td><td>{r['checked']}</td>"
            f"<td>{r['failed']}</td><td>{r['max_rel_error']:.2e}</td></tr>"
            for r in self.summary
        )
        worst = "".join(
            f"<tr><td><code>{e(w['index'])}</code></td><td>{w['analytic']:.6g}</td>"
            f"<td>{w['numeric']:.6g}</td><td>{w['error']:.2e}</td><td>{w['rel_error']:.2e}</td>"
            f"<td>{e(w['status'])}</td></tr>"
            for w in self.worst
        )
        diag = "".join(f"<li>{e(d)}</li>" for d in self.diagnosis)
        trace = "".join(f"<li><code>{e(str(t))}</code></li>" for t in self._trace_shown())
        legend = "".join(f"<li>{e(t)}</li>" for t in self._legend())
        th = "style='text-align:left'"
        return (
            f"<div><p style='color:{color};font-weight:bold'>{e(self.headline())}</p>"
            f"<p>{e(self._settings())}</p>"
            f"<table><tr><th {th}>parameter</th><th>shape</th><th>checked</th><th>failed</th>"
            f"<th>max rel error</th></tr>{rows}</table>"
            f"<table><tr><th {th}>worst</th><th>analytic</th><th>numeric</th><th>abs error</th>"
            f"<th>rel error</th><th>status</th></tr>{worst}</table>"
            + (f"<p>how each was decided:</p><ul>{trace}</ul>" if trace else "")
            + (f"<p>statuses:</p><ul>{legend}</ul>" if legend else "")
            + (f"<p>diagnosis:</p><ul>{diag}</ul>" if diag else "")
            + "</div>"
        )

    # ------------------------------------------------------------------ figure
    def plot(self, ax=None):
        """Draw the relative error of each entry (a heatmap for 2-D parameters).

        Parameters
        ----------
        ax : matplotlib Axes or sequence of Axes, optional
            One Axes per parameter (directional mode: one). Default: a new figure.

        Returns
        -------
        list of matplotlib artists
            The images, bars and threshold lines drawn.

        Examples
        --------
        >>> import numpy as np
        >>> from gradlab.numeric import check_gradient
        >>> report = check_gradient(lambda W: np.sum(W**3), lambda W: 3 * W**2, np.ones((3, 4)))
        >>> artists = report.plot()
        >>> type(artists[0]).__name__
        'AxesImage'
        """
        import matplotlib.pyplot as plt
        from matplotlib.colors import LogNorm

        floor = 1e-17
        if self.directions is not None:
            panels = [("directions", np.arange(len(self.probe_idx)), (len(self.probe_idx),))]
        else:
            panels = [(lbl or "x", sl, shp) for lbl, sl, shp in self._params.blocks]
        if ax is None:
            _, axes = plt.subplots(
                1,
                len(panels),
                figsize=(4.5 * len(panels), 3.6),
                squeeze=False,
                layout="constrained",
            )
            axes = list(axes[0])
        else:
            axes = list(np.atleast_1d(ax))
            if len(axes) != len(panels):
                raise ValueError(
                    f"ax must hold {len(panels)} Axes, one per parameter; got {len(axes)}"
                )
        rel = self.rel_errors
        failed = self._per_entry(self.failed.astype(float))
        artists = []
        for axis, (name, _sl, shape) in zip(axes, panels, strict=True):
            if self.directions is not None:
                values, bad = rel, failed
            else:
                values = rel[name] if isinstance(rel, dict) else rel
                bad = failed[name] if isinstance(failed, dict) else failed
            vals = np.maximum(np.asarray(values, float), floor)
            bad = np.asarray(bad) == 1
            if vals.ndim == 2:
                im = axis.imshow(vals, norm=LogNorm(vmin=floor, vmax=max(1.0, np.nanmax(vals))),
                                 cmap="viridis", aspect="auto", interpolation="nearest")  # fmt: skip
                axis.figure.colorbar(im, ax=axis, label="relative error")
                rows, cols = np.nonzero(bad)
                artists.append(im)
                if rows.size:
                    artists.append(axis.scatter(cols, rows, marker="x", s=60, color="tab:red",
                                                label="wrong"))  # fmt: skip
                # entries are integer positions: no ticks at half-indices
                axis.xaxis.get_major_locator().set_params(integer=True)
                axis.yaxis.get_major_locator().set_params(integer=True)
                axis.set_xlabel("column")
                axis.set_ylabel("row")
            else:
                flat = vals.ravel()
                colors = np.where(bad.ravel(), "tab:red", "tab:blue")
                bars = axis.bar(np.arange(flat.size), flat, color=colors)
                axis.xaxis.get_major_locator().set_params(integer=True)
                axis.set_yscale("log")
                axis.set_ylim(floor, max(1.0, np.nanmax(flat)) * 2)
                axis.set_xlabel("direction" if self.directions is not None else "entry")
                axis.set_ylabel("relative error")
                artists.append(bars)
                artists.append(axis.axhline(self.rtol, color="tab:red", ls="--", label="rtol"))
            n_bad, n_checked = int(bad.sum()), int(np.isfinite(np.asarray(values, float)).sum())
            axis.set_title(
                f"{name} {shape}: " + (f"{n_bad} of {n_checked} wrong" if n_bad else "agrees")
            )
        return artists
