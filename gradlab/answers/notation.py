"""What each word, LaTeX command and letter of the vocabulary builds.

:class:`Notation` is mixed into the parser's grammar class (``parser._Parser``),
which provides the token helpers and ``expression``/``term``/``power``. Here
are the grammar rules with a meaning of their own (``word``, ``function``,
``summation``, ``delta``, ``indicator``, ``command``; see ``grammar.ebnf``);
the letters, vectors and matrices are in ``quantities.py``.
"""

from __future__ import annotations

import sympy as sp

from gradlab.answers import matrix as M
from gradlab.answers import symbols as S
from gradlab.answers.lexer import AnswerSyntaxError, Token
from gradlab.answers.network import NETWORK_LETTERS
from gradlab.answers.profiles import unknown_message
from gradlab.answers.values import Val, classes, is_index
from gradlab.answers.vocabulary import LETTERS

__all__ = ["Notation", "Val", "is_index", "unknown_message"]

MAX_SUM_DEPTH = 3  # sum_i sum_c is the deepest a gradient needs; bounds the evaluation work
MAX_SUMS = 12


class Notation:
    """Mixin: the vocabulary's meaning, for the grammar in ``parser._Parser``."""

    def make_indicator(self, cond: Val, pos: int) -> Val:
        lhs, op, rhs = cond.cond
        if op == ">":  # 𝕀(a > 0), relu's derivative: the evaluator reads Heaviside(a, 0)
            return Val(sp.Heaviside(lhs - rhs, 0), "num", pos)
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
        if self.activation_follows(tok):
            return self.activation(tok)
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
            if name == "hat" and inner.value == "Y":
                return Val(kind="mat", pos=tok.pos, extra={"mat": self.matrix_letter("F", tok.pos)})
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
        if self.family == "mlp" and name in NETWORK_LETTERS:
            return self.layer_letter(name, pos, allow_subscript)
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
            return classes(lambda idx: sp.KroneckerDelta(label, idx), pos, name="onehot(y)")
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
            return classes(lambda idx: apply(comp(idx)), pos, arg.extra.get("sample", S.i),
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

    # ------------------------------------------------------------------ matrices

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
        """indices = index_char | "{" expression { [ "," ] expression } "}" ;"""
        if not self.is_op("{"):
            return [self.index_char()]
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

    def index_char(self) -> sp.Expr:
        """index_char = DIGIT | NAME ;"""
        tok = self.tok
        if tok.kind == "name" and len(tok.value) == 1:
            return self.primary(allow_subscript=False).expr
        if tok.kind == "num" and len(tok.value) == 1:
            self.advance()
            return sp.Integer(int(tok.value))
        raise self.error("write a subscript of more than one character in braces: _{jk}")
