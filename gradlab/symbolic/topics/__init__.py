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


def _mlp_dz1(activation):
    """The builder of ``mlp_dz1`` (any φ) or ``mlp_dz1_<activation>``, imported when called.

    mlp.py builds the four ∂J_i/∂z¹_j topics with one factory; until it names one builder
    per topic, these adaptors give the records a ``module:function`` to point at.
    """

    def build(n_classes=None, l2=0.0):
        from gradlab.symbolic.topics.mlp import _dz1_topic

        return _dz1_topic(activation)(n_classes=n_classes, l2=l2)

    build.__name__ = "mlp_dz1" + (f"_{activation}" if activation else "")
    return build


mlp_dz1 = _mlp_dz1(None)
mlp_dz1_relu = _mlp_dz1("relu")
mlp_dz1_tanh = _mlp_dz1("tanh")
mlp_dz1_sigmoid = _mlp_dz1("sigmoid")

# name -> record, for the names derive() knows
TOPICS = dict(RECORDS)
