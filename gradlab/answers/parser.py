"""A recursive-descent parser for answers in LaTeX or plain text.

One grammar covers both notations (``\\frac{e^{z_k}}{\\sum_c e^{z_c}}`` and
``exp(z_k)/sum(exp(z_c), c)``) and builds SymPy objects directly from the
recognized tokens: the text is never evaluated, sympified or handed to
``eval``. Every value carries a *kind* so that nonsense such as adding a
vector to a number is rejected with a message instead of being misread:

``num``     a number (z_k, f_k, y_i, I(y_i = k), ...)
``vec``     a feature-space vector (x_i, w_k, (f_k - y_k) x_i)
``vecT``    a transposed vector (w_k^T), only useful in w_k^T x_i
``classes`` a vector over the classes (z, softmax(z), onehot(y)); needs _k
``cond``    a condition (y_i = k), only inside an indicator or delta

The meaning of a letter depends on the model family: in softmax regression
z_k is a class's logit and y_k the one-hot entry; in logistic and linear
regression z_i is the logit of sample i.
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from gradlab.answers import symbols as S
from gradlab.answers.lexer import AnswerSyntaxError, Token, tokenize
from gradlab.answers.notation import Notation, Val, is_index, unknown_message

__all__ = ["FAMILIES", "parse"]

FAMILIES = ("softmax", "logistic", "linear")
MAX_DEPTH = 100  # about 30 nested brackets; stays far below Python's recursion limit
MAX_EXPONENT = 64  # |n| in a numeric power; 9**9**9**9 must not be computed
MAX_BASE = 10**6  # |a| in a numeric power a^n
MAX_NUMBER = 10**100  # a numeric power's value: (10^6)^64 is not part of a gradient


def parse(text: str, family: str = "softmax") -> tuple[sp.Expr, str]:
    """Parse ``text`` into ``(SymPy expression, kind)`` with kind ``"num"`` or ``"vec"``.

    Raises :class:`AnswerSyntaxError` for anything not understood exactly.
    """
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}; got {family!r}")
    return _Parser(text, family).parse()


class _Parser(Notation):
    """The grammar; the meaning of each word, command and letter is in :class:`Notation`."""

    def __init__(self, text: str, family: str):
        self.text = text
        self.family = family
        self.tokens = tokenize(text)
        self.at = 0
        self.depth = 0
        self.sum_depth = 0
        self.n_sums = 0

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

    # ------------------------------------------------------------------ entry

    def parse(self) -> tuple[sp.Expr, str]:
        if self.tok.kind == "end":
            raise AnswerSyntaxError("the answer is empty")
        val = self.expression()
        if self.tok.kind != "end":
            if self.is_op(")", "]", "}", "\\}"):
                raise self.error(f"unbalanced {self.tok.value!r}: nothing opened it")
            raise self.error(f"did not understand {self.tok.value!r} here")
        self.require_scalar_or_vec(val)
        if _bare_sample_index(val.expr):
            # The checks try samples i = 1 and 2 only: i as a number, like (i - 1)(i - 2),
            # would pass them, and has no place in a gradient.
            raise AnswerSyntaxError(
                "i is the sample index: write it as a subscript (x_i, y_i, f_{i,k}), not as "
                "a number",
                self.text,
                _bare_i_position(self.tokens),
            )
        return val.expr, val.kind

    def require_scalar_or_vec(self, val: Val) -> Val:
        if val.kind == "classes" and val.extra.get("sample_subscript"):
            raise self.error(
                "the subscript i is the sample: z_i, f_i are sample i's vectors over the "
                "classes; index a class with k, j, c or l, e.g. \\sum_c e^{z_c}",
                val.pos,
            )
        if val.kind == "classes":
            raise self.error(
                "this is a vector with one entry per class; pick an entry with a subscript, "
                "e.g. softmax(z)_k",
                val.pos,
            )
        if val.kind == "cond":
            raise self.error(
                "a condition needs an indicator: write \\mathbb{I}(y_i = k), 1(y_i = k) "
                "or [y_i = k]",
                val.pos,
            )
        if val.kind == "vecT":
            raise self.error("a transposed vector must multiply a vector: w_k^T x_i", val.pos)
        return val

    # ------------------------------------------------------------------ grammar

    def expression(self, implicit: bool = True) -> Val:
        """expression := ['-'|'+'] term (('+'|'-') term)*"""
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
        if self.is_op("=", "!=") or self.is_cmd("neq", "ne"):
            op = "=" if self.advance().value == "=" else "!="
            rhs = self.expression(implicit)
            for side in (val, rhs):
                self.require_scalar_or_vec(side)
                if side.kind != "num" or not is_index(side.expr):
                    raise self.error(
                        "a condition compares labels and indices, like y_i = k", side.pos
                    )
            val = Val(kind="cond", cond=(val.expr, op, rhs.expr), pos=start)
        self.leave()
        return val

    def negate(self, val: Val) -> Val:
        self.require_scalar_or_vec(val)
        return Val(-val.expr, val.kind, val.pos)

    def add(self, lhs: Val, rhs: Val, op: str, pos: int) -> Val:
        self.require_scalar_or_vec(lhs)
        self.require_scalar_or_vec(rhs)
        if lhs.kind != rhs.kind:
            raise self.error("cannot add a vector (like x_i) and a number; check the brackets", pos)
        expr = lhs.expr + rhs.expr if op == "+" else lhs.expr - rhs.expr
        return Val(expr, lhs.kind, lhs.pos)

    def starts_factor(self) -> bool:
        tok = self.tok
        if tok.kind in ("num", "name", "run"):
            return True
        if tok.kind == "cmd":
            return tok.value not in ("cdot", "times", "neq", "ne", "top", "intercal")
        return tok.kind == "op" and tok.value in ("(", "[", "{", "\\{")

    def term(self, implicit: bool = True) -> Val:
        """term := unary (('*' | '/' | '\\cdot' | '\\times' | juxtaposition) unary)*"""
        val = self.unary(implicit)
        after_slash = False
        while True:
            if self.is_op("*") or self.is_cmd("cdot", "times"):
                op = self.advance()
                rhs = self.unary(implicit)
                val = self.multiply(val, rhs, op.pos, explicit_dot=op.value == "cdot")
                after_slash = False
            elif self.is_op("/"):
                op = self.advance()
                rhs = self.unary(implicit)
                val = self.divide(val, rhs, op.pos)
                after_slash = True
            elif val.literal == "1" and self.is_op("\\{"):
                val = self.indicator(self.set_condition(), val.pos)  # 1\{y_i = k\}
            elif implicit and self.starts_factor():
                pos = self.tok.pos
                if after_slash:
                    # 1/2m reads as 1/(2m) to some and (1/2)m to others: refuse to guess.
                    raise self.error(
                        "ambiguous after '/': write 1/(2m) or (1/2) m, or use \\frac{1}{2m}"
                    )
                rhs = self.unary(implicit)
                if rhs.kind == "cond" and val.literal == "1":
                    val = self.indicator(rhs, val.pos)
                else:
                    val = self.multiply(val, rhs, pos)
            else:
                return val

    def multiply(self, lhs: Val, rhs: Val, pos: int, explicit_dot: bool = False) -> Val:
        if lhs.kind == "vecT" and rhs.kind == "vec":
            return Val(S.dot(lhs.expr, rhs.expr), "num", lhs.pos)
        if explicit_dot and lhs.kind == "vec" and rhs.kind == "vec":
            return Val(S.dot(lhs.expr, rhs.expr), "num", lhs.pos)
        self.require_scalar_or_vec(lhs)
        self.require_scalar_or_vec(rhs)
        if lhs.kind == "vec" and rhs.kind == "vec":
            raise self.error(
                "a product of two vectors is ambiguous; write w_k^T x_i or dot(w_k, x_i)", pos
            )
        kind = "vec" if "vec" in (lhs.kind, rhs.kind) else "num"
        return Val(lhs.expr * rhs.expr, kind, lhs.pos)

    def divide(self, lhs: Val, rhs: Val, pos: int) -> Val:
        self.require_scalar_or_vec(lhs)
        self.require_scalar_or_vec(rhs)
        if rhs.kind != "num":
            raise self.error("cannot divide by a vector", pos)
        return Val(lhs.expr / rhs.expr, lhs.kind, lhs.pos)

    def unary(self, implicit: bool = True) -> Val:
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
        """power := postfix ('^' exponent)?  (right-associative through exponent)"""
        self.enter()
        base = self.postfix()
        if self.is_op("^"):
            caret = self.advance()
            if self.transpose_follows():
                if base.kind != "vec":
                    raise self.error("only a vector can be transposed (w_k^T)", caret.pos)
                base = Val(base.expr, "vecT", base.pos)
            else:
                exponent = self.exponent()
                if exponent.expr == S.i:
                    raise self.error(
                        "a power i is not part of a gradient; write the sample as a subscript: "
                        "x_i, not x^{(i)}",
                        caret.pos,
                    )
                base = self.raise_to(base, exponent, caret.pos)
            if self.is_op("_"):
                raise self.error(
                    "a subscript after a power is ambiguous: write e^{z_k} or (e^{z})_k"
                )
        self.leave()
        return base

    def transpose_follows(self) -> bool:
        if self.is_cmd("top", "intercal") or (self.tok.kind == "name" and self.tok.value == "T"):
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

    def exponent(self) -> Val:
        """An exponent: {expression}, (expression), -exponent, or one digit or letter."""
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
        val = self.primary()
        while self.is_op("_"):
            if val.literal == "1":  # 1_{y_i = k}
                val = self.indicator_argument(val.pos)
                continue
            if val.kind != "classes":
                raise self.error("this subscript is not understood here")
            self.advance()
            indices = self.indices()
            if len(indices) != 1:
                raise self.error("pick one class: one subscript, e.g. _k")
            val = Val(val.component(indices[0]), "num", val.pos)
        return val

    # ------------------------------------------------------------------ primaries

    def number(self, tok: Token) -> Val:
        value = (
            sp.Integer(int(tok.value)) if "." not in tok.value else sp.Rational(Fraction(tok.value))
        )
        return Val(value, "num", tok.pos, literal=tok.value)

    def primary(self, allow_subscript: bool = True) -> Val:
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
        elif tok.kind == "end":
            raise self.error("the answer ends too early: something is missing here")
        else:
            if tok.value in (")", "]", "}", "\\}"):
                raise self.error(f"unbalanced {tok.value!r}: nothing opened it")
            raise self.error(f"expected a number, a symbol or '('; found {tok.value!r}")
        self.leave()
        return val

    def group(self) -> Val:
        opener = self.advance()
        val = self.expression()
        self.expect(self.closing(opener.value), f"to close the {opener.value!r} opened here")
        if opener.value == "[" and val.kind == "cond":
            return self.indicator(val, opener.pos)  # Iverson bracket [y_i = k]
        return Val(val.expr, val.kind, opener.pos, val.component, val.cond, extra=val.extra,
                   label=val.label, logits=val.logits)  # fmt: skip

    # ------------------------------------------------------------------ indices

    def index_expression(self, single: bool = False) -> sp.Expr:
        if single:
            tok = self.tok
            if tok.kind == "num" and len(tok.value) == 1:
                self.advance()
                return sp.Integer(int(tok.value))
            if tok.kind == "name" and tok.value in ("C", "m", *S.INDEX_SYMBOLS):
                return self.primary(allow_subscript=False).expr
            raise self.error("write the limit in braces: ^{C}")
        val = self.expression(implicit=False)
        if val.kind != "num":
            self.require_scalar_or_vec(val)
            raise self.error("an index must be a number like k, y_i or 3 - k", val.pos)
        return val.expr

    def indices(self) -> list[sp.Expr]:
        """The subscript after '_': one token, or {a, b} / {a b} / {jk}."""
        tok = self.tok
        if not self.is_op("{"):
            if tok.kind == "name" and (len(tok.value) == 1):
                return [self.primary(allow_subscript=False).expr]
            if tok.kind == "num" and len(tok.value) == 1:
                self.advance()
                return [sp.Integer(int(tok.value))]
            raise self.error("write a subscript of more than one character in braces: _{jk}")
        self.advance()
        out = []
        while not self.is_op("}"):
            if self.tok.kind == "end":
                raise self.error("expected '}' to close the subscript")
            if self.tok.kind == "run" and all(ch in S.INDEX_SYMBOLS for ch in self.tok.value):
                run = self.advance()
                out += [S.INDEX_SYMBOLS[ch] for ch in run.value]  # _{jk} is j, k
            else:
                out.append(self.index_expression())
            if self.is_op(","):
                self.advance()
        self.advance()
        if not out:
            raise self.error("empty subscript")
        return out


def _bare_sample_index(expr) -> bool:
    """Whether the sample index i is used as a number.

    i may be a subscript (x_i, f_{i,k}) or be compared with another index in an
    indicator (the mistake 𝕀(i = k)), but not compared with a fixed number.
    """
    if expr == S.i:
        return True
    if isinstance(expr, sp.Indexed):
        return False
    if isinstance(expr, sp.KroneckerDelta) and S.i in expr.args:
        other = expr.args[1] if expr.args[0] == S.i else expr.args[0]
        return other.is_Integer or _bare_sample_index(other)
    if isinstance(expr, sp.Sum):
        bounds = [bound for _, *limits in expr.limits for bound in limits]
        return any(_bare_sample_index(part) for part in (expr.function, *bounds))
    return any(_bare_sample_index(arg) for arg in expr.args)


def _bare_i_position(tokens: list[Token]) -> int | None:
    """The first 'i' typed outside a subscript, preferably not next to '=', for the caret."""
    subscript: list[bool] = []
    found = []
    for n, tok in enumerate(tokens[:-1]):  # the last token is "end"
        before = tokens[n - 1].value if n else ""
        if tok.kind == "op" and tok.value == "{":
            subscript.append(before == "_")
        elif tok.kind == "op" and tok.value == "}" and subscript:
            subscript.pop()
        elif tok.kind == "name" and tok.value == "i" and before != "_" and not any(subscript):
            beside = {before, tokens[n + 1].value} & {"=", "!=", "neq", "ne"}
            found.append((bool(beside), tok.pos))
    return min(found)[1] if found else None
