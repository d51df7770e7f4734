"""Printers that write SymPy expressions in the lecture's notation.

One tree walker, two dialects: LaTeX that MathJax (Jupyter) and matplotlib's
mathtext both accept, and Unicode for the terminal. SymPy's own printers
reorder terms (``-I + f_k``), merge ``exp(z_j) exp(z_k)`` and write Kronecker
deltas; the lecture writes ``f_k - I(y_i = k)``, keeps factors apart and uses
the indicator, so the layout rules live here.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from gradlab.symbolic.notation import Exp, m

__all__ = ["to_latex", "to_unicode"]

_GREEK = {"lambda": ("\\lambda", "λ")}
_BOLD = {"x", "w", "X", "W", "F", "Y"}
_BOLD_UNICODE = dict(zip("xwXWFY", "𝐱𝐰𝐗𝐖𝐅𝐘", strict=True))
_SUB = dict(zip("0123456789aeijklmnoprstuvx=+-", "₀₁₂₃₄₅₆₇₈₉ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₌₊₋", strict=True))
_SPECIAL_SYMBOLS = {
    "grad_W J": ("\\nabla_{\\mathbf{W}} J", "∇_𝐖 J"),
    "grad_w J": ("\\nabla_{\\mathbf{w}} J", "∇_𝐰 J"),
    "sigma": ("\\sigma", "σ"),
    "s_Xw": ("\\sigma(\\mathbf{X}\\mathbf{w} + b)", "σ(𝐗𝐰 + b)"),
    "y_vec": ("\\mathbf{y}", "𝐲"),
}


@dataclass(frozen=True)
class _Dialect:
    latex: bool

    def sub(self, base: str, index: str) -> str:
        if self.latex:
            return f"{base}_{{{index}}}"
        if all(ch in _SUB for ch in index):
            return base + "".join(_SUB[ch] for ch in index)
        return f"{base}_{index}"

    def sup(self, base: str, power: str) -> str:
        if self.latex:
            return f"{base}^{{{power}}}"
        return base + {"2": "²", "3": "³", "⊤": "ᵀ"}.get(power, f"^{power}")

    def paren(self, s: str) -> str:
        return f"\\left({s}\\right)" if self.latex else f"({s})"

    def bracket(self, s: str) -> str:
        return f"\\left[{s}\\right]" if self.latex else f"[{s}]"

    def frac(self, num: str, den: str) -> str:
        if self.latex:
            return f"\\frac{{{num}}}{{{den}}}"
        simple = lambda s: (
            all(ch not in s for ch in " +-·/")
            or (s.startswith("(") and s.endswith(")") and s.count("(") == 1)
        )
        num = num if simple(num) else f"({num})"
        den = den if simple(den) else f"({den})"
        return f"{num}/{den}"

    def times(self) -> str:
        return " " if self.latex else "·"

    def neq(self) -> str:
        return " \\neq " if self.latex else "≠"


class _Printer:
    def __init__(self, latex: bool):
        self.d = _Dialect(latex)

    # ----------------------------------------------------------------- dispatch
    def __call__(self, e) -> str:
        if isinstance(e, sp.Equality):
            return f"{self(e.lhs)} = {self(e.rhs)}"
        for cls in type(e).__mro__:
            method = getattr(self, f"_{cls.__name__}", None)
            if method is not None:
                return method(e)
        return sp.latex(e) if self.d.latex else sp.sstr(e)

    # ----------------------------------------------------------------- atoms
    def _Integer(self, e):
        return str(e)

    def _Rational(self, e):
        return self.d.frac(str(abs(e.p)), str(e.q)) if e.p > 0 else "-" + self(-e)

    def _Symbol(self, e):
        name = e.name
        if name in _SPECIAL_SYMBOLS:
            return _SPECIAL_SYMBOLS[name][0 if self.d.latex else 1]
        if name in _BOLD:
            return self._bold(name)
        if name in _GREEK:
            return _GREEK[name][0 if self.d.latex else 1]
        if "_" in name:
            base, index = name.split("_", 1)
            return self.d.sub(base, index)
        return name

    def _bold(self, name: str) -> str:
        if self.d.latex:
            return f"\\mathbf{{{name}}}"
        return _BOLD_UNICODE.get(name, name)

    def _MatrixSymbol(self, e):
        if e.name in _SPECIAL_SYMBOLS:
            return _SPECIAL_SYMBOLS[e.name][0 if self.d.latex else 1]
        return self._bold(e.name)

    def _Dot(self, e):
        a, b_ = (self(arg) for arg in e.args)
        return self.d.sup(a, "\\top" if self.d.latex else "⊤") + (" " if self.d.latex else "") + b_

    def _Transpose(self, e):
        return self.d.sup(self(e.arg), "\\top" if self.d.latex else "⊤")

    def _MatMul(self, e):
        return self._Mul(e)

    def _MatAdd(self, e):
        return self._Add(e)

    def _Indexed(self, e):
        name = e.base.label.name
        base = self._bold(name) if name in _BOLD else name
        # The lecture drops the sample index of z and f: f_k means f_k(x_i).
        index = e.indices[-1] if name in ("z", "f") else e.indices[0]
        return self.d.sub(base, self(index) if not isinstance(index, sp.Symbol) else index.name)

    def _KroneckerDelta(self, e):
        a, b_ = e.args
        if _is_label(b_) or (not _is_label(a) and str(b_) < str(a)):
            a, b_ = b_, a
        body = f"{self(a)} = {self(b_)}"
        return f"\\mathbb{{I}}({body})" if self.d.latex else f"𝕀({body})"

    def _Exp(self, e):
        return f"\\exp({self(e.args[0])})" if self.d.latex else f"exp({self(e.args[0])})"

    def _exp(self, e):
        return self._Exp(e)

    def _Sigmoid(self, e):
        return f"\\sigma({self(e.args[0])})" if self.d.latex else f"σ({self(e.args[0])})"

    def _log(self, e):
        return f"\\log({self(e.args[0])})" if self.d.latex else f"log({self(e.args[0])})"

    # ----------------------------------------------------------------- calculus
    def _Derivative(self, e):
        ((var, count),) = e.variable_count
        top = self(e.expr)
        if isinstance(e.expr, (sp.Add, sp.Mul)) or type(e.expr).__name__ == "Dot":
            top = self.d.paren(top)
        partial = "\\partial " if self.d.latex else "∂"
        if count != 1:
            return self.d.frac(f"{partial}^{count} {top}", f"{partial}{self(var)}^{count}")
        return self.d.frac(f"{partial}{top}", f"{partial}{self(var)}")

    def _Sum(self, e):
        (v, lo, hi), *rest = e.limits
        body = e.function
        if rest:
            body = sp.Sum(body, *rest)
        cond = f"{self(v)}={self(lo)}"
        hi_s = self(hi)
        kind, other, body = _split_condition(body, v)
        if kind == "eq":
            cond = f"{self(v)} = {self(other)}" if self.d.latex else f"{self(v)}={self(other)}"
        elif kind == "neq":
            cond = f"{self(v)}{self.d.neq()}{self(other)}"
        if isinstance(body, sp.Add):
            inner = self.d.paren(self(body))
        elif isinstance(body, sp.Mul) and (
            body.could_extract_minus_sign()
            or any(
                isinstance(a, sp.Derivative) or (a.is_Pow and a.exp.is_negative) for a in body.args
            )
        ):
            inner = self.d.bracket(self(body))
        else:
            inner = self(body)
        if self.d.latex:
            return f"\\sum_{{{cond}}}^{{{hi_s}}} {inner}"
        upper = f"..{hi_s}" if kind is None else ""
        if kind is None:
            cond = f"{self(v)}={self(lo)}"
        return f"Σ_{{{cond}{upper}}} {inner}"

    # ----------------------------------------------------------------- algebra
    def _Add(self, e):
        terms = sorted(e.args, key=_term_order)
        out = ""
        for n, term in enumerate(terms):
            coeff, rest = term.as_coeff_Mul()
            if isinstance(term, sp.MatrixExpr) and term.could_extract_minus_sign():
                out += ("-" if n == 0 else " - ") + self._factor(-term, in_add=True)
            elif coeff.is_negative:
                magnitude = rest if coeff == -1 else sp.Mul(-coeff, rest, evaluate=False)
                out += ("-" if n == 0 else " - ") + self._factor(magnitude, in_add=True)
            else:
                out += ("" if n == 0 else " + ") + self._factor(term, in_add=True)
        return out

    def _factor(self, e, in_add=False):
        s = self(e)
        if isinstance(e, (sp.Add, sp.MatAdd)) and not in_add:
            return self.d.paren(s)
        return s

    def _Pow(self, e):
        base, p = e.args
        if p == -1:
            return self.d.frac("1", self(base))
        if p.is_negative:
            return self.d.frac("1", self(sp.Pow(base, -p, evaluate=False)))
        if isinstance(base, Exp) and p == 2:
            return self(base) + self.d.times() + self(base)
        base_s = self(base)
        if not isinstance(base, (sp.Symbol, sp.Indexed, Exp)):
            base_s = self.d.paren(base_s)
        return self.d.sup(base_s, self(p))

    def _Mul(self, e):
        args = list(e.args)
        coeff = sp.S.One
        factors = []
        for a in args:
            if a.is_Number:
                coeff *= a
            else:
                factors.append(a)
        sign = ""
        if coeff.is_negative:
            sign, coeff = "-", -coeff
        simple_den, complex_den, num = [], [], []
        for a in factors:
            if a.is_Pow and a.exp.is_negative:
                base = a.base if a.exp == -1 else sp.Pow(a.base, -a.exp, evaluate=False)
                if isinstance(a.base, (sp.Symbol, sp.Indexed)) and a.exp == -1:
                    simple_den.append(a)
                else:
                    complex_den.append(base)
            else:
                num.append(a)
        pieces = []
        by_symbol = [a for a in simple_den if isinstance(a.base, sp.Symbol)]
        if coeff.is_Rational and coeff.q != 1 and len(by_symbol) == 1:
            # 1/2 * 1/m is written 1/(2m), as in J = (1/(2m)) sum_i r_i^2
            simple_den.remove(by_symbol[0])
            sep = " " if self.d.latex else ""
            den = f"{coeff.q}{sep}{self(by_symbol[0].base)}"
            den = den if self.d.latex else f"({den})"
            pieces.append((1, self.d.frac(str(coeff.p), den)))
            coeff = sp.S.One
        if coeff != 1:
            pieces.append((0, self(coeff)))
        for a in simple_den:
            pieces.append((_factor_rank(a), self(a)))
        if complex_den:
            on_top = [
                a for a in num if isinstance(a, Exp) or (a.is_Pow and isinstance(a.base, Exp))
            ]
            num = [a for a in num if all(a is not t for t in on_top)]
            top = self.d.times().join(self(a) for a in on_top) if on_top else "1"
            if len(complex_den) == 1:
                bottom = self(complex_den[0])
            else:
                bottom = self.d.times().join(self._factor(a) for a in complex_den)
            # 1/f_k sits next to the indicator; 1/(1 - sigma) after the factor it divides
            pieces.append((6 if on_top else 7.6, self.d.frac(top, bottom)))
        for a in num:
            s = self(a)
            if isinstance(a, (sp.Add, sp.MatAdd)):
                s = self.d.paren(s)
            pieces.append((_factor_rank(a), s))
        pieces.sort(key=lambda p: p[0])
        body = self.d.times().join(p[1] for p in pieces) if pieces else "1"
        return sign + body


def _is_label(e) -> bool:
    return (isinstance(e, sp.Symbol) and e.name.startswith("y")) or (
        isinstance(e, sp.Indexed) and e.base.label.name == "y"
    )


def _split_condition(body, v):
    """Find a factor ``I(v = o)`` or ``1 - I(v = o)`` that restricts the sum."""
    if not isinstance(body, sp.Mul):
        return None, None, body
    for a in body.args:
        if isinstance(a, sp.KroneckerDelta) and v in a.args:
            other = a.args[0] if a.args[1] == v else a.args[1]
            if not _is_label(other):
                return "eq", other, body / a
        if isinstance(a, sp.Add) and len(a.args) == 2 and sp.S.One in a.args:
            d = -(a - 1)
            if isinstance(d, sp.KroneckerDelta) and v in d.args:
                other = d.args[0] if d.args[1] == v else d.args[1]
                return "neq", other, body / a
    return None, None, body


def _factor_rank(a) -> int:
    """Where a factor goes in a product: the lecture writes 1/m, I(.), 1/f, f, (..), d/dz, x."""
    if a.is_Pow and a.exp == -1 and a.base == m:
        return 1
    if isinstance(a, sp.KroneckerDelta) or _is_label(a):
        return 2  # the label first: I(y_i = j) (1/f_j) ..., y_i (1/sigma) ...
    if a.is_Pow and a.exp.is_negative:
        return 3
    if (isinstance(a, sp.Indexed) and a.base.label.name in _BOLD) or (
        isinstance(a, sp.Symbol) and a.name in _BOLD
    ):
        return 9
    if isinstance(a, (sp.Add, sp.MatAdd)):
        return 7
    if isinstance(a, sp.Derivative):
        # dJ_i/dz before dz/dw, as in the chain rule of eq (3)
        return 8 if str(a.variables[0]).startswith("z") else 8.5
    if isinstance(a, sp.Sum):
        return 5
    if isinstance(a, sp.log):
        return 7.5  # (1 - y_i) log(1 - sigma), as binary cross-entropy is written
    if isinstance(a, (sp.MatrixSymbol, sp.Transpose)):
        return 6
    return 4


def _term_order(term):
    """Positive terms first; a sum over j = k before the sum over j != k."""
    coeff, rest = term.as_coeff_Mul()
    if isinstance(term, sp.MatrixExpr):
        return (term.could_extract_minus_sign(), False)
    neq_sum = any(
        isinstance(s, sp.Sum) and _split_condition(s.function, s.limits[0][0])[0] == "neq"
        for s in sp.Mul.make_args(rest)
    )
    return (bool(coeff.is_negative), neq_sum)


_LATEX = _Printer(latex=True)
_UNICODE = _Printer(latex=False)


def to_latex(expr) -> str:
    """LaTeX for ``expr`` in the lecture's notation (valid MathJax and mathtext input).

    Examples
    --------
    >>> from gradlab.symbolic.notation import f, k, y_i, indicator
    >>> to_latex(f[k] - indicator(y_i, k))
    'f_{k} - \\\\mathbb{I}(y_{i} = k)'
    """
    return _LATEX(expr)


def to_unicode(expr) -> str:
    """A one-line Unicode rendering of ``expr`` for the terminal.

    Examples
    --------
    >>> from gradlab.symbolic.notation import f, k, y_i, indicator
    >>> print(to_unicode(f[k] - indicator(y_i, k)))
    fₖ - 𝕀(yᵢ = k)
    """
    return _UNICODE(expr)
