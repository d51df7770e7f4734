"""Reading an answer for a topic: the left-hand side, vectors and matrices.

:func:`read_answer` is what ``check_answer`` calls: it parses the text in the
chosen notation, checks that a typed left-hand side names the topic's
derivative, and turns a whole vector or matrix answer into the entry the
topic's grading compares (column k of a d×C gradient, entry k of p − y, entry
(j, k) of diag(f) − f fᵀ), after checking its shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from gradlab.answers import matrix as M
from gradlab.answers import symbols as S
from gradlab.answers.lexer import AnswerSyntaxError
from gradlab.answers.parser import parse_value
from gradlab.answers.profiles import Profile, get_profile, knowing

__all__ = ["Reading", "read_answer"]


@dataclass(frozen=True)
class Reading:
    """An answer as read: the entry to grade, its kind, and what was said about its shape."""

    expr: sp.Expr
    kind: str
    shape: str = ""  # "Xᵀ is d×m and (F − Y) is m×C, so Xᵀ(F − Y) is d×C: the shape of W"
    lhs: str = ""  # the typed left-hand side, e.g. ∂J/∂z_k


def target_shape(topic, profile: Profile) -> tuple | None:
    """The shape a whole matrix answer must have, and what that shape is called."""
    name = topic.name
    if name == "softmax_dw":
        rows, cols = profile.shape("W")
        return (rows, cols), "the shape of W"
    if name in ("softmax_dz", "softmax_db"):
        return ("C", "1"), "one entry per class"
    if name == "softmax_jacobian":
        return ("C", "C"), "C×C, one row per f_j and one column per z_k"
    if name in ("logistic_dw", "linear_dw"):
        return ("d", "1"), "the shape of w"
    return None


def read_answer(answer, topic, notation=None, derivation=False) -> Reading:
    """Parse ``answer`` for ``topic`` (a ``Topic``) in ``notation``; see :func:`check_answer`."""
    profile = get_profile(notation)
    parser = parse_value(answer, topic.notation, notation=profile, derivation=derivation)
    lhs = ""
    if parser.derivative is not None:
        lhs = _check_lhs(parser, topic)
    val = parser.result
    if parser.reuses == "dz" and topic.name in ("softmax_dz", "logistic_dz"):
        raise AnswerSyntaxError(
            f"dZ is the gradient {topic.title} asks for: write its value, not its name",
            parser.text,
            0,
        )
    if val.kind == "classes":
        val_mat = parser.as_mat(val)
        return _matrix_reading(parser, val_mat, topic, profile, val.pos, lhs)
    if val.kind == "mat":
        return _matrix_reading(parser, val.extra["mat"], topic, profile, val.pos, lhs)
    val = parser.require_scalar_or_vec(val)
    return Reading(val.expr, val.kind, lhs=lhs)


def _check_lhs(parser, topic) -> str:
    d = parser.derivative
    named = d.topic(topic.notation, topic.name)
    if named is None:
        foreign = [name for name in (d.by, d.top) if knowing(name)]
        hint = ""
        if foreign and parser.profile.name == "note":
            presets = knowing(foreign[0])
            hint = f" ({foreign[0]} is a letter of the {', '.join(presets)} notation: pass " + (
                " or ".join(f'notation="{p}"' for p in presets) + ")"
            )
        raise AnswerSyntaxError(
            f"the left-hand side {d.text} is not a derivative gradlab checks{hint}; "
            f"this topic is {topic.title}",
            parser.text,
            d.pos,
        )
    if named != topic.name:
        raise AnswerSyntaxError(
            f"the left-hand side names {d.text} (topic {named!r}), but this checks "
            f"{topic.title} (topic {topic.name!r}): pass topic={named!r}, or fix the left-hand side",
            parser.text,
            d.pos,
        )
    expected = {"softmax_dz": ("k",), "softmax_dw": ("k",), "softmax_db": ("k",),
                "softmax_jacobian": ("k",)}.get(topic.name, ())  # fmt: skip
    by_class = tuple(v for v in d.by_idx if v != "i")[:1]
    if not by_class or not expected:
        by_class = expected  # ∂J/∂z, ∇_W J: the whole gradient, of which k is one entry
    if by_class != expected:
        raise AnswerSyntaxError(
            f"the left-hand side differentiates by {d.by}{'_' + by_class[0] if by_class else ''}, "
            f"but the class here is k: {topic.title}",
            parser.text,
            d.pos,
        )
    if topic.aggregate != "one" and "i" in d.top_idx:
        raise AnswerSyntaxError(
            f"the left-hand side names {d.text}, one sample's derivative, but {topic.title} "
            "is the mean over the m samples (J, not J_i)",
            parser.text,
            d.pos,
        )
    return d.text


def _matrix_reading(parser, mat: M.Mat, topic, profile, pos: int, lhs: str) -> Reading:
    target = target_shape(topic, profile)
    if target is None:
        raise parser.error(f"{mat.name} is a {mat.shape} matrix, but {topic.title} is not", pos)
    (rows, cols), called = target
    why = M.explain(mat)
    title = "∂J/∂W" if topic.name == "softmax_dw" else topic.title
    if (mat.rows, mat.cols) == (rows, cols):
        pass
    elif cols == "1" and rows == "C" and (mat.rows, mat.cols) == ("1", rows):
        mat = M.transpose(mat)  # a row of C entries is as good as a column (NumPy's 1-D arrays)
    elif (mat.rows, mat.cols) == (cols, rows) and rows != cols:
        raise parser.error(
            f"{why}: the shape of the transpose, but {title} has {called}, "
            f"{rows}×{cols}; transpose your answer",
            pos,
        )
    else:
        raise parser.error(f"{why}, but {title} has {called}: {rows}×{cols}", pos)
    k, j = S.k, S.j
    if topic.name == "softmax_jacobian":
        expr = mat.entry(j, k)
    elif topic.name == "softmax_dw":
        expr = mat.entry(None, k) if profile.shape("W")[1] == "C" else mat.entry(k, None)
    elif topic.name in ("logistic_dw", "linear_dw"):
        expr = mat.entry(None, None)
    else:
        expr = mat.entry(k, None)
    kind = "vec" if mat.kind == "vec" else "num"
    shape = f"{why}: {called}"
    if topic.name == "softmax_dw":
        shape += f"; its column k is {topic.title}, graded here"
    return Reading(expr, kind, shape=shape, lhs=lhs)
