"""Typeset a derivation with matplotlib's mathtext, for lecture slides and handouts."""

from __future__ import annotations

from gradlab.symbolic.render import to_latex

__all__ = ["mathtext", "render_to_figure"]

_REASON_COLOR = "0.35"


def mathtext(latex: str, *, display: bool = True) -> str:
    r"""The lecture's LaTeX adapted to matplotlib's mathtext, which has no ``\displaystyle``.

    With ``display``, every fraction is a display fraction (``\dfrac``), as on the
    lecture's slides: inline ``\frac`` shrinks ``∂J_i/∂z_k``, ``1/f_j`` and ``1/m``
    to subscript size. The indicator is an upright double-struck I (mathtext's
    ``\mathbb{I}`` is slanted).

    Examples
    --------
    >>> print(mathtext(r"\frac{1}{m} \mathbb{I}(y_i = k)"))
    \dfrac{1}{m} \mathrm{𝕀}(y_i = k)
    """
    latex = latex.replace("\\mathbb{I}", "\\mathrm{𝕀}")
    return latex.replace("\\frac{", "\\dfrac{") if display else latex


def _rows(derivation):
    rows, previous = [], None
    for step in derivation.steps:
        lhs = "" if step.lhs == previous else mathtext(to_latex(step.lhs))
        previous = step.lhs
        rows.append((lhs, mathtext(to_latex(step.rhs)), mathtext(step.reason_latex, display=False)))
    return rows


def render_to_figure(derivation, ax=None, fontsize=14, reasons=True):
    """Draw ``derivation`` one step per line, aligned at ``=``, each with its justification.

    Parameters
    ----------
    derivation : Derivation
        From :func:`gradlab.symbolic.derive`.
    ax : matplotlib Axes, optional
        Draw into this axes (its axis is switched off). By default a new figure
        is made, sized to fit the text; no pyplot window is opened.
    fontsize : float, default 14
        Size of the mathematics; justifications are drawn smaller, in grey.
    reasons : bool, default True
        Draw the justification under each step.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn into; save it with ``fig.savefig("eq2.png", dpi=200)``.

    Examples
    --------
    >>> import gradlab
    >>> from gradlab.symbolic import render_to_figure
    >>> fig = render_to_figure(gradlab.derive("softmax_jacobian"))
    >>> len(fig.axes[0].texts) > 4
    True
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = _rows(derivation)
    small = 0.72 * fontsize
    if ax is not None:
        return _draw_in_axes(ax, derivation, rows, fontsize, small, reasons)

    fig = Figure(figsize=(8, 2))
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    renderer = fig.canvas.get_renderer()
    inch = fig.dpi

    def extent(text, size, **kw):
        t = ax.text(0, 0, text, fontsize=size, **kw)
        box = t.get_window_extent(renderer)
        t.remove()
        return box.width / inch, box.height / inch

    margin, gap = 0.25, 0.12
    lhs_width = max(extent(f"${lhs}$", fontsize)[0] for lhs, _, _ in rows if lhs)
    heights, width = [], 0.0
    for _, rhs, reason in rows:
        w_rhs, h_rhs = extent(f"$= {rhs}$", fontsize)
        w_reason, h_reason = extent(reason, small, style="italic") if reasons else (0, 0)
        heights.append((h_rhs, h_reason))
        # the reason is indented 0.35 in past the "=", the right-hand side 0.05 in
        width = max(width, lhs_width + 0.2 + w_rhs, lhs_width + 0.45 + w_reason)
    title = mathtext(derivation.title_latex, display=False)
    title_w, title_h = extent(title, fontsize)
    width = max(width, title_w)  # without the reasons, the title can be the widest line
    total = margin * 2 + title_h + gap * 2 + sum(h + r + gap * 2 for h, r in heights)
    fig.set_size_inches(width + 2 * margin, total)
    place = fig.dpi_scale_trans
    y = total - margin
    ax.text(margin, y, title, fontsize=fontsize, va="top", transform=place)
    y -= title_h + 2 * gap
    x_eq = margin + lhs_width + 0.05
    tag = f"  ({derivation.tag})" if derivation.tag else ""
    for n, ((lhs, rhs, reason), (h, r)) in enumerate(zip(rows, heights, strict=True)):
        y_mid = y - h / 2
        if lhs:
            ax.text(
                x_eq, y_mid, f"${lhs}$", fontsize=fontsize, ha="right", va="center", transform=place
            )
        last = n == len(rows) - 1
        ax.text(
            x_eq + 0.05,
            y_mid,
            f"$= {rhs}$" + (tag if last else ""),
            fontsize=fontsize,
            va="center",
            transform=place,
        )
        y -= h + gap
        if reasons:
            ax.text(
                x_eq + 0.35,
                y,
                reason,
                fontsize=small,
                style="italic",
                color=_REASON_COLOR,
                va="top",
                transform=place,
            )
            y -= r + gap
    return fig


def _draw_in_axes(ax, derivation, rows, fontsize, small, reasons):
    ax.set_axis_off()
    lines = len(rows) * (2 if reasons else 1) + 1
    step = 1.0 / lines
    y = 1.0 - step / 2
    title = mathtext(derivation.title_latex, display=False)
    ax.text(0.0, y, title, fontsize=fontsize, va="center", transform=ax.transAxes)
    for lhs, rhs, reason in rows:
        y -= step
        if lhs:
            ax.text(
                0.3,
                y,
                f"${lhs}$",
                fontsize=fontsize,
                ha="right",
                va="center",
                transform=ax.transAxes,
            )
        ax.text(0.31, y, f"$= {rhs}$", fontsize=fontsize, va="center", transform=ax.transAxes)
        if reasons:
            y -= step
            ax.text(
                0.35,
                y,
                reason,
                fontsize=small,
                style="italic",
                color=_REASON_COLOR,
                va="center",
                transform=ax.transAxes,
            )
    return ax.figure
