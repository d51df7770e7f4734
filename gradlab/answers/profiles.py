"""Course notation profiles: other courses' letters, renamed to the lecture's.

A profile renames the tokens a student types before the parser sees them
(``o_k`` of d2l becomes ``z_k``), and may change what the matrices' shapes are
(deeplearning.ai stores samples in columns). The renaming is simultaneous, so
Bishop's ``y`` (prediction) and ``t`` (target) become the note's ``f`` and ``y``.
Under the default notation an unknown letter is never guessed: the refusal
names the profiles that know it.

>>> from gradlab.answers import check_answer
>>> check_answer("y_k - t_k", notation="bishop").correct
True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from gradlab.answers.vocabulary import KNOWN_SYMBOLS, LETTERS, WORDS

__all__ = ["PROFILES", "Profile", "get_profile", "unknown_message"]

# What a renamed token may become: the note's letters and words, and the matrices.
MATRICES = {"X": ("m", "d"), "F": ("m", "C"), "P": ("m", "C"), "Y": ("m", "C"),
            "Z": ("m", "C"), "W": ("d", "C")}  # fmt: skip
TARGETS = set(LETTERS) | set(WORDS) | set(MATRICES) | {"J", "theta", "phi", "d"}


@dataclass(frozen=True)
class Profile:
    """One course's notation.

    Attributes
    ----------
    name : str
        The preset's name (``"custom"`` for a mapping).
    letters : dict
        What the student types -> the lecture's letter or word.
    shapes : dict
        The shape of each matrix, as axis names (``m`` samples, ``d`` features,
        ``C`` classes); defaults are the README's X (m×d), W (d×C), F and Y (m×C).
    bias_in_weights : bool
        CS229 keeps the bias inside θ (x has a constant 1), so θᵀx is the whole logit z.
    dz_of_mean : bool
        Whether dZ used inside an answer is the gradient of the mean loss (CS231n's
        dscores = (probs − Y)/N) rather than of each sample's (deeplearning.ai's dZ = A − Y).
    about : str
        One line for the docs.

    Examples
    --------
    >>> from gradlab.answers import PROFILES
    >>> PROFILES["bishop"].letters["t"], PROFILES["deeplearning.ai"].shape("X")
    ('y', ('d', 'm'))
    """

    name: str
    letters: dict = field(default_factory=dict)
    shapes: dict = field(default_factory=dict)
    bias_in_weights: bool = False
    dz_of_mean: bool = False
    about: str = ""

    @property
    def words(self) -> frozenset:
        """Multi-letter names this profile adds to the vocabulary (probs, scores)."""
        return frozenset(word for word in self.letters if len(word) > 1)

    def shape(self, name: str) -> tuple[str, str]:
        return self.shapes.get(name, MATRICES[name])

    def rename(self, value: str) -> str:
        return self.letters.get(value, value)


_SAMPLE_COLUMNS = {"X": ("d", "m"), "F": ("C", "m"), "P": ("C", "m"), "Y": ("C", "m"),
                   "Z": ("C", "m"), "W": ("C", "d")}  # fmt: skip

PROFILES = {
    profile.name: profile
    for profile in (
        Profile("note", about="the lecture note's own letters (the default)"),
        Profile(
            "d2l",
            {"o": "z", "O": "Z", "j": "k", "k": "j", "n": "m"},
            about="Dive into Deep Learning: logits o, prediction ŷ, one-hot y; "
            "the derivative's class is j (summing over k), n samples",
        ),
        Profile(
            "bishop",
            {
                "y": "f",
                "t": "y",
                "a": "z",
                "n": "i",
                "N": "m",
                "K": "C",
                "phi": "x",
                "E": "J",
                "Y": "F",
                "T": "Y",
                "Phi": "X",
            },
            bias_in_weights=True,
            about="Bishop (PRML): prediction y, target t, activation a, sample n, "
            "N samples, K classes, features φ_n (with φ_0 = 1: the bias is inside w), error E",
        ),
        Profile(
            "cs229",
            {"theta": "w", "Theta": "W", "h": "f"},
            bias_in_weights=True,
            about="CS229: hypothesis h_θ(x^{(i)}), parameters θ with the bias inside "
            "(x has a constant 1), samples x^{(i)}, y^{(i)}",
        ),
        Profile(
            "deeplearning.ai",
            {"a": "f", "A": "F"},
            shapes=_SAMPLE_COLUMNS,
            about="deeplearning.ai: a = σ(z), dz, dw, db; samples in columns: "
            "X is d×m, W is C×d, dW = (1/m) dZ Xᵀ",
        ),
        Profile(
            "cs231n",
            {"scores": "Z", "probs": "P", "N": "m", "D": "d"},
            dz_of_mean=True,
            about="CS231n: scores (N×C), probs, N samples, D features; dW = X.T @ (probs - Y) / N",
        ),
    )
}


def get_profile(notation) -> Profile:
    """The profile for ``notation``: None, a preset name or a mapping of letters."""
    if notation is None:
        return PROFILES["note"]
    if isinstance(notation, Profile):
        return notation
    if isinstance(notation, str):
        if notation not in PROFILES:
            raise ValueError(
                f"notation must be one of {sorted(PROFILES)} or a mapping; got {notation!r}"
            )
        return PROFILES[notation]
    if isinstance(notation, Mapping):
        letters = {}
        for key, value in notation.items():
            if not (isinstance(key, str) and key.isascii() and key.isalpha()):
                raise ValueError(f"notation's keys must be letters or words; got {key!r}")
            if value not in TARGETS:
                raise ValueError(
                    f"notation maps {key!r} to {value!r}, which gradlab does not know; "
                    f"map to one of the lecture's symbols: {', '.join(sorted(TARGETS))}"
                )
            letters[key] = value
        return replace(PROFILES["note"], name="custom", letters=letters, about="your mapping")
    raise TypeError(
        f"notation must be None, a preset name or a mapping; got {type(notation).__name__}"
    )


def knowing(word: str) -> list[str]:
    """The presets in which ``word`` is a letter of their own."""
    return [p.name for p in PROFILES.values() if word in p.letters]


def unknown_message(word: str) -> str:
    """The refusal for a symbol gradlab does not know, naming presets that know it."""
    suggestion = ""
    if len(word) == 2 and all(ch in LETTERS for ch in word):
        suggestion = f" (did you mean {word[0]}_{word[1]} or {word[0]}*{word[1]}?)"
    presets = knowing(word)
    if presets:
        named = " or ".join(f'notation="{p}"' for p in presets)
        suggestion += f" (it is a letter of the {', '.join(presets)} notation: pass {named})"
    return f"unknown symbol {word}{suggestion}; known: {KNOWN_SYMBOLS}"
