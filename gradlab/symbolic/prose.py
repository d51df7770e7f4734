r"""Justifications and titles written once, as text with inline ``$...$`` math.

A source string such as ``r"chain rule through log: $\frac{1}{f_j}$"`` is already
what matplotlib's mathtext, Jupyter's Markdown and MathJax's ``\text{...}`` take;
:func:`plain` derives the Unicode version for ``str()`` and the terminal
(``fⱼ`` where Unicode has the subscript, ``z_c`` where it has not). Text outside
the math may not hold characters that any of the three would read as markup,
and the math may use only the commands :func:`plain` knows, so a string that
renders in one place renders in all of them.
"""

from __future__ import annotations

import re

__all__ = ["escape", "plain", "text_block", "validate"]

# Characters that TeX (\text{...}), Markdown or the aligned block (&) would read as markup.
_TEXT_SPECIAL = set("\\{}_^&%#~*<>`")

_SUB = dict(zip("0123456789aeijklmnoprstuvx=+-", "₀₁₂₃₄₅₆₇₈₉ₐₑᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₌₊₋", strict=True))
_SUP = {**dict(zip("0123456789+-n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻ⁿ", strict=True)), "ᵀ": "ᵀ"}
_BOLD = dict(zip("xwyXWFY", "𝐱𝐰𝐲𝐗𝐖𝐅𝐘", strict=True))

# Commands with no argument: their Unicode, and whether the space after them is kept
# (TeX swallows it; "log f" and "Σ_c exp" still need it in plain text, "∂f" does not).
_SYMBOLS = {
    "partial": ("∂", False),
    "nabla": ("∇", False),
    "sum": ("Σ", True),
    "log": ("log", True),
    "exp": ("exp", True),
    "neq": ("≠", True),
    "in": ("∈", True),
    "lambda": ("λ", True),
    "sigma": ("σ", True),
    "top": ("ᵀ", True),
    "cdot": ("·", True),
    ",": (" ", False),  # a thin space
    "|": ("‖", True),
    "{": ("{", True),
    "}": ("}", True),
    "_": ("_", True),
    "$": ("$", True),
    "%": ("%", True),
    "#": ("#", True),
    "backslash": ("\\", True),
    "sim": ("~", True),
}
# Commands with one argument.
_FONTS = {"mathbf", "mathbb", "mathtt", "mathrm"}


def _split(source: str) -> list[tuple[bool, str]]:
    """``[(is_math, piece), ...]``; ``\\$`` inside math does not end it."""
    pieces, math, start, n = [], False, 0, 0
    while n < len(source):
        ch = source[n]
        if ch == "\\" and math:
            n += 2
            continue
        if ch == "$":
            pieces.append((math, source[start:n]))
            math, start = not math, n + 1
        n += 1
    if math:
        raise ValueError(f"unbalanced $ in {source!r}")
    pieces.append((False, source[start:]))
    return [(is_math, piece) for is_math, piece in pieces if piece or is_math]


def validate(source: str) -> str:
    r"""Return ``source`` if it is safe text with valid inline math, else raise ``ValueError``.

    Examples
    --------
    >>> print(validate(r"the sum over $j \neq k$"))
    the sum over $j \neq k$
    >>> validate("f_j")
    Traceback (most recent call last):
    ...
    ValueError: text outside $...$ may not contain '_' (write it as math): 'f_j'
    """
    for is_math, piece in _split(source):
        if is_math:
            if not piece.strip():
                raise ValueError(f"empty math $$ in {source!r}")
            plain_math(piece)  # raises on unknown commands and unbalanced braces
        else:
            for ch in piece:
                if ch in _TEXT_SPECIAL:
                    raise ValueError(
                        f"text outside $...$ may not contain {ch!r} (write it as math): {source!r}"
                    )
    return source


def plain(source: str) -> str:
    r"""The Unicode reading of ``source``, for ``str()`` and the terminal.

    Examples
    --------
    >>> print(plain(r"with $f_j = \frac{\exp(z_j)}{\sum_c \exp(z_c)}$"))
    with fⱼ = exp(zⱼ) / Σ_c exp(z_c)
    >>> print(plain(r"$\frac{\partial \log f_j}{\partial z_k} = \frac{1}{f_j} \frac{\partial f_j}{\partial z_k}$"))
    ∂log fⱼ / ∂zₖ = (1/fⱼ) ∂fⱼ/∂zₖ
    """
    return "".join(plain_math(p) if is_math else p for is_math, p in _split(source))


def text_block(source: str) -> str:
    r"""``\text{...}`` holding ``source``, for a column of a MathJax ``aligned`` block.

    MathJax (and KaTeX) typeset ``$...$`` inside ``\text{...}`` as math.

    Examples
    --------
    >>> print(text_block("the term $j = k$"))
    \text{the term $j = k$}
    """
    return f"\\text{{{validate(source)}}}"


