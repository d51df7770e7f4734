"""Check a whole two-layer network's gradient, parameter by parameter, and name the bug.

The numeric verdict is :func:`gradlab.numeric.check_gradient`'s, on the loss of
:mod:`gradlab.mlp` in one parameter at a time. A wrong gradient is then compared with the
gradient each classic backpropagation bug produces (computed here from the network's own
forward pass); a cause is named only when the student's gradient *is* that bug's gradient
and the corrected one agrees with finite differences:

====================================  =================================================
bug                                   what it computes
====================================  =================================================
transposed weight                     ``dW.T``
missing φ′                            ``dZ¹ = dH`` (``φ′`` never applied)
φ′ at the output instead of the input ``dZ¹ = dH ⊙ φ′(H)``, ``φ′`` taken at ``h = φ(z¹)``
``=`` instead of ``+=`` at a fork     ``dH`` from the last class only: ``h`` feeds every
                                      ``z²_k``, and each overwrote the one before
bias summed over the wrong axis       ``db = dZ.sum(axis=1)``, over the units
====================================  =================================================
"""

from __future__ import annotations

import numpy as np

from gradlab import mlp
from gradlab._validation import describe
from gradlab.numeric.layer import HYPOTHESES, LayerCheck, LayerUnderTest, as_grads, build_report

__all__ = ["check_model_gradient"]


class _Model(LayerUnderTest):
    """A whole network: the objective is the loss itself, in one parameter at a time."""

    def __init__(self, params, X, y, activation, l2, options):
        names = list(mlp.PARAMETERS)
        super().__init__(None, None, names, [params[k] for k in names], None, None, None,
                         options)  # fmt: skip
        self.params, self.X, self.y, self.act, self.l2 = params, X, y, activation, l2
        self._bugs = None

    def objective(self, name):
        rest = {k: v for k, v in self.params.items() if k != name}

        def f(x):
            return mlp.loss({**rest, name: x[name]}, self.X, self.y, self.act, self.l2)

        return f

    def bugs(self):
        """The gradients each classic bug produces, and the correct ones."""
        if self._bugs is None:
            _, values, grads = mlp.backprop(self.params, self.X, self.y, self.act, self.l2)
            W1, W2, l2 = self.params["W1"], self.params["W2"], self.l2
            dZ2, dH = grads["Z2"], grads["H"]
            prime = mlp.activation_derivative(values["Z1"], self.act)

            def layer1(dZ1):
                return {"W1": self.X.T @ dZ1 + l2 * W1, "b1": dZ1.sum(axis=0)}

            bugs = {
                "missing φ′": layer1(dH),
                "φ′ at the output instead of the input": layer1(
                    dH * mlp.activation_derivative(values["H"], self.act)
                ),
                "= instead of += at a fork": layer1(np.outer(dZ2[:, -1], W2[:, -1]) * prime),
                "bias summed over the wrong axis": {
                    "b1": (dH * prime).sum(axis=1), "b2": dZ2.sum(axis=1)
                },
            }  # fmt: skip
            self._bugs = bugs, {k: grads[k] for k in mlp.PARAMETERS}
        return self._bugs


_TEXTS = {
    "missing φ′": "missing φ′ in d{name}: dZ¹ = dH ⊙ φ′(Z¹), but φ′ was never applied",
    "φ′ at the output instead of the input": (
        "φ′ evaluated at the output instead of the input in d{name}: φ′(H) was used where "
        "φ′(Z¹) belongs (for tanh, φ′(z¹) = 1 - h², not 1 - tanh²(h))"
    ),
    "= instead of += at a fork": (
        "`=` instead of `+=` at a fork in d{name}: h feeds every class z²_k, but dH kept "
        "only the last class's term; dH = dZ² W²ᵀ adds them all"
    ),
    "bias summed over the wrong axis": (
        "bias gradient summed over the wrong axis: d{name} sums over the units (axis 1); "
        "sum over the samples, axis 0"
    ),
}


def _bug_hypothesis(bug):
    def hypothesis(model, name, g):
        produced, correct = model.bugs()
        value = produced[bug].get(name)
        if value is None or np.shape(g) != value.shape:
            return None, ""
        scale = float(np.abs(value).max()) or 1.0
        if not np.allclose(g, value, rtol=1e-6, atol=1e-9 * scale):
            return None, ""  # this bug does not produce the student's gradient
        return correct[name], _TEXTS[bug].format(name=name)

    return hypothesis


_MODEL_HYPOTHESES = {
    "transposed weight": HYPOTHESES["transposed weight"],
    **{bug: _bug_hypothesis(bug) for bug in _TEXTS},
}


def _where_it_enters(rows):
    verdict = {r["name"]: r["verdict"] for r in rows}
    causes = {r["cause"] for r in rows if r["cause"]}
    if causes or not (verdict["W2"] == verdict["b2"] == "pass"):
        return ""
    if "fail" in (verdict["W1"], verdict["b1"]):
        return (
            "the output layer (W2, b2) is right and the hidden layer is not: the error enters "
            "on the way down, in dH = dZ² W²ᵀ (a sum over the classes at the fork h → z²), "
            "in φ′ (missing, or taken at h instead of z¹), or in dW¹ = Xᵀ dZ¹, db¹ = Σ_i dZ¹_i"
        )
    return ""


def check_model_gradient(gradient, params, X, y, *, activation="tanh", l2=0.0, method="auto",
                         mode="full", n=None, seed=0) -> LayerCheck:  # fmt: skip
    """Check a whole two-layer network's gradient, every parameter at once.

    Parameters
    ----------
    gradient : callable
        ``gradient(params, X, y) -> grads``, a dict like ``params`` (the student's
        backpropagation), or a sequence in the order ``W1, b1, W2, b2``.
    params : dict
        ``{"W1", "b1", "W2", "b2"}`` as in :mod:`gradlab.mlp`. Never modified.
    X, y
        The data; the loss is :func:`gradlab.mlp.loss` with ``activation`` and ``l2``.
    activation : {"tanh", "relu", "sigmoid"}, default "tanh"
    l2 : float, default 0.0
    method, mode, n, seed
        As in :func:`gradlab.numeric.check_gradient`.

    Returns
    -------
    LayerCheck
        One row per parameter, with the named bug (see the module docstring) where one
        explains the error; when the output layer agrees and the hidden layer does not
        and no bug is named, the diagnosis says where the error enters on the way down.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab import mlp
    >>> from gradlab.numeric import check_model_gradient
    >>> params = mlp.init_params(2, 3, 3, seed=0)
    >>> X, y = np.random.default_rng(0).normal(size=(5, 2)), [0, 1, 2, 1, 0]
    >>> check_model_gradient(mlp.gradient, params, X, y).verdict
    'pass'
    """
    if not callable(gradient):
        raise TypeError(
            f"gradient must be a callable gradient(params, X, y); got {describe(gradient)}"
        )
    mlp.loss(params, X, y, activation=activation, l2=l2)  # clear errors for bad input, up front
    params = {k: np.array(params[k], copy=True) for k in mlp.PARAMETERS}
    X, y = np.array(X, dtype=float, copy=True), np.array(y, copy=True)
    grads = gradient({k: v.copy() for k, v in params.items()}, X.copy(), y.copy())
    grads = as_grads(grads, list(mlp.PARAMETERS), "gradient")
    options = {"method": method, "mode": mode, "n": n, "seed": seed, "m": X.shape[0]}
    model = _Model(params, X, y, activation, l2, options)
    return build_report("model gradient", model, grads, _MODEL_HYPOTHESES,
                        notes=(_where_it_enters,))  # fmt: skip
