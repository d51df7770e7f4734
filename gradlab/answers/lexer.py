"""Tokenizer shared by LaTeX, plain-text and NumPy-style answers.

The text is only ever split into tokens from a fixed vocabulary; nothing is
evaluated. Every token keeps its position in the text as typed (Unicode
included) so that errors can point at it. The token rules are part of the
grammar in ``grammar.ebnf`` (its "tokens" section).
"""

from __future__ import annotations

from dataclasses import dataclass

from gradlab.answers.profiles import knowing, unknown_message
from gradlab.answers.vocabulary import (
    ALIASES,
    COMMANDS,
    DERIVATIVE_PREFIXED,
    SUBSCRIPTS,
    SUPERSCRIPTS,
    UNICODE,
    WORDS,
)

__all__ = ["MAX_LENGTH", "AnswerSyntaxError", "Token", "normalize", "tokenize"]

MAX_LENGTH = 1000  # characters; a derivative on a homework sheet is far shorter
MAX_DIGITS = 15

# Commands that only set spacing, sizes or delimiters: skipped.
_IGNORED_COMMANDS = {
    "left", "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
    "biggl", "biggr", "bigm", "Bigm", "quad", "qquad", "displaystyle", "textstyle", "limits",
    "nolimits", "nonumber", "notag",
}  # fmt: skip
_SPACING = {",", ";", ":", "!", " ", ">"}
_OPERATORS = set("+-*/^_()[]{},=@|&.>'")  # > and ' (φ'): the network's words
_STATEMENTS = ("-=", "+=", "*=", "/=", "@=")


class AnswerSyntaxError(ValueError):
    """An answer that could not be understood exactly.

    The message quotes the answer and puts a caret under the part not
    understood. ``position`` is that 0-based character offset (or ``None``).
    A subclass of ``ValueError``. In IPython and Jupyter it shows as this
    message alone, without a traceback through the parser.

    Examples
    --------
    >>> from gradlab.answers import AnswerSyntaxError, check_answer
    >>> try:
    ...     check_answer("f_k - q")
    ... except AnswerSyntaxError as exc:
    ...     print(exc.position, str(exc).splitlines()[0][:30])
    6 unknown symbol q; known: z, f,
    """

    def __init__(self, message: str, text: str | None = None, position: int | None = None):
        self.position = position
        self.text = text
        self.reason = message
        if text is not None and position is not None and len(text) <= 200 and "\n" not in text:
            message = f"{message}\n  {text}\n  {' ' * position}^"
        super().__init__(message)

    def _render_traceback_(self) -> list[str]:
        # IPython calls this instead of printing the traceback: a student sees the
        # caret message, not thirteen frames of parser internals.
        return [f"AnswerSyntaxError: {self}"]


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "name", "run", "cmd", "op", "diff", "end"
    value: str
    pos: int


def _unknown(word: str, text: str, pos: int) -> AnswerSyntaxError:
    return AnswerSyntaxError(unknown_message(word), text, pos)


def normalize(text: str) -> tuple[str, list[int]]:
    """``text`` with Unicode math spelled in ASCII LaTeX, and each new character's origin.

    gradlab prints 𝕀, σ, −, ·, ᵀ and subscripts like yᵢ; they read back as
    \\mathbb{I}, \\sigma, -, *, ^{T} and y_{i}.
    """
    out: list[str] = []
    origin: list[int] = []
    n = 0
    while n < len(text):
        ch = text[n]
        for table, mark in ((SUBSCRIPTS, "_"), (SUPERSCRIPTS, "^")):
            if ch in table:
                end = n
                while end < len(text) and text[end] in table:
                    end += 1
                spelled = mark + "{" + "".join(table[c] for c in text[n:end]) + "}"
                out.append(spelled)
                origin += [n] * len(spelled)
                n = end
                break
        else:
            spelled = UNICODE.get(ch, ch)
            if spelled.startswith("\\") and spelled[-1].isalpha():
                spelled += " "  # \sigma(z), not \sigmaz
            out.append(spelled)
            origin += [n] * len(spelled)
            n += 1
    origin.append(len(text))
    return "".join(out), origin


