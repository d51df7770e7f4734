"""The records of a derivation: :class:`Step` and :class:`Derivation`.

A derivation is checked by :mod:`gradlab.symbolic.verify`, which knows nothing of these
records beyond their steps (dependencies run one way: steps -> verify).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import sympy as sp

from gradlab.symbolic import prose
from gradlab.symbolic.render import to_latex, to_unicode
from gradlab.symbolic.verify import StepVerdict, Verification, verify

__all__ = ["Derivation", "Lines", "Step", "StepVerdict", "Verification"]


@dataclasses.dataclass(frozen=True)
class Step:
    """One line of a derivation: ``lhs = rhs`` and why it holds.

    Parameters
    ----------
    expr : sympy.Eq
        The equation of this line; ``expr.lhs`` is the quantity being derived
        (``J_i``, ``dJ_i/dz_k``, ...), ``expr.rhs`` its value at this point.
    reason : str
        The justification in words, plain Unicode (``fⱼ``, ``Σ_c``) for the terminal.
    rule : str
        A short name of the rewrite rule that produced the line.
    reason_latex : str, optional
        The same justification typeset: text with inline ``$...$`` math, valid in
        Jupyter Markdown, in MathJax's ``\\text{...}`` and in matplotlib's mathtext.
        By default ``reason`` with its markup characters escaped.
        :meth:`from_source` makes both from one such string.

    Examples
    --------
    >>> import gradlab
    >>> step = gradlab.derive("softmax_dz").steps[-1]
    >>> print(step.rule)
    one-hot sum
    >>> print(step.latex)
    \\frac{\\partial J_{i}}{\\partial z_{k}} = f_{k} - \\mathbb{I}(y_{i} = k)
    >>> print(step.reason)
    exactly one class is the label: Σⱼ 𝕀(yᵢ = j) = 1
    >>> print(step.reason_latex)
    exactly one class is the label: $\\sum_j \\mathbb{I}(y_i = j) = 1$
    """

    expr: sp.Equality
    reason: str
    rule: str = ""
    reason_latex: str = ""

    def __post_init__(self):
        if self.reason_latex:
            prose.validate(self.reason_latex)
        else:
            object.__setattr__(self, "reason_latex", prose.escape(self.reason))

    @classmethod
    def from_source(cls, expr, source: str, rule: str = "") -> Step:
        r"""A step whose justification ``source`` is text with inline ``$...$`` math.

        ``reason`` becomes its Unicode reading and ``reason_latex`` the source itself.

        Examples
        --------
        >>> import sympy as sp
        >>> a = sp.Symbol("a")
        >>> step = Step.from_source(sp.Eq(a, 2 * a / 2), r"cancel $\frac{2}{2}$", "cancel")
        >>> print(step.reason, "|", step.reason_latex)
        cancel 2/2 | cancel $\frac{2}{2}$
        """
        return cls(expr, prose.plain(source), rule, prose.validate(source))

    @property
    def lhs(self):
        """The quantity this line is about."""
        return self.expr.lhs

    @property
    def rhs(self):
        """Its value at this point of the derivation."""
        return self.expr.rhs

    @property
    def latex(self) -> str:
        """``lhs = rhs`` as LaTeX (valid MathJax and matplotlib-mathtext input)."""
        return to_latex(self.expr)

    def __str__(self) -> str:
        return f"{to_unicode(self.expr)}    [{self.reason}]"

    def _repr_latex_(self) -> str:
        # Jupyter shows the line typeset in the lecture's notation, not SymPy's default
        return f"$\\displaystyle {self.latex}$"


class Lines:
    """The steps of a derivation as a topic builder writes them, one ``add`` per line.

    ``add(rhs, reason, rule, lhs=...)`` appends ``lhs = rhs``; the left-hand side carries
    over until a new one is given, which starts a new group in the rendering.
    """

    def __init__(self):
        self.steps: list[Step] = []
        self.lhs = None

    def add(self, rhs, reason, rule, lhs=None):
        self.lhs = lhs if lhs is not None else self.lhs
        self.steps.append(Step.from_source(sp.Eq(self.lhs, rhs, evaluate=False), reason, rule))
        return rhs


@dataclasses.dataclass
class Derivation:
    """A step-by-step derivation, produced by :func:`gradlab.symbolic.derive`.

    Attributes
    ----------
    topic : str
        The topic name, e.g. ``"softmax_dz"``.
    title : str
        One line saying what is derived.
    steps : list of Step
        The lines in order; each follows from the one before by its ``rule``.
    n_classes : int or None
        ``None`` for a general ``C``.
    l2 : bool
        Whether the loss carries the L2 penalty ``(lambda/2) ||W||^2``.
    tag : str
        The lecture's equation number of the result (``"2"``, ``"3"``) or ``""``.
    title_latex : str
        The title typeset: text with inline ``$...$`` math (Markdown, mathtext);
        by default ``title`` with its markup characters escaped.

    Examples
    --------
    >>> import gradlab
    >>> d = gradlab.derive("softmax_dz")
    >>> print(gradlab.symbolic.to_unicode(d.result))
    fₖ - 𝕀(yᵢ = k)
    >>> d.verify().ok
    True
    """

    topic: str
    title: str
    steps: list[Step]
    n_classes: int | None = None
    l2: bool = False
    tag: str = ""
    title_latex: str = ""
    _model: Any = dataclasses.field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if self.title_latex:
            prose.validate(self.title_latex)
        else:
            self.title_latex = prose.escape(self.title)

    @property
    def result(self):
        """The final expression (the right-hand side of the last step)."""
        return self.steps[-1].rhs

    def verify(self, n_points: int = 8, seed: int = 0) -> Verification:
        """Check every step against the one before, and the result against finite differences.

        Parameters
        ----------
        n_points : int, default 8
            Random points per instantiated number of classes; every label and
            every index ``k`` is tried at each point.
        seed : int, default 0
            Seed of the random points.

        Returns
        -------
        Verification
            ``.ok`` and a verdict per step; failing steps are listed, never hidden.

        Examples
        --------
        >>> import gradlab
        >>> print(gradlab.derive("softmax_jacobian", n_classes=2).verify().ok)
        True
        """
        if isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 1:
            raise ValueError(f"n_points must be a positive integer; got {n_points!r}")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise TypeError(f"seed must be an integer; got {seed!r}")
        return verify(self, n_points=n_points, seed=seed)

    # ----------------------------------------------------------------- rendering
    def to_latex(self, reasons: bool = True) -> str:
        r"""One ``\begin{aligned} ... \end{aligned}`` block, tagged like the lecture.

        Parameters
        ----------
        reasons : bool, default True
            Put each step's justification (``Step.reason_latex``) in a right-hand
            column, as ``\text{...}`` with inline ``$...$`` math (MathJax, KaTeX).

        Examples
        --------
        >>> import gradlab
        >>> tex = gradlab.derive("softmax_dz").to_latex()
        >>> print(tex.splitlines()[0], tex.splitlines()[-1], sep="\n")
        \begin{aligned}
        \end{aligned} \tag{2}
        """
        rows = []
        previous_lhs = None
        for step in self.steps:
            lhs = "" if step.lhs == previous_lhs else to_latex(step.lhs)
            previous_lhs = step.lhs
            row = f"{lhs} &= {to_latex(step.rhs)}"
            if reasons and step.reason_latex:
                row += f" && {prose.text_block(step.reason_latex)}"
            rows.append(row)
        body = " \\\\\n".join(rows)
        tag = f" \\tag{{{self.tag}}}" if self.tag else ""
        return f"\\begin{{aligned}}\n{body}\n\\end{{aligned}}{tag}"

    def to_image(self, path, dpi: int = 200, **kwargs):
        """Save the derivation, typeset one step per line, as an image (PNG, SVG, PDF ...).

        Keyword arguments go to :func:`gradlab.symbolic.render_to_figure`.

        Examples
        --------
        >>> import gradlab, pathlib, tempfile
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "eq2.png"
        >>> gradlab.derive("softmax_jacobian").to_image(out) == out
        True
        """
        from gradlab.symbolic.figure import render_to_figure

        fig = render_to_figure(self, **kwargs)
        # Text widths depend on the dpi (hinting): a layout measured at one dpi can clip the
        # longest line at another, so widen the figure to the text as drawn at this dpi.
        # (Not bbox_inches: the text is placed in inches from the corner and would not move.)
        fig.set_dpi(dpi)
        renderer = fig.canvas.get_renderer()
        right = max(t.get_window_extent(renderer).x1 for t in fig.axes[0].texts) / dpi
        width, height = fig.get_size_inches()
        if right + 0.25 > width:
            fig.set_size_inches(right + 0.25, height)
        fig.savefig(path, dpi=dpi, facecolor="white")
        return path

    def _repr_latex_(self) -> str:
        return f"$$\n{self.to_latex()}\n$$"

    def _repr_markdown_(self) -> str:
        lines = [f"**{self.title_latex}**", ""]
        for n, step in enumerate(self.steps, 1):
            lines.append(f"{n}. {step.reason_latex}")
            lines.append("")
            lines.append(f"   $${step.latex}$$")
            lines.append("")
        return "\n".join(lines)

    def __str__(self) -> str:
        lines = [self.title]
        previous_lhs = None
        width = max(len(to_unicode(s.lhs)) for s in self.steps)
        for step in self.steps:
            lhs = to_unicode(step.lhs) if step.lhs != previous_lhs else ""
            previous_lhs = step.lhs
            lines.append(f"  {lhs:>{width}} = {to_unicode(step.rhs)}")
            lines.append(f"  {'':>{width}}   ({step.reason})")
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle) -> None:
        # IPython's plain-text display (terminal, Jupyter console): the readable version
        p.text(str(self))

    def __repr__(self) -> str:
        c = "C" if self.n_classes is None else self.n_classes
        return f"<Derivation {self.topic!r} C={c} l2={self.l2}: {len(self.steps)} steps>"
