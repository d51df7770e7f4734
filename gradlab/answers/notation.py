"""What each word, LaTeX command and letter of the vocabulary builds.

:class:`Notation` is mixed into the parser's grammar class (``parser._Parser``),
which provides the token helpers and ``expression``/``term``/``power``. Here
are the grammar rules with a meaning of their own (``word``, ``letter``,
``application``, ``function``, ``summation``, ``delta``, ``indicator``,
``command``; see ``grammar.ebnf``) and the letters whose meaning depends on the
model family.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from gradlab.answers import matrix as M
from gradlab.answers import symbols as S
from gradlab.answers.lexer import AnswerSyntaxError, Token
from gradlab.answers.profiles import MATRICES, unknown_message
from gradlab.answers.vocabulary import LETTERS

__all__ = ["Notation", "Val", "is_index", "unknown_message"]

MAX_SUM_DEPTH = 3  # sum_i sum_c is the deepest a gradient needs; bounds the evaluation work
MAX_SUMS = 12
PREDICTIONS = ("f", "p", "yhat")  # letters that can be applied to x: f(x_i), p_k(x_i)
ARGUMENT_LETTERS = {"x", "z", "y", "i", "j", "k", "c", "l"}  # what f(...) may be applied to
MAX_ARGUMENT_TOKENS = 20


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


def _classes(component: Callable, pos: int, sample=S.i, **flags) -> Val:
    return Val(kind="classes", pos=pos, component=component, extra={"sample": sample, **flags})


class Notation:
    """Mixin: the vocabulary's meaning, for the grammar in ``parser._Parser``."""

    def make_indicator(self, cond: Val, pos: int) -> Val:
        lhs, op, rhs = cond.cond
        delta = sp.KroneckerDelta(lhs, rhs)
        return Val(delta if op == "=" else 1 - delta, "num", pos)

    def indicator(self, pos: int) -> Val:
        """indicator = [ "_" ] ( "(" expression ")" | "[" expression "]" | "{" expression "}" | "\\{" expression "\\}" ) ;"""
        if self.is_op("_"):
            self.advance()
            if not self.is_op("{"):
                raise self.error("write the condition in braces: \\mathbb{I}_{y_i = k}")
        if not self.is_op("(", "[", "{", "\\{"):
            raise self.error("an indicator needs a condition: \\mathbb{I}(y_i = k)")
        if self.is_op("\\{"):
            return self.make_indicator(self.set_condition(), pos)
        opener = self.advance()
        if opener.value == "{" and self.is_op("\\{"):  # \mathbb{I}_{\{y_i = k\}}
            cond = self.set_condition()
        else:
            cond = self.expression()
        self.expect(self.closing(opener.value), f"to close the indicator's {opener.value!r}")
        if cond.kind != "cond":
            raise self.error("an indicator needs a condition like y_i = k", opener.pos)
        return self.make_indicator(cond, pos)

    def set_condition(self) -> Val:
        """The condition in \\{y_i = k\\}, after an indicator."""
        opener = self.expect("\\{", "to open the condition")
        cond = self.expression()
        self.expect("\\}", "to close the indicator's '\\{'")
        if cond.kind != "cond":
            raise self.error("an indicator needs a condition like y_i = k", opener.pos)
        return cond

    def argument(self) -> Val:
        """argument = "(" expression ")" | "{" expression "}" | power ;"""
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
        """command = "\\frac" frac_part frac_part | ( "\\mathbb" | "\\mathbf" | ... ) braced_word | "\\exp" | ... ;"""
        name = tok.value
        if name in ("exp", "log", "ln", "sigma", "delta", "sum"):
            return self.word(Token("name", name, tok.pos), allow_subscript)
        if name in ("theta", "phi", "partial"):
            if name == "partial":
                raise self.error(
                    "∂ is understood in a left-hand side (\\frac{\\partial J}{\\partial z_k} = ...) "
                    "and, in check_derivation, for ∂f_j/∂z_k"
                )
            raise AnswerSyntaxError(unknown_message(name), self.text, tok.pos)
        self.advance()
        if name == "frac":
            if self.derivative_follows():
                return self.known_derivative(tok.pos)
            num = self.frac_part()
            den = self.frac_part()
            return self.divide(num, den, tok.pos)
        if name in ("mathbb", "mathbf", "boldsymbol", "vec", "hat", "mathrm", "operatorname",
                    "text"):  # fmt: skip
            inner = self.braced_word()
            bold = name in ("mathbf", "boldsymbol", "vec")
            if inner.value in ("I", "1") and (name == "mathbb" or bold):
                if (
                    name != "mathbb"
                    and inner.value == "1"
                    and not self.is_op("(", "[", "{", "\\{", "_")
                ):
                    return self.ones(tok.pos)  # \mathbf{1}^\top: the vector of ones
                return self.indicator(tok.pos)
            if name == "hat":
                if inner.value not in ("y", "p", "f"):
                    raise self.error("\\hat{...} is understood for y: \\hat{y}", inner.pos)
                return self.letter("yhat", tok.pos, allow_subscript)
            if bold and inner.value in LETTERS:
                return self.letter(inner.value, tok.pos, allow_subscript, bold=True)
            if name in ("mathrm", "operatorname", "text") and inner.kind in ("name", "run"):
                return self.word(Token("name", inner.value, tok.pos), allow_subscript, True)
            raise self.error(f"\\{name}{{{inner.value}}} is not understood", tok.pos)
        raise self.error(f"\\{name} is not understood here", tok.pos)

    def frac_part(self) -> Val:
        """frac_part = "{" expression "}" | DIGIT | NAME ;"""
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
        """word = letter | function | "sum" summation | "delta" delta | ( "I" | "indicator" ) indicator | "dot" "(" expression "," expression ")" ;"""
        name = tok.value
        if not advanced and (self.tok is tok or self.tok.value == name):
            self.advance()
        pos = tok.pos
        if name in ("exp", "log", "ln", "sigma", "sigmoid", "softmax", "onehot", "one_hot", "diag"):
            return self.function(name, pos)
        if name == "delta":
            return self.delta(pos)
        if name in ("I", "indicator"):
            return self.indicator(pos)
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
            return Val(self.inner(u.expr, v.expr), "num", pos)
        if name in ("yhat", "y_hat"):
            return self.letter("yhat", pos, allow_subscript)
        if name in LETTERS:
            return self.letter(name, pos, allow_subscript)
        if name == "T":
            raise self.error("T is only understood as a transpose: w_k^T x_i", pos)
        if name in ("if", "else", "otherwise"):
            raise self.error(f"'{name}' is only understood in a piecewise answer: "
                             "a if k == y_i else b", pos)  # fmt: skip
        raise AnswerSyntaxError(unknown_message(name), self.text, pos)

    def function(self, name: str, pos: int) -> Val:
        """function = ( "exp" | "log" | "ln" | "sigma" | "sigmoid" | "softmax" | "onehot" | "diag" ) argument ;"""
        arg = self.argument()
        if name == "softmax" or (name == "sigma" and arg.kind == "classes" and arg.logits):
            return self.softmax_of(arg, pos)
        if name in ("onehot", "one_hot"):
            if not arg.label:
                raise self.error("onehot takes the label y: onehot(y)_k", pos)
            label = arg.expr
            return _classes(lambda idx: sp.KroneckerDelta(label, idx), pos, name="onehot(y)")
        if name == "diag":
            if arg.kind not in ("classes", "mat"):
                raise self.error("diag takes a vector: diag(f)", pos)
            return self.matrix_call(M.diag, pos, self.as_mat(arg))
        apply = {"exp": sp.exp, "log": sp.log, "ln": sp.log}.get(name)
        if apply is None:
            apply = lambda v: 1 / (1 + sp.exp(-v))
        if arg.kind == "classes":
            comp = arg.component
            inner = arg.extra.get("name", "v")
            return _classes(lambda idx: apply(comp(idx)), pos, arg.extra.get("sample", S.i),
                            name=f"{name}({inner})")  # fmt: skip
        if arg.kind == "mat" and arg.extra.get("logits") and name != "exp":
            raise self.error(
                f"{name}(Z) of the logit matrix is ambiguous (entry by entry, or the softmax of "
                "each row?): write softmax(Z) or F",
                pos,
            )
        if arg.kind == "mat":
            shown = {"ln": "log", "sigmoid": "σ", "sigma": "σ"}.get(name, name)
            return self.matrix_call(M.elementwise, pos, arg.extra["mat"], apply, shown)
        self.require_scalar_or_vec(arg)
        if arg.kind != "num":
            raise self.error(f"{name} of a vector is not defined", pos)
        return Val(apply(arg.expr), "num", pos)

    def matrix_call(self, op, pos: int, *args) -> Val:
        try:
            return Val(kind="mat", pos=pos, extra={"mat": op(*args)})
        except M.ShapeError as exc:
            raise self.error(str(exc), pos) from None

    def softmax_of(self, arg: Val, pos: int) -> Val:
        if arg.kind == "mat" and arg.extra.get("logits"):
            return Val(kind="mat", pos=pos, extra={"mat": self.matrix_letter("F", pos)})
        if self.family != "softmax" or not arg.logits:
            raise self.error("softmax takes the logit vector z: softmax(z)_k", pos)
        sample = arg.extra["sample"]
        return _classes(lambda idx: S.f[sample, idx], pos, sample, name="softmax(z)")

    def delta(self, pos: int) -> Val:
        """delta = "_" indices | "(" expression "," expression ")" ;"""
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
        """summation = "_" ( NAME | "{" NAME [ ( "=" | "\\neq" ) expression ] "}" ) [ "^" indices ] term | "(" expression [ "," NAME ] ")" ;"""
        if self.is_op("("):  # plain text: sum(body, c), or NumPy's sum(v)
            self.advance()
            body = self.sum_body(pos, plain=True)
            if self.is_op(")") and body.kind in ("classes", "mat"):
                self.advance()
                return self.matrix_total(body, pos)
            self.require_scalar_or_vec(body)
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
        if braced and self.is_cmd("substack"):
            return self.stacked_sum(pos)
        var = self.bound_variable()
        excluded = None
        if braced:
            if self.is_op("="):
                self.advance()
                lower = self.index_expression()
            elif self.is_op("!=") or self.is_cmd("neq"):  # the note's sum_{j != k}
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
        body = self.require_scalar_or_vec(self.sum_body(pos, plain=False))
        if excluded is not None:
            body = Val(body.expr * (1 - sp.KroneckerDelta(var, excluded)), body.kind, body.pos)
        if self.derivation and lower is not None and lower.free_symbols and lower != S.i:
            # The note's shorthand: \sum_{j=k}^C beside \sum_{j \neq k} is the j = k term.
            return Val(body.expr.subs(var, lower), body.kind, pos)
        return self.make_sum(body, var, lower, upper, pos)

    def stacked_sum(self, pos: int) -> Val:
        """stacked_sum = "\\substack" "{" expression "\\leq" NAME "\\leq" expression { ... } "}" "}" term ;

        SymPy's own LaTeX: \\sum_{\\substack{1 \\leq c \\leq C\\\\1 \\leq i \\leq m}} body.
        """
        self.advance()
        self.expect("{", "after \\substack")
        limits = []
        while True:
            lower = self.index_expression()
            if not self.is_cmd("leq"):
                raise self.error("write each range as 1 \\leq c \\leq C")
            self.advance()
            var = self.bound_variable()
            if not self.is_cmd("leq"):
                raise self.error("write each range as 1 \\leq c \\leq C")
            self.advance()
            limits.append((var, lower, self.index_expression()))
            if not self.is_op("\\\\"):
                break
            self.advance()
        self.expect("}", "to close \\substack")
        self.expect("}", "to close the sum's subscript")
        self.n_sums += len(limits) - 1
        body = self.require_scalar_or_vec(self.sum_body(pos, plain=False))
        return Val(sp.Sum(body.expr, *limits), body.kind, pos)

    def matrix_total(self, body: Val, pos: int) -> Val:
        try:
            return Val(M.total(self.as_mat(body)), "num", pos)
        except M.ShapeError as exc:
            raise self.error(str(exc), pos) from None

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
        return body

    def make_sum(self, body: Val, var, lower, upper, pos: int) -> Val:
        lower = sp.Integer(1) if lower is None else lower
        if upper is None:
            upper = S.m if var == S.i else S.C
        return Val(sp.Sum(body.expr, (var, lower, upper)), body.kind, pos)

    # ------------------------------------------------------------------ letters

    def letter(self, name: str, pos: int, allow_subscript: bool, bold: bool = False) -> Val:
        """letter = NAME [ "_" indices ] [ "^" sample ] [ application ] ;   (* f_k(x_i), x_j^{(i)} *)"""
        if name in ("X", "W", "F", "P", "Y", "Z"):
            return Val(kind="mat", pos=pos, extra={"mat": self.matrix_letter(name, pos),
                                                   "logits": name == "Z"})  # fmt: skip
        idx: list = []
        sample = None
        params = None
        while allow_subscript:
            if self.is_op("_") and not idx and params is None:
                self.advance()
                if name in PREDICTIONS and self.parameters_follow():
                    params = self.parameters()
                else:
                    idx = self.indices()
            elif self.is_op("^") and sample is None and self.sample_after_caret():
                sample = S.i
            else:
                break
        if name in S.INDEX_SYMBOLS or name in ("C", "m"):
            if idx or sample:
                raise self.error(f"{name} takes no subscript", pos)
            sym = S.INDEX_SYMBOLS.get(name) or (S.C if name == "C" else S.m)
            return Val(sym, "num", pos)
        if name == "e":
            if idx:
                raise self.error("e takes no subscript; write e^{z_k}", pos)
            return Val(S.E, "num", pos)
        if name not in LETTERS and name != "yhat":
            raise AnswerSyntaxError(unknown_message(name), self.text, pos)
        if sample is not None:
            idx = self.with_sample(name, idx, pos)
        if params is not None:
            idx = params
        if name in PREDICTIONS and self.is_op("(") and allow_subscript:
            applied = self.application(idx, pos)
            if applied is not None:
                return applied
        if params is not None:
            raise self.error(f"{name}_{{w, b}} needs its input: {name}_{{w_k, b_k}}(x_i)", pos)
        if self.family == "softmax":
            return self.softmax_letter(name, idx, pos, bold)
        return self.scalar_letter(name, idx, pos)

    def sample_after_caret(self) -> bool:
        mark = self.mark()
        self.advance()
        if self.sample():
            return True
        self.reset(mark)
        return False

    def with_sample(self, name: str, idx: list, pos: int) -> list:
        """x^{(i)}, y^{(i)}, f_k^{(i)}; x_j^{(i)} is feature j of sample i."""
        if name == "x" and idx and idx != [S.i]:
            if len(idx) != 1 or not isinstance(idx[0], sp.Symbol):
                raise self.error("x_j^{(i)} takes one feature index j", pos)
            self.feature = idx[0]
            return [S.i]
        if S.i in idx:
            raise self.error(f"{name} has the sample twice: as a subscript and as ^{{(i)}}", pos)
        return [S.i, *idx] if idx else [S.i]

    def parameters_follow(self) -> bool:
        """f_{w_k, b_k}(x_i), h_θ(x): a subscript naming the parameters, not an index."""
        ahead = [self.peek(n) for n in range(3)]
        first = ahead[1] if ahead[0].kind == "op" and ahead[0].value == "{" else ahead[0]
        if first.kind == "cmd" and first.value in ("mathbf", "boldsymbol", "vec"):
            first = ahead[2] if ahead[0].kind != "op" else self.peek(3)
        return first.kind == "name" and first.value in ("w", "W")

    def parameters(self) -> list:
        """The class index of f_{w_k, b_k}: the subscript of w (none in logistic regression)."""
        if not self.is_op("{"):
            self.advance()  # h_θ: one letter
            return []
        depth, found = 0, []
        while True:
            tok = self.advance()
            if tok.kind == "end":
                raise self.error("expected '}' to close the parameters")
            if tok.kind == "op" and tok.value == "{":
                depth += 1
            elif tok.kind == "op" and tok.value == "}":
                depth -= 1
                if depth == 0:
                    return found[:1]
            elif tok.kind == "op" and tok.value == "_" and self.tok.kind == "name":
                index = self.tok.value
                if index in S.INDEX_SYMBOLS:
                    found.append(S.INDEX_SYMBOLS[index])
            elif tok.kind == "name" and tok.value not in ("w", "b", "W", *S.INDEX_SYMBOLS):
                raise self.error(f"{tok.value} is not a parameter: f_{{w_k, b_k}}(x_i)", tok.pos)

    def application(self, idx: list, pos: int) -> Val | None:
        """application = "(" ( "x" | "z" | "x_i" | "x^{(i)}" | "y" "=" index "|" "x" ) ")" ;  (* never a product *)"""
        if not self.short_argument_follows():
            return None  # f_k(1 - f_k): a product, decided without parsing twice
        mark = self.mark()
        self.advance()
        try:
            arg = self.expression()
            given = None
            if arg.kind == "cond" and self.is_op("|"):
                self.advance()  # p(y = k | x_i): the probability of class k
                given = arg
                arg = self.expression()
            self.expect(")", "to close the argument")
        except AnswerSyntaxError:
            self.reset(mark)
            return None
        is_x = arg.kind == "vec" and isinstance(arg.expr, sp.Indexed) and arg.expr.base == S.x
        if not (is_x or arg.logits):
            self.reset(mark)
            return None  # f_k(1 - f_k) is a product
        sample = arg.expr.indices[0] if is_x else arg.extra.get("sample", S.i)
        if given is not None:
            lhs, op, rhs = given.cond
            label = lhs if rhs == S.y[S.i] or lhs != S.y[S.i] else rhs
            if op != "=" or S.y[S.i] not in (lhs, rhs) or label == S.y[S.i]:
                raise self.error("write the class probability as p(y = k | x_i)", pos)
            idx = [label]
        if self.family != "softmax":
            if idx:
                raise self.error("f(x_i) is one number in this model: no class subscript", pos)
            return Val(S.f[sample], "num", pos)
        if idx and idx[0] != sample:
            return Val(S.f[sample, idx[-1]], "num", pos)
        return _classes(lambda k: S.f[sample, k], pos, sample, name="f(x)")

    def short_argument_follows(self) -> bool:
        """Whether (...) holds only an input's letters: x_i, \\mathbf{x}, z, y = k | x^{(i)}.

        Checked on the tokens, so that a product such as f_k(1 - f_k) is never parsed
        twice (nested brackets would make that exponential).
        """
        depth = 0
        for n in range(MAX_ARGUMENT_TOKENS):
            tok = self.peek(n)
            if tok.kind == "op" and tok.value in ("(", "{"):
                depth += 1
            elif tok.kind == "op" and tok.value in (")", "}"):
                depth -= 1
                if depth == 0:
                    return True
            elif not _argument_token(tok):
                return False
        return False

    def softmax_letter(self, name: str, idx: list, pos: int, bold: bool = False) -> Val:
        if name in ("z", "f", "p", "yhat"):
            base = S.z if name == "z" else S.f
            sample, cls = self.split_sample(name, idx, pos)
            if cls is None:
                val = _classes(lambda k: base[sample, k], pos, sample, name=name.replace("yhat", "ŷ"),
                               sample_subscript=idx == [S.i])  # fmt: skip
                val.logits = name == "z"
                return val
            return Val(base[sample, cls], "num", pos)
        if name == "y":
            sample, cls = self.split_sample(name, idx, pos)
            if cls is None and bold:  # \mathbf{y}: the one-hot vector
                return _classes(lambda k: sp.KroneckerDelta(S.y[sample], k), pos, sample, name="y")
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

    def split_sample(self, name: str, idx: list, pos: int):
        """(sample, class) from a subscript list: _k, _i, _{i,k}."""
        if len(idx) == 0:
            return S.i, None
        if len(idx) == 1:
            return (S.i, None) if idx[0] == S.i else (S.i, idx[0])
        if len(idx) == 2 and idx[0] == S.i:
            return S.i, idx[1]
        raise self.error(f"{name} takes a class index (_k) or a sample and a class (_{{i,k}})", pos)

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

    # ------------------------------------------------------------------ matrices

    def matrix_letter(self, name: str, pos: int) -> M.Mat:
        rows, cols = self.profile.shape(name)
        if self.family == "softmax":
            entries = {
                "X": lambda i, a: S.x[i],
                "W": lambda a, k: S.w[k],
                "F": lambda i, k: S.f[i, k],
                "P": lambda i, k: S.f[i, k],
                "Y": lambda i, k: sp.KroneckerDelta(S.y[i], k),
                "Z": lambda i, k: S.z[i, k],
            }[name]
        else:
            # One number per sample: F, Y, Z are m×1 (1×m with samples in columns).
            if name == "W":
                raise self.error("W is a matrix of softmax regression; here w is a vector", pos)
            entries = {
                "X": lambda i, a: S.x[i],
                "F": lambda i, a: S.f[i],
                "P": lambda i, a: S.f[i],
                "Y": lambda i, a: S.y[i],
                "Z": lambda i, a: S.z[i],
            }[name]
            rows, cols = ("1" if axis == "C" else axis for axis in (rows, cols))
        if self.profile.shape(name) != MATRICES[name]:
            entries = _swapped(entries)  # samples in columns (deeplearning.ai)
        typed = re.match(r"[A-Za-z]+", self.text[pos:])
        return M.Mat(rows, cols, entries, typed.group(0) if typed else name)

    def known_gradient(self, tok: Token) -> Val:
        """dZ (dz, CS231n's dscores) inside an answer: the gradient by the logits, F − Y.

        deeplearning.ai writes dZ = A − Y and then dW = dZ Xᵀ / m; CS231n's dscores
        already holds the 1/N of the mean loss (``Profile.dz_of_mean``).
        """
        self.advance()
        name = self.tok
        if not (name.kind == "name" and name.value in ("z", "Z")):
            raise self.error(
                "a derivative's name (dJ, dz) is only understood on the left of '=': "
                "dJ/dz_k = ..., or as dZ inside a matrix answer",
                tok.pos,
            )
        self.advance()
        self.reuses = "dz"
        typed = re.match(r"[A-Za-z]+", self.text[tok.pos :])
        f, y = self.matrix_letter("F", tok.pos), self.matrix_letter("Y", tok.pos)
        mat = M.add(f, y, -1)
        if self.profile.dz_of_mean:
            mat = M.scale(mat, S.m, divide=True)
        shown = typed.group(0) if typed else "dZ"
        return Val(kind="mat", pos=tok.pos,
                   extra={"mat": M.Mat(mat.rows, mat.cols, mat.entry, shown)})  # fmt: skip

    def ones(self, pos: int) -> Val:
        """\\mathbf{1}: a column of ones; its length is the samples' (1ᵀ(F − Y) sums over i)."""
        return Val(kind="mat", pos=pos, extra={"mat": M.Mat("m", "1", lambda r, c: 1, "1")})

    def as_mat(self, val: Val) -> M.Mat:
        if val.kind == "mat":
            return val.extra["mat"]
        if val.kind == "classes":
            name = val.extra.get("name", "v")
            return M.Mat("C", "1", lambda r, c: val.component(r), name, " " in name)
        if val.kind in ("vec", "vecT") and val.expr == S.w_vec:  # X w: w as a d×1 column
            column = M.Mat("d", "1", lambda r, c: S.w_vec, "w")
            return M.transpose(column) if val.kind == "vecT" else column
        raise self.error("a matrix or a vector is wanted here", val.pos)


def _argument_token(tok: Token) -> bool:
    if tok.kind == "name":
        return tok.value in ARGUMENT_LETTERS
    if tok.kind == "cmd":
        return tok.value in ("mathbf", "boldsymbol", "vec")
    return tok.kind == "op" and tok.value in ("_", "^", "=", "==", "|", ",")


def _swapped(get: Callable) -> Callable:
    return lambda r, c: get(c, r)
