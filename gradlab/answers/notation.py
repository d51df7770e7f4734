"""What each word, LaTeX command and letter of the vocabulary builds.

:class:`Notation` is mixed into the parser's grammar class (``parser._Parser``),
which provides the token helpers and ``expression``/``term``/``power``. Here
are the pieces with a meaning of their own: indicators, fractions, functions,
sums, and the letters whose meaning depends on the model family.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from gradlab.answers import symbols as S
from gradlab.answers.lexer import AnswerSyntaxError, Token
from gradlab.answers.vocabulary import KNOWN_SYMBOLS, LETTERS

__all__ = ["Notation", "Val", "is_index", "unknown_message"]

MAX_SUM_DEPTH = 3  # sum_i sum_c is the deepest a gradient needs; bounds the evaluation work
MAX_SUMS = 12


def is_index(expr) -> bool:
    """Whether ``expr`` is index arithmetic: integers, i j k c l, C, m and the labels y."""
    allowed = {*S.INDEX_SYMBOLS.values(), S.C, S.m, S.y.label}
    return (
        all(a.base == S.y for a in expr.atoms(sp.Indexed))
        and expr.atoms(sp.Symbol) <= allowed
        and all(n.is_Integer for n in expr.atoms(sp.Number))
        and not expr.atoms(sp.Function)
    )


@dataclass
class Val:
    expr: object = None
    kind: str = "num"
    pos: int = 0
    component: Callable | None = None  # for kind "classes": index -> SymPy expression
    cond: tuple | None = None  # for kind "cond": (lhs, "=" or "!=", rhs)
    literal: str | None = None  # the number as typed, to spot the "1" of 1(y = k)
    label: bool = False  # the label y_i itself (onehot's argument)
    logits: bool = False  # the logit vector z (softmax's argument)
    extra: dict = field(default_factory=dict)


class Notation:
    """Mixin: the vocabulary's meaning, for the grammar in ``parser._Parser``."""

    def indicator(self, cond: Val, pos: int) -> Val:
        lhs, op, rhs = cond.cond
        delta = sp.KroneckerDelta(lhs, rhs)
        return Val(delta if op == "=" else 1 - delta, "num", pos)

    def indicator_argument(self, pos: int) -> Val:
        """The condition after I, 1, \\mathbb{I}: (..), [..], {..}, \\{..\\} or _{..}."""
        if self.is_op("_"):
            self.advance()
            if not self.is_op("{"):
                raise self.error("write the condition in braces: \\mathbb{I}_{y_i = k}")
        if not self.is_op("(", "[", "{", "\\{"):
            raise self.error("an indicator needs a condition: \\mathbb{I}(y_i = k)")
        if self.is_op("\\{"):
            return self.indicator(self.set_condition(), pos)
        opener = self.advance()
        if opener.value == "{" and self.is_op("\\{"):  # \mathbb{I}_{\{y_i = k\}}
            cond = self.set_condition()
        else:
            cond = self.expression()
        self.expect(self.closing(opener.value), f"to close the indicator's {opener.value!r}")
        if cond.kind != "cond":
            raise self.error("an indicator needs a condition like y_i = k", opener.pos)
        return self.indicator(cond, pos)

    def set_condition(self) -> Val:
        """The condition in \\{y_i = k\\}, after an indicator."""
        opener = self.expect("\\{", "to open the condition")
        cond = self.expression()
        self.expect("\\}", "to close the indicator's '\\{'")
        if cond.kind != "cond":
            raise self.error("an indicator needs a condition like y_i = k", opener.pos)
        return cond

    def argument(self) -> Val:
        """A function's argument: (expression), {expression} or one factor (\\log f_k)."""
        if self.is_op("(", "{", "["):
            opener = self.advance()
            val = self.expression()
            self.expect(self.closing(opener.value), "to close the argument")
            return val
        return self.power()

    def braced_word(self) -> Token:
        """The single word inside {...} of \\mathbb{I}, \\hat{y}, \\mathrm{softmax}."""
        tok = self.tok
        if not self.is_op("{"):
            # TeX takes one character as an unbraced argument: \hat y, \mathbb 1.
            if tok.kind in ("name", "num") and len(tok.value) == 1:
                return self.advance()
            self.expect("{", "after the command")
        self.advance()
        tok = self.advance()
        if tok.kind not in ("name", "num", "run"):
            raise self.error("expected a letter or a name inside the braces", tok.pos)
        self.expect("}", "to close the braces")
        return tok

    def command(self, tok: Token, allow_subscript: bool) -> Val:
        name = tok.value
        if name in ("exp", "log", "ln", "sigma", "delta", "sum"):
            return self.word(Token("name", name, tok.pos), allow_subscript)
        self.advance()
        if name == "frac":
            num = self.frac_part()
            den = self.frac_part()
            return self.divide(num, den, tok.pos)
        if name in ("mathbb", "mathbf", "boldsymbol", "vec", "hat", "mathrm", "operatorname",
                    "text"):  # fmt: skip
            inner = self.braced_word()
            if inner.value in ("I", "1") and name in ("mathbb", "mathbf", "boldsymbol"):
                return self.indicator_argument(tok.pos)
            if name == "hat":
                if inner.value not in ("y", "p", "f"):
                    raise self.error("\\hat{...} is understood for y: \\hat{y}", inner.pos)
                return self.letter("yhat", tok.pos, allow_subscript)
            if name in ("mathbf", "boldsymbol", "vec") and inner.value in LETTERS:
                return self.letter(inner.value, tok.pos, allow_subscript)
            if name in ("mathrm", "operatorname", "text") and inner.kind in ("name", "run"):
                return self.word(Token("name", inner.value, tok.pos), allow_subscript, True)
            raise self.error(f"\\{name}{{{inner.value}}} is not understood", tok.pos)
        raise self.error(f"\\{name} is not understood here", tok.pos)

    def frac_part(self) -> Val:
        if self.is_op("{"):
            self.advance()
            val = self.expression()
            self.expect("}", "to close \\frac's braces")
            return val
        tok = self.tok
        if tok.kind == "num" and tok.value.isdigit() and len(tok.value) > 1:
            # TeX reads \frac12 as \frac{1}{2}: an unbraced argument is one character.
            first, rest = (
                Token("num", tok.value[0], tok.pos),
                Token("num", tok.value[1:], tok.pos + 1),
            )
            self.tokens[self.at : self.at + 1] = [first, rest]
            tok = first
        if tok.kind == "num" and len(tok.value) == 1:
            self.advance()
            return self.number(tok)
        if tok.kind == "name" and len(tok.value) == 1:
            return self.primary(allow_subscript=False)
        raise self.error("write \\frac{numerator}{denominator}")

    def word(self, tok: Token, allow_subscript: bool, advanced: bool = False) -> Val:
        name = tok.value
        if not advanced and (self.tok is tok or self.tok.value == name):
            self.advance()
        pos = tok.pos
        if name in ("exp", "log", "ln"):
            arg = self.require_scalar_or_vec(self.argument())
            if arg.kind != "num":
                raise self.error(f"{name} of a vector is not defined", pos)
            return Val(sp.exp(arg.expr) if name == "exp" else sp.log(arg.expr), "num", pos)
        if name in ("sigma", "sigmoid"):
            arg = self.argument()
            if arg.kind == "classes" and name == "sigma":
                return self.softmax_of(arg, pos)
            self.require_scalar_or_vec(arg)
            if arg.kind != "num":
                raise self.error("sigma of a vector is not defined", pos)
            return Val(1 / (1 + sp.exp(-arg.expr)), "num", pos)
        if name == "softmax":
            return self.softmax_of(self.argument(), pos)
        if name in ("onehot", "one_hot"):
            arg = self.argument()
            if not arg.label:
                raise self.error("onehot takes the label y: onehot(y)_k", pos)
            label = arg.expr
            return Val(kind="classes", pos=pos, component=lambda idx: sp.KroneckerDelta(label, idx))
        if name == "delta":
            return self.delta(pos)
        if name in ("I", "indicator"):
            return self.indicator_argument(pos)
        if name == "sum":
            return self.summation(pos)
        if name == "dot":
            self.expect("(", "after dot")
            u = self.require_scalar_or_vec(self.expression())
            self.expect(",", "between dot's two vectors")
            v = self.require_scalar_or_vec(self.expression())
            self.expect(")", "to close dot(")
            if u.kind != "vec" or v.kind != "vec":
                raise self.error("dot takes two vectors: dot(w_k, x_i)", pos)
            return Val(S.dot(u.expr, v.expr), "num", pos)
        if name in ("yhat", "y_hat"):
            return self.letter("yhat", pos, allow_subscript)
        if name in LETTERS:
            return self.letter(name, pos, allow_subscript)
        if name == "T":
            raise self.error("T is only understood as a transpose: w_k^T x_i", pos)
        raise AnswerSyntaxError(unknown_message(name), self.text, pos)

    def softmax_of(self, arg: Val, pos: int) -> Val:
        if self.family != "softmax" or not arg.logits:
            raise self.error("softmax takes the logit vector z: softmax(z)_k", pos)
        sample = arg.extra["sample"]
        return Val(kind="classes", pos=pos, component=lambda idx: S.f[sample, idx])

    def delta(self, pos: int) -> Val:
        if self.is_op("_"):
            self.advance()
            args = self.indices()
        elif self.is_op("("):
            self.advance()
            args = [self.index_expression()]
            self.expect(",", "between delta's two arguments")
            args.append(self.index_expression())
            self.expect(")", "to close delta(")
        else:
            raise self.error("write \\delta_{y_i k} or delta(y, k)", pos)
        if len(args) != 2:
            raise self.error(f"delta needs two indices; got {len(args)}", pos)
        if not all(is_index(arg) for arg in args):
            raise self.error("delta compares labels and indices, like delta(y_i, k)", pos)
        return Val(sp.KroneckerDelta(*args), "num", pos)

    def summation(self, pos: int) -> Val:
        """\\sum_{c=1}^{C} term, \\sum_c term, \\sum_i^m term, or sum(body, c)."""
        if self.is_op("("):  # plain text: sum(body, c)
            self.advance()
            body = self.sum_body(pos, plain=True)
            self.expect(",", "after the body of sum(body, c): the summation index")
            var = self.bound_variable()
            self.expect(")", "to close sum(")
            return self.make_sum(body, var, None, None, pos)
        lower = upper = None
        if not self.is_op("_"):
            raise self.error("a sum needs its index: \\sum_{c=1}^{C} or sum(body, c)", pos)
        self.advance()
        braced = self.is_op("{")
        if braced:
            self.advance()
        var = self.bound_variable()
        excluded = None
        if braced:
            if self.is_op("="):
                self.advance()
                lower = self.index_expression()
            elif self.is_op("!=") or self.is_cmd("neq", "ne"):  # the note's sum_{j != k}
                self.advance()
                excluded = self.index_expression()
            self.expect("}", "to close the sum's subscript")
        if self.is_op("^"):
            self.advance()
            if self.is_op("{"):
                self.advance()
                upper = self.index_expression()
                self.expect("}", "to close the sum's upper limit")
            else:
                upper = self.index_expression(single=True)
        body = self.sum_body(pos, plain=False)
        if excluded is not None:
            body = Val(body.expr * (1 - sp.KroneckerDelta(var, excluded)), body.kind, body.pos)
        return self.make_sum(body, var, lower, upper, pos)

    def bound_variable(self) -> sp.Symbol:
        tok = self.tok
        if tok.kind == "name" and tok.value in S.INDEX_SYMBOLS:
            self.advance()
            return S.INDEX_SYMBOLS[tok.value]
        raise self.error("a summation index is one of i (samples) or c, j, l, k (classes)")

    def sum_body(self, pos: int, plain: bool) -> Val:
        self.sum_depth += 1
        self.n_sums += 1
        if self.sum_depth > MAX_SUM_DEPTH or self.n_sums > MAX_SUMS:
            raise self.error(
                f"too many sums: at most {MAX_SUM_DEPTH} nested and {MAX_SUMS} in all", pos
            )
        body = self.expression() if plain else self.term()
        self.sum_depth -= 1
        return self.require_scalar_or_vec(body)

    def make_sum(self, body: Val, var, lower, upper, pos: int) -> Val:
        lower = sp.Integer(1) if lower is None else lower
        if upper is None:
            upper = S.m if var == S.i else S.C
        return Val(sp.Sum(body.expr, (var, lower, upper)), body.kind, pos)

    # ------------------------------------------------------------------ letters

    def letter(self, name: str, pos: int, allow_subscript: bool) -> Val:
        idx: list = []
        if allow_subscript and self.is_op("_"):
            self.advance()
            idx = self.indices()
        if name in S.INDEX_SYMBOLS or name in ("C", "m"):
            if idx:
                raise self.error(f"{name} takes no subscript", pos)
            sym = S.INDEX_SYMBOLS.get(name) or (S.C if name == "C" else S.m)
            return Val(sym, "num", pos)
        if name == "e":
            if idx:
                raise self.error("e takes no subscript; write e^{z_k}", pos)
            return Val(S.E, "num", pos)
        if name not in LETTERS and name != "yhat":
            raise AnswerSyntaxError(unknown_message(name), self.text, pos)
        if self.family == "softmax":
            return self.softmax_letter(name, idx, pos)
        return self.scalar_letter(name, idx, pos)

    def split_sample(self, name: str, idx: list, pos: int):
        """(sample, class) from a subscript list: _k, _i, _{i,k}."""
        if len(idx) == 0:
            return S.i, None
        if len(idx) == 1:
            return (S.i, None) if idx[0] == S.i else (S.i, idx[0])
        if len(idx) == 2 and idx[0] == S.i:
            return S.i, idx[1]
        raise self.error(f"{name} takes a class index (_k) or a sample and a class (_{{i,k}})", pos)

    def softmax_letter(self, name: str, idx: list, pos: int) -> Val:
        if name in ("z", "f", "p", "yhat"):
            base = S.z if name == "z" else S.f
            sample, cls = self.split_sample(name, idx, pos)
            if cls is None:
                extra = {"sample": sample, "sample_subscript": idx == [S.i]}
                return Val(kind="classes", pos=pos, component=lambda k: base[sample, k],
                           logits=name == "z", extra=extra)  # fmt: skip
            return Val(base[sample, cls], "num", pos)
        if name == "y":
            sample, cls = self.split_sample(name, idx, pos)
            if cls is None:
                return Val(S.y[sample], "num", pos, label=True)
            return Val(sp.KroneckerDelta(S.y[sample], cls), "num", pos)  # one-hot y_k
        if name == "x":
            if idx and idx != [S.i]:
                raise self.error("x is indexed by the sample: x_i", pos)
            return Val(S.x[S.i], "vec", pos)
        if name in ("w", "b"):
            if len(idx) != 1 or idx[0] == S.i:
                raise self.error(f"{name} needs a class index: {name}_k", pos)
            return Val(S.w[idx[0]], "vec", pos) if name == "w" else Val(S.b[idx[0]], "num", pos)
        raise AnswerSyntaxError(unknown_message(name), self.text, pos)

    def scalar_letter(self, name: str, idx: list, pos: int) -> Val:
        if name in ("w", "b"):
            if idx:
                raise self.error(f"{name} takes no subscript in {self.family} regression", pos)
            return Val(S.w_vec, "vec", pos) if name == "w" else Val(S.b_scalar, "num", pos)
        if idx and idx != [S.i]:
            raise self.error(
                f"in {self.family} regression {name} is one number per sample: {name} or {name}_i",
                pos,
            )
        if name == "x":
            return Val(S.x[S.i], "vec", pos)
        if name == "y":
            return Val(S.y[S.i], "num", pos, label=True)
        return Val((S.z if name == "z" else S.f)[S.i], "num", pos)


def unknown_message(word: str) -> str:
    suggestion = ""
    if len(word) == 2 and all(ch in LETTERS for ch in word):
        suggestion = f" (did you mean {word[0]}_{word[1]} or {word[0]}*{word[1]}?)"
    return f"unknown symbol {word}{suggestion}; known: {KNOWN_SYMBOLS}"
