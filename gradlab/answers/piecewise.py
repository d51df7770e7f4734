"""Piecewise answers: ``a if k == y_i else b`` and ``\\begin{cases} ... \\end{cases}``.

:class:`Piecewise` is mixed into the parser's grammar class (``parser._Parser``);
its rules are ``body``, ``piecewise``, ``cases`` and ``branch`` of ``grammar.ebnf``.
A piecewise answer becomes indicators: 𝕀(c)·a + (1 − 𝕀(c))·b. The branches'
conditions compare indices, and must cover every case: an ``otherwise`` branch,
or two conditions that are each other's opposite.
"""

from __future__ import annotations

from gradlab.answers.values import Val

__all__ = ["Piecewise"]


class Piecewise:
    """Mixin: the piecewise rules of the grammar."""

    def body(self) -> Val:
        """body = cases | piecewise ;"""
        if self.is_cmd("begin:cases"):
            return self.cases()
        if self.tok.kind == "cmd" and self.tok.value.startswith(("begin:", "end:")):
            env = self.tok.value.split(":", 1)[1]
            raise self.error(f"the environment {env} is not understood in an answer; "
                             "check_derivation reads aligned blocks")  # fmt: skip
        return self.piecewise()

    def piecewise(self) -> Val:
        """piecewise = expression [ "if" expression "else" expression ] ;"""
        val = self.expression()
        if not self.is_name("if"):
            return val
        pos = self.advance().pos
        cond = self.expression()
        if cond.kind != "cond":
            raise self.error("after 'if' a condition is wanted, like k == y_i", pos)
        if not self.is_name("else", "otherwise"):
            raise self.error("a piecewise answer needs 'else': a if k == y_i else b")
        self.advance()
        other = self.expression()
        return self.choose([(cond, val)], other, pos)

    def cases(self) -> Val:
        """cases = "\\begin{cases}" branch { "\\\\" branch } [ "\\\\" ] "\\end{cases}" ;"""
        pos = self.advance().pos
        branches, otherwise = [], None
        while True:
            value, cond = self.branch()
            if otherwise is not None:
                raise self.error("the 'otherwise' branch must come last", value.pos)
            if cond is None:
                otherwise = value
            else:
                branches.append((cond, value))
            if self.is_op("\\\\"):
                self.advance()
            if self.is_cmd("end:cases"):
                self.advance()
                break
            if self.tok.kind == "end":
                raise self.error("expected \\end{cases}")
        if otherwise is None:
            if len(branches) != 2 or not _complementary(branches[0][0], branches[1][0]):
                raise self.error(
                    "end the cases with an 'otherwise' branch, or give two branches whose "
                    "conditions are each other's opposite (k = y_i and k \\neq y_i)",
                    pos,
                )
            otherwise = branches.pop()[1]
        return self.choose(branches, otherwise, pos)

    def branch(self) -> tuple[Val, Val | None]:
        """branch = expression "&" ( "otherwise" | "else" | [ "if" ] expression ) [ "," | "." ] ;"""
        value = self.require_scalar_or_vec(self.expression())
        if self.is_op(",") and self.peek().kind == "op" and self.peek().value == "&":
            self.advance()  # f_k - 1, & k = y_i
        self.expect("&", "between a branch's value and its condition")
        cond = None
        if self.is_cmd("text"):
            word = self.prose()
            if word in ("otherwise", "else"):
                cond = "otherwise"
            elif word not in ("if", "for", "when"):
                raise self.error("expected \\text{if} or \\text{otherwise}")
        elif self.is_name("otherwise", "else"):
            self.advance()
            cond = "otherwise"
        elif self.is_name("if"):
            self.advance()
        if cond is None:
            cond = self.expression()
            if cond.kind != "cond":
                raise self.error("a branch's condition compares indices, like k = y_i", cond.pos)
        if self.is_op(",", "."):
            self.advance()
        return value, None if cond == "otherwise" else cond

    def prose(self) -> str:
        """The word of \\text{if }, \\text{otherwise.}: punctuation and spaces dropped."""
        self.advance()
        self.expect("{", "after \\text")
        words = []
        while not self.is_op("}"):
            tok = self.advance()
            if tok.kind == "end":
                raise self.error("expected '}' to close \\text{...}")
            if tok.kind == "name":
                words.append(tok.value)
            elif not (tok.kind == "op" and tok.value in (",", ".")):
                raise self.error("expected \\text{if} or \\text{otherwise}", tok.pos)
        self.advance()
        return " ".join(words)

    def choose(self, branches: list, otherwise: Val, pos: int) -> Val:
        """The piecewise value: the first branch whose condition holds, else ``otherwise``."""
        kinds = {value.kind for _, value in branches} | {otherwise.kind}
        if len(kinds) != 1:
            raise self.error("the branches of a piecewise answer must all be numbers", pos)
        expr = otherwise.expr
        for cond, value in reversed(branches):
            holds = self.make_indicator(cond, pos).expr
            expr = holds * value.expr + (1 - holds) * expr
        return Val(expr, otherwise.kind, pos)


def _complementary(a: Val, b: Val) -> bool:
    (l1, op1, r1), (l2, op2, r2) = a.cond, b.cond
    return op1 != op2 and {l1, r1} == {l2, r2}
