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
   its per-sample formula there (the network's are ``network_truth``, keyed by ``wrt``).
   Its ``notation`` must be one the answer parser reads for ``check_answer`` to take
   typed answers: the network's index letters (``notation="mlp"``) are read by
   ``gradlab.answers.network``; its matrices (``mlp_matrix``) are not read yet, and
   check_answer says so.
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
        The model: ``"softmax"``, ``"logistic"``, ``"linear"`` or ``"mlp"`` (the two-layer
        network of :mod:`gradlab.mlp`).
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
    notation : str
        The letters the answer is written in, as the answer parser names its families:
        ``""`` for the family's own, ``"softmax"`` for a network answer in the output
        layer's letters only (f_k, z_k = z²_k, y_i), ``"mlp"`` for the network's letters
        (h_j, z¹_j, W¹_lj, W²_jk, x_l, φ′), ``"mlp matrix"`` for its matrices.
    activations : tuple of str
        For the network: the activations φ the answer must hold for.
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
    notation: str = ""
    activations: tuple = ()

    @property
    def reads_as(self) -> str:
        """The notation of the answer: ``notation``, or the family's own."""
        return self.notation or self.family

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
_NETWORK_LOSS = (
    "J = (1/m) Σ_i J_i, J_i = −Σ_c 𝕀(y_i = c) log f_c, f = softmax(z²), z²_k = Σ_j W²_jk h_j + b²_k, "
    "h_j = φ(z¹_j), z¹_j = Σ_l W¹_lj x_l + b¹_j (x_l: feature l of sample i)"
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

# The two-layer network (issue 14), one sample's J_i in index form; mlp_matrix is all m at once.
_DZ2 = r"f_k - \mathbb{I}(y_i = k)"
_DH = r"\sum_{c=1}^{C} (f_c - \mathbb{I}(y_i = c)) W^{2}_{jc}"
_PHI = ("tanh", "sigmoid", "relu")
_NETWORK = {"family": "mlp", "loss": _NETWORK_LOSS, "aggregate": "one", "bias": True, "tag": ""}
_NET_VARIABLES = ("f_k", "y_i", "h_j", "z¹_j", "W²_jk", "x_l", "C")
_RECORDS += (
    Topic(
        name="mlp_dz2", derivative="∂J_i/∂z²_k", result="f_k − 𝕀(y_i = k)", result_latex=_DZ2,
        free=("k",), variables=("f_k", "y_i", "z_k", "C"),
        builder="gradlab.symbolic.topics.mlp:mlp_dz2", wrt="z²ₖ",
        description="∂J_i/∂z²_k = f_k − 𝕀(y_i = k) at a two-layer network's output (eq 2)",
        notation="softmax", activations=("tanh",), **_NETWORK,
    ),
    Topic(
        name="mlp_db2", derivative="∂J_i/∂b²_k", result="f_k − 𝕀(y_i = k)", result_latex=_DZ2,
        free=("k",), variables=("f_k", "y_i", "z_k", "C"),
        builder="gradlab.symbolic.topics.mlp:mlp_dw2", wrt="b²ₖ",
        description="∂J_i/∂b²_k = f_k − 𝕀(y_i = k), derived with mlp_dw2",
        notation="softmax", activations=("tanh",), **_NETWORK,
    ),
    Topic(
        name="mlp_dw2", derivative="∂J_i/∂W²_jk", result="(f_k − 𝕀(y_i = k)) h_j",
        result_latex=rf"({_DZ2}) h_j", free=("j", "k"), variables=_NET_VARIABLES,
        builder="gradlab.symbolic.topics.mlp:mlp_dw2", wrt="W²ⱼₖ",
        description="∂J_i/∂b²_k = f_k − 𝕀(y_i = k) and ∂J_i/∂W²_jk = (f_k − 𝕀(y_i = k)) h_j",
        notation="mlp", activations=("tanh",), **_NETWORK,
    ),
    Topic(
        name="mlp_dh", derivative="∂J_i/∂h_j", result="Σ_c (f_c − 𝕀(y_i = c)) W²_jc",
        result_latex=_DH, free=("j",), variables=_NET_VARIABLES,
        builder="gradlab.symbolic.topics.mlp:mlp_dh", wrt="hⱼ",
        description="∂J_i/∂h_j = Σ_c (f_c − 𝕀(y_i = c)) W²_jc: the fork h → every class",
        notation="mlp", activations=("tanh",), **_NETWORK,
    ),
    Topic(
        name="mlp_dz1", derivative="∂J_i/∂z¹_j", result="(Σ_c (f_c − 𝕀(y_i = c)) W²_jc) φ′(z¹_j)",
        result_latex=rf"\left({_DH}\right) \varphi'(z^{{1}}_j)", free=("j",),
        variables=_NET_VARIABLES, builder="gradlab.symbolic.topics:mlp_dz1", wrt="z¹ⱼ",
        description="∂J_i/∂z¹_j = (∂J_i/∂h_j) φ′(z¹_j), for any activation φ",
        notation="mlp", activations=_PHI, **_NETWORK,
    ),
    Topic(
        name="mlp_dz1_relu", derivative="∂J_i/∂z¹_j (φ = relu)",
        result="(Σ_c (f_c − 𝕀(y_i = c)) W²_jc) 𝕀(z¹_j > 0)",
        result_latex=rf"\left({_DH}\right) \mathbb{{I}}(z^{{1}}_j > 0)", free=("j",),
        variables=_NET_VARIABLES, builder="gradlab.symbolic.topics:mlp_dz1_relu", wrt="z¹ⱼ",
        description="∂J_i/∂z¹_j with relu′(z) = 𝕀(z > 0)",
        notation="mlp", activations=("relu",), **_NETWORK,
    ),
    Topic(
        name="mlp_dz1_tanh", derivative="∂J_i/∂z¹_j (φ = tanh)",
        result="(Σ_c (f_c − 𝕀(y_i = c)) W²_jc) (1 − h_j²)",
        result_latex=rf"\left({_DH}\right) (1 - (h_j)^2)", free=("j",),
        variables=_NET_VARIABLES, builder="gradlab.symbolic.topics:mlp_dz1_tanh", wrt="z¹ⱼ",
        description="∂J_i/∂z¹_j with tanh′(z) = 1 − h_j²",
        notation="mlp", activations=("tanh",), **_NETWORK,
    ),
    Topic(
        name="mlp_dz1_sigmoid", derivative="∂J_i/∂z¹_j (φ = sigmoid)",
        result="(Σ_c (f_c − 𝕀(y_i = c)) W²_jc) h_j (1 − h_j)",
        result_latex=rf"\left({_DH}\right) h_j (1 - h_j)", free=("j",),
        variables=_NET_VARIABLES, builder="gradlab.symbolic.topics:mlp_dz1_sigmoid", wrt="z¹ⱼ",
        description="∂J_i/∂z¹_j with σ′(z) = h_j (1 − h_j)",
        notation="mlp", activations=("sigmoid",), **_NETWORK,
    ),
    Topic(
        name="mlp_db1", derivative="∂J_i/∂b¹_j", result="(Σ_c (f_c − 𝕀(y_i = c)) W²_jc) φ′(z¹_j)",
        result_latex=rf"\left({_DH}\right) \varphi'(z^{{1}}_j)", free=("j",),
        variables=_NET_VARIABLES, builder="gradlab.symbolic.topics.mlp:mlp_dw1", wrt="b¹ⱼ",
        description="∂J_i/∂b¹_j = ∂J_i/∂z¹_j, derived with mlp_dw1",
        notation="mlp", activations=_PHI, **_NETWORK,
    ),
    Topic(
        name="mlp_dw1", derivative="∂J_i/∂W¹_lj",
        result="(Σ_c (f_c − 𝕀(y_i = c)) W²_jc) φ′(z¹_j) x_l",
        result_latex=rf"\left({_DH}\right) \varphi'(z^{{1}}_j) x_l", free=("l", "j"),
        variables=_NET_VARIABLES, builder="gradlab.symbolic.topics.mlp:mlp_dw1", wrt="W¹ₗⱼ",
        description="∂J_i/∂b¹_j = ∂J_i/∂z¹_j and ∂J_i/∂W¹_lj = (∂J_i/∂z¹_j) x_l",
        notation="mlp", activations=_PHI, **_NETWORK,
    ),
    Topic(
        name="mlp_backprop", derivative="∂J_i/∂W¹_lj (the whole chain)",
        result="(Σ_c (f_c − 𝕀(y_i = c)) W²_jc) φ′(z¹_j) x_l",
        result_latex=rf"\left({_DH}\right) \varphi'(z^{{1}}_j) x_l", free=("l", "j"),
        variables=_NET_VARIABLES, builder="gradlab.symbolic.topics.mlp:mlp_backprop",
        wrt="W¹ₗⱼ",
        description="the whole chain from J_i down to W¹_lj, one factor per layer",
        notation="mlp", activations=_PHI, **_NETWORK,
    ),
    Topic(
        name="mlp_matrix", family="mlp", derivative="∇_{W¹} J (matrix form, all m samples)",
        loss=_NETWORK_LOSS + "; row i of X, H, F, Y is sample i",
        result="Xᵀ (((F − Y)/m) W²ᵀ ⊙ φ′(Z¹))",
        result_latex=r"\mathbf{X}^{\top} \left(\frac{1}{m} (F - Y) {W^{2}}^{\top} \odot "
        r"\varphi'(Z^{1})\right)",
        aggregate="mean", free=(), bias=True, variables=("X", "F", "Y", "W²", "Z¹", "m"),
        builder="gradlab.symbolic.topics.mlp_matrix:mlp_matrix", wrt="W¹",
        description=(
            "backprop for all m samples: ∂J/∂Z² = (F − Y)/m, ∇_{W²} J = Hᵀ ∂J/∂Z², "
            "∂J/∂H = ∂J/∂Z² W²ᵀ, ∂J/∂Z¹ = ∂J/∂H ⊙ φ′(Z¹), ∇_{W¹} J = Xᵀ ∂J/∂Z¹, with shapes"
        ),
        notation="mlp matrix", activations=_PHI,
    ),
)  # fmt: skip

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
