"""The two-layer network's letters (issue 14), read for the ``"mlp"`` family.

:class:`Network` is mixed into the parser's grammar class (``parser._Parser``).
It builds the canonical symbols of :data:`gradlab.answers.evaluate.NETWORK`:
h_j is ``h[i, j]``, z¹_j ``z1[i, j]``, W¹_lj ``W1[l, j]``, W²_jk ``W2[j, k]``,
b¹_j ``b1[j]``, b²_k ``b2[k]``, x_l ``x[i, l]`` and φ′(a) ``dphi(a)``. The output
layer keeps the softmax letters: f_k, y_i, and z²_k is ``z[i, k]``. An unlayered z_j,
W or b is refused: φ′(z_j) means z¹_j to most, but nothing says so.

A layer is written as a superscript: W^2, W^{2}, W^{(2)}, W^{[2]}, before or after
the subscript (W_{jk}^{[2]}). After a subscript only the bracketed forms are layers:
W_{jk}^2 could be a square, and is refused rather than guessed; h_j^2 is a square.
"""

from __future__ import annotations

import sympy as sp

from gradlab.answers import symbols as S
from gradlab.answers.evaluate import NETWORK
from gradlab.answers.lexer import Token
from gradlab.answers.values import Val

__all__ = ["Network"]

LAYERED = ("W", "z", "b")  # the letters that need a layer (z alone is the output's z²)
NETWORK_LETTERS = ("h", "W", "z", "b", "x", "f", "p", "y")
ACTIVATIONS = ("phi", "varphi", "sigma", "tanh")


def _sigmoid(a):
    return 1 / (1 + sp.exp(-a))


