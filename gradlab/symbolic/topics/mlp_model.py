r"""The symbols of a two-layer network, one sample, and what they mean numerically.

The network of :mod:`gradlab.mlp` for one sample ``x`` with label ``y_i``:
``z¹_j = Σ_l W¹_{lj} x_l + b¹_j``, ``h_j = φ(z¹_j)``, ``z²_k = Σ_j W²_{jk} h_j + b²_k``,
``f = softmax(z²)`` and ``J_i = -Σ_c I(y_i = c) log f_c`` (eq 1 for one sample).

Each topic walks the chain rule one factor per line, from the loss down to the
parameter; eq (2) is reused for ``∂J_i/∂z²``. :class:`NetworkSample` says what every
symbol means so that :meth:`Derivation.verify` can evaluate each line at random
networks (``d = 2`` inputs, ``H = 3`` hidden units, ``C = 2..4`` classes; every label,
unit, class and feature index on its own axis of the grid) and check the result against
finite differences of gradlab's numeric model. A line written for a general ``φ`` is
checked with ``φ`` = tanh, the sigmoid and relu alike.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from gradlab.symbolic.models import central_difference, expand_sums
from gradlab.symbolic.notation import C, J_i, f, indicator, j, k, l, y_i

__all__ = ["ACTIVATIONS", "Chain", "DPhi", "NetworkSample", "Phi", "Positive"]

_SUB = dict(zip("0123456789ijklmn", "₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₗₘₙ", strict=True))
D_FEATURES, H_UNITS = 2, 3  # the concrete network the lines are checked on
H = sp.Symbol("H", integer=True, positive=True)  # hidden units


def _sub(args) -> str:
    index = "".join(str(a) for a in args)
    if all(ch in _SUB for ch in index):
        return "".join(_SUB[ch] for ch in index)
    return f"_{index}"  # no Unicode subscript for some letter (c): W²_jc


class _Atom(sp.Function):
    """A quantity of the network indexed like the lecture (``W²_{jk}``, ``h_j``)."""

    _diff_wrt = True
    latex_name = ""
    unicode_name = ""

    def _latex(self, printer):
        return f"{self.latex_name}_{{{''.join(printer._print(a) for a in self.args)}}}"

    def _sympystr(self, printer):
        return self.unicode_name + _sub(self.args)


def _atom(name, latex, uni, nargs):
    return type(name, (_Atom,), {"nargs": nargs, "latex_name": latex, "unicode_name": uni})


Xl = _atom("Xl", "x", "x", 1)
W1 = _atom("W1", "W^{1}", "W¹", 2)
B1 = _atom("B1", "b^{1}", "b¹", 1)
Z1 = _atom("Z1", "z^{1}", "z¹", 1)
Hj = _atom("Hj", "h", "h", 1)
W2 = _atom("W2", "W^{2}", "W²", 2)
B2 = _atom("B2", "b^{2}", "b²", 1)
Z2 = _atom("Z2", "z^{2}", "z²", 1)


class Phi(sp.Function):
    """The activation ``φ``; ``φ′`` is :class:`DPhi`."""

    nargs = 1

    def fdiff(self, argindex=1):
        return DPhi(self.args[0])

    def _latex(self, printer):
        return rf"\varphi\left({printer._print(self.args[0])}\right)"

    def _sympystr(self, printer):
        return f"φ({printer._print(self.args[0])})"


class DPhi(sp.Function):
    nargs = 1

    def _latex(self, printer):
        return rf"\varphi'\left({printer._print(self.args[0])}\right)"

    def _sympystr(self, printer):
        return f"φ′({printer._print(self.args[0])})"


class Positive(sp.Function):
    """``I(z > 0)``: relu′."""

    nargs = 1

    def _latex(self, printer):
        return rf"\mathbb{{I}}({printer._print(self.args[0])} > 0)"

    def _sympystr(self, printer):
        return f"𝕀({printer._print(self.args[0])} > 0)"


class Chain(sp.Function):
    """A product printed in the order written: the chain rule's factors, loss first.

    SymPy sorts the factors of a product; the chain rule reads from the loss down.
    Sums and differences inside are bracketed. The model multiplies it out.
    """

    def _print_with(self, to_text, brackets, sep):
        parts = []
        for a in self.args:
            text = to_text(a)
            parts.append(brackets % text if isinstance(a, (sp.Add, sp.Sum)) else text)
        return sep.join(parts)

    def _latex(self, printer):
        from gradlab.symbolic.render import to_latex

        return self._print_with(to_latex, r"\left(%s\right)", " ")

    def _sympystr(self, printer):
        from gradlab.symbolic.render import to_unicode

        return self._print_with(to_unicode, "(%s)", "·")


# ----------------------------------------------------------------------------- the model

# activation codes on the grid's activation axis
ACTIVATIONS = ("tanh", "sigmoid", "relu")
_act = sp.Symbol("a_", integer=True)
_phi = sp.Function("_phi")
_dphi = sp.Function("_dphi")


def _phi_num(z, a):
    with np.errstate(over="ignore"):
        s = 1 / (1 + np.exp(-z))
    return np.where(a == 0, np.tanh(z), np.where(a == 1, s, np.maximum(z, 0)))


def _dphi_num(z, a):
    with np.errstate(over="ignore"):
        s = 1 / (1 + np.exp(-z))
    return np.where(a == 0, 1 - np.tanh(z) ** 2, np.where(a == 1, s * (1 - s), (z > 0) * 1.0))


class _PhiNumeric(sp.Function):
    """``φ`` at a concrete argument, on the grid's activation axis; derivative ``_dphi``."""

    nargs = 2

    def fdiff(self, argindex=1):
        return _dphi(*self.args)


