"""The values the grammar builds: a SymPy expression with its kind.

Shared by the parser's mixins (``notation.py``, ``quantities.py``,
``piecewise.py``, ``lhs.py``); see ``parser.py`` for the kinds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp

from gradlab.answers import symbols as S

__all__ = ["Val", "classes", "is_index"]


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


def classes(component: Callable, pos: int, sample=S.i, **flags) -> Val:
    return Val(kind="classes", pos=pos, component=component, extra={"sample": sample, **flags})
