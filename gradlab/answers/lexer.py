"""Tokenizer shared by LaTeX and plain-text answers.

The text is only ever split into tokens from a fixed vocabulary; nothing is
evaluated. Every token keeps its position so that errors can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass

from gradlab.answers.vocabulary import COMMANDS, KNOWN_SYMBOLS, LETTERS, UNICODE, WORDS

__all__ = ["MAX_LENGTH", "AnswerSyntaxError", "Token", "tokenize"]

MAX_LENGTH = 1000  # characters; a derivative on a homework sheet is far shorter
MAX_DIGITS = 15

# Commands that only set spacing or sizes: skipped.
_IGNORED_COMMANDS = {
    "left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
    "biggl", "biggr", "quad", "qquad", "displaystyle", "limits", "nolimits",
}  # fmt: skip
_SPACING = {",", ";", ":", "!", " "}
_OPERATORS = set("+-*/^_()[]{},=")


class AnswerSyntaxError(ValueError):
    """An answer that could not be understood exactly.

    The message quotes the answer and puts a caret under the part not
    understood. ``position`` is that 0-based character offset (or ``None``).
    A subclass of ``ValueError``.

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
        if text is not None and position is not None and len(text) <= 200:
            message = f"{message}\n  {text}\n  {' ' * position}^"
        super().__init__(message)


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "name", "cmd", "op", "end"
    value: str
    pos: int


def _unknown(word: str, text: str, pos: int) -> AnswerSyntaxError:
    suggestion = ""
    if len(word) == 2 and all(ch in LETTERS for ch in word):
        suggestion = f" (did you mean {word[0]}_{word[1]} or {word[0]}*{word[1]}?)"
    return AnswerSyntaxError(
        f"unknown symbol {word}{suggestion}; known: {KNOWN_SYMBOLS}", text, pos
    )


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, or raise :class:`AnswerSyntaxError`."""
    if not isinstance(text, str):
        raise TypeError(f"answer must be a str; got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise AnswerSyntaxError(
            f"answer is too long: {len(text)} characters; at most {MAX_LENGTH} are accepted"
        )
    tokens: list[Token] = []
    n = len(text)
    pos = 0
    while pos < n:
        ch = text[pos]
        if ch.isspace() or ch == "$":
            pos += 1
        elif ch in UNICODE:
            for tok in tokenize(UNICODE[ch]):
                if tok.kind != "end":
                    tokens.append(Token(tok.kind, tok.value, pos))
            pos += 1
        elif ch.isascii() and ch.isdigit():
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
                raise AnswerSyntaxError(
                    "scientific notation like 1e-9 is not understood; write the number out "
                    "(0.5) or as a power (10^{-9}); e alone is Euler's number",
                    text,
                    pos,
                )
            if end - pos > MAX_DIGITS:
                raise AnswerSyntaxError(
                    f"number too long (more than {MAX_DIGITS} digits)", text, pos
                )
            tokens.append(Token("num", text[pos:end], pos))
            pos = end
        elif ch.isascii() and ch.isalpha():
            end = pos
            while end < n and text[end].isascii() and text[end].isalpha():
                end += 1
            word = text[pos:end]
            after_caret = bool(tokens) and tokens[-1].kind == "op" and tokens[-1].value == "^"
            if after_caret and word[0] == "T" and len(word) > 1:
                # w^Tx reads as w^T x: the transpose, then the next letters.
                tokens.append(Token("name", "T", pos))
                pos += 1
                continue
            for joined in ("one_hot", "y_hat"):
                if text.startswith(joined, pos) and not text[pos + len(joined) :][:1].isalpha():
                    word, end = joined, pos + len(joined)
            if len(word) > 1 and word not in WORDS:
                # Index runs like "jk" are kept whole: the parser splits them inside a
                # subscript and rejects them elsewhere rather than guessing a product.
                if len(word) > 4 or not set(word) <= set("ijkcl"):
                    raise _unknown(word if len(word) <= 12 else word[:12] + "...", text, pos)
                tokens.append(Token("run", word, pos))
            else:
                tokens.append(Token("name", word, pos))
            pos = end
        elif ch == "\\":
            end = pos + 1
            while end < n and text[end].isascii() and text[end].isalpha():
                end += 1
            name = text[pos + 1 : end]
            if not name:
                nxt = text[pos + 1 : pos + 2]
                if nxt in _SPACING:
                    pos += 2
                    continue
                if nxt in ("{", "}"):
                    tokens.append(Token("op", "\\" + nxt, pos))
                    pos += 2
                    continue
                raise AnswerSyntaxError(f"unknown LaTeX command \\{nxt}", text, pos)
            if name == "partial":
                raise AnswerSyntaxError(
                    "type only the right-hand side, without the \\frac{\\partial J}{\\partial z_k} =",
                    text,
                    pos,
                )
            if name in _IGNORED_COMMANDS:
                pos = end
                continue
            if name not in COMMANDS:
                raise AnswerSyntaxError(
                    f"unknown LaTeX command \\{name[:20]}; known: "
                    + ", ".join("\\" + c for c in COMMANDS),
                    text,
                    pos,
                )
            tokens.append(Token("cmd", name, pos))
            pos = end
        elif text.startswith("**", pos):
            tokens.append(Token("op", "^", pos))
            pos += 2
        elif text.startswith("==", pos):
            tokens.append(Token("op", "=", pos))
            pos += 2
        elif text.startswith("!=", pos):
            tokens.append(Token("op", "!=", pos))
            pos += 2
        elif ch in _OPERATORS:
            tokens.append(Token("op", ch, pos))
            pos += 1
        else:
            raise AnswerSyntaxError(f"unexpected character {ch!r}", text, pos)
    tokens.append(Token("end", "", n))
    return tokens
