"""The topics gradlab teaches, each defined once: what is differentiated, the loss, the result.

One frozen :class:`Topic` record per topic feeds every part that talks about it:

- :func:`gradlab.derive` finds the builder of its derivation here (``builder``) and the
  line of the derivation that is the topic's answer (``wrt``);
- :func:`gradlab.check_answer` grades against ``result_latex`` (read by the answer
  parser, the same way a student's answer is read) and takes the conventions from
  here: ``aggregate`` (one sample or the mean over m), ``free`` indices, ``bias``;
- the vocabulary and the docs print :func:`topic_table`.

This module is NumPy-free and SymPy-free: the SymPy parts (the derivation, the
parsed reference) are built lazily by the packages that need them.

Adding a topic
--------------
1. Write its builder, ``def my_topic(n_classes=None, l2=0) -> Derivation``, in a
   module of :mod:`gradlab.symbolic.topics` (e.g. ``mlp.py``). One of its steps must
   have ``Derivative(J, <wrt>)`` (or ``Derivative(J_i, <wrt>)``) as its left-hand side.
2. Add one :class:`Topic` record to ``_RECORDS`` below, with ``builder`` naming that
   function as ``"module:function"`` and ``result_latex`` the answer as a student
   would type it. ``tests/test_topics.py`` then derives the new topic and grades
   the derived answer against the record, so the two cannot drift apart.
3. Grading needs the topic's numbers too: its ``family`` must be one the answer
   checker can evaluate (``gradlab.answers.topics.per_sample``); a new family adds
   its per-sample formula there.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TOPICS", "Topic", "get_topic", "topic_table"]


@dataclass(frozen=True)
class Topic:
    """One derivative gradlab derives and grades.

    Attributes
    ----------
    name : str
        The public name, e.g. ``"softmax_dz"``.
    family : str
        The model: ``"softmax"``, ``"logistic"`` or ``"linear"``.
    derivative : str
        What is differentiated, plain text (``"∂J_i/∂z_k"``), for messages.
    loss : str
        The loss being differentiated, plain text, with its conventions.
    result : str
        The answer in plain text.
    result_latex : str
        The answer as a student types it; the grader's reference is this text,
        parsed by the answer parser.
    aggregate : str
        ``"one"`` (one sample's J_i), ``"mean"`` or ``"mean_x"`` (the mean over the
        m samples, without or with the factor x_i).
    free : tuple of str
        The free indices of the answer besides the sample i.
    bias : bool
        Whether the logit has a bias: ``z = w^T x + b`` (True) or ``z = w^T x``.
    variables : tuple of str
        The symbols the answer is written in.
    builder : str
        ``"module:function"`` of the derivation, in :mod:`gradlab.symbolic.topics`.
    wrt : str
        The variable of the derivation's line that is this topic's answer, as SymPy
        prints it (``"z[k]"``, ``"w[k]"``, ``"b[k]"``, ``"z"``, ``"w"``).
    description : str
        One line for listings (:func:`gradlab.derivations`, ``gradlab derive --list``).
    tag : str
        The lecture's equation number, or ``""``.
    """

    name: str
    family: str
    derivative: str
    loss: str
    result: str
    result_latex: str
    aggregate: str
    free: tuple
    bias: bool
    variables: tuple
    builder: str
    wrt: str
    description: str
    tag: str = ""

    @property
    def kind(self) -> str:
        """``"vec"`` if the answer is a vector like x_i, ``"num"`` if a number."""
        return "vec" if self.aggregate == "mean_x" else "num"


_SOFTMAX_LOSS = (
    "J = (1/m) Σ_i J_i, J_i = −Σ_j 𝕀(y_i = j) log f_j, f = softmax(z), z_k = w_kᵀx_i + b_k"
)
_LOGISTIC_LOSS = (
    "J = (1/m) Σ_i J_i, J_i = −y_i log σ(z_i) − (1 − y_i) log(1 − σ(z_i)), z_i = wᵀx_i + b"
)
_LINEAR_LOSS = "J = (1/2m) Σ_i (wᵀx_i − y_i)² (no bias: append a constant feature to x for one)"

_RECORDS = (
    Topic(
        name="softmax_dz",
        family="softmax",
        derivative="∂J_i/∂z_k",
        loss=_SOFTMAX_LOSS,
        result="f_k − 𝕀(y_i = k)",
        result_latex=r"f_k - \mathbb{I}(y_i = k)",
        aggregate="one",
        free=("k",),
        bias=True,
        variables=("f_k", "y_i", "z_k", "C"),
        builder="gradlab.symbolic.topics.softmax:softmax_dz",
        wrt="z[k]",
        description="∂J_i/∂z_k = f_k − 𝕀(y_i = k) for softmax cross-entropy (eq 2)",
        tag="2",
    ),
    Topic(
        name="softmax_dw",
        family="softmax",
        derivative="∂J/∂w_k",
        loss=_SOFTMAX_LOSS,
        result="(1/m) Σ_i (f_k − 𝕀(y_i = k)) x_i",
        result_latex=r"\frac{1}{m} \sum_{i=1}^{m} (f_k - \mathbb{I}(y_i = k)) x_i",
        aggregate="mean_x",
        free=("k",),
        bias=True,
        variables=("f_k", "y_i", "z_k", "x_i", "w_k", "b_k", "C", "m"),
        builder="gradlab.symbolic.topics.regression:softmax_dw",
        wrt="w[k]",
        description=(
            "∂J/∂w_k = (1/m) Σ_i (f_k − 𝕀(y_i = k)) x_i, ∂J/∂b_k and ∇_W J = (1/m) Xᵀ(F − Y) (eq 3)"
        ),
        tag="3",
    ),
    Topic(
        name="softmax_db",
        family="softmax",
        derivative="∂J/∂b_k",
        loss=_SOFTMAX_LOSS,
        result="(1/m) Σ_i (f_k − 𝕀(y_i = k))",
        result_latex=r"\frac{1}{m} \sum_{i=1}^{m} (f_k - \mathbb{I}(y_i = k))",
        aggregate="mean",
        free=("k",),
        bias=True,
        variables=("f_k", "y_i", "z_k", "x_i", "w_k", "b_k", "C", "m"),
        builder="gradlab.symbolic.topics.regression:softmax_dw",
        wrt="b[k]",
        description="∂J/∂b_k = (1/m) Σ_i (f_k − 𝕀(y_i = k)), derived with softmax_dw",
    ),
    Topic(
        name="softmax_jacobian",
        family="softmax",
        derivative="∂f_j/∂z_k",
        loss="f_j = exp(z_j) / Σ_c exp(z_c) (no loss: the softmax itself)",
        result="f_j (𝕀(j = k) − f_k)",
        result_latex=r"f_j (\mathbb{I}(j = k) - f_k)",
        aggregate="one",
        free=("j", "k"),
        bias=True,
        variables=("f_j", "f_k", "z_k", "C"),
        builder="gradlab.symbolic.topics.softmax:softmax_jacobian",
        wrt="z[k]",
        description="∂f_j/∂z_k = f_j (𝕀(j = k) − f_k), the softmax Jacobian, by the quotient rule",
    ),
    Topic(
        name="logistic_dz",
        family="logistic",
        derivative="∂J_i/∂z",
        loss=_LOGISTIC_LOSS,
        result="σ(z) − y_i",
        result_latex=r"\sigma(z) - y_i",
        aggregate="one",
        free=(),
        bias=True,
        variables=("z", "y_i"),
        builder="gradlab.symbolic.topics.regression:logistic_dz",
        wrt="z",
        description="∂J_i/∂z = σ(z) − y_i for binary cross-entropy with a sigmoid",
    ),
    Topic(
        name="logistic_dw",
        family="logistic",
        derivative="∂J/∂w",
        loss=_LOGISTIC_LOSS,
        result="(1/m) Σ_i (σ(z_i) − y_i) x_i",
        result_latex=r"\frac{1}{m} \sum_{i=1}^{m} (\sigma(z_i) - y_i) x_i",
        aggregate="mean_x",
        free=(),
        bias=True,
        variables=("z_i", "y_i", "x_i", "w", "b", "m"),
        builder="gradlab.symbolic.topics.regression:logistic_dw",
        wrt="w",
        description="∂J/∂w = (1/m) Σ_i (σ(z_i) − y_i) x_i, ∂J/∂b and the matrix form",
    ),
    Topic(
        name="linear_dw",
        family="linear",
        derivative="∂J/∂w (for J = (1/2m) Σ_i (wᵀx_i − y_i)², no bias)",
        loss=_LINEAR_LOSS,
        result="(1/m) Σ_i (wᵀx_i − y_i) x_i",
        result_latex=r"\frac{1}{m} \sum_{i=1}^{m} (w^\top x_i - y_i) x_i",
        aggregate="mean_x",
        free=(),
        bias=False,
        variables=("w", "x_i", "y_i", "m"),
        builder="gradlab.symbolic.topics.regression:linear_dw",
        wrt="w",
        description="∂J/∂w = (1/m) Σ_i (wᵀx_i − y_i) x_i = (1/m) Xᵀ(Xw − y) for squared error",
    ),
)

TOPICS: dict[str, Topic] = {record.name: record for record in _RECORDS}


def get_topic(name) -> Topic:
    """The record of topic ``name``; a clear error for anything else.

    Examples
    --------
    >>> from gradlab.topics import get_topic
    >>> get_topic("softmax_dz").result
    'f_k − 𝕀(y_i = k)'
    """
    if not isinstance(name, str):
        raise TypeError(f"topic must be a str, one of {sorted(TOPICS)}; got {name!r}")
    if name not in TOPICS:
        raise ValueError(f"topic must be one of {sorted(TOPICS)}; got {name!r}")
    return TOPICS[name]


def topic_table() -> str:
    """The topics as a markdown table (for the README, notebooks and the vocabulary).

    Examples
    --------
    >>> from gradlab.topics import topic_table
    >>> print(topic_table().splitlines()[2])
    | `softmax_dz` | ∂J_i/∂z_k | f_k − 𝕀(y_i = k) | one sample |
    """
    how = {"one": "one sample", "mean": "mean over m", "mean_x": "mean over m"}
    rows = ["| topic | derivative | result | of |", "|---|---|---|---|"]
    rows += [f"| `{t.name}` | {t.derivative} | {t.result} | {how[t.aggregate]} |" for t in _RECORDS]
    return "\n".join(rows)
