"""What letters, vectors and matrices build: f_k(x_i), x_j^{(i)}, X, F − Y, dZ.

:class:`Quantities` is mixed into the parser's grammar class (``parser._Parser``)
with :class:`~gradlab.answers.notation.Notation`. The letters' meaning depends
on the model family (z_k is a class's logit in softmax regression, z_i the
sample's logit in logistic regression) and on the notation profile (the
matrices' shapes, the bias inside θ). Matrix values are built with
``matrix.py``, which checks their shapes.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import sympy as sp

from gradlab.answers import matrix as M
from gradlab.answers import symbols as S
from gradlab.answers.lexer import AnswerSyntaxError, Token
from gradlab.answers.network import NETWORK_LETTERS
from gradlab.answers.profiles import MATRICES, unknown_message
from gradlab.answers.values import Val, classes
from gradlab.answers.vocabulary import LETTERS

__all__ = ["Quantities", "bare_i_position", "bare_sample_index"]

PREDICTIONS = ("f", "p", "yhat")  # letters that can be applied to x: f(x_i), p_k(x_i)
ARGUMENT_LETTERS = {"x", "z", "y", "i", "j", "k", "c", "l"}  # what f(...) may be applied to
MAX_ARGUMENT_TOKENS = 20


class Quantities:
    """Mixin: letters (with subscripts, samples, application) and matrices."""

    def letter(self, name: str, pos: int, allow_subscript: bool, bold: bool = False) -> Val:
        """letter = NAME [ "_" indices ] [ "^" sample ] [ application ] ;   (* f_k(x_i), x_j^{(i)} *)"""
        if self.family == "mlp" and name in ("X", "F", "P", "Y", "Z"):
            raise self.error(
                "the network's matrices are not read yet: write the index form "
                "(h_j, z^1_j, W^2_{jk}, x_l, f_k)",
                pos,
            )
        if self.family == "mlp" and name in (*NETWORK_LETTERS, "yhat"):
            return self.layer_letter(name, pos, allow_subscript)  # \hat{y}_k, \mathbf{x}
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
        return classes(lambda k: S.f[sample, k], pos, sample, name="f(x)")

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
                val = classes(lambda k: base[sample, k], pos, sample, name=name.replace("yhat", "ŷ"),
                               sample_subscript=idx == [S.i])  # fmt: skip
                val.logits = name == "z"
                return val
            return Val(base[sample, cls], "num", pos)
        if name == "y":
            sample, cls = self.split_sample(name, idx, pos)
            if cls is None and bold:  # \mathbf{y}: the one-hot vector
                return classes(lambda k: sp.KroneckerDelta(S.y[sample], k), pos, sample, name="y")
            if cls is None:
                return Val(S.y[sample], "num", pos, label=True)
            return Val(sp.KroneckerDelta(S.y[sample], cls), "num", pos)  # one-hot y_k
        if name == "x":
            if idx and idx != [S.i]:
                raise self.error("x is indexed by the sample: x_i", pos)
            return Val(S.x[S.i], "vec", pos)
        if name == "b" and not idx:  # W^T x_i + b: the bias vector, one entry per class
            return classes(lambda k: S.b[k], pos, name="b")
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

    # ------------------------------------------------------------------ vectors, matrices

    def softmax_of(self, arg: Val, pos: int) -> Val:
        if arg.kind == "mat" and arg.extra.get("logits"):
            return Val(kind="mat", pos=pos, extra={"mat": self.matrix_letter("F", pos)})
        if self.family == "softmax" and arg.logits:
            sample = arg.extra["sample"]
            return classes(lambda idx: S.f[sample, idx], pos, sample, name="softmax(z)")
        if self.family == "softmax" and arg.kind == "mat" and arg.extra["mat"].shape == "C×1":
            # softmax(W^T x_i + b): written out, e^{v_k} / Σ_c e^{v_c}
            v = arg.extra["mat"]
            total = sp.Sum(sp.exp(v.entry(S.c, None)), (S.c, 1, S.C))
            return classes(lambda idx: sp.exp(v.entry(idx, None)) / total, pos,
                           name=f"softmax({v.name})")  # fmt: skip
        raise self.error("softmax takes the logit vector z: softmax(z)_k", pos)

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
        """\\mathbf{1}: a column of ones, as long as what it multiplies (1ᵀ(F − Y) sums over i)."""
        return Val(kind="mat", pos=pos, extra={"mat": M.Mat(M.ANY, "1", lambda r, c: 1, "1")})

    def as_mat(self, val: Val) -> M.Mat:
        if val.kind == "mat":
            return val.extra["mat"]
        if val.kind == "classes":
            name = val.extra.get("name", "v")
            return M.Mat("C", "1", lambda r, c: val.component(r), name, " " in name)
        if val.kind == "vec" and _is_features(val.expr):  # W^T x_i: x_i as a d×1 column
            x = val.expr
            return M.Mat("d", "1", lambda r, c: x, "x")
        if val.kind in ("vec", "vecT") and val.expr == S.w_vec:  # X w: w as a d×1 column
            column = M.Mat("d", "1", lambda r, c: S.w_vec, "w")
            return M.transpose(column) if val.kind == "vecT" else column
        raise self.error("a matrix or a vector is wanted here", val.pos)

    def matrix_call(self, op, pos: int, *args) -> Val:
        try:
            return Val(kind="mat", pos=pos, extra={"mat": op(*args)})
        except M.ShapeError as exc:
            raise self.error(str(exc), pos) from None

    def matrix_total(self, body: Val, pos: int) -> Val:
        try:
            return Val(M.total(self.as_mat(body)), "num", pos)
        except M.ShapeError as exc:
            raise self.error(str(exc), pos) from None

    def inner(self, u, v):
        """w_k^T x_i; with the bias inside the weights (CS229) that is the whole logit."""
        if self.profile.bias_in_weights and u.has(S.w, S.w_vec):
            bias = S.b[u.indices[0]] if isinstance(u, sp.Indexed) else S.b_scalar
            return S.dot(u, v) + bias
        return S.dot(u, v)

    def transposed(self, base: Val, pos: int) -> Val:
        if base.kind == "vec":
            return Val(base.expr, "vecT", base.pos)
        if base.kind in ("mat", "classes"):
            return Val(kind="mat", pos=base.pos, extra={"mat": M.transpose(self.as_mat(base))})
        raise self.error("only a vector or a matrix can be transposed (w_k^T, X^T)", pos)

    def entry(self, val: Val, indices: list) -> Val:
        if len(indices) != 1:
            raise self.error("pick one class: one subscript, e.g. _k")
        if val.kind == "classes":
            return Val(val.component(indices[0]), "num", val.pos)
        mat = val.extra["mat"]
        if mat.cols == "1" and mat.rows in ("C", "m"):
            return Val(mat.entry(indices[0], None), mat.kind, val.pos)
        if mat.rows == "1" and mat.cols in ("C", "m"):
            return Val(mat.entry(None, indices[0]), mat.kind, val.pos)
        raise self.error(f"{mat.name} is {mat.shape}: one subscript picks an entry of a vector")

    def matrix_add(self, lhs: Val, rhs: Val, sign: int, pos: int) -> Val:
        try:
            if lhs.kind == "num":
                mat = M.add_scalar(M.scale(self.as_mat(rhs), sign), lhs.expr, 1, "b")
            elif rhs.kind == "num":
                mat = M.add_scalar(
                    self.as_mat(lhs), rhs.expr, sign, self.source(rhs.pos, self.tok.pos)
                )
            else:
                mat = M.add(self.as_mat(lhs), self.as_mat(rhs), sign)
        except M.ShapeError as exc:
            raise self.error(str(exc), pos) from None
        return Val(kind="mat", pos=lhs.pos, extra={"mat": mat})

    def matrix_product(self, lhs: Val, rhs: Val, pos: int, op: str) -> Val:
        if lhs.kind == "num" or rhs.kind == "num":
            scalar, other = (lhs, rhs) if lhs.kind == "num" else (rhs, lhs)
            mat = M.scale(self.as_mat(other), scalar.expr)
            return Val(kind="mat", pos=lhs.pos, extra={"mat": mat})
        if op == "*":
            raise self.error(
                "between two matrices or vectors * is ambiguous (NumPy multiplies entry by "
                "entry): write @ or X^T (F - Y) for the matrix product",
                pos,
            )
        try:
            mat = M.matmul(self.as_mat(lhs), self.as_mat(rhs))
        except M.ShapeError as exc:
            raise self.error(str(exc), pos) from None
        return Val(kind="mat", pos=lhs.pos, extra={"mat": mat})

    def source(self, start: int, end: int) -> str:
        return self.text[start:end].strip() or "b"


def _argument_token(tok: Token) -> bool:
    if tok.kind == "name":
        return tok.value in ARGUMENT_LETTERS
    if tok.kind == "cmd":
        return tok.value in ("mathbf", "boldsymbol", "vec")
    return tok.kind == "op" and tok.value in ("_", "^", "=", "==", "|", ",")


def _is_features(expr) -> bool:
    return isinstance(expr, sp.Indexed) and expr.base == S.x


def _swapped(get: Callable) -> Callable:
    return lambda r, c: get(c, r)


def bare_sample_index(expr) -> bool:
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
        return other.is_Integer or bare_sample_index(other)
    if isinstance(expr, sp.Sum):
        bounds = [bound for _, *limits in expr.limits for bound in limits]
        return any(bare_sample_index(part) for part in (expr.function, *bounds))
    return any(bare_sample_index(arg) for arg in expr.args)


def bare_i_position(tokens: list[Token]) -> int | None:
    """The first 'i' typed outside a subscript, preferably not next to '=', for the caret."""
    subscript: list[bool] = []
    found = []
    for n, tok in enumerate(tokens[:-1]):  # the last token is "end"
        before = tokens[n - 1].value if n else ""
        if tok.kind == "op" and tok.value == "{":
            subscript.append(before == "_")
        elif tok.kind == "op" and tok.value == "}" and subscript:
            subscript.pop()
        elif (
            tok.kind == "name"
            and tok.value == "i"
            and before != "_"
            and not (before == "(" and tokens[n + 1].value == ")")  # x^{(i)}
            and not any(subscript)
        ):
            beside = {before, tokens[n + 1].value} & {"=", "==", "!=", "neq"}
            found.append((bool(beside), tok.pos))
    return min(found)[1] if found else None