class Network:
    """Mixin: the network's letters and activations, for the grammar in ``parser._Parser``."""

    def layer_letter(self, name: str, pos: int, allow_subscript: bool) -> Val:
        """layer_letter = NAME { "_" indices | "^" layer | "^" sample } ;   (* W^2_{jk}, W_{jk}^{[2]}, x_l^{(i)} *)"""
        idx: list = []
        layer = sample = None
        while allow_subscript:
            if self.is_op("_") and not idx:
                self.advance()
                idx = self.indices()
            elif self.is_op("^") and sample is None and self.sample_after_caret():
                sample = S.i
            elif self.is_op("^") and layer is None and name in LAYERED:
                mark = self.mark()
                self.advance()
                layer = self.layer(bracketed_only=bool(idx))
                if layer is None:
                    self.reset(mark)
                    if idx and self.peek().kind == "num":
                        raise self.error(
                            f"{name}_{{...}}^{self.peek().value} is ambiguous (a layer or a "
                            f"power?): write the layer first, {name}^{self.peek().value}_{{...}}, "
                            f"or in brackets, {name}_{{...}}^{{[{self.peek().value}]}}"
                        )
                    break
            else:
                break
        if name in ("f", "p", "yhat", "y"):
            if layer is not None:
                raise self.error(f"{name} has no layer: it is the output's {name}", pos)
            if sample is not None:
                if S.i in idx:
                    raise self.error(f"{name} has the sample twice", pos)
                idx = [S.i, *idx]
            return self.softmax_letter(name, idx, pos)
        if sample is not None:
            if S.i in idx:
                raise self.error(
                    f"{name} has the sample twice: as a subscript and as ^{{(i)}}", pos
                )
            idx = [S.i, *idx]
        return Val(self.network_symbol(name, layer, idx, pos), "num", pos)

    def layer(self, bracketed_only: bool = False) -> int | None:
        """layer = DIGIT | "{" DIGIT "}" | "{" ( "(" | "[" ) DIGIT ( ")" | "]" ) "}" | "(" DIGIT ")" ;"""
        values = [(t.kind, t.value) for t in (self.peek(n) for n in range(5))]
        forms = [
            ([("op", "{"), ("op", "("), None, ("op", ")"), ("op", "}")], True),
            ([("op", "{"), ("op", "["), None, ("op", "]"), ("op", "}")], True),
            ([("op", "("), None, ("op", ")")], True),
            ([("op", "{"), None, ("op", "}")], False),
            ([None], False),
        ]
        for form, bracketed in forms:
            if bracketed_only and not bracketed:
                continue
            got = values[: len(form)]
            digit = got[form.index(None)]
            rest = [v for v, f in zip(got, form, strict=True) if f is not None]
            if rest == [f for f in form if f is not None] and digit in (("num", "1"), ("num", "2")):
                self.at += len(form)
                return int(digit[1])
        return None

    def network_symbol(self, name: str, layer, idx: list, pos: int):
        """The canonical symbol of a network letter with its layer and subscripts."""
        sample, rest = (idx[0], idx[1:]) if len(idx) == 2 and idx[0] == S.i else (S.i, idx)
        if name == "h":
            if layer is not None or len(rest) != 1 or rest[0] == S.i:
                raise self.error("h is the hidden layer: h_j, one hidden unit j", pos)
            return NETWORK["h"][sample, rest[0]]
        if name == "x":
            if len(rest) != 1 or rest[0] == S.i:
                raise self.error(
                    "x is read one feature at a time in the network: x_l, x_{il} or x_l^{(i)}",
                    pos,
                )
            return NETWORK["x"][sample, rest[0]]
        if layer is None:
            # z_j alone could be either layer's (φ′(z_j) means z¹_j to most): never guessed
            raise self.error(f"{name} needs its layer: {name}^1 or {name}^2", pos)
        if name == "z":
            if len(rest) != 1 or rest[0] == S.i:
                raise self.error(f"z^{layer} takes one index: z^1_j, z^2_k", pos)
            return (NETWORK["z1"] if layer == 1 else S.z)[sample, rest[0]]
        if name == "b":
            if len(idx) != 1 or idx[0] == S.i:
                raise self.error(f"b^{layer} takes one index: b^1_j, b^2_k", pos)
            return NETWORK[f"b{layer}"][idx[0]]
        if len(idx) != 2 or S.i in idx:
            raise self.error(f"W^{layer} takes two indices: W^1_{{lj}}, W^2_{{jk}}", pos)
        return NETWORK[f"W{layer}"][idx[0], idx[1]]

    def activation(self, tok: Token) -> Val:
        """activation = ( "\\phi" | "\\varphi" | "\\sigma" | "\\tanh" ) [ "'" ] argument ;"""
        self.advance()
        prime = self.is_op("'")
        if prime:
            self.advance()
        arg = self.require_scalar_or_vec(self.argument())
        if arg.kind != "num":
            raise self.error(f"\\{tok.value} of a vector is not defined here", tok.pos)
        a = arg.expr
        if tok.value in ("phi", "varphi"):
            if not prime:
                if not _is_z1(a):  # φ(z^1_j) is h_j; φ of anything else has no value here
                    raise self.error(
                        "φ is read at z^1_j: φ(z^1_j) = h_j; its derivative is φ'(z^1_j)", tok.pos
                    )
                return Val(NETWORK["h"][a.indices], "num", tok.pos)
            return Val(NETWORK["dphi"](a), "num", tok.pos)
        if tok.value == "tanh":
            return Val(1 - sp.tanh(a) ** 2 if prime else sp.tanh(a), "num", tok.pos)
        s = _sigmoid(a)
        return Val(s * (1 - s) if prime else s, "num", tok.pos)

    def activation_follows(self, tok: Token) -> bool:
        """In the network, φ is the activation; σ′ and tanh are its derivatives' spellings."""
        if self.family != "mlp" or tok.value not in ACTIVATIONS:
            return False
        return tok.value != "sigma" or (self.peek().kind == "op" and self.peek().value == "'")


def _is_z1(a) -> bool:
    return isinstance(a, sp.Indexed) and a.base == NETWORK["z1"]
