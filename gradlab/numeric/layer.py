"""Layer-by-layer gradient checks, in the style of course assignments.

A layer is a pair ``forward(*inputs) -> out`` and ``backward(dout) -> grads`` (one
gradient per input, parameters included). :func:`check_layer` draws a random upstream
gradient ``dout``, and compares each gradient with finite differences of the scalar
``⟨dout, forward(...)⟩`` through :func:`gradlab.numeric.check_gradient` (so the verdict
follows its procedure and tolerance table). :func:`gradlab.numeric.check_model_gradient`
does the same for the parameters of a whole two-layer network (:mod:`gradlab.mlp`).

Diagnosis
---------
When a gradient is wrong, the classic backpropagation bugs are tried in a fixed order,
one hypothesis per bug (the table ``HYPOTHESES``). Each hypothesis *undoes* its bug in
the student's answer and reruns the check on that input; the cause is named only when
the undone answer agrees. So a diagnosis is never a guess.

==========================  ==========================================================
bug                         undone by
==========================  ==========================================================
transposed weight           transposing the gradient
bias summed, wrong axis     summing the per-sample contributions over the samples
                            instead (the student's value must equal their sum over
                            the units)
missing φ′                  calling ``backward`` with ``dout ⊙ φ′(z)``
φ′ at the output            calling ``backward`` with ``dout ⊙ φ′(z) / φ′(φ(z))``
``=`` instead of ``+=``     adding the gradient of the branches it overwrote (the
at a fork                   student's value must equal one branch's gradient)
==========================  ==========================================================

``φ′(z)`` is read from the layer's output ``out = φ(z)`` (``1 - out²`` for tanh,
``out (1 - out)`` for the sigmoid, ``I(out > 0)`` for relu); ``activation="auto"`` tries
each activation the output's range allows. A fork is an input passed to two or more
NumPy operations of ``forward``; its branches are separated by handing each use its
own copy of the input.
"""

from __future__ import annotations

import numpy as np

from gradlab._validation import describe
from gradlab.numeric._forks import branch_gradients, branch_objective
from gradlab.numeric.check import check_gradient

__all__ = ["HYPOTHESES", "LayerCheck", "check_layer"]


# ----------------------------------------------------------------------------- the report


class LayerCheck:
    """The result of :func:`check_layer` or :func:`check_model_gradient`.

    Attributes
    ----------
    verdict : {"pass", "fail", "inconclusive"}
    ok : bool
        ``verdict == "pass"``.
    rows : list of dict
        One per input or parameter: ``name``, ``shape``, ``verdict``, ``max_rel_error``
        and ``cause`` (the named bug, or ``""``).
    diagnosis : list of str
        Named causes (each confirmed by undoing it), then the numeric check's own findings.
    checks : dict of str to GradientCheck
        The :func:`check_gradient` report of each gradient that had the right shape.
    dout : ndarray or None
        The random upstream gradient (``None`` for a whole model).

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.numeric import check_layer
    >>> x, W = np.ones((2, 3)), np.arange(6.0).reshape(3, 2)
    >>> report = check_layer(lambda x, W: x @ W, lambda d: (d @ W.T, x.T @ d), [x, W])
    >>> report.ok, [row["name"] for row in report.rows]
    (True, ['x0', 'x1'])
    """

    def __init__(self, kind, checks, rows, diagnosis, dout=None):
        self.kind, self.checks, self.rows, self.dout = kind, checks, rows, dout
        self.diagnosis = diagnosis
        verdicts = {row["verdict"] for row in rows}
        if "fail" in verdicts:
            self.verdict = "fail"
        elif verdicts == {"pass"}:
            self.verdict = "pass"
        else:
            self.verdict = "inconclusive"

    @property
    def ok(self) -> bool:
        return self.verdict == "pass"

    def __bool__(self) -> bool:
        return self.ok

    def headline(self) -> str:
        bad = [r["name"] for r in self.rows if r["verdict"] == "fail"]
        if self.verdict == "pass":
            return f"{self.kind} check passed: every gradient agrees with finite differences"
        if self.verdict == "fail":
            return f"{self.kind} check FAILED: wrong gradient for {', '.join(bad)}"
        return f"{self.kind} check INCONCLUSIVE: finite differences could not decide every entry"

    def __str__(self) -> str:
        lines = [self.headline(), ""]
        lines.append(f"  {'gradient':<10}{'shape':<14}{'verdict':<14}{'max rel err':>12}  cause")
        for r in self.rows:
            err = f"{r['max_rel_error']:.2e}" if np.isfinite(r["max_rel_error"]) else "-"
            lines.append(
                f"  {'d' + r['name']:<10}{r['shape']!s:<14}{r['verdict']:<14}{err:>12}  "
                f"{r['cause']}"
            )
        if self.diagnosis:
            lines += ["", "  diagnosis:"] + [f"  - {d}" for d in self.diagnosis]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<LayerCheck {self.verdict}: {self.headline()}>"

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))

    def _repr_html_(self) -> str:
        import html

        e = html.escape
        color = {"pass": "#1a7f37", "fail": "#cf222e"}.get(self.verdict, "#9a6700")
        rows = "".join(
            f"<tr><td><code>d{e(r['name'])}</code></td><td>{e(str(r['shape']))}</td>"
            f"<td>{e(r['verdict'])}</td><td>{r['max_rel_error']:.2e}</td>"
            f"<td>{e(r['cause'])}</td></tr>"
            for r in self.rows
        )
        diagnosis = "".join(f"<li>{e(d)}</li>" for d in self.diagnosis)
        return (
            f"<div><p style='color:{color};font-weight:bold'>{e(self.headline())}</p>"
            "<table><tr><th>gradient</th><th>shape</th><th>verdict</th><th>max rel error</th>"
            f"<th>cause</th></tr>{rows}</table>"
            + (f"<p>diagnosis:</p><ul>{diagnosis}</ul>" if diagnosis else "")
            + "</div>"
        )


