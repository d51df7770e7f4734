"""A derivative's name: a typed left-hand side, and ∂f_j/∂z_k inside a derivation.

``\\frac{\\partial J}{\\partial z_k} = ...``, ``dJ/dz_k = ...``, ``∂J_i/∂z_k = ...``
and deeplearning.ai's ``dz = ...`` name the derivative the answer is for; the
reading (``reading.py``) accepts them when they name the topic's derivative and
refuses them with a clear message otherwise. Inside a derivation
(:func:`gradlab.check_derivation`) the derivatives of known quantities have a
value: ∂f_j/∂z_k = f_j(δ_jk − f_k), ∂z_j/∂w_k = δ_jk x_i.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from gradlab.answers import symbols as S
from gradlab.answers.values import Val

__all__ = ["TOPIC_OF", "Derivative", "LeftHandSide"]

LOSSES = {"J", "L", "E", "l", "loss"}

# (family, what is differentiated, by what) -> topic
TOPIC_OF = {
    ("softmax", "J", "z"): "softmax_dz",
    ("softmax", "J", "w"): "softmax_dw",
    ("softmax", "J", "W"): "softmax_dw",
    ("softmax", "J", "b"): "softmax_db",
    ("softmax", "f", "z"): "softmax_jacobian",
    ("logistic", "J", "z"): "logistic_dz",
    ("logistic", "J", "w"): "logistic_dw",
    ("linear", "J", "w"): "linear_dw",
}
# The network's index-form topics ("mlp"), by what J_i is differentiated by: ∂J_i/∂z¹_j is
# the topic of every φ (mlp_dz1, and mlp_dz1_relu, _tanh, _sigmoid), ∂J_i/∂W¹_lj the whole chain too.
NETWORK_TOPICS_OF = {
    "W²": ("mlp_dw2",),
    "h": ("mlp_dh",),
    "z¹": ("mlp_dz1", "mlp_dz1_relu", "mlp_dz1_tanh", "mlp_dz1_sigmoid"),
    "b¹": ("mlp_db1",),
    "W¹": ("mlp_dw1", "mlp_backprop"),
}


@dataclass(frozen=True)
class Derivative:
    """∂top_{top_idx}/∂by_{by_idx}, as typed (letters after the notation's renaming)."""

    top: str
    top_idx: tuple
    by: str
    by_idx: tuple
    pos: int

    @property
    def text(self) -> str:
        def sub(name, idx):
            return name + ("_" + "".join(idx) if idx else "")

        return f"∂{sub(self.top, self.top_idx)}/∂{sub(self.by, self.by_idx)}"

    def topic(self, family: str, wanted: str = "") -> str | None:
        """The topic this names; in the network the wanted one when it names that one."""
        if family == "mlp":
            named = NETWORK_TOPICS_OF.get(self.by, ()) if self.top == "J" else ()
            return wanted if wanted in named else next(iter(named), None)
        return TOPIC_OF.get((family, self.top, self.by))


class LeftHandSide:
    """Mixin for ``parser._Parser``: the rules lhs, dnumerator and ddenominator."""

    def lhs(self) -> Derivative | None:
        """lhs = "\\frac" "{" dnumerator "}" "{" ddenominator "}" | dnumerator "/" ddenominator | DIFF NAME | "\\nabla" "_" quantity quantity ;"""
        pos = self.tok.pos
        if self.is_cmd("frac"):
            self.advance()
            self.expect("{", "")
            top = self.dnumerator()
            self.expect("}", "")
            self.expect("{", "")
            by = self.ddenominator()
            self.expect("}", "")
            return Derivative(*top, *by, pos)
        if self.is_cmd("nabla"):  # \nabla_{w_k} J
            self.advance()
            self.expect("_", "after \\nabla")
            braced = self.is_op("{")
            if braced:
                self.advance()
            by = self.quantity()
            if braced:
                self.expect("}", "to close \\nabla's subscript")
            top = self.quantity()
            return Derivative("J" if top[0] in LOSSES else top[0], top[1], *by, pos)
        if self.tok.kind == "diff" and self.peek(2).kind == "op" and self.peek(2).value == "=":
            self.advance()  # deeplearning.ai's dz, dw, db; CS231n's dW
            name = self.advance().value
            return Derivative("J", (), name, (), pos)
        top = self.dnumerator()
        if not self.is_op("/"):
            return None
        self.advance()
        by = self.ddenominator()
        return Derivative(*top, *by, pos)

    def dnumerator(self) -> tuple:
        """dnumerator = ( "\\partial" | DIFF | "d" ) quantity ;"""
        self.differential()
        name, idx = self.quantity()
        name = "J" if name in LOSSES else name
        return ("f" if name in ("p", "yhat") else name), idx

    def ddenominator(self) -> tuple:
        """ddenominator = ( "\\partial" | DIFF | "d" ) quantity ;"""
        self.differential()
        return self.quantity()

    def differential(self) -> None:
        if self.is_cmd("partial") or self.tok.kind == "diff" or self.is_name("d"):
            self.advance()
            return
        raise self.error("expected ∂ or d")

    def quantity(self) -> tuple:
        """quantity = [ "\\mathbf" | "\\boldsymbol" | "\\vec" | "\\mathcal" | "\\mathrm" ] NAME [ "^" layer ] [ "_" ( NAME | "{" NAME { [ "," ] NAME } "}" ) ] [ "^" layer ] | "\\ell" ;

        A letter with its subscripts, bold or not: J_i, z_k, \\mathbf{w}_k, W, \\ell.
        """
        if self.is_cmd("mathbf", "boldsymbol", "vec", "mathcal", "mathrm"):
            self.advance()
            name = self.braced_word().value
        elif self.is_cmd("ell"):
            self.advance()
            name = "l"
        elif self.tok.kind == "name":
            name = self.advance().value
        else:
            raise self.error("expected the name of a quantity")
        name = self.layered(name, bracketed_only=False)
        idx = []
        if self.is_op("_"):
            self.advance()
            if self.is_op("{"):
                self.advance()
                while not self.is_op("}"):
                    tok = self.advance()
                    if tok.kind == "end":
                        raise self.error("expected '}'")
                    if tok.kind in ("name", "num", "run"):
                        idx.append(tok.value)
                self.advance()
            else:
                idx.append(self.advance().value)
        return self.layered(name, bracketed_only=True), tuple(idx)

    def layered(self, name: str, bracketed_only: bool) -> str:
        """W^2, z^{(1)}: in the network a layer names the quantity (W², z¹)."""
        if self.family != "mlp" or name not in ("W", "z", "b") or not self.is_op("^"):
            return name
        mark = self.mark()
        self.advance()
        layer = self.layer(bracketed_only)
        if layer is None:
            self.reset(mark)
            return name
        return name + "¹²"[layer - 1]

    # --------------------------------------------------------------- in a derivation

    def derivative_follows(self) -> bool:
        """Whether \\frac{∂...}{∂...} follows (the \\frac is already consumed)."""
        inner = self.peek()
        return self.is_op("{") and (
            (inner.kind == "cmd" and inner.value == "partial") or inner.kind == "diff"
        )

    def known_derivative(self, pos: int):
        """The value of ∂f_j/∂z_k (or ∂z_j/∂w_k, ∂J_i/∂z_k) written inside a derivation's line."""
        self.expect("{", "")
        self.differential()
        top = self.operand()
        self.expect("}", "to close the derivative's numerator")
        self.expect("{", "to open the derivative's denominator")
        self.differential()
        by = self.operand()
        self.expect("}", "to close the derivative's denominator")
        if not self.derivation:
            raise self.error(
                "a derivative inside the answer is what you are asked to work out: write it "
                "out (check_derivation understands ∂f_j/∂z_k in a derivation's steps)",
                pos,
            )
        if self.family == "softmax" and _is(by, S.z):
            sample, b = by.indices
            if _is(top, S.f):
                a = top.indices[1]
                return Val(S.f[sample, a] * (sp.KroneckerDelta(a, b) - S.f[sample, b]), "num", pos)
            if _is(top, S.z):
                return Val(sp.KroneckerDelta(top.indices[1], b), "num", pos)
            if top == "J_i" and self.derivation != "softmax_dz":
                return Val(S.f[sample, b] - sp.KroneckerDelta(S.y[sample], b), "num", pos)
        if self.family == "softmax" and _is(top, S.z) and _is(by, S.w):
            a, b = top.indices[1], by.indices[0]
            return Val(sp.KroneckerDelta(a, b) * S.x[top.indices[0]], "vec", pos)
        raise self.error(
            "check_derivation knows ∂f_j/∂z_k, ∂z_j/∂z_k, ∂z_j/∂w_k and ∂J_i/∂z_k; this "
            "derivative is not one of them",
            pos,
        )

    def operand(self):
        """What a derivative differentiates or is taken by: J_i, or a letter's value."""
        if self.tok.kind == "name" and self.tok.value in LOSSES:
            _, idx = self.quantity()
            return "J_i" if "i" in idx else "J"
        return self.primary().expr


def _is(expr, base) -> bool:
    return isinstance(expr, sp.Indexed) and expr.base == base
