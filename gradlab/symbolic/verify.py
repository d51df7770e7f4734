"""Check a derivation: each step against the one before, the result against finite differences.

A step is first tried symbolically: with the abbreviations replaced by their
definitions, SymPy evaluates the difference of the two sides (``doit``), the
``Piecewise`` guards that Kronecker-delta sums come back with are removed under
the model's assumptions (every index in ``1..C``), and the difference must expand
to zero (or cancel, for the sigmoid's rational functions of ``exp(z)``). For a
general ``C`` this proves every step of eq (2), of the softmax Jacobian and of the
logistic ``dJ_i/dz``. Where SymPy cannot close the gap (a ``C`` written out, the
data-set steps of eq (3)), both sides are instantiated for concrete sizes (one
sample: ``C = 2..6`` for a general ``C``; a data set: ``m = 2`` samples, ``C = 3``
classes), lambdified and compared at random points for every label and index: an
exact identity leaves only rounding between the two sides, which is cheaper to
see than to prove. Written out for an integer ``C``, only a difference that is
already small is expanded.

This module knows the steps only through ``derivation.steps`` (``lhs``, ``rhs``) and
``derivation._model``; :mod:`gradlab.symbolic.steps` imports it, never the reverse.
"""

from __future__ import annotations

import dataclasses
import html

import numpy as np
import sympy as sp

from gradlab.symbolic.notation import C


@dataclasses.dataclass(frozen=True)
class StepVerdict:
    """Whether one step follows from the one before, and how that was checked.

    ``method`` is ``"symbolic"`` (SymPy proved the difference is zero),
    ``"numeric"`` (equal at random points for every label and index, for each
    instantiated number of classes) or ``"finite differences"`` (the final
    result against gradlab's numeric loss). ``error`` is the largest relative
    difference seen (0 for a symbolic proof).

    Examples
    --------
    >>> import gradlab
    >>> verdict = gradlab.derive("softmax_jacobian").verify().steps[1]
    >>> print(verdict.ok, verdict.method)
    True symbolic
    """

    index: int
    ok: bool
    method: str
    error: float
    detail: str

    def __str__(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        where = "result" if self.index < 0 else f"step {self.index}"
        return f"{mark} {where:>8}  {self.method:<18} err {self.error:.1e}  {self.detail}"


@dataclasses.dataclass(frozen=True)
class Verification:
    """The outcome of :meth:`Derivation.verify`: a verdict per step and for the result.

    Examples
    --------
    >>> import gradlab
    >>> report = gradlab.derive("softmax_dz", n_classes=3).verify()
    >>> report.ok
    True
    >>> print(report.result.method, report.steps[1].method)
    finite differences numeric
    """

    topic: str
    steps: tuple[StepVerdict, ...]
    result: StepVerdict

    @property
    def ok(self) -> bool:
        """True when every step and the final result check passed."""
        return self.result.ok and all(v.ok for v in self.steps)

    @property
    def failures(self) -> tuple[StepVerdict, ...]:
        """The verdicts that failed, in order."""
        return tuple(v for v in (*self.steps, self.result) if not v.ok)

    def __str__(self) -> str:
        head = f"verification of {self.topic}: {'all steps hold' if self.ok else 'FAILED'}"
        return "\n".join([head, *(f"  {v}" for v in (*self.steps, self.result))])

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(str(self))

    def _repr_html_(self) -> str:
        rows = "".join(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.1e}</td><td>{}</td></tr>".format(
                "result" if v.index < 0 else v.index,
                "✅" if v.ok else "❌",
                v.method,
                v.error,
                html.escape(v.detail),
            )
            for v in (*self.steps, self.result)
        )
        verdict = "all steps hold" if self.ok else "<b>FAILED</b>"
        return (
            f"<p>Verification of <code>{self.topic}</code>: {verdict}</p><table>"
            "<tr><th>step</th><th></th><th>method</th><th>error</th><th>detail</th></tr>"
            f"{rows}</table>"
        )


RTOL = 1e-8  # steps are exact identities: only rounding separates the two sides
FD_RTOL = 1e-5  # central differences with h = 1e-6 are good to about 1e-9 here