# ----------------------------------------------------------------------------- hypotheses


class LayerUnderTest:
    """A layer under test: its inputs, the upstream gradient, and fresh calls of both passes."""

    def __init__(self, forward, backward, names, values, dout, out, activation, options):
        self.forward, self.backward = forward, backward
        self.names, self.values = names, values
        self.dout, self.out, self.activation = dout, out, activation
        self.options = options  # method, mode, n, seed (and m) for check_gradient

    def value(self, name):
        return self.values[self.names.index(name)]

    def run_backward(self, dout):
        # rerun forward first: a course-style backward reads the cache of the last forward
        self.forward(*(v.copy() for v in self.values))
        return as_grads(self.backward(dout), self.names, "backward")

    def objective(self, name):
        """``x -> ⟨dout, forward(...)⟩`` in the input ``name``, the others fixed."""
        idx = self.names.index(name)

        def f(x):
            args = [v.copy() for v in self.values]
            args[idx] = x[name]
            return np.sum(self.dout * self.forward(*args))

        return f

    def check(self, name, candidate, f=None):
        """The GradientCheck of ``candidate`` as d``name``, or None if its shape is wrong."""
        if candidate is None or np.shape(candidate) != self.value(name).shape:
            return None
        f = self.objective(name) if f is None else f
        return check_gradient(f, {name: np.asarray(candidate)}, {name: self.value(name)},
                              **self.options)  # fmt: skip

    def agrees(self, name, candidate) -> bool:
        check = self.check(name, candidate)
        return check is not None and check.ok


def _transposed(layer, name, g):
    if np.ndim(g) == 2:
        return np.transpose(g), (
            f"transposed weight: d{name} is the transpose of the gradient; "
            f"use d{name}.T (the gradient has {name}'s shape, not {name}ᵀ's)"
        )
    return None, ""


def _bias_axis(layer, name, g):
    value = layer.values[layer.names.index(name)]
    dout = layer.dout
    if value.ndim != 1 or dout.ndim != 2 or dout.shape[1] != value.shape[0]:
        return None, ""
    # per-sample contributions G[i, j] = ⟨dout_i, ∂out_i/∂b_j⟩, by central differences
    G = np.empty((dout.shape[0], value.shape[0]))
    h = 1e-6 * max(1.0, float(np.abs(value).max()))
    for j in range(value.shape[0]):
        plus, minus = value.copy(), value.copy()
        plus[j] += h
        minus[j] -= h
        args_p = [v.copy() for v in layer.values]
        args_m = [v.copy() for v in layer.values]
        args_p[layer.names.index(name)], args_m[layer.names.index(name)] = plus, minus
        diff = np.asarray(layer.forward(*args_p)) - np.asarray(layer.forward(*args_m))
        G[:, j] = (dout * diff).sum(axis=1) / (2 * h)
    wrong = G.sum(axis=1)
    g = np.ravel(g)
    if g.shape != wrong.shape or not np.allclose(g, wrong, rtol=1e-5, atol=1e-7 * np.abs(G).max()):
        return None, ""
    return G.sum(axis=0), (
        f"bias gradient summed over the wrong axis: d{name} sums over the units (axis 1); "
        "sum the per-sample gradients over the samples, axis 0"
    )