def escape(text: str) -> str:
    r"""Turn plain text into a safe source: characters that are markup become math.

    Examples
    --------
    >>> print(escape("f_j in {1, 2}"))
    f$\_$j in $\{$1, 2$\}$
    >>> plain(escape("f_j in {1, 2}"))
    'f_j in {1, 2}'
    """
    out = []
    for ch in text:
        if ch == "&":
            out.append("and")  # mathtext has no \\&
        elif ch in "_{}%#$":
            out.append(f"$\\{ch}$")
        elif ch == "\\":
            out.append("$\\backslash$")
        elif ch == "~":
            out.append("$\\sim$")
        elif ch in "*<>":
            out.append(f"${ch}$")
        elif ch in _TEXT_SPECIAL:
            out.append({"^": "ˆ", "`": "‘"}[ch])
        else:
            out.append(ch)
    return "".join(out)


# ----------------------------------------------------------------------------- math -> Unicode

_TOKEN = re.compile(r"\\([A-Za-z]+|.)\s*|([{}_^])|(\s+)|(.)", re.DOTALL)


class _Reader:
    def __init__(self, math: str):
        self.math = math
        self.tokens = [(m.group(0), m.groups()) for m in _TOKEN.finditer(math)]
        self.n = 0

    def peek(self):
        return self.tokens[self.n] if self.n < len(self.tokens) else (None, (None,) * 4)

    def next(self):
        token = self.peek()
        self.n += 1
        return token

    def group(self) -> str:
        """One argument: ``{...}`` or a single token."""
        raw, (command, brace, _, char) = self.next()
        if brace == "{":
            out = self.until("}")
            self.next()
            return out
        if raw is None or brace is not None:
            raise ValueError(f"missing argument in ${self.math}$")
        if command is not None:
            return self.command(command, raw)
        return char if char is not None else ""

    def until(self, closing=None) -> str:
        out = []
        while True:
            raw, (command, brace, space, char) = self.peek()
            if raw is None:
                if closing is not None:
                    raise ValueError(f"unbalanced braces in ${self.math}$")
                return "".join(out)
            if brace == closing and closing is not None:
                return "".join(out)
            self.next()
            if command is not None:
                out.append(self.command(command, raw))
            elif brace == "{":
                out.append(self.until("}"))
                self.next()
            elif brace == "}":
                raise ValueError(f"unbalanced braces in ${self.math}$")
            elif brace is not None and brace in "_^":
                out.append(_script(self.group(), brace))
            elif space is not None:
                out.append(" ")
            else:
                out.append(char)

    def command(self, name: str, raw: str) -> str:
        if name == "frac":
            top, bottom = self.group(), self.group()
            return self.fraction(top, bottom)
        if name in _FONTS:
            body = self.group()
            if name == "mathbf":
                return "".join(_BOLD.get(ch, ch) for ch in body)
            if name == "mathbb":
                return {"I": "𝕀", "R": "ℝ"}.get(body, body)
            return body
        if name not in _SYMBOLS:
            raise ValueError(f"unknown command \\{name} in ${self.math}$")
        symbol, keep_space = _SYMBOLS[name]
        return symbol + (" " if keep_space and raw[-1].isspace() else "")

    def fraction(self, top: str, bottom: str) -> str:
        top, bottom = _operand(top), _operand(bottom)
        sep = " / " if " " in top + bottom else "/"
        out = f"{top}{sep}{bottom}"
        # (1/f_j) df_j/dz_k: a coefficient fraction followed by more of the product
        raw, (_, _, space, char) = self.peek()
        if space is not None and self.n + 1 < len(self.tokens):
            raw, (_, _, _, char) = self.tokens[self.n + 1]
        elif space is not None:
            raw = None
        if raw is not None and char not in tuple("=+-,;:)") and not out.startswith("∂"):
            out = f"({out})"
        return out


def _script(body: str, kind: str) -> str:
    table = _SUB if kind == "_" else _SUP
    if body and all(ch in table for ch in body.replace(" ", "")):
        return "".join(table[ch] for ch in body.replace(" ", ""))
    if len(body) == 1:
        return f"{kind}{body}"
    return f"{kind}{{{body}}}" if kind == "_" else f"^({body})"


def _operand(s: str) -> str:
    """Parenthesize one side of a fraction written with a slash, unless it is one token."""
    s = s.strip()
    if s.startswith(("∂", "Σ")):
        return s  # ∂log fⱼ / ∂zₖ and exp(zⱼ) / Σ_c exp(z_c) read unambiguously
    if re.fullmatch(r"\d+|\w[\w₀-₉ₐ-ₜᵢ-ᵥⱼ⁰-⁹ᵀ²³¹]*(\(.*\))?|\S", s) and not re.fullmatch(
        r"\d+\w+", s
    ):
        return s
    return f"({s})"


def plain_math(math: str) -> str:
    """The Unicode reading of one math segment (the text between two ``$``)."""
    # a thin space next to a written one is one space
    return re.sub(" {2,}", " ", _Reader(math).until())