# What a malformed (e.g. hand-edited) step can raise while being instantiated or evaluated.
_EVALUATION_ERRORS = (
    ArithmeticError,
    AttributeError,
    IndexError,
    KeyError,
    NameError,
    NotImplementedError,
    SyntaxError,
    TypeError,
    ValueError,
    sp.SympifyError,
)

_SIMPLIFY_OPS = 60  # simplify() only small leftovers: on large ones it takes seconds

# SymPy expressions are immutable, so what is derived from them can be kept between
# verify() calls: the concrete instances and the symbolic verdicts. Bounded, since a
# student editing steps in a loop creates new keys.
_CACHE_LIMIT = 2048
_INSTANCES: dict = {}
_PROOFS: dict = {}


def _remember(cache: dict, key, compute):
    if key not in cache:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[key] = compute()
    return cache[key]


_KD = sp.Function("_kd")
# NumPy as a plain namespace: lambdify does not re-import its module translations each call
_MODULES = [{"_kd": lambda a, b: np.equal(a, b).astype(float), "Exp": np.exp}, vars(np)]


def _numpy_printer():
    from sympy.printing.numpy import NumPyPrinter

    # lambdify's own settings for NumPy, with the terms left in SymPy's internal order
    return NumPyPrinter(
        {
            "order": "none",
            "fully_qualified_modules": False,
            "inline": True,
            "allow_unknown_functions": True,
            "user_functions": {},
        }
    )


_PRINTER = _numpy_printer()


def _relative_error(a: np.ndarray, b: np.ndarray) -> float:
    diff = np.abs(a - b)
    if not np.all(np.isfinite(diff)):
        return float("inf")
    return float(diff.max() / (1.0 + np.abs(b).max()))


class _Evaluator:
    """Numeric values of expressions on the random grid, one lambdify per expression and C."""

    def __init__(self, model, sizes, n_points: int, seed: int):
        rng = np.random.default_rng(seed)
        self.model = model
        self.grids = {n: model.points(n, rng, n_points) for n in sizes}
        self.cache: dict = {}

    def values(self, expr, n: int) -> np.ndarray:
        if hasattr(self.model, "canonical"):
            expr = self.model.canonical(expr)
        key = (expr, n)
        if key not in self.cache:
            shape = self.grids[n][2]
            concrete = _remember(
                _INSTANCES,
                (self.model.cache_key, expr, n),
                lambda: self.model.instantiate(expr, n),
            )
            if isinstance(concrete, sp.MatrixBase):
                # Entry (r, q) of a d x C matrix is dJ/dW[r, q]: feature r, class q.
                out = np.empty(shape)
                for r in range(concrete.rows):
                    for q in range(concrete.cols):
                        out[:, q, r] = self._evaluate(concrete[r, q], n)[:, q, r]
                self.cache[key] = out
            else:
                self.cache[key] = self._evaluate(concrete, n)
        return self.cache[key]

    def _evaluate(self, concrete, n: int) -> np.ndarray:
        symbols, arrays, shape, _, namespace = self.grids[n]
        if hasattr(self.model, "to_numeric"):
            concrete = self.model.to_numeric(concrete)
        # SymPy prints KroneckerDelta as a Python conditional, which arrays cannot use.
        concrete = concrete.xreplace({a: _KD(*a.args) for a in concrete.atoms(sp.KroneckerDelta)})
        # Printing dominates lambdify's cost: print the terms unsorted, skip the docstring
        # (a second, sorted printing of the whole expression), and print a repeated
        # subexpression (the written-out sum of exp(z_c)) once (cse).
        fn = sp.lambdify(
            symbols,
            concrete,
            modules=[namespace, *_MODULES],
            printer=_PRINTER,
            docstring_limit=0,
            cse=True,
        )
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(fn(*arrays), dtype=float), shape)


def _symbolically_equal(model, a, b, n) -> bool:
    return _remember(_PROOFS, (model.cache_key, a, b, n), lambda: _prove(model, a, b, n))