_DERIVATIVE_FROM_OUTPUT = {
    "relu": lambda out: (out > 0).astype(float),
    "tanh": lambda out: 1 - out * out,
    "sigmoid": lambda out: out * (1 - out),
}
# φ′ applied to the output by mistake; relu′(relu(z)) = relu′(z), so that bug is harmless
_DERIVATIVE_AT_OUTPUT = {
    "tanh": lambda out: 1 - np.tanh(out) ** 2,
    "sigmoid": lambda out: (s := 0.5 * (1 + np.tanh(0.5 * out))) * (1 - s),
}


def _activations(layer):
    if layer.activation is None:
        return []
    if layer.activation != "auto":
        return [layer.activation]
    out = np.asarray(layer.out)
    if np.iscomplexobj(out) or out.size == 0:
        return []
    lo, hi = float(out.min()), float(out.max())
    allowed = []
    if lo >= 0 and (out == 0).any():
        allowed.append("relu")
    if -1 < lo and hi < 1:
        allowed.append("tanh")
    if 0 < lo and hi < 1:
        allowed.append("sigmoid")
    return allowed


def _missing_phi(layer, name, g):
    for act in _activations(layer):
        scaled = layer.dout * _DERIVATIVE_FROM_OUTPUT[act](layer.out)
        candidate = layer.run_backward(scaled)[layer.names.index(name)]
        if layer.agrees(name, candidate):
            return candidate, (
                f"missing φ′ in d{name}: the derivative of {act} is never applied; multiply the "
                f"upstream gradient by {act}′(z) before passing it down"
            )
    return None, ""


def _phi_at_output(layer, name, g):
    for act in _activations(layer):
        if act not in _DERIVATIVE_AT_OUTPUT:
            continue
        out = layer.out
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = _DERIVATIVE_FROM_OUTPUT[act](out) / _DERIVATIVE_AT_OUTPUT[act](out)
        if not np.isfinite(ratio).all():
            continue
        candidate = layer.run_backward(layer.dout * ratio)[layer.names.index(name)]
        if layer.agrees(name, candidate):
            return candidate, (
                f"φ′ evaluated at the output instead of the input in d{name}: {act}′(h) is used "
                f"with h = {act}(z); the derivative belongs at z ({act}′(z), which is "
                + ("1 - h²" if act == "tanh" else "h (1 - h)")
                + " in terms of h)"
            )
    return None, ""


def _fork(layer, name, g):
    branches = branch_gradients(layer, name)
    if branches is None or len(branches) < 2:
        return None, ""
    for use, _ in enumerate(branches):
        check = layer.check(name, g, f=branch_objective(layer, name, use))
        if check is not None and check.ok:
            others = sum(b for u, b in enumerate(branches) if u != use)
            return g + others, (
                f"`=` instead of `+=` at a fork: {name} is used {len(branches)} times in forward, "
                f"but d{name} holds only the gradient through use {use + 1}; add (+=) the "
                "gradients of every use"
            )
    return None, ""


# name of the bug -> hypothesis(layer, input name, student's gradient) -> (undone, text)
HYPOTHESES = {
    "transposed weight": _transposed,
    "bias summed over the wrong axis": _bias_axis,
    "missing φ′": _missing_phi,
    "φ′ at the output instead of the input": _phi_at_output,
    "= instead of += at a fork": _fork,
}


# ----------------------------------------------------------------------------- check_layer


def _as_inputs(inputs):
    if isinstance(inputs, dict):
        names = list(inputs)
        values = list(inputs.values())
    elif isinstance(inputs, (list, tuple)):
        names = [f"x{i}" if len(inputs) > 1 else "x" for i in range(len(inputs))]
        values = list(inputs)
    else:
        raise TypeError(
            "inputs must be a dict {name: array} or a sequence of arrays (the arguments of "
            f"forward); got {describe(inputs)}"
        )
    if not names:
        raise ValueError("inputs must hold at least one array")
    out = []
    for n, v in zip(names, values, strict=True):
        arr = np.array(v, dtype=np.result_type(np.asarray(v).dtype, np.float64), copy=True)
        if arr.dtype.kind not in "fc":
            raise TypeError(f"input {n!r} must be a numeric array; got {describe(v)}")
        out.append(arr)
    return names, out


def as_grads(grads, names, who):
    if isinstance(grads, dict):
        missing = [n for n in names if n not in grads]
        if missing:
            raise ValueError(f"{who} must return a gradient for every input; missing {missing}")
        grads = [grads[n] for n in names]
    elif isinstance(grads, np.ndarray) and len(names) == 1:
        grads = [grads]
    elif not isinstance(grads, (list, tuple)):
        raise TypeError(
            f"{who} must return one gradient per input ({len(names)}: {', '.join(names)}) as "
            f"a tuple, list or dict; got {describe(grads)}"
        )
    if len(grads) != len(names):
        raise ValueError(
            f"{who} must return one gradient per input ({len(names)}: {', '.join(names)}); "
            f"got {len(grads)}"
        )
    return [None if g is None else np.asarray(g) for g in grads]


