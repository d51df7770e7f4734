"""Step-by-step derivations of the softmax-regression gradient, checked by SymPy.

``derive("softmax_dz")`` re-derives eq (2), ``dJ_i/dz_k = f_k - I(y_i = k)``,
along the lecture's route; every step is produced by a SymPy operation or a
rewrite rule (:mod:`gradlab.symbolic.rules`) and :meth:`Derivation.verify`
proves each one equal to the one before. Importing this subpackage imports
SymPy; ``import gradlab`` alone does not.
"""

from __future__ import annotations

from gradlab.symbolic.figure import render_to_figure
from gradlab.symbolic.render import to_latex, to_unicode
from gradlab.symbolic.steps import Derivation, Step, StepVerdict, Verification
from gradlab.symbolic.topics import TOPICS, builder_of

MAX_CLASSES = 20

__all__ = [
    "Derivation",
    "Step",
    "StepVerdict",
    "Verification",
    "derivations",
    "derive",
    "render_to_figure",
    "to_latex",
    "to_unicode",
]


def derivations() -> dict[str, str]:
    """The topics :func:`derive` knows, each with a one-line description.

    Examples
    --------
    >>> import gradlab
    >>> "softmax_dz" in gradlab.derivations()
    True
    """
    return {name: record.description for name, record in TOPICS.items()}


def derive(topic, n_classes=None, l2=0.0) -> Derivation:
    """Derive a gradient step by step, along the lecture's route.

    Parameters
    ----------
    topic : str
        One of :func:`derivations`, e.g. ``"softmax_dz"`` (eq 2) or ``"softmax_dw"`` (eq 3).
    n_classes : int or None, default None
        ``None`` derives for a general ``C`` with indexed symbols, sums and the
        indicator; an integer ``C >= 2`` writes the same derivation out for that ``C``.
    l2 : float, default 0.0
        The L2 weight λ, as in :func:`gradlab.loss`: ``0`` derives the unpenalized
        gradient; a positive weight adds the penalty ``(λ/2) ||W||^2`` to the loss
        (weight gradients only), written with the symbol λ and checked by
        :meth:`Derivation.verify` at that weight. ``True`` (older code) means a
        penalty checked at λ = 0.7.

    Returns
    -------
    Derivation

    Examples
    --------
    >>> import gradlab
    >>> d = gradlab.derive("softmax_dz")
    >>> print(d.steps[0].rule, "->", d.steps[-1].rule)
    definition -> one-hot sum
    >>> print(gradlab.symbolic.to_unicode(d.result))
    fₖ - 𝕀(yᵢ = k)
    """
    if not isinstance(topic, str):
        raise TypeError(f"topic must be a string naming a derivation; got {type(topic).__name__}")
    if topic not in TOPICS:
        known = ", ".join(TOPICS)
        raise ValueError(f"topic must be one of {known}; got {topic!r}")
    if n_classes is not None:
        if isinstance(n_classes, bool) or (
            not isinstance(n_classes, (int,)) and not (hasattr(n_classes, "__index__"))
        ):
            raise TypeError(f"n_classes must be an integer >= 2 or None; got {n_classes!r}")
        n_classes = int(n_classes.__index__())
        if not 2 <= n_classes <= MAX_CLASSES:
            raise ValueError(
                f"n_classes must be between 2 and {MAX_CLASSES}, or None for a general C "
                f"(past {MAX_CLASSES} the written-out sums are unreadable); got {n_classes}"
            )
    l2 = _l2_weight(l2)
    record = TOPICS[topic]
    derivation = builder_of(record)(n_classes=n_classes, l2=l2)
    derivation.topic = record.name  # softmax_db is derived along with softmax_dw
    return derivation


def _l2_weight(l2) -> float:
    """The L2 weight as a float (``True``, the old flag, is the weight the checks use)."""
    from numbers import Real

    from gradlab.symbolic.models import LAMBDA

    if l2 is True:
        return LAMBDA
    if l2 is False:
        return 0.0
    if not isinstance(l2, Real):
        raise TypeError(f"l2 must be the L2 weight, a number >= 0 (as in gradlab.loss); got {l2!r}")
    if not 0 <= float(l2) < float("inf"):
        raise ValueError(f"l2 must be the L2 weight, a finite number >= 0; got {l2!r}")
    return float(l2)
