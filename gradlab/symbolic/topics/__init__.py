"""The derivation builders; which topic uses which is recorded once, in :mod:`gradlab.topics`."""

from __future__ import annotations

import importlib

import sympy as sp

from gradlab.topics import TOPICS as RECORDS
from gradlab.topics import Topic

__all__ = ["answer_of", "builder_of"]


def builder_of(record: Topic):
    """The function that builds ``record``'s derivation (``record.builder``, ``module:function``)."""
    module, _, function = record.builder.partition(":")
    return getattr(importlib.import_module(module), function)


def answer_of(derivation, record: Topic) -> sp.Expr:
    """The right-hand side of the derivation's line that answers ``record``.

    That is the last line whose left-hand side is a derivative with respect to
    ``record.wrt`` (a derivation can answer several topics: softmax_dw also
    derives ∂J/∂b_k).
    """
    for step in reversed(derivation.steps):
        lhs = step.lhs
        if isinstance(lhs, sp.Derivative) and str(lhs.variables[0]) == record.wrt:
            return step.rhs
    raise LookupError(f"the derivation of {derivation.topic} has no line for {record.wrt}")


# name -> record, for the names derive() knows
TOPICS = dict(RECORDS)