def tokenize(text: str, words: frozenset = frozenset()) -> list[Token]:
    """Split ``text`` into tokens, or raise :class:`AnswerSyntaxError`.

    ``words`` are extra names a notation profile defines (``probs``, ``scores``).
    """
    if not isinstance(text, str):
        raise TypeError(f"answer must be a str; got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise AnswerSyntaxError(
            f"answer is too long: {len(text)} characters; at most {MAX_LENGTH} are accepted"
        )
    for op in _STATEMENTS:
        if op in text:
            raise AnswerSyntaxError(
                f"{op} changes a variable: that is a statement, but an expression is wanted "
                "(the value of the derivative, e.g. probs - Y)",
                text,
                text.index(op),
            )
    source, origin = normalize(text)
    try:
        tokens = _Lexer(source, words).run()
    except AnswerSyntaxError as exc:
        pos = None if exc.position is None else origin[exc.position]
        raise AnswerSyntaxError(exc.reason, text, pos) from None
    return [Token(t.kind, t.value, origin[t.pos]) for t in tokens]


class _Lexer:
    def __init__(self, text: str, words: frozenset):
        self.text = text
        self.words = words
        self.tokens: list[Token] = []
        self.braces: list[bool] = []  # for each open '{': is it a subscript's?

    def error(self, message: str, pos: int) -> AnswerSyntaxError:
        return AnswerSyntaxError(message, self.text, pos)

    def emit(self, kind: str, value: str, pos: int) -> None:
        self.tokens.append(Token(kind, value, pos))

    def last(self, *values: str) -> bool:
        return (
            bool(self.tokens) and self.tokens[-1].kind == "op" and self.tokens[-1].value in values
        )

    def scripted(self) -> bool:
        """Whether a sub- or superscript of a letter, number or bracket starts here."""
        if not self.last("_", "^") or len(self.tokens) < 2:
            return False
        before = self.tokens[-2]
        return before.kind in ("name", "num", "cmd", "run") or (
            before.kind == "op" and before.value in (")", "]", "}")
        )

    def run(self) -> list[Token]:
        text, n, pos = self.text, len(self.text), 0
        while pos < n:
            ch = text[pos]
            if ch.isspace() or ch == "$":
                pos += 1
            elif ch.isascii() and ch.isdigit():
                pos = self.number(pos)
            elif ch.isascii() and ch.isalpha():
                pos = self.word(pos)
            elif ch == "\\":
                pos = self.command(pos)
            elif text.startswith("**", pos):
                self.emit("op", "^", pos)
                pos += 2
            elif text.startswith(("==", "!="), pos):
                self.emit("op", text[pos : pos + 2], pos)
                pos += 2
            elif ch in _OPERATORS:
                if ch == "{":
                    inherited = bool(self.braces) and self.braces[-1]
                    self.braces.append(self.last("_") or inherited)
                elif ch == "}" and self.braces:
                    self.braces.pop()
                self.emit("op", ch, pos)
                pos += 1
            else:
                raise self.error(f"unexpected character {ch!r}", pos)
        self.emit("end", "", n)
        return self.tokens

    def number(self, pos: int) -> int:
        text, n = self.text, len(self.text)
        end = pos
        while end < n and text[end].isascii() and text[end].isdigit():
            end += 1
        if end + 1 < n and text[end] == "." and text[end + 1].isdigit():
            end += 1
            while end < n and text[end].isascii() and text[end].isdigit():
                end += 1
        exp_end = end + 1 + (text[end + 1 : end + 2] in ("+", "-"))
        if text[end : end + 1] in ("e", "E") and text[exp_end : exp_end + 1].isdigit():
            # 1e-9 would otherwise read as 1*e - 9: refuse rather than misread.
            raise self.error(
                "scientific notation like 1e-9 is not understood; write the number out "
                "(0.5) or as a power (10^{-9}); e alone is Euler's number",
                pos,
            )
        if end - pos > MAX_DIGITS:
            raise self.error(f"number too long (more than {MAX_DIGITS} digits)", pos)
        self.emit("num", text[pos:end], pos)
        return end

    def word(self, pos: int) -> int:
        text, n = self.text, len(self.text)
        end = pos
        while end < n and text[end].isascii() and (text[end].isalpha()):
            end += 1
        word = text[pos:end]
        if self.scripted() and not (self.last("^") and text[pos - 2 : pos] == "**"):
            # TeX: an unbraced sub- or superscript is one character (y_kp_k is y_k p_k).
            self.emit("name", word[0], pos)
            return pos + 1
        for joined in ("one_hot", "y_hat"):
            if text.startswith(joined, pos) and not text[pos + len(joined) :][:1].isalpha():
                word, end = joined, pos + len(joined)
        if word in ("np", "numpy") and text[end : end + 1] == ".":
            return end + 1  # np.exp is exp: the namespace adds nothing
        if self.braces and self.braces[-1] and word not in WORDS:
            # Inside a subscript's braces letters are indices: \delta_{ky_i} is k, y_i.
            for n_ch, letter in enumerate(word):
                self.emit("name", letter, pos + n_ch)
            return end
        if len(word) > 1 and word not in WORDS and word not in self.words:
            rest = word[1:]
            if word[0] == "d" and (rest in DERIVATIVE_PREFIXED or rest in self.words):
                self.emit("diff", "d", pos)  # dJ, dz, dW: a derivative's name
                self.emit("name", rest, pos + 1)
                return end
            # Index runs like "jk" are kept whole: the parser splits them inside a
            # subscript and rejects them elsewhere rather than guessing a product.
            if len(word) > 4 or not set(word) <= set("ijkcl"):
                raise _unknown(word if len(word) <= 12 else word[:12] + "...", text, pos)
            self.emit("run", word, pos)
        else:
            self.emit("name", word, pos)
        return end

    def command(self, pos: int) -> int:
        text, n = self.text, len(self.text)
        end = pos + 1
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        name = text[pos + 1 : end]
        if not name:
            nxt = text[pos + 1 : pos + 2]
            if nxt in _SPACING:
                return pos + 2
            if nxt in ("{", "}"):
                self.emit("op", "\\" + nxt, pos)
                return pos + 2
            if nxt in ("(", ")", "[", "]"):
                return pos + 2  # the math delimiters \( \) \[ \]
            if nxt == "\\":
                self.emit("op", "\\\\", pos)  # a line break in cases or aligned
                return pos + 2
            if nxt == "|":
                self.emit("op", "|", pos)
                return pos + 2
            raise self.error(f"unknown LaTeX command \\{nxt}", pos)
        if name in _IGNORED_COMMANDS:
            if text[end : end + 1] == ".":
                end += 1  # \left. and \right. open or close nothing
            return end
        if name in ("begin", "end"):
            close = text.find("}", end)
            env = text[end + 1 : close] if text[end : end + 1] == "{" and close > 0 else ""
            if not env.isalpha() or len(env) > 20:
                raise self.error(f"\\{name} needs an environment name: \\{name}{{cases}}", pos)
            self.emit("cmd", f"{name}:{env}", pos)
            return close + 1
        name = ALIASES.get(name, name)
        if name == "|":
            self.emit("op", "|", pos)
            return end
        if name not in COMMANDS and name not in self.words and knowing(name):
            raise self.error(unknown_message(name), pos)  # \Phi: "pass notation=..."
        if name not in COMMANDS and name not in self.words:  # a profile's \Phi, \Theta
            raise self.error(
                f"unknown LaTeX command \\{name[:20]}; known: "
                + ", ".join("\\" + c for c in COMMANDS),
                pos,
            )
        self.emit("cmd", name, pos)
        return end
