"""The exact stage of grading: the answer against the topic's result, with SymPy.

At a concrete C (and m), for every label y and index k, the difference of the
answer and the topic's result (:meth:`gradlab.answers.topics.Topic.reference`) is
written as a function of t = e^z (f = t / Σ t, z = log t; w^T x + b = log t too):

- it cancels to 0 in every setting: a proof, for exactly that C and m;
- it cancels to a nonzero rational function of independent symbols: a disproof;
- otherwise it is evaluated at a rational point to more digits than the answer's
  own numbers have: a nonzero value is a disproof, however small.

SymPy's work is counted (``count_ops`` of what is cancelled), never timed.
"""

from __future__ import annotations

import itertools

import sympy as sp

from gradlab.answers import symbols as S
from gradlab.answers.topics import Topic

__all__ = ["prove_exactly"]


_PROOF_C = {"one": 3, "mean": 2, "mean_x": 2}
_PROOF_M = 2


def _family(topic: Topic) -> str:
    """The network's output layer is softmax regression on h: its answers in f, z, y alone."""
    return "softmax" if topic.family == "mlp" else topic.family


def _settings(topic: Topic, C: int, m: int) -> list:
    """Every (index values, labels) the exact stage compares at C classes and m samples."""
    if _family(topic) == "softmax":
        classes = range(1, C + 1)
        if topic.name == "softmax_jacobian":
            return [({S.j: j, S.k: k}, (1,)) for j in classes for k in classes]
        labels = [(y,) for y in classes] if m == 1 else list(itertools.product(classes, repeat=m))
        return [({S.k: k}, ys) for ys in labels for k in classes]
    if topic.family == "logistic":
        return [({}, ys) for ys in itertools.product((0, 1), repeat=m)]
    return [({}, None)]


