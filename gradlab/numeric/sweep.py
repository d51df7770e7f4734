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
        """The log-log figure: error against h per method, regimes annotated, best h marked.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Default: a new figure.

        Returns
        -------
        list of matplotlib artists
            Lines, best-h markers, guide lines and annotations.

        Examples
        --------
        >>> import numpy as np
        >>> from gradlab.numeric import step_size_sweep
        >>> sweep = step_size_sweep(lambda x: np.sum(np.sin(x)), np.cos, np.array([0.5, 1.0]))
        >>> artists = sweep.plot()
        >>> artists[0].axes.get_xscale(), artists[0].axes.get_xlabel()
        ('log', 'step size h')
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6.4, 4.4))
        floor = self.eps / 10
        artists = []
        colors = {"forward": "tab:blue", "central": "tab:orange", "complex": "tab:green",
                  "richardson": "tab:purple"}  # fmt: skip
        for k, e in self.errors.items():
            # The complex step's truncation error matches central's (both O(h²)): draw it
            # wider and underneath so both stay visible.
            wide = k == "complex"
            (line,) = ax.loglog(self.hs, np.maximum(e, floor), "-", lw=3.5 if wide else 1.6,
                                alpha=0.6 if wide else 1.0, zorder=2 if wide else 3,
                                color=colors[k], label=k)  # fmt: skip
            h, err = self.best_h[k], max(float(np.nanmin(e)), floor)
            (mark,) = ax.loglog([h], [err], "o", ms=8, mfc="none", mew=2, color=colors[k])
            note = ax.annotate(f"best h ≈ {h:.0e}", (h, err), textcoords="offset points",
                               xytext=(4, -14), fontsize="x-small", color=colors[k])  # fmt: skip
            artists += [line, mark, note]
        # Guides anchored on the data: round-off ε/h through the forward (or central)
        # curve at small h, truncation h^p through the curve of the lowest order at large h.
        real = [k for k in ("forward", "central", "richardson") if k in self.errors]
        if real:
            hs = self.hs
            s_max = hs.max()
            small = (hs >= 1e-13 * s_max) & (hs <= 1e-10 * s_max)
            e0 = self.errors[real[0]]
            c_ro = np.nanmedian(e0[small] * hs[small]) if small.any() else self.eps * s_max
            band = hs >= self.eps * 1e2
            (ro,) = ax.loglog(hs[band], c_ro / hs[band], ":", color="gray", lw=1,
                              label="round-off ∝ ε/h")  # fmt: skip
            p = _ORDER[real[0]]
            big = hs >= 1e-3 * hs.max()
            c_tr = np.nanmedian(e0[big] / hs[big] ** p) if big.any() else 1.0
            keep = band & (c_tr * hs**p > floor)
            (tr,) = ax.loglog(hs[keep], c_tr * hs[keep] ** p, "--", color="gray", lw=1,
                              label=f"truncation ∝ $h^{p}$ ({real[0]})")  # fmt: skip
            artists += [ro, tr]
            artists.append(ax.text(0.03, 0.67, "round-off regime\n(error ∝ ε/h)",
                                   transform=ax.transAxes, fontsize="small", va="bottom"))  # fmt: skip
            artists.append(ax.text(0.97, 0.67, "truncation regime\n(error ∝ $h^p$)", ha="right",
                                   transform=ax.transAxes, fontsize="small", va="bottom"))  # fmt: skip
        # headroom above the curves (which end near 1) for the legend and regime labels
        ax.set_ylim(floor / 2, 1e10)
        ax.set_xlabel("step size h")
        ax.set_ylabel("relative error of the derivative")
        ax.set_title("Finite differences: truncation vs round-off")
        ax.legend(fontsize="small", loc="upper center", ncols=2, bbox_to_anchor=(0.5, 0.99))
        return artists


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
