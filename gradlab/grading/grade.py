"""Grade what a student handed in: a typed answer, a gradient function, a trained model.

Every helper returns a :class:`~gradlab.grading.Grade` and writes nothing to
stderr (nbgrader scores a test cell 0 when it does): warnings, NumPy floating
point messages and progress bars are silenced inside. A missing answer (``...``,
``None``, an empty string, or a stub raising ``NotImplementedError``) is graded
"not answered yet", never an error.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np

from gradlab.grading.convert import from_check, not_answered
from gradlab.grading.result import NOT_UNDERSTOOD, Grade

__all__ = [
    "grade",
    "grade_accuracy",
    "grade_answer",
    "grade_choice",
    "grade_gradient",
    "grade_loss",
    "grade_own_check",
    "grade_step_size",
    "grade_threshold",
    "quiet",
]


@contextlib.contextmanager
def quiet():
    """Silence warnings, NumPy floating-point messages and anything written to stderr.

    Examples
    --------
    >>> import warnings
    >>> from gradlab.grading import quiet
    >>> with quiet():
    ...     warnings.warn("not shown")
    """
    with (
        warnings.catch_warnings(),
        np.errstate(all="ignore"),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        warnings.simplefilter("ignore")
        yield


def _missing(answer) -> bool:
    return answer is None or answer is Ellipsis or (isinstance(answer, str) and not answer.strip())


def grade(check, name: str | None = None) -> Grade:
    """The :class:`Grade` of an AnswerCheck, DerivationCheck or GradientCheck.

    Examples
    --------
    >>> from gradlab import check_answer
    >>> from gradlab.grading import grade
    >>> g = grade(check_answer("[y_i = k] - f_k"), name="eq (2)")
    >>> g.score, g.details[-1]
    (0.0, 'hint: Sign error.')
    """
    with quiet():
        return from_check(check, name)


def grade_answer(answer, topic: str = "softmax_dz", *, name: str | None = None) -> Grade:
    """Grade a typed derivative with :func:`gradlab.check_answer` (all or nothing).

    Parameters
    ----------
    answer : str
        The student's answer (LaTeX or plain text); ``...`` or ``""`` if not answered yet.
    topic : str, default "softmax_dz"
        The derivative asked for (see :func:`gradlab.check_answer`).
    name : str, optional
        The name shown in the feedback; default: the topic.

    Examples
    --------
    >>> from gradlab.grading import grade_answer
    >>> g = grade_answer("[y_i = k] - f_k", name="eq (2)")
    >>> g.passed, g.details[-1]
    (False, 'hint: Sign error.')
    >>> grade_answer(...).verdict
    'not answered yet'
    """
    name = name or topic
    if _missing(answer):
        return not_answered(name)
    if not isinstance(answer, str):
        return Grade(name, 0.0, False, f"the answer must be text; got {type(answer).__name__}")
    from gradlab import check_answer
    from gradlab.answers import AnswerSyntaxError

    with quiet():
        try:
            check = check_answer(answer, topic=topic)
        except AnswerSyntaxError as exc:
            return Grade(name, 0.0, False, NOT_UNDERSTOOD, (str(exc),))
        return from_check(check, name)


def _call(fn, name: str, W, b, X, y):
    """``fn(W, b, X, y)`` as ``(J, dW, db)``, or the Grade explaining why not."""
    if _missing(fn):
        return not_answered(name)
    if not callable(fn):
        return Grade(name, 0.0, False, f"expected a function; got {type(fn).__name__}")
    try:
        out = fn(W.copy(), b.copy(), X.copy(), y.copy())
    except NotImplementedError:
        return not_answered(name)
    except Exception as exc:  # noqa: BLE001 - the student's code: any error is feedback, not a crash
        return Grade(name, 0.0, False, f"your function raised {type(exc).__name__}: {exc}")
    if out is None or out is Ellipsis:
        return not_answered(name)
    shapes = ((), W.shape, b.shape)
    try:
        J, dW, db = (np.asarray(v, dtype=float) for v in out)
        ok = (J.shape, dW.shape, db.shape) == shapes
    except (TypeError, ValueError):
        ok = False
    if not ok:
        return Grade(name, 0.0, False, "expected (J, dW, db) with shapes () , (d, C) and (C,)",
                     (f"for d, C = {W.shape}: dW of shape {W.shape}, db of shape {b.shape}",))  # fmt: skip
    return float(J), dW, db


def _data(X, y, W, b, seed):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    C = int(y.max()) + 1
    rng = np.random.default_rng(seed)
    W = rng.normal(scale=1 / np.sqrt(X.shape[1]), size=(X.shape[1], C)) if W is None else W
    b = rng.normal(scale=0.1, size=C) if b is None else b
    return X, y, np.asarray(W, dtype=float), np.asarray(b, dtype=float)


def grade_gradient(loss_and_gradient, X, y, *, W=None, b=None, name="gradient", seed=0) -> Grade:
    """Grade a student's ``loss_and_gradient(W, b, X, y) -> (J, dW, db)`` by its gradient.

    The gradient is checked against finite differences of gradlab's loss (eq 1)
    with :func:`gradlab.check_softmax_gradient`; partial credit per parameter
    (W right but b wrong is half). Only the diagnosis is shown, never X or y.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab import loss_and_gradient
    >>> from gradlab.grading import grade_gradient
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(30, 3)), rng.integers(0, 3, size=30)
    >>> grade_gradient(loss_and_gradient, X, y).passed
    True
    >>> def no_bias(W, b, X, y):
    ...     J, dW, db = loss_and_gradient(W, b, X, y)
    ...     return J, dW, 0 * db
    >>> grade_gradient(no_bias, X, y).score
    0.5
    """
    from gradlab import check_softmax_gradient

    X, y, W, b = _data(X, y, W, b, seed)
    with quiet():
        first = _call(loss_and_gradient, name, W, b, X, y)
        if isinstance(first, Grade):
            return first

        def grad_fn(W, b, X, y):
            return loss_and_gradient(W, b, X, y)[1:]

        try:
            check = check_softmax_gradient(grad_fn, W, b, X, y, progress=False)
        except Exception as exc:  # noqa: BLE001 - raised from the student's function on a later call
            return Grade(name, 0.0, False, f"your function raised {type(exc).__name__}: {exc}")
        return from_check(check, name)


def grade_loss(loss_and_gradient, X, y, *, W=None, b=None, name="loss J(W)", seed=0) -> Grade:
    """Grade the loss value a student's ``loss_and_gradient`` returns against eq (1).

    All or nothing (relative tolerance 1e-8); a wrong value is described by its
    ratio to the right one, which names the classic mistakes (a factor m, a sign).

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab import loss_and_gradient
    >>> from gradlab.grading import grade_loss
    >>> X, y = np.eye(3), np.array([0, 1, 2])
    >>> grade_loss(loss_and_gradient, X, y).passed
    True
    """
    from gradlab import loss

    X, y, W, b = _data(X, y, W, b, seed)
    with quiet():
        out = _call(loss_and_gradient, name, W, b, X, y)
        if isinstance(out, Grade):
            return out
        J, truth = out[0], float(loss(W, b, X, y))
    if np.isclose(J, truth, rtol=1e-8, atol=1e-12):
        return Grade(name, 1.0, True, "correct: J agrees with eq (1)")
    ratio = J / truth if truth else np.inf
    details = [f"your J is {ratio:.4g} × the value of eq (1)"]
    m = X.shape[0]
    if np.isclose(ratio, m, rtol=1e-6):
        details.append(f"a factor m = {m}: forgot to divide by m?")
    elif np.isclose(ratio, -1, rtol=1e-6):
        details.append("the opposite sign: J is the *negative* log-likelihood")
    return Grade(name, 0.0, False, "J differs from eq (1)", tuple(details))


def grade_threshold(value, threshold, *, kind="accuracy", name=None, partial_from=None) -> Grade:
    """Grade a number against a threshold: accuracy at least, or loss at most, ``threshold``.

    With ``partial_from`` the credit rises linearly from 0 at ``partial_from``
    to 1 at ``threshold``; without it, all or nothing.

    Examples
    --------
    >>> from gradlab.grading import grade_threshold
    >>> grade_threshold(0.8, 0.9, partial_from=0.5).points(4)
    3.0
    >>> grade_threshold(0.3, 0.25, kind="loss").verdict
    'loss 0.3 is above the threshold 0.25'
    """
    if kind not in ("accuracy", "loss"):
        raise ValueError(f'kind must be "accuracy" or "loss"; got {kind!r}')
    name = name or kind
    if _missing(value):
        return not_answered(name)
    value = float(value)
    higher = kind == "accuracy"
    good = value >= threshold if higher else value <= threshold
    if good:
        return Grade(name, 1.0, True, f"{kind} {value:.4g} meets the threshold {threshold:.4g}",
                     (), "threshold")  # fmt: skip
    score = 0.0
    if partial_from is not None and np.isfinite(value):
        score = float(np.clip((value - partial_from) / (threshold - partial_from), 0.0, 1.0))
    side = "below" if higher else "above"
    return Grade(name, score, False, f"{kind} {value:.4g} is {side} the threshold {threshold:.4g}",
                 (), "threshold")  # fmt: skip


def grade_accuracy(model, X, y, threshold, *, name="accuracy", partial_from=None) -> Grade:
    """Grade a trained classifier's accuracy on ``(X, y)`` (e.g. held-out data).

    ``model`` has ``predict(X)`` or is itself a function ``X -> labels``; only the
    accuracy is reported, never the data.

    Examples
    --------
    >>> from gradlab import SoftmaxRegression, datasets
    >>> from gradlab.grading import grade_accuracy
    >>> X, y = datasets.make_blobs(seed=1)
    >>> grade_accuracy(SoftmaxRegression().fit(X, y), X, y, 0.9).passed
    True
    """
    if _missing(model):
        return not_answered(name)
    with quiet():
        try:
            predict = model.predict if hasattr(model, "predict") else model
            labels = predict(X)
            if labels is None or labels is Ellipsis:
                return not_answered(name)
            accuracy = float(np.mean(np.asarray(labels) == np.asarray(y)))
        except Exception as exc:  # noqa: BLE001 - an unfitted or broken model is feedback, not a crash
            return Grade(name, 0.0, False, f"could not predict: {type(exc).__name__}: {exc}")
    return grade_threshold(accuracy, threshold, name=name, partial_from=partial_from)


def grade_own_check(report, loss_and_gradient, X, y, *, name="your gradient check") -> Grade:
    """Grade a student's own gradient check of their ``loss_and_gradient`` on ``(X, y)``.

    Full credit when ``report`` is a gradient check (e.g. from
    :func:`gradlab.check_softmax_gradient`) whose verdict agrees with gradlab's
    check of the same function: a check that honestly finds a bug earns the credit.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab import check_softmax_gradient, loss_and_gradient
    >>> from gradlab.grading import grade_own_check
    >>> X, y = np.eye(3), np.array([0, 1, 2])
    >>> report = check_softmax_gradient(lambda W, b, X, y: loss_and_gradient(W, b, X, y)[1:], X=X, y=y)
    >>> grade_own_check(report, loss_and_gradient, X, y).passed
    True
    """
    if _missing(report):
        return not_answered(name)
    verdict = getattr(report, "verdict", None)
    if verdict not in ("pass", "fail", "inconclusive"):
        return Grade(name, 0.0, False, "expected the result of gradlab.check_softmax_gradient",
                     (f"got {type(report).__name__}",))  # fmt: skip
    truth = grade_gradient(loss_and_gradient, X, y)
    if truth.verdict == "not answered yet":
        return Grade(name, 0.0, False, "write loss_and_gradient first, then check it")
    expected = "pass" if truth.passed else "fail"
    if verdict == expected:
        return Grade(name, 1.0, True, f"your check says {verdict}, and so does gradlab's")
    return Grade(name, 0.0, False, f"your check says {verdict}; gradlab's check of your "
                 f"loss_and_gradient says {expected}",
                 ("check the function you wrote, on the data given (X_check, y_check)",))  # fmt: skip


def grade_choice(answer, correct, *, name="answer", choices=None, hint=None) -> Grade:
    """Grade a short answer read off a figure or a table (a class label, a word): exact match.

    The feedback never names the right choice; ``hint`` says where to look.

    Examples
    --------
    >>> from gradlab.grading import grade_choice
    >>> grade_choice(2, 1, name="class at P", hint="look at the colour under P").feedback
    '✗ class at P: not correct: 2 is not the answer\\n  hint: look at the colour under P'
    """
    if _missing(answer):
        return not_answered(name)
    if choices is not None and answer not in choices:
        listed = ", ".join(map(repr, choices))
        return Grade(name, 0.0, False, f"expected one of {listed}; got {answer!r}")
    if answer == correct:
        return Grade(name, 1.0, True, "correct")
    return Grade(name, 0.0, False, f"not correct: {answer!r} is not the answer",
                 (f"hint: {hint}",) if hint else ())  # fmt: skip


def grade_step_size(h, f, grad, x, *, method="central", within=10.0, name="step size") -> Grade:
    """Grade a finite-difference step ``h``: its error must be within ``within`` × the best.

    The errors come from :func:`gradlab.step_size_sweep` over 10^-16 ... 10^0 and ``h``;
    "the best" is the fifth smallest of them (rounding can make one step lucky). A step
    that is too large loses to truncation error, one too small to rounding.

    Examples
    --------
    >>> import numpy as np
    >>> from gradlab.grading import grade_step_size
    >>> f, grad, x = lambda x: np.sum(np.sin(x)), lambda x: np.cos(x), np.array([1.0])
    >>> grade_step_size(1e-5, f, grad, x).passed
    True
    >>> grade_step_size(1e-13, f, grad, x).verdict
    'h = 1e-13 is too small: rounding error dominates'
    """
    if _missing(h):
        return not_answered(name)
    if isinstance(h, bool) or not isinstance(h, int | float | np.floating) or not h > 0:
        return Grade(name, 0.0, False, f"h must be a positive number; got {h!r}")
    from gradlab import step_size_sweep

    grid = np.logspace(-16, 0, 65)
    with quiet():
        sweep = step_size_sweep(f, grad, x, hs=np.append(grid, float(h)), methods=(method,))
    hs, errors = np.asarray(sweep.hs), np.asarray(sweep.errors[method], dtype=float)
    mine = int(np.argmin(np.abs(np.log(hs) - np.log(float(h)))))  # the sweep sorts its steps
    # the standard is the 5th smallest error: rounding can make a single step lucky
    order = np.argsort(errors)
    best, best_h = errors[order[4]], hs[int(np.nanargmin(errors))]
    err = errors[mine]
    detail = (
        f"{method} difference error {err:.1e} at h = {h:.0e}; the best step gives about {best:.0e}",
    )
    if err <= within * max(best, np.finfo(float).tiny):
        return Grade(name, 1.0, True, f"h = {h:.0e} is a good step", detail)
    if h > best_h:
        why = "is too large: truncation error dominates"
    else:
        why = "is too small: rounding error dominates"
    return Grade(name, 0.0, False, f"h = {h:.0e} {why}", detail)