def prove_exactly(
    expr, topic: Topic, *, max_ops: int, max_degree: int, max_work: int, digits: int
) -> tuple[str | None, str | None]:
    """(proof, disproof): the exact stage at a concrete C (and m), for every y and k.

    The limits come from the table of thresholds in :mod:`gradlab.answers.grade`.

    The proof says the answer equals the topic's result in every setting tried; the
    disproof says where the exact difference is not zero (no rounding can explain it).
    Both ``None``: the stage could not decide (too large, or SymPy's work ran out).
    """
    nothing = None, None
    if not topic.readable:
        return nothing  # no reference to compare with (the answer parser cannot read it)
    if sp.count_ops(expr) > max_ops:
        return nothing  # SymPy's cancel cannot be interrupted: only try what stays quick
    powers = expr.atoms(sp.Pow)
    if any(not p.exp.is_number for p in powers):
        # k^{k^k} at a concrete k is an exact integer SymPy would compute digit by digit.
        return nothing
    if sum(abs(p.exp) for p in powers) > max_degree:
        return nothing  # (a + b)^{64} (a - b)^{64}: cancel would expand it for seconds
    C = _PROOF_C[topic.aggregate] if _family(topic) == "softmax" else 1
    m = 1 if topic.aggregate == "one" else _PROOF_M
    reference = topic.reference()
    extra = digits
    digits = extra + 2 * _digits_of(expr)
    work = 0
    try:
        for values, labels in _settings(topic, C, m):
            diff = _concrete(expr - reference, topic, C, m, values, labels)
            if diff is None:
                return nothing
            work += sp.count_ops(diff)
            if work > max_work:
                return nothing
            cancelled = sp.cancel(sp.together(diff))
            if cancelled == 0:
                continue
            if _surely_nonzero(cancelled):
                return None, _disproof_text(topic, C, values, labels, cancelled)
            value = _at_rational_point(diff, digits)
            if value is None:
                return nothing
            # beyond the answer's own smallest number, and far above the evaluation's error
            if abs(value) > sp.Float(10) ** (-(digits - extra // 2)):
                where = f"{_disproof_text(topic, C, values, labels, None)}, at z = log(t) for a rational t"
                return None, f"{where} it is {sp.Float(value, 3)}"
            return nothing  # zero to many digits but not proved: the rounding stage decides
    except (TypeError, ValueError, ZeroDivisionError, sp.PolynomialError):
        return nothing
    what = {"softmax": "every j and k" if topic.name == "softmax_jacobian" else "every y and k",
            "logistic": "every label", "linear": "any data"}[_family(topic)]  # fmt: skip
    setting = ([f"C = {C}"] if _family(topic) == "softmax" else []) + (
        [f"m = {m}"] if m > 1 else []
    )
    return "SymPy proves it for " + (f"{', '.join(setting)} and " if setting else "") + what, None


def _digits_of(expr) -> int:
    """Digits a tiny term of the answer can hide in: 10^{-60} z_k needs 60 more."""
    sizes = [abs(int(n.p)) for n in expr.atoms(sp.Rational)] + [
        abs(int(n.q)) for n in expr.atoms(sp.Rational)
    ]
    return max((len(str(v)) for v in sizes), default=1)


def _at_rational_point(diff, digits: int):
    """``diff`` at t = e^z rational (2/3, 5/4, ...), evaluated to ``digits`` digits."""
    symbols = sorted(diff.free_symbols, key=lambda s: s.name)
    point = {s: sp.Rational(2 * n + 3, n + 2) for n, s in enumerate(symbols)}
    if diff.atoms(sp.Indexed):
        return None
    value = diff.xreplace(point).evalf(digits)
    return value if value.is_number and value.is_finite else None


def _surely_nonzero(diff) -> bool:
    """Whether ``diff`` (already cancelled) is certainly not identically zero.

    Only for a rational function of independent symbols (t = e^{z}; the residuals and
    targets of linear regression) with rational coefficients: cancel puts those in a
    canonical form, so a nonzero result is a nonzero function. Logs, radicals or
    leftover indexed symbols could hide a zero.
    """
    return (
        diff.is_rational_function(*diff.free_symbols)
        and all(isinstance(s, sp.Symbol) and s.name[0] in "tuvy" for s in diff.free_symbols)
        and all(n.is_Rational for n in diff.atoms(sp.Number))
        and not diff.atoms(sp.Function, sp.NumberSymbol, sp.Indexed)
        and all(not p.base.is_number for p in diff.atoms(sp.Pow))
    )


def _disproof_text(topic: Topic, C: int, values: dict, labels, diff) -> str:
    setting = [f"C = {C}"] if _family(topic) == "softmax" else []
    if labels is not None and topic.name != "softmax_jacobian":
        setting.append(f"y_i = {labels[0]}" if len(labels) == 1 else f"y = {list(labels)}")
    setting += [f"{name} = {value}" for name, value in values.items()]
    exact = f" (exactly {diff})" if diff is not None and diff.is_Rational else ""
    where = f" for {', '.join(setting)}" if setting else ""
    return f"SymPy shows the difference is not zero{exact}{where}"


def _concrete(diff, topic: Topic, C: int, m: int, values: dict, labels):
    """``diff`` at concrete C, m, indices and labels, as a rational function of e^{z}.

    Softmax and logistic: t = e^{z} per sample (and class), f = t / Σ t, z = log t.
    Linear: u_s = w^T x_s and v_s = x_s (one feature: the answer is linear in x_i
    only through these), y_s the targets.
    """
    diff = diff.subs({S.C: C, S.m: m, S.i: 1} if m == 1 else {S.C: C, S.m: m}).subs(values)
    diff = diff.doit()
    if diff.has(sp.Sum):
        return None
    subs = {}
    samples = range(1, m + 1)
    if labels is not None:
        subs.update({S.y[s]: labels[s - 1] for s in samples})
    # one feature: x_s is a number v_s (the answers are linear in x_i)
    subs.update({S.x[s]: sp.Symbol(f"v{s}", real=True) for s in samples})
    if _family(topic) == "softmax":
        t = {
            (s, c): sp.Symbol(f"t{s}_{c}", positive=True) for s in samples for c in range(1, C + 1)
        }
        for c in range(1, C + 1):
            bias = sp.Symbol(f"u_b{c}", real=True)
            subs[S.b[c]] = bias
            for s in samples:
                # z = w_c^T x_s + b_c = log t: the logit written out is the same number
                subs[S.dot(S.w[c], S.x[s])] = subs[S.dot(S.x[s], S.w[c])] = sp.log(t[s, c]) - bias
        for s in samples:
            total = sum(t[s, c] for c in range(1, C + 1))
            for c in range(1, C + 1):
                subs[S.f[s, c]] = t[s, c] / total
                subs[S.z[s, c]] = sp.log(t[s, c])
    elif _family(topic) == "logistic":
        bias = sp.Symbol("u_b", real=True)
        subs[S.b_scalar] = bias
        for s in samples:
            ts = sp.Symbol(f"t{s}", positive=True)
            subs[S.f[s]] = ts / (1 + ts)
            subs[S.z[s]] = sp.log(ts)
            subs[S.dot(S.w_vec, S.x[s])] = subs[S.dot(S.x[s], S.w_vec)] = sp.log(ts) - bias
    else:
        for s in samples:
            u = sp.Symbol(f"u{s}", real=True)
            bias = sp.Symbol("u_b", real=True) if topic.bias else 0
            subs[S.b_scalar] = bias
            subs[S.dot(S.w_vec, S.x[s])] = subs[S.dot(S.x[s], S.w_vec)] = u
            subs[S.f[s]] = subs[S.z[s]] = u + bias
            subs[S.y[s]] = sp.Symbol(f"y{s}", real=True)
    diff = diff.xreplace(subs)
    diff = sp.expand(diff, power_exp=True, mul=False, multinomial=False, log=False)
    if diff.has(sp.Indexed, S.dot, S.w_vec, S.b_scalar):
        return None  # an index out of range or a symbol the exact stage does not model
    return diff