def _prove(model, a, b, n) -> bool:
    """Try to prove ``a == b`` with SymPy alone.

    With the abbreviations replaced by their definitions, ``doit`` evaluates the
    derivatives and sums; the Kronecker-delta sums come back as ``Piecewise`` guarded
    by the index ranges, which the model's assumptions (``1 <= k, y_i <= C``) remove.
    """
    try:
        difference = model.expand_definitions(a, n) - model.expand_definitions(b, n)
        if difference == 0:
            return True
        if isinstance(n, int) and sp.count_ops(difference) >= _SIMPLIFY_OPS:
            # written out for an integer C, expanding multiplies the terms out: too slow
            return False
        if sp.expand(difference) == 0:
            return True
        if not hasattr(model, "assumptions") or isinstance(n, int):
            return False
        assumptions = model.assumptions(n)
        for _ in range(2):  # a sum can reappear from a derivative evaluated in the first pass
            difference = sp.piecewise_fold(difference.doit())
            difference = difference.replace(
                lambda e: isinstance(e, sp.Piecewise),
                lambda p: _first_true_branch(p, assumptions),
            )
            # (refine() on the whole difference costs seconds; the guards are all it needs)
            difference = sp.expand(difference)
            if difference == 0:
                return True
        # rational functions of exp(z) (the sigmoid) cancel without simplify()'s cost
        if sp.cancel(sp.together(difference)) == 0:
            return True
        return sp.count_ops(difference) < _SIMPLIFY_OPS and sp.simplify(difference) == 0
    except (*_EVALUATION_ERRORS, sp.PolynomialError, StopIteration, RecursionError):
        # SymPy gave up (simplify raises StopIteration on some nested sums): the numeric
        # check decides
        return False


def _first_true_branch(piecewise, assumptions):
    for expr, cond in piecewise.args:
        verdict = sp.refine(cond, assumptions)
        if verdict == sp.true:
            return expr
        if verdict != sp.false:
            return piecewise
    return piecewise


def _compare(index, model, evaluator, n, a, b, claim) -> StepVerdict:
    if _symbolically_equal(model, a, b, n):
        return StepVerdict(index, True, "symbolic", 0.0, f"{claim}: SymPy proves it")
    error = 0.0
    try:
        for size in evaluator.grids:
            error = max(
                error, _relative_error(evaluator.values(b, size), evaluator.values(a, size))
            )
    except _EVALUATION_ERRORS as exc:  # a malformed step is reported, not raised
        return StepVerdict(
            index, False, "numeric", float("inf"), f"{claim}: cannot evaluate ({exc})"
        )
    sizes = ", ".join(map(str, evaluator.grids))
    ok = error <= RTOL
    detail = f"{claim}: {'equal' if ok else 'NOT equal'} at random points, C = {sizes}"
    return StepVerdict(index, ok, "numeric", error, detail)


def verify(derivation, n_points: int = 8, seed: int = 0) -> Verification:
    """See :meth:`gradlab.symbolic.Derivation.verify`."""
    model = derivation._model
    n = C if derivation.n_classes is None else derivation.n_classes
    evaluator = _Evaluator(model, model.sizes(derivation.n_classes), n_points, seed)
    verdicts = []
    previous = None
    for index, step in enumerate(derivation.steps, start=1):  # numbered as the derivation prints
        if previous is not None and step.lhs == previous.lhs:
            a, claim = previous.rhs, "same value as the step before"
        else:
            a, claim = step.lhs, "equals its left-hand side evaluated by SymPy"
        verdicts.append(_compare(index, model, evaluator, n, a, step.rhs, claim))
        previous = step
    return Verification(derivation.topic, tuple(verdicts), _check_result(derivation, evaluator))


def _check_result(derivation, evaluator) -> StepVerdict:
    error = 0.0
    try:
        for size, (_, _, _, points, _) in evaluator.grids.items():
            reference = evaluator.model.reference_values(_first(points, 3), size)
            result = evaluator.values(derivation.result, size)[:3]
            error = max(error, _relative_error(result, reference))
    except _EVALUATION_ERRORS as exc:
        return StepVerdict(
            -1, False, "finite differences", float("inf"), f"cannot evaluate ({exc})"
        )
    ok = error <= FD_RTOL
    detail = "result " + ("matches" if ok else "does NOT match") + " gradlab's numeric model"
    return StepVerdict(-1, ok, "finite differences", error, detail)


def _first(points, count):
    if isinstance(points, tuple):
        return tuple(p[:count] for p in points)
    return points[:count]
