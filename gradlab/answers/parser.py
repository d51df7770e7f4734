"""A recursive-descent parser for answers in LaTeX, plain text or NumPy-style code.

The grammar is written down once, in ``grammar.ebnf`` next to this file; each
of its rules is one method of :class:`_Parser` (here, or in its mixins in
``lhs.py``, ``piecewise.py``, ``quantities.py`` and ``notation.py``) whose
docstring starts with the rule. The parser builds SymPy objects directly from the recognized tokens: the
text is never evaluated, sympified or handed to ``eval``. Every value carries
a *kind* so that nonsense such as adding a vector to a number is rejected with
a message instead of being misread:

``num``     a number (z_k, f_k, y_i, I(y_i = k), ...)
``vec``     a feature-space vector (x_i, w_k, (f_k - y_k) x_i)
``vecT``    a transposed vector (w_k^T), only useful in w_k^T x_i
``classes`` a vector over the classes (z, softmax(z), onehot(y)); needs _k
``mat``     a matrix with named axes (X, F − Y, diag(f)); see ``matrix.py``
``cond``    a condition (y_i = k), only inside an indicator, a delta or a piecewise answer
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from gradlab.answers import matrix as M
from gradlab.answers import symbols as S
from gradlab.answers.lexer import AnswerSyntaxError, Token, tokenize
from gradlab.answers.lhs import LeftHandSide
from gradlab.answers.network import Network
from gradlab.answers.notation import Notation
from gradlab.answers.piecewise import Piecewise
from gradlab.answers.profiles import Profile, get_profile, unknown_message
from gradlab.answers.quantities import Quantities, bare_i_position, bare_sample_index
from gradlab.answers.values import Val, is_index

__all__ = ["FAMILIES", "parse", "parse_value"]

FAMILIES = ("softmax", "logistic", "linear", "mlp")  # "mlp": the network's index letters
MAX_DEPTH = 100  # about 30 nested brackets; stays far below Python's recursion limit
MAX_EXPONENT = 64  # |n| in a numeric power; 9**9**9**9 must not be computed
MAX_BASE = 10**6  # |a| in a numeric power a^n
MAX_NUMBER = 10**100  # a numeric power's value: (10^6)^64 is not part of a gradient


def parse(text: str, family: str = "softmax", *, notation=None) -> tuple[sp.Expr, str]:
    """Parse ``text`` into ``(SymPy expression, kind)`` with kind ``"num"`` or ``"vec"``.

    Raises :class:`AnswerSyntaxError` for anything not understood exactly. A
    typed left-hand side is accepted and dropped here; :func:`parse_value`
    returns it (and matrix values) for the topic-aware reading in ``reading.py``.
    """
    parser = parse_value(text, family, notation=notation)
    val = parser.require_scalar_or_vec(parser.result)
    return val.expr, val.kind


def parse_value(text: str, family: str = "softmax", *, notation=None, derivation=False):
    """The parser after reading ``text``: ``.result`` (a Val) and ``.derivative`` (the lhs)."""
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}; got {family!r}")
    parser = _Parser(text, family, get_profile(notation), derivation)
    parser.result = parser.answer()
    return parser


class _Parser(LeftHandSide, Piecewise, Quantities, Network, Notation):
    """The grammar of ``grammar.ebnf``; the meaning of each word is in :class:`Notation`."""

    def __init__(self, text: str, family: str, profile: Profile, derivation: bool = False):
        self.text = text
        self.family = family
        self.profile = profile
        self.derivation = derivation  # a line of check_derivation: ∂f_j/∂z_k has a value
        tokens = tokenize(text, profile.words)
        self.tokens = [self.renamed(tokens, n) for n in range(len(tokens))]
        self.at = 0
        self.depth = 0
        self.sum_depth = 0
        self.n_sums = 0
        self.derivative = None  # the typed left-hand side, if any
        self.feature = None  # j of x_j^{(i)}: the answer is one component of a vector
        self.reuses = None  # "dz" when the answer reuses dZ (deeplearning.ai's dW = dZ X^T / m)

    def renamed(self, tokens: list, n: int) -> Token:
        """A profile's letter in the note's; the T of a transpose (w^T, w^{T}, X.T) stays."""
        tok = tokens[n]
        before = [t.value for t in tokens[max(0, n - 2) : n]]
        transpose = tok.value == "T" and (before[-1:] in (["^"], ["."]) or before == ["^", "{"])
        if tok.kind in ("name", "cmd") and tok.value in self.profile.letters and not transpose:
            return Token("name", self.profile.rename(tok.value), tok.pos)
        return tok

    # ------------------------------------------------------------------ helpers

    @property
    def tok(self) -> Token:
        return self.tokens[self.at]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.at + ahead, len(self.tokens) - 1)]

    def error(self, message: str, pos: int | None = None) -> AnswerSyntaxError:
        return AnswerSyntaxError(message, self.text, self.tok.pos if pos is None else pos)

    def is_op(self, *values: str) -> bool:
        return self.tok.kind == "op" and self.tok.value in values

    def is_cmd(self, *values: str) -> bool:
        return self.tok.kind == "cmd" and self.tok.value in values

    def is_name(self, *values: str) -> bool:
        return self.tok.kind == "name" and self.tok.value in values

    def advance(self) -> Token:
        tok = self.tok
        if tok.kind != "end":
            self.at += 1
        return tok

    def expect(self, value: str, what: str) -> Token:
        if not self.is_op(value):
            found = "the end" if self.tok.kind == "end" else repr(self.tok.value)
            raise self.error(f"expected {value!r} {what}; found {found}")
        return self.advance()

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"the answer is nested too deeply (more than {MAX_DEPTH} levels)")

    def leave(self):
        self.depth -= 1

    def closing(self, opener: str) -> str:
        return {"(": ")", "[": "]", "{": "}", "\\{": "\\}"}[opener]

    def mark(self) -> tuple:
        return self.at, self.depth, self.sum_depth, self.n_sums

    def reset(self, mark: tuple) -> None:
        self.at, self.depth, self.sum_depth, self.n_sums = mark

    # ------------------------------------------------------------------ entry

    def answer(self) -> Val:
        """answer = [ lhs "=" ] body [ "." | "," ] ;"""
        if self.tok.kind == "end":
            raise AnswerSyntaxError("the answer is empty")
        start = self.mark()
        try:
            derivative = self.lhs()
        except AnswerSyntaxError:
            derivative = None
        if derivative is not None and self.is_op("&"):
            self.advance()  # \frac{\partial J}{\partial z_k} &= ..., copied from an aligned block
        if derivative is not None and self.is_op("="):
            self.advance()
            self.derivative = derivative
        else:
            self.reset(start)
        val = self.body()
        if self.is_op(".", ",") and self.peek().kind == "end":
            self.advance()  # the full stop after a displayed formula
        if self.tok.kind != "end":
            if self.is_op(")", "]", "}", "\\}"):
                raise self.error(f"unbalanced {self.tok.value!r}: nothing opened it")
            if self.is_op("=") and self.derivative is None:
                raise self.error(
                    "an expression is wanted: type the derivative's value, or name it on "
                    "the left as \\frac{\\partial J}{\\partial z_k} = ... or dJ/dz_k = ..."
                )
            raise self.error(f"did not understand {self.tok.value!r} here")
        if val.kind not in ("mat", "classes"):
            self.require_scalar_or_vec(val)
        expr = val.expr
        if expr is not None and bare_sample_index(expr):
            # The checks try samples i = 1 and 2 only: i as a number, like (i - 1)(i - 2),
            # would pass them, and has no place in a gradient.
            raise AnswerSyntaxError(
                "i is the sample index: write it as a subscript (x_i, y_i, f_{i,k}), not as "
                "a number",
                self.text,
                bare_i_position(self.tokens),
            )
        if self.feature is not None and expr is not None and self.feature in expr.free_symbols:
            raise self.error(
                f"{self.feature} is the feature index of x_{self.feature}^{{(i)}}; it cannot "
                "also be a class or summation index here",
                0,
            )
        return val

    def require_scalar_or_vec(self, val: Val) -> Val:
        if val.kind == "classes" and val.extra.get("sample_subscript"):
            raise self.error(
                "the subscript i is the sample: z_i, f_i are sample i's vectors over the "
                "classes; index a class with k, j, c or l, e.g. \\sum_c e^{z_c} (if your "
                'course writes the class as i, pass notation={"i": "k"})',
                val.pos,
            )
        if val.kind == "classes":
            raise self.error(
                "this is a vector with one entry per class; pick an entry with a subscript, "
                "e.g. softmax(z)_k, or write a whole vector in bold: \\mathbf{p} - \\mathbf{y}",
                val.pos,
            )
        if val.kind == "mat":
            raise self.error(
                f"{val.extra['mat'].name} is a {val.extra['mat'].shape} matrix; it is only "
                "understood as a whole answer or in a product",
                val.pos,
            )
        if val.kind == "cond":
            raise self.error(
                "a condition needs an indicator: write \\mathbb{I}(y_i = k), 1(y_i = k), "
                "[y_i = k] or (y_i == k)",
                val.pos,
            )
        if val.kind == "vecT":
            raise self.error("a transposed vector must multiply a vector: w_k^T x_i", val.pos)
        return val

    # ------------------------------------------------------------------ piecewise

    # ------------------------------------------------------------------ grammar

    def expression(self, implicit: bool = True) -> Val:
        """expression = [ "-" | "+" ] term { ( "+" | "-" ) term } [ ( "=" | "==" | "!=" | "\\neq" | ">" ) expression ] ;"""
        self.enter()
        start = self.tok.pos
        sign = None
        if self.is_op("-", "+"):
            sign = self.advance().value
        val = self.term(implicit)
        if sign == "-":
            val = self.negate(val)
        while self.is_op("+", "-"):
            op = self.advance()
            rhs = self.term(implicit)
            val = self.add(val, rhs, op.value, op.pos)
        if self.is_op("=", "==", "!=") or self.is_cmd("neq"):
            op = "!=" if self.tok.value in ("!=", "neq") else self.tok.value
            code = self.tok.value in ("==", "!=")  # NumPy's comparisons are 0 or 1 in (...)
            self.advance()
            rhs = self.expression(implicit)
            for side in (val, rhs):
                self.require_scalar_or_vec(side)
                if side.kind != "num" or not is_index(side.expr):
                    raise self.error(
                        "a condition compares labels and indices, like y_i = k", side.pos
                    )
            val = Val(kind="cond", cond=(val.expr, "!=" if op == "!=" else "=", rhs.expr),
                      pos=start, extra={"code": code})  # fmt: skip
        elif self.is_op(">") and self.family == "mlp":
            val = self.positive(val, start)
        self.leave()
        return val

    def positive(self, val: Val, start: int) -> Val:
        """z^1_j > 0: the condition of relu's derivative, 𝕀(z^1_j > 0)."""
        self.advance()
        rhs = self.expression()
        self.require_scalar_or_vec(val)
        if val.kind != "num" or rhs.kind != "num" or rhs.expr != 0:
            raise self.error("a '>' condition is read as a > 0, as in 𝕀(z^1_j > 0)", start)
        return Val(kind="cond", cond=(val.expr, ">", rhs.expr), pos=start)

    def negate(self, val: Val) -> Val:
        if val.kind == "mat":
            return Val(kind="mat", pos=val.pos, extra={"mat": M.scale(val.extra["mat"], -1)})
        if val.kind == "classes":
            comp = val.component
            return Val(kind="classes", pos=val.pos, component=lambda idx: -comp(idx),
                       extra={"sample": val.extra.get("sample", S.i),
                              "name": f"−{val.extra.get('name', 'v')}"})  # fmt: skip
        self.require_scalar_or_vec(val)
        return Val(-val.expr, val.kind, val.pos)

    def add(self, lhs: Val, rhs: Val, op: str, pos: int) -> Val:
        sign = 1 if op == "+" else -1
        if lhs.kind == "classes" and rhs.kind == "classes":
            a, b = lhs.component, rhs.component
            name = f"{lhs.extra.get('name', 'v')} {'+' if sign > 0 else '−'} {rhs.extra.get('name', 'v')}"
            return Val(kind="classes", pos=lhs.pos, component=lambda idx: a(idx) + sign * b(idx),
                       extra={"sample": lhs.extra.get("sample", S.i), "name": name})  # fmt: skip
        if "mat" in (lhs.kind, rhs.kind) or {lhs.kind, rhs.kind} == {"classes", "mat"}:
            return self.matrix_add(lhs, rhs, sign, pos)
        self.require_scalar_or_vec(lhs)
        self.require_scalar_or_vec(rhs)
        if lhs.kind != rhs.kind:
            raise self.error("cannot add a vector (like x_i) and a number; check the brackets", pos)
        expr = lhs.expr + rhs.expr if op == "+" else lhs.expr - rhs.expr
        return Val(expr, lhs.kind, lhs.pos)

    def starts_factor(self) -> bool:
        tok = self.tok
        if tok.kind in ("num", "run", "diff"):
            return True
        if tok.kind == "name":
            return tok.value not in ("if", "else", "otherwise")
        if tok.kind == "cmd":
            return tok.value not in ("cdot", "times", "neq", "top", "intercal") and not (
                tok.value.startswith("end:")
            )
        return tok.kind == "op" and tok.value in ("(", "[", "{", "\\{")

    def term(self, implicit: bool = True) -> Val:
        """term = unary { ( "*" | "/" | "@" | "\\cdot" | "\\times" | juxtaposition ) unary } ;"""
        val = self.unary(implicit)
        after_slash = False
        while True:
            if self.is_op("*", "@") or self.is_cmd("cdot", "times"):
                op = self.advance()
                rhs = self.unary(implicit)
                val = self.multiply(val, rhs, op.pos, op=op.value)
                after_slash = False
            elif self.is_op("/"):
                op = self.advance()
                rhs = self.unary(implicit)
                val = self.divide(val, rhs, op.pos)
                after_slash = True
            elif val.literal == "1" and self.is_op("\\{"):
                val = self.make_indicator(self.set_condition(), val.pos)  # 1\{y_i = k\}
            elif implicit and self.starts_factor():
                pos = self.tok.pos
                if after_slash:
                    # 1/2m reads as 1/(2m) to some and (1/2)m to others: refuse to guess.
                    raise self.error(
                        "ambiguous after '/': write 1/(2m) or (1/2) m, or use \\frac{1}{2m}"
                    )
                rhs = self.unary(implicit)
                if rhs.kind == "cond" and val.literal == "1":
                    val = self.make_indicator(rhs, val.pos)
                else:
                    val = self.multiply(val, rhs, pos)
            else:
                return val

    def multiply(self, lhs: Val, rhs: Val, pos: int, op: str = "") -> Val:
        if lhs.kind == "vecT" and rhs.kind == "vec":
            return Val(self.inner(lhs.expr, rhs.expr), "num", lhs.pos)
        if op in ("cdot", "@") and lhs.kind == "vec" and rhs.kind == "vec":
            return Val(self.inner(lhs.expr, rhs.expr), "num", lhs.pos)
        if "mat" in (lhs.kind, rhs.kind) or (
            "classes" in (lhs.kind, rhs.kind) and {lhs.kind, rhs.kind} <= {"classes", "mat"}
        ):
            return self.matrix_product(lhs, rhs, pos, op)
        if "classes" in (lhs.kind, rhs.kind) and "num" in (lhs.kind, rhs.kind):
            scalar, vector = (lhs, rhs) if lhs.kind == "num" else (rhs, lhs)
            comp, factor = vector.component, scalar.expr
            return Val(kind="classes", pos=lhs.pos, component=lambda idx: factor * comp(idx),
                       extra={"sample": vector.extra.get("sample", S.i),
                              "name": vector.extra.get("name", "v")})  # fmt: skip
        self.require_scalar_or_vec(lhs)
        self.require_scalar_or_vec(rhs)
        if lhs.kind == "vec" and rhs.kind == "vec":
            raise self.error(
                "a product of two vectors is ambiguous; write w_k^T x_i or dot(w_k, x_i)", pos
            )
        kind = "vec" if "vec" in (lhs.kind, rhs.kind) else "num"
        return Val(lhs.expr * rhs.expr, kind, lhs.pos)

    def divide(self, lhs: Val, rhs: Val, pos: int) -> Val:
        if lhs.kind in ("mat", "classes") and rhs.kind == "num":
            return Val(kind="mat", pos=lhs.pos,
                       extra={"mat": M.scale(self.as_mat(lhs), rhs.expr, divide=True)})  # fmt: skip
        self.require_scalar_or_vec(lhs)
        self.require_scalar_or_vec(rhs)
        if rhs.kind != "num":
            raise self.error("cannot divide by a vector", pos)
        return Val(lhs.expr / rhs.expr, lhs.kind, lhs.pos)

    def unary(self, implicit: bool = True) -> Val:
        """unary = ( "-" | "+" ) unary | power ;"""
        if self.is_op("-"):
            self.advance()
            self.enter()
            val = self.negate(self.unary(implicit))
            self.leave()
            return val
        if self.is_op("+"):
            self.advance()
            return self.unary(implicit)
        return self.power()

    def power(self) -> Val:
        """power = postfix [ "^" ( transpose | sample | exponent ) ] { "_" indices } ;"""
        self.enter()
        base = self.postfix()
        if self.is_op("^"):
            caret = self.advance()
            if self.transpose():
                base = self.transposed(base, caret.pos)
            else:
                exponent = self.exponent()
                if exponent.expr == S.i:
                    raise self.error(
                        "a power i is not part of a gradient; write the sample as a subscript "
                        "x_i or as x^{(i)}",
                        caret.pos,
                    )
                base = self.raise_to(base, exponent, caret.pos)
            if self.is_op("_"):
                raise self.error(
                    "a subscript after a power is ambiguous: write e^{z_k} or (e^{z})_k"
                )
        self.leave()
        return base

    def transpose(self) -> bool:
        """transpose = "T" | "\\top" | "\\intercal" | "{" ( "T" | "\\top" ) "}" ;"""
        if self.is_cmd("top", "intercal") or self.is_name("T"):
            self.advance()
            return True
        inner, close = self.peek(), self.peek(2)
        is_transpose = (inner.kind == "cmd" and inner.value in ("top", "intercal")) or (
            inner.kind == "name" and inner.value == "T"
        )
        if self.is_op("{") and is_transpose and close.kind == "op" and close.value == "}":
            self.at += 3
            return True
        return False

    def sample(self) -> bool:
        """sample = "{" "(" ( "i" | "n" ) ")" "}" | "(" ( "i" | "n" ) ")" ;   (* x^{(i)} *)"""
        ahead = [self.peek(n) for n in range(5)]
        values = [(t.kind, t.value) for t in ahead]
        if values[:3] == [("op", "("), ("name", "i"), ("op", ")")]:
            self.at += 3
            return True
        if values[:5] == [("op", "{"), ("op", "("), ("name", "i"), ("op", ")"), ("op", "}")]:
            self.at += 5
            return True
        return False

    def exponent(self) -> Val:
        """exponent = "{" expression "}" | "(" expression ")" | "-" exponent | DIGIT | primary ;"""
        self.enter()
        if self.is_op("{", "("):
            opener = self.advance().value
            val = self.expression()
            self.expect(self.closing(opener), f"to close the exponent's {opener!r}")
        elif self.is_op("-"):
            self.advance()
            val = self.negate(self.exponent())
        elif self.tok.kind == "num":
            tok = self.advance()
            if len(tok.value) > 1 and not self.text.startswith("**", tok.pos - 2):
                raise self.error(f"write ^{{{tok.value}}} for a multi-digit exponent", tok.pos)
            val = self.number(tok)
            if self.is_op("^"):
                caret = self.advance()
                val = self.raise_to(val, self.exponent(), caret.pos)
        elif self.tok.kind in ("name", "cmd", "run"):
            val = self.primary(allow_subscript=False)
            if self.is_op("_"):
                raise self.error(
                    "a subscript after a power is ambiguous: write e^{z_k} or (e^{z})_k"
                )
            if self.is_op("^"):
                caret = self.advance()
                val = self.raise_to(val, self.exponent(), caret.pos)
        else:
            raise self.error("expected an exponent after '^'")
        self.leave()
        return val

    def raise_to(self, base: Val, exponent: Val, pos: int) -> Val:
        if base.kind == "mat" or base.kind == "classes":
            raise self.error("powers of vectors and matrices are not defined here", pos)
        self.require_scalar_or_vec(base)
        self.require_scalar_or_vec(exponent)
        if base.kind != "num" or exponent.kind != "num":
            raise self.error("powers of vectors are not defined", pos)
        e = exponent.expr
        # Exact comparisons: float() of a 400-digit product would raise OverflowError.
        if e.is_number:
            if not e.is_finite or bool(abs(e) > MAX_EXPONENT):
                raise self.error(f"exponent too large (at most {MAX_EXPONENT} in size)", pos)
            if base.expr.is_number and base.expr.is_finite and bool(abs(base.expr) > MAX_BASE):
                raise self.error("numbers this large are not part of a gradient", pos)
        power = sp.Pow(base.expr, e)
        if power.is_number and power.is_finite and bool(abs(power) > MAX_NUMBER):
            raise self.error("numbers this large are not part of a gradient", pos)
        return Val(power, "num", base.pos)

    def postfix(self) -> Val:
        """postfix = primary { "_" indices | "[" expression "]" | "." "T" | "." "dot" "(" expression ")" } ;"""
        val = self.primary()
        while True:
            if self.is_op("_"):
                if val.literal == "1":  # 1_{y_i = k}
                    val = self.indicator(val.pos)
                    continue
                if val.kind not in ("classes", "mat"):
                    raise self.error("this subscript is not understood here")
                self.advance()
                val = self.entry(val, self.indices())
            elif self.is_op("[") and val.kind in ("classes", "mat"):
                self.advance()  # z[k]: NumPy indexing
                index = self.index_expression()
                self.expect("]", "to close the index")
                val = self.entry(val, [index])
            elif self.is_op(".") and self.peek().kind == "name":
                dot = self.advance()
                attr = self.advance()
                if attr.value == "T":
                    val = self.transposed(val, dot.pos)
                elif attr.value == "dot":
                    self.expect("(", "after .dot")
                    other = self.expression()
                    self.expect(")", "to close .dot(")
                    val = self.multiply(val, other, dot.pos, op="@")
                else:
                    raise self.error(f".{attr.value} is not understood; .T and .dot(...) are")
            else:
                return val

    # ------------------------------------------------------------------ primaries

    def number(self, tok: Token) -> Val:
        value = (
            sp.Integer(int(tok.value)) if "." not in tok.value else sp.Rational(Fraction(tok.value))
        )
        return Val(value, "num", tok.pos, literal=tok.value)

    def primary(self, allow_subscript: bool = True) -> Val:
        """primary = NUMBER | group | word | command | DIFF ( "z" | "Z" ) ;  (* dZ = F − Y *)"""
        self.enter()
        tok = self.tok
        if tok.kind == "num":
            self.advance()
            val = self.number(tok)
        elif tok.kind == "op" and tok.value in ("(", "[", "{"):
            val = self.group()
        elif tok.kind == "op" and tok.value == "\\{":
            raise self.error(
                "a set \\{...\\} is only understood after an indicator: 1\\{y_i = k\\}"
            )
        elif tok.kind == "name":
            val = self.word(tok, allow_subscript)
        elif tok.kind == "cmd":
            val = self.command(tok, allow_subscript)
        elif tok.kind == "run":
            raise AnswerSyntaxError(unknown_message(tok.value), self.text, tok.pos)
        elif tok.kind == "diff":
            val = self.known_gradient(tok)
        elif tok.kind == "end":
            raise self.error("the answer ends too early: something is missing here")
        else:
            if tok.value in (")", "]", "}", "\\}"):
                raise self.error(f"unbalanced {tok.value!r}: nothing opened it")
            raise self.error(f"expected a number, a symbol or '('; found {tok.value!r}")
        self.leave()
        return val

    def group(self) -> Val:
        """group = "(" expression ")" | "[" expression "]" | "{" expression "}" ;"""
        opener = self.advance()
        val = self.expression()
        self.expect(self.closing(opener.value), f"to close the {opener.value!r} opened here")
        if opener.value == "[" and val.kind == "cond":
            return self.make_indicator(val, opener.pos)  # Iverson bracket [y_i = k]
        if opener.value == "(" and val.kind == "cond" and val.extra.get("code"):
            return self.make_indicator(val, opener.pos)  # NumPy's (y == k) is 0 or 1
        if val.kind == "mat":
            mat = val.extra["mat"]
            return Val(kind="mat", pos=opener.pos, extra={"mat": mat})
        return Val(val.expr, val.kind, opener.pos, val.component, val.cond, extra=val.extra,
                   label=val.label, logits=val.logits)  # fmt: skip
