"""The error of finite differences against the step h: the standard lecture figure.

Large h: truncation error, ∝ h (forward) or h² (central). Small h: round-off,
∝ ε/h, as f(x + h) and f(x) agree in more and more digits. The complex step has no
subtraction, so its error stays at machine precision down to tiny h.
"""

from __future__ import annotations

import html

import numpy as np

from gradlab.numeric._params import Evaluator, NotComplexSafe, Params
from gradlab.numeric.analytic import analytic_gradient
from gradlab.numeric.check import random_generator
from gradlab.numeric.differences import METHODS, check_method, eps_of, noise_level

__all__ = ["SweepResult", "step_size_sweep"]

_ORDER = {"forward": 1, "central": 2, "richardson": 6}


class SweepResult:
    """The result of :func:`step_size_sweep`.

    Attributes
    ----------
    hs : ndarray
        The steps.
    errors : dict of str to ndarray
        Relative error of the directional derivative for each method and step.
    best_h : dict of str to float
        The step with the smallest error per method.
    eps : float
        Machine epsilon of the working precision.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.numeric import step_size_sweep
    >>> sweep = step_size_sweep(lambda x: np.sum(np.sin(x)), np.cos, np.array([0.3, 1.2]))
    >>> bool(sweep.errors["central"].min() < 1e-9)  # at the best h, central is accurate
    True
    """

    def __init__(self, hs, errors, eps, exact):
        self.hs, self.errors, self.eps, self.exact = hs, errors, eps, exact
        # The largest step within 1.5x of the smallest error: the round-off side is jagged,
        # and the complex step is exact for every small h.
        self.best_h = {
            k: float(hs[np.flatnonzero(e <= 1.5 * np.nanmin(e) + eps / 10)[-1]])
            for k, e in errors.items()
        }

    def __str__(self) -> str:
        lines = [f"step-size sweep ({len(self.hs)} steps, ε = {self.eps:.1e})"]
        for k, e in self.errors.items():
            lines.append(f"  {k:<11} best h = {self.best_h[k]:.1e}, error {np.nanmin(e):.1e}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<SweepResult best_h={ {k: f'{v:.1e}' for k, v in self.best_h.items()} }>"

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(str(self)) + "</pre>"

    def plot(self, ax=None):
        """The log-log figure: error against h per method, the slopes shown, best h marked.

        Each method's best step is circled and given in the legend; short guides
        parallel to the curves, drawn a little above them, show the slopes: ε/h on
        the round-off side, h or h² on the truncation side.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Default: a new figure.

        Returns
        -------
        gradlab.plots.Display
            ``figure``, ``ax``, and the ``lines`` (one per method), best-h
            ``markers``, slope ``guides`` and ``legend`` drawn.

        Examples
        --------
        >>> import numpy as np
        >>> from gradlab.numeric import step_size_sweep
        >>> sweep = step_size_sweep(lambda x: np.sum(np.sin(x)), np.cos, np.array([0.5, 1.0]))
        >>> drawn = sweep.plot()
        >>> drawn.ax.get_xscale(), drawn.ax.get_xlabel()
        ('log', 'step size h')
        >>> [line.get_label().split(":")[0] for line in drawn.lines]
        ['forward', 'central', 'complex']
        """
        import matplotlib.pyplot as plt

        from gradlab.plots import PALETTE, Display

        if ax is None:
            _, ax = plt.subplots(figsize=(8.0, 5.2), layout="constrained")
        floor = self.eps / 10
        hs = self.hs
        colors = {"forward": PALETTE[0], "central": PALETTE[1], "complex": PALETTE[2],
                  "richardson": PALETTE[4]}  # fmt: skip
        lines, markers, guides = [], [], []
        for k, e in self.errors.items():
            h, err = self.best_h[k], max(float(np.nanmin(e)), floor)
            # The complex step's truncation error matches central's (both O(h²)): draw it
            # wider and underneath so both stay visible.
            wide = k == "complex"
            (line,) = ax.loglog(hs, np.maximum(e, floor), "-", lw=4.0 if wide else 2.0,
                                alpha=0.55 if wide else 1.0, zorder=2 if wide else 3,
                                color=colors[k], label=f"{k}: best h ≈ {h:.0e}")  # fmt: skip
            (mark,) = ax.loglog([h], [err], "o", ms=11, mfc="white", mew=2.2, color=colors[k],
                                zorder=4)  # fmt: skip
            lines.append(line)
            markers.append(mark)
            if k in _ORDER:
                guides += self._slope_guides(ax, k, e, colors[k])
        top = 10 ** (
            np.log10(max(float(np.nanmax(np.maximum(e, floor))) for e in self.errors.values()))
            + 2.2
        )
        ax.set_ylim(floor / 2, top)
        ax.set_xlim(hs.min() / 3, hs.max() * 3)
        ax.set_xlabel("step size h")
        ax.set_ylabel("relative error of the derivative")
        ax.set_title("Finite differences: truncation vs round-off")
        kw = {"transform": ax.transAxes, "fontsize": "small", "va": "top", "color": "0.25"}
        guides.append(ax.text(0.02, 0.98, "← round-off regime", **kw))
        guides.append(ax.text(0.98, 0.98, "truncation regime →", ha="right", **kw))
        legend = ax.legend(loc="center left", bbox_to_anchor=(0.0, 0.42), fontsize="small",
                           framealpha=0.9)  # fmt: skip
        return Display([ax], lines=lines, markers=markers, guides=guides, legend=legend)

    def _slope_guides(self, ax, method, e, color):
        """Two short segments a decade above the curve, with the slopes written on them."""
        hs, p = self.hs, _ORDER[method]
        best = self.best_h[method]
        out = []
        # round-off: C ε / h, fitted on the four decades of h just below the best step
        small = (hs < best / 10) & (hs > best * 1e-5) & (e > self.eps)
        # truncation: C h^p, fitted on the steps past the best one where the error is < 0.1
        big = (hs > best * 10) & (e < 0.1) & (e > 0)
        for region, slope, text in (
            (small, -1, "∝ ε/h"),
            (big, p, "∝ h" if p == 1 else f"∝ h{_SUP.get(p, p)}"),
        ):
            if region.sum() < 3:
                continue
            h = hs[region]
            c = np.exp(np.nanmedian(np.log(e[region]) - slope * np.log(h)))
            g = 12 * c * h**slope  # a decade above the data: parallel, never hidden
            (line,) = ax.loglog(h, g, "--", color=color, lw=1.4, alpha=0.9, zorder=1)
            mid = len(h) // 3  # a third of the way: clear of the curves near the ends
            # the label above the segment: up-left of a rising one, up-right of a falling one
            side = -1 if slope > 0 else 1
            note = ax.annotate(text, (h[mid], g[mid]), textcoords="offset points",
                               xytext=(12 * side, 6), ha="right" if side < 0 else "left",
                               va="bottom", color=color, fontsize="small")  # fmt: skip
            out += [line, note]
        return out


_SUP = {2: "²", 3: "³", 4: "⁴", 6: "⁶"}


def step_size_sweep(f, grad, x, hs=None, methods=("forward", "central", "complex"), *,
                    direction=None, seed=0) -> SweepResult:  # fmt: skip
    """The error of each difference method for a range of steps h.

    The derivative compared is the directional derivative ``vᵀ grad`` along a unit
    direction ``v`` (random unless given), so the sweep costs a few evaluations per
    step whatever the size of x.

    Parameters
    ----------
    f : callable
        ``f(x) -> float``; must be complex-safe for ``"complex"``.
    grad : callable or array or dict
        The exact gradient (the reference).
    x : ndarray or dict of ndarray
    hs : array_like, optional
        Steps; default 10^-20 ... 10^0 (81 steps), times ``max(|x|, 1)``.
    methods : sequence of str
        Any of ``"forward"``, ``"central"``, ``"complex"``, ``"richardson"``.
    direction : ndarray or dict like x, optional
    seed : int, default 0

    Returns
    -------
    SweepResult
        ``.hs``, ``.errors[method]``, ``.best_h[method]`` and ``.plot(ax=None)``.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.numeric import step_size_sweep
    >>> sweep = step_size_sweep(lambda x: np.sum(np.exp(x)), np.exp, np.array([0.3, -0.1]))
    >>> for k, h in sweep.best_h.items():  # near √ε, ε^(1/3); complex: any h below ~1e-7
    ...     print(k, round(np.log10(h)) if k != "complex" else bool(h < 1e-6))
    forward -8
    central -5
    complex True
    """
    if isinstance(methods, str):  # one method, not its letters
        methods = (methods,)
    methods = [check_method(k) for k in methods]
    if not methods:
        raise ValueError("methods must name at least one method")
    params = Params(x)
    ev = Evaluator(f, params)
    f0 = ev.at()
    g, _g_dtype, _ = analytic_gradient(grad, params)
    eps = max(eps_of(params.dtype), eps_of(ev.out_dtype or np.float64))
    v = (random_generator(seed).standard_normal(params.size) if direction is None
         else params.flatten(direction, "direction"))  # fmt: skip
    if not np.any(v):
        raise ValueError("direction must be non-zero")
    v = v / np.linalg.norm(v)
    s = max(float(np.abs(params.theta).max()), 1.0)
    hs = s * np.logspace(-20, 0, 81) if hs is None else _steps(hs)
    exact = float(v @ g)
    denom = max(abs(exact), noise_level(f0, eps))
    errors = {}
    for k in methods:
        d = np.empty(hs.size)
        for i, h in enumerate(hs):
            if k == "forward":
                d[i] = (ev.along(v, h) - f0) / h
            elif k == "central":
                d[i] = (ev.along(v, h) - ev.along(v, -h)) / (2 * h)
            elif k == "richardson":
                D = [(ev.along(v, t) - ev.along(v, -t)) / (2 * t) for t in (h, h / 2, h / 4)]
                R1, R2 = (4 * D[1] - D[0]) / 3, (4 * D[2] - D[1]) / 3
                d[i] = (16 * R2 - R1) / 15
            else:
                try:
                    d[i] = ev.complex_at(h * v).imag / h
                except NotComplexSafe as exc:
                    raise ValueError(f"method 'complex' needs a complex-safe f: {exc}") from None
        errors[k] = np.abs(d - exact) / denom
    assert set(errors) <= set(METHODS)
    return SweepResult(hs, errors, eps, exact)


def _steps(hs) -> np.ndarray:
    try:
        arr = np.asarray(hs, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"hs must be a sequence of positive steps; got {hs!r}"[:200]) from None
    if arr.ndim != 1 or arr.size == 0 or not (np.isfinite(arr) & (arr > 0)).all():
        raise ValueError(f"hs must be a 1-D sequence of positive finite steps; got {hs!r}"[:200])
    return np.sort(arr)