def check_layer(
    forward, backward, inputs, *, activation="auto", method="auto", mode="full", n=None, seed=0
) -> LayerCheck:
    """Check a layer's backward pass against finite differences, input by input.

    Parameters
    ----------
    forward : callable
        ``forward(*inputs) -> out``, an array.
    backward : callable
        ``backward(dout) -> grads``: one gradient per input, in order (a tuple or list),
        or a dict keyed like ``inputs``. It is called right after ``forward(*inputs)``, so
        a backward that reads a cache left by the last forward call works.
    inputs : dict of str to array, or sequence of arrays
        The arguments of ``forward``, parameters included (``{"x": x, "W": W, "b": b}``).
        Never modified; checked in float64 (complex128 for complex inputs), the precision
        in which finite differences can tell a bug from rounding.
    activation : {"auto", "relu", "tanh", "sigmoid"} or None, default "auto"
        The activation the layer ends with, if any, for the φ′ diagnoses; ``"auto"``
        tries those the output's range allows, ``None`` none.
    method, mode, n
        As in :func:`gradlab.numeric.check_gradient`.
    seed : int, default 0
        Seed of the upstream gradient ``dout`` and of the check.

    Returns
    -------
    LayerCheck
        ``.verdict``, ``.rows`` (one per input) and ``.diagnosis``.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.numeric import check_layer
    >>> rng = np.random.default_rng(0)
    >>> x, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    >>> forward = lambda x, W, b: np.tanh(x @ W + b)
    >>> def backward(dout):  # forgets tanh′
    ...     return dout @ W.T, x.T @ dout, dout.sum(axis=0)
    >>> report = check_layer(forward, backward, {"x": x, "W": W, "b": b})
    >>> report.verdict
    'fail'
    >>> print(report.rows[1]["cause"])
    missing φ′
    """
    if not callable(forward) or not callable(backward):
        raise TypeError("forward and backward must be callables (the two passes of the layer)")
    if activation not in (None, "auto", *_DERIVATIVE_FROM_OUTPUT):
        raise ValueError(
            f"activation must be 'auto', None or one of {', '.join(_DERIVATIVE_FROM_OUTPUT)}; "
            f"got {describe(activation)}"
        )
    names, values = _as_inputs(inputs)
    out = np.asarray(forward(*(v.copy() for v in values)))
    if out.dtype.kind not in "fc" or out.size == 0:
        raise TypeError(f"forward must return a non-empty numeric array; got {describe(out)}")
    dout = np.random.default_rng(seed).standard_normal(out.shape)
    grads = as_grads(backward(dout.copy()), names, "backward")
    options = {"method": method, "mode": mode, "n": n, "seed": seed}
    layer = LayerUnderTest(forward, backward, names, values, dout, out, activation, options)
    return build_report("layer", layer, grads, HYPOTHESES)


def build_report(kind, layer, grads, hypotheses, notes=()):
    """Check each gradient on its own; for each wrong one, try the hypotheses in order."""
    rows, found, extra, checks = [], {}, [], {}
    for name, g in zip(layer.names, grads, strict=True):
        shape = layer.value(name).shape
        row = {"name": name, "shape": shape, "verdict": "fail", "cause": "",
               "max_rel_error": np.nan}  # fmt: skip
        check = layer.check(name, g)
        if g is None:
            row["cause"] = "returned None"
        elif check is None:
            row["cause"] = f"wrong shape {g.shape}, expected {shape}"
        else:
            checks[name] = check
            row["verdict"] = check.verdict
            row["max_rel_error"] = float(check.max_rel_error)
        if row["verdict"] == "fail" and g is not None:
            for bug, hypothesis in hypotheses.items():
                undone, text = hypothesis(layer, name, g)
                if undone is not None and layer.agrees(name, undone):
                    row["cause"] = bug
                    found.setdefault(bug, []).append((name, text))
                    break
        if check is not None and not row["cause"]:
            # the numeric check's own findings, where no named cause explains the error
            extra += [f"d{name}: {d}" for d in check.diagnosis]
        rows.append(row)
    causes = [_grouped(entries) for entries in found.values()]
    causes += [text for text in (note(rows) for note in notes) if text]
    return LayerCheck(kind, checks, rows, causes + extra, layer.dout)


def _grouped(entries) -> str:
    """One line per bug: the first input's explanation, naming every input it explains."""
    (first, text), *others = entries
    if not others:
        return text
    names = ", ".join(f"d{n}" for n, _ in entries)
    return text.replace(f"d{first}", names, 1)