_TABLES = ("X", "W1", "B1", "W2", "B2")
_LOOKUP = {name: sp.Function(f"_{name}") for name in _TABLES}


class NetworkSample:
    """One sample through the network: what each symbol means, for :func:`verify`.

    ``wrt`` names the variable of the topic's result (``"Z2"``, ``"W2"``, ``"B2"``,
    ``"H"``, ``"Z1"``, ``"W1"``, ``"B1"``); ``activations`` the ``φ`` the lines are
    checked with (all three when the lines hold for any ``φ``).
    """

    def __init__(self, wrt: str, activations=ACTIVATIONS):
        self.wrt = wrt
        self.codes = [ACTIVATIONS.index(a) for a in activations]
        self.cache_key = ("network sample", wrt, tuple(self.codes))

    def sizes(self, n_classes):
        return (2, 3, 4) if n_classes is None else (n_classes,)

    def expand_definitions(self, expr, n):
        return expr  # no symbolic proof is attempted: the lines are checked at random points

    # -- meaning of the symbols --------------------------------------------------
    def _value(self, name, a, level=None, free=None):
        """``z¹_a``, ``h_a`` or ``z²_a`` from the parameters, or ``free`` at ``level``."""
        if name == level:
            if isinstance(a, (int, sp.Integer)):
                return free[int(a) - 1]
            return sum(indicator(a, u) * v for u, v in enumerate(free, start=1))
        if name == "Z1":
            X, W, B = _LOOKUP["X"], _LOOKUP["W1"], _LOOKUP["B1"]
            return sum(W(r, a) * X(r) for r in range(1, D_FEATURES + 1)) + B(a)
        if name == "Hj":
            return _PhiNumeric(self._value("Z1", a, level, free), _act)
        W, B = _LOOKUP["W2"], _LOOKUP["B2"]
        h = [self._value("Hj", u, level, free) for u in range(1, H_UNITS + 1)]
        return sum(W(u, a) * h[u - 1] for u in range(1, H_UNITS + 1)) + B(a)

    def _loss(self, n, level=None, free=None):
        """``J_i`` written out (log-sum-exp of the logits, for any label ``y_i``)."""
        logits = [self._value("Z2", a, level, free) for a in range(1, n + 1)]
        total = sp.log(sum(sp.exp(t) for t in logits))
        return -sum(indicator(y_i, a) * (logits[a - 1] - total) for a in range(1, n + 1))

    def _concrete(self, e, n, level=None, free=None):
        """The abbreviations (``f_k``, ``z²_k``, ``h_j`` ...) by their definitions."""
        for cls in (Xl, W1, B1, W2, B2):
            lookup = _LOOKUP[cls.__name__.replace("Xl", "X")]
            e = e.replace(lambda a, cls=cls: isinstance(a, cls), lambda a, f=lookup: f(*a.args))
        for cls in (Z1, Hj, Z2):
            name = cls.__name__
            e = e.replace(
                lambda a, cls=cls: isinstance(a, cls),
                lambda a, name=name: self._value(name, a.args[0], level, free),
            )
        logits = {a: self._value("Z2", a, level, free) for a in range(1, n + 1)}
        total = sum(sp.exp(t) for t in logits.values())

        def prob(index):
            if isinstance(index, (int, sp.Integer)):
                return sp.exp(logits[int(index)]) / total
            return sum(indicator(index, a) * sp.exp(t) for a, t in logits.items()) / total

        e = e.replace(lambda a: isinstance(a, sp.Indexed) and a.base == f,
                      lambda a: prob(a.indices[-1]))  # fmt: skip
        e = e.replace(lambda a: isinstance(a, Phi), lambda a: _PhiNumeric(a.args[0], _act))
        e = e.replace(lambda a: isinstance(a, DPhi), lambda a: _dphi(a.args[0], _act))
        e = e.replace(lambda a: isinstance(a, Positive), lambda a: sp.Heaviside(a.args[0]))
        return e.xreplace({J_i: self._loss(n, level, free)}) if e.has(J_i) else e

    def _derivative(self, D, n):
        """``∂e/∂v`` with ``v`` at a symbolic index: SymPy's derivative at each concrete one.

        Where the indicator of the index is 1 the index equals the concrete one, so the
        expression is differentiated with it put in.
        """
        var = D.variables[0]
        name = type(var).__name__
        if name in ("Z1", "Hj", "Z2"):
            size = n if name == "Z2" else H_UNITS
            free = sp.symbols(f"v_1:{size + 1}")
            ranges, point = (size,), lambda at: free[at[0] - 1]
        else:
            free = None
            shapes = {"W1": (D_FEATURES, H_UNITS), "B1": (H_UNITS,), "W2": (H_UNITS, n),
                      "B2": (n,)}  # fmt: skip
            ranges, point = shapes[name], lambda at: _LOOKUP[name](*at)
        out = 0
        for at in np.ndindex(*ranges):
            at = tuple(a + 1 for a in at)
            weight = sp.Mul(*(indicator(s, a) for s, a in zip(var.args, at, strict=True)))
            if weight == 0:
                continue
            put = {s: a for s, a in zip(var.args, at, strict=True) if isinstance(s, sp.Symbol)}
            level = name if free is not None else None
            concrete = self._concrete(D.expr.xreplace(put), n, level=level, free=free)
            out += weight * sp.diff(concrete, point(at))
        if free is not None:
            out = out.xreplace({v: self._value(name, a) for a, v in enumerate(free, start=1)})
        return out

    def instantiate(self, expr, n: int):
        e = expr.replace(lambda a: isinstance(a, Chain), lambda a: sp.Mul(*a.args))
        e = expand_sums(e.xreplace({C: n, H: H_UNITS}))
        e = e.replace(lambda a: isinstance(a, sp.Derivative), lambda a: self._derivative(a, n))
        return self._concrete(e, n)

    def points(self, n: int, rng: np.random.Generator, n_points: int):
        P, A, D, H = n_points, len(self.codes), D_FEATURES, H_UNITS
        # index 0 unused: the lecture counts from 1
        tables = (
            rng.normal(size=(P, D + 1)),
            rng.normal(size=(P, D + 1, H + 1)),
            rng.normal(size=(P, H + 1)),
            rng.normal(size=(P, H + 1, n + 1)),
            rng.normal(size=(P, n + 1)),
        )
        shape = (P, A, D, H, n, n)
        p_index = np.arange(P).reshape(P, 1, 1, 1, 1, 1)

        def lookup(table):
            return lambda *index: table[(p_index, *(np.asarray(a) for a in index))]

        namespace = {f"_{name}": lookup(t) for name, t in zip(_TABLES, tables, strict=True)}
        namespace.update({"_PhiNumeric": _phi_num, "_dphi": _dphi_num})
        axes = []
        for axis, values in enumerate((self.codes, range(1, D + 1), range(1, H + 1),
                                       range(1, n + 1), range(1, n + 1)), start=1):  # fmt: skip
            index_shape = [1] * 6
            index_shape[axis] = len(values)
            axes.append(np.array(list(values)).reshape(index_shape))
        return [_act, l, j, k, y_i], axes, shape, tables, namespace

    def reference_values(self, tables, n: int) -> np.ndarray:
        """Finite differences of gradlab's numeric model, on the grid of :meth:`points`."""
        X, W1, B1, W2, B2 = tables
        P = X.shape[0]
        out = np.empty((P, len(self.codes), D_FEATURES, H_UNITS, n, n))
        for p in range(P):
            x = X[p, 1:]
            params = {"W1": W1[p, 1:, 1:], "b1": B1[p, 1:], "W2": W2[p, 1:, 1:], "b2": B2[p, 1:]}
            for a, code in enumerate(self.codes):
                act = ACTIVATIONS[code]
                z1 = x @ params["W1"] + params["b1"]
                for label in range(n):
                    out[p, a, :, :, :, label] = self._reference(params, x, z1, act, label, n)
        return out

    def _reference(self, params, x, z1, act, label, n):
        """One point, activation and label: the numeric gradient on the axes (l, j, k)."""
        import gradlab
        from gradlab import mlp

        W2, b2 = params["W2"], params["b2"]
        grid = np.empty((D_FEATURES, H_UNITS, n))

        def net_loss(key):
            def fun(v):
                return mlp.loss({**params, key: v}, x[None, :], [label], activation=act)

            return central_difference(fun, params[key].copy())

        if self.wrt == "Z2":
            g = central_difference(
                lambda v: gradlab.loss(np.zeros((1, n)), v, np.zeros((1, 1)), [label]),
                mlp.activate(z1, act) @ W2 + b2,
            )
            grid[...] = g[None, None, :]
        elif self.wrt in ("H", "Z1"):
            point = mlp.activate(z1, act) if self.wrt == "H" else z1
            through = (lambda v: v) if self.wrt == "H" else (lambda v: mlp.activate(v, act))
            g = central_difference(
                lambda v: gradlab.loss(W2, b2, through(v)[None, :], [label]), point.copy()
            )
            grid[...] = g[None, :, None]
        elif self.wrt == "W2":
            grid[...] = net_loss("W2")[None, :, :]
        elif self.wrt == "B2":
            grid[...] = net_loss("b2")[None, None, :]
        elif self.wrt == "W1":
            grid[...] = net_loss("W1")[:, :, None]
        else:
            grid[...] = net_loss("b1")[None, :, None]
        return grid
