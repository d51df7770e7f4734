"""Whole derivations, line by line: :func:`check_derivation`.

A derivation is split into steps: the rows of an ``aligned`` block (``&=`` or
``=`` at the start of a row; a row that does not start with ``=`` continues the
step before, as in ``\\right. \\\\ &\\quad \\left.``), and the ``=``-separated
parts of a row. The first part of the first row may name the derivative
(``\\frac{\\partial J_i}{\\partial z_k}``); it must name the topic's.

The procedure, one stage each:

1. **read**: each step is parsed like an answer (never evaluated), with the
   derivatives of known quantities understood (∂f_j/∂z_k = f_j(δ_jk − f_k)) and
   the note's shorthand ``\\sum_{j=k}^C`` (beside ``\\sum_{j \\neq k}``) read as
   the j = k term;
2. **compare**: each step's value is compared, on the grading's random cases,
   with the step before it (the first with the topic's derivative, the last also
   with the topic's result);
3. **restore**: a step that differs from the one before but equals the last
   right value restores it: the step before was a typo, and only it is flagged.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import numpy as np

from gradlab.answers.check import Counterexample, show
from gradlab.answers.evaluate import EvaluationError, TooMuchWork, Unbound, evaluate, work_budget
from gradlab.answers.grade import ATOL, MAX_WORK, RTOL, Outcome, grade
from gradlab.answers.lexer import AnswerSyntaxError
from gradlab.answers.reading import read_answer
from gradlab.answers.topics import get_topic

__all__ = ["DerivationCheck", "Step", "check_derivation", "split_steps"]

MAX_STEPS = 40
MAX_TEXT = 20_000  # characters; the note's eq (2) block is about 2,000
# Evaluation steps for all the steps together (counted, not timed): the note's eq (2)
# block needs about 60,000; eq (2)'s first line inside eq (3)'s average about 100,000 a step.
MAX_DERIVATION_WORK = 2 * MAX_WORK

# Patterns for re.sub (a regular expression, never code: nothing here is evaluated).
_ENVIRONMENTS = r"\\(begin|end)\{(aligned|align\*?|split|gather\*?|equation\*?)\}"
_TAG = r"\\(?:tag|label)\*?\{[^{}]*\}"
_REMARK_WORDS = {"note", "since", "where", "because", "by", "using", "as", "and", "so"}


@dataclass(frozen=True, eq=False)
class Step:
    """One step of a derivation.

    Attributes
    ----------
    number : int
        1-based.
    lines : tuple of int
        The 1-based source lines the step spans.
    text : str
        The step as typed (without ``&`` and the leading ``=``).
    ok : bool
        Whether it equals the step before (the first: the topic's derivative).
    message : str
        The verdict in plain language.
    counterexample : Counterexample or None
        A case where it differs from the true value (``None`` if right).
    understood : bool
        ``False`` if the step could not be read; ``message`` then has the caret.

    Examples
    --------
    >>> from gradlab import check_derivation
    >>> step = check_derivation(r"dJ/dz_k &= f_k + y_k \\\\ &= f_k - y_k").steps[0]
    >>> step.number, step.lines, step.ok, step.message
    (1, (1,), False, 'differs from the derivative; step 2 restores the value: step 1 (line 1) is a typo')
    """

    number: int
    lines: tuple
    text: str
    ok: bool
    message: str
    counterexample: Counterexample | None = None
    understood: bool = True
    expr: object = None


@dataclass(frozen=True, eq=False)
class DerivationCheck:
    """The verdict of :func:`check_derivation`: one :class:`Step` per step.

    ``ok`` is ``True`` when every step is right and the last equals the topic's
    result; ``first_wrong`` is the first wrong step (or ``None``). ``str()``
    is a table for the terminal, ``_repr_html_`` one for Jupyter.

    Examples
    --------
    >>> from gradlab import check_derivation
    >>> result = check_derivation(r"dJ/dz_k &= p_k - y_k \\\\ &= -(y_k - p_k)")
    >>> print(result)
    ✓ Every step is right and the last is ∂J_i/∂z_k = f_k − 𝕀(y_i = k).
      step  lines     verdict
      1     1      ✓  equals the derivative
      2     1      ✓  equals the step before
    """

    topic: str
    steps: tuple
    ok: bool
    summary: str
    understood: bool = True
    lhs: str = ""
    notes: tuple = field(default_factory=tuple)

    @property
    def first_wrong(self) -> Step | None:
        return next((step for step in self.steps if not step.ok), None)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        rows = [("step", "lines", "", "verdict")]
        for step in self.steps:
            lines = _lines(step.lines)
            rows.append((str(step.number), lines, "✓" if step.ok else "✗", step.message))
        width = [max(len(row[n]) for row in rows) for n in range(3)]
        out = [("✓ " if self.ok else "✗ ") + self.summary]
        for row in rows:
            first, *rest = row[3].splitlines() or [""]
            cells = [row[n].ljust(width[n]) for n in range(3)]
            out.append("  " + "  ".join(cells) + "  " + first)
            pad = " " * (sum(width) + 8)
            out += [pad + line for line in rest]
        wrong = self.first_wrong
        if wrong is not None and wrong.counterexample is not None:
            out.append(f"  counterexample for step {wrong.number}:")
            out += [f"    {line}" for line in wrong.counterexample.lines()]
        return "\n".join(out)

    def _repr_html_(self) -> str:
        mark = "✅" if self.ok else "❌"
        header = "".join(f"<th>{h}</th>" for h in ("step", "lines", "", "step as typed", "verdict"))
        out = [f"<p>{mark} <b>{html.escape(self.summary)}</b></p>", f"<table><tr>{header}</tr>"]
        for step in self.steps:
            text = step.text if len(step.text) < 160 else step.text[:157] + "..."
            message = html.escape(step.message).replace("\n", "<br>")
            out.append(
                f"<tr><td>{step.number}</td><td>{_lines(step.lines)}</td>"
                f"<td>{'✓' if step.ok else '✗'}</td><td><code>{html.escape(text)}</code></td>"
                f"<td style='text-align:left'><pre style='margin:0'>{message}</pre></td></tr>"
            )
        out.append("</table>")
        wrong = self.first_wrong
        if wrong is not None and wrong.counterexample is not None:
            out.append(f"<p>counterexample for step {wrong.number}:</p><ul>")
            out += [f"<li>{html.escape(line)}</li>" for line in wrong.counterexample.lines()]
            out.append("</ul>")
        return "\n".join(out)


def _lines(lines: tuple) -> str:
    return str(lines[0]) if len(lines) == 1 else f"{lines[0]}–{lines[-1]}"


def _where(lines: tuple) -> str:
    return f"line {lines[0]}" if len(lines) == 1 else f"lines {lines[0]}–{lines[-1]}"


@dataclass
class _Part:
    text: str
    lines: list


def split_steps(text: str) -> list[_Part]:
    """The steps of a derivation, each with the 1-based source lines it spans.

    A row ends at ``\\\\`` or at the end of a line; a row that does not start with
    ``=`` continues the step before (``\\right. \\\\ &\\quad \\left.``, or a long
    line wrapped); the ``=`` inside a row separate steps.
    """
    rows: list[_Part] = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = re.sub(_TAG, "", re.sub(_ENVIRONMENTS, "", line)).replace("$", "")
        rows += [_Part(piece, [number]) for piece in line.split("\\\\") if piece.strip()]
    parts: list[_Part] = []
    for row in rows:
        pieces = _split_top_level(_drop_remark(row.text.replace("&", " ")))
        first = pieces.pop(0)
        if first.strip() and parts:
            parts[-1].text += " " + first  # this row continues the step before
            parts[-1].lines += [n for n in row.lines if n not in parts[-1].lines]
        elif first.strip():
            parts.append(_Part(first, list(row.lines)))
        parts += [_Part(piece, list(row.lines)) for piece in pieces]
    return parts


def _drop_remark(text: str) -> str:
    """Cut a remark: \\quad \\text{Note that } ... is prose, not a step."""
    for match in re.finditer(r"\\(?:text|textrm|mbox)\{([^{}]*)\}", text):
        words = match.group(1).strip().lower().split()
        if (
            len(words) > 1
            or (words and words[0] in _REMARK_WORDS)
            or match.group(1) != match.group(1).strip()
        ):
            return text[: match.start()]
    return text


def _split_top_level(text: str) -> list[str]:
    """Split at each '=' outside brackets (not ==, != or a sum's j = 1)."""
    out, depth, start = [], 0, 0
    n = 0
    while n < len(text):
        ch = text[n]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif (
            ch == "="
            and depth == 0
            and text[n - 1 : n] not in ("=", "!", "<", ">")
            and text[n + 1 : n + 2] != "="
        ):
            out.append(text[start:n])
            start = n + 1
        n += 1
    out.append(text[start:])
    return out


def check_derivation(text, topic="softmax_dz", *, notation=None) -> DerivationCheck:
    """Check a multi-line derivation step by step.

    Parameters
    ----------
    text : str
        The derivation, e.g. an ``aligned`` block as in the lecture note, with
        ``&=`` or ``=`` at the start of each row. A step may span several source
        lines (``\\right. \\\\ &\\quad \\left.``).
    topic : str, default "softmax_dz"
        What is derived; see :func:`gradlab.check_answer`.
    notation : str or mapping, optional
        A course's letters, as for :func:`gradlab.check_answer`.

    Returns
    -------
    DerivationCheck

    Examples
    --------
    >>> from gradlab import check_derivation
    >>> result = check_derivation(r'''
    ... \\frac{\\partial J_i}{\\partial z_k} &= -\\frac{1}{f_{y_i}} f_{y_i} (\\delta_{y_i k} - f_k) \\\\
    ... &= f_k + \\delta_{y_i k} \\\\
    ... &= f_k - \\delta_{y_i k}''')
    >>> result.ok, result.first_wrong.number, result.first_wrong.lines
    (False, 2, (3,))
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str; got {type(text).__name__}")
    if len(text) > MAX_TEXT:
        raise ValueError(f"text is too long: {len(text)} characters; at most {MAX_TEXT}")
    spec = get_topic(topic)
    parts = split_steps(text)
    if not parts:
        raise ValueError("text has no steps: write one step per line, each starting with =")
    if len(parts) > MAX_STEPS:
        raise ValueError(f"text has {len(parts)} steps; at most {MAX_STEPS} are checked")
    first = parts[0]
    lhs = ""
    named = _lhs_of(first.text, parts, spec, notation)
    if named is not None:
        lhs, parts = named
    return _check_parts(parts, spec, notation, lhs)


def _lhs_of(first: str, parts: list, spec, notation):
    """If the first part names a derivative, check it names the topic's and drop it."""
    if len(parts) < 2:
        return None
    try:
        reading = read_answer(f"{first} = 0", spec, notation, derivation=spec.name)
    except AnswerSyntaxError as exc:
        if "left-hand side" in str(exc):
            raise
        return None
    return (reading.lhs, parts[1:]) if reading.lhs else None


def _check_parts(parts: list, spec, notation, lhs: str) -> DerivationCheck:
    cases = spec.cases(later_sample=True)
    truth = [spec.truth(case) for case in cases]
    values, steps_in = [], []
    try:
        with work_budget(MAX_DERIVATION_WORK):  # one budget for the whole derivation
            for part in parts:
                try:
                    reading = read_answer(part.text, spec, notation, derivation=spec.name)
                    values.append(_values(reading.expr, reading.kind, cases))
                    steps_in.append((part, reading, None))
                except AnswerSyntaxError as exc:
                    values.append(None)
                    steps_in.append((part, None, exc))
    except TooMuchWork:
        raise AnswerSyntaxError(
            "this derivation takes too long to check (nested sums over many classes or "
            "samples in many steps); check it in parts"
        ) from None
    steps: list[Step] = []
    reference = truth  # the value the next step must keep: the last right one
    previous = truth
    understood = True
    for n, ((part, reading, error), value) in enumerate(zip(steps_in, values, strict=True), 1):
        lines = tuple(part.lines)
        text = " ".join(part.text.split())
        if error is not None:
            understood = False
            steps.append(Step(n, lines, text, False, f"not understood: {error}", understood=False))
            previous = None
            continue
        same_as_previous = previous is not None and _same(value, previous)
        restores = not same_as_previous and _same(value, reference)
        if same_as_previous or restores:
            message = "equals " + ("the derivative" if n == 1 else "the step before")
            if restores and n > 1 and steps[-1].understood:
                message = (
                    f"restores the value: step {n - 1} broke it and step {n} puts it back, "
                    f"so step {n - 1} ({_where(steps[-1].lines)}) is a typo"
                )
                steps[-1] = _retell(steps[-1], n)
            steps.append(Step(n, lines, text, True, message, expr=reading.expr))
            previous = value
            if _same(value, truth):
                reference = value
            continue
        counterexample = _counterexample(value, truth, cases, spec)
        what = "the derivative" if n == 1 else f"step {n - 1}"
        steps.append(Step(n, lines, text, False, f"differs from {what}", counterexample,
                          expr=reading.expr))  # fmt: skip
        previous = value
    last_right = bool(steps) and steps[-1].ok and _same(values[-1], truth)
    if last_right:
        # The last step is the answer: graded in full, like check_answer grades it.
        last = steps_in[-1][1]
        last_right = grade(last.expr, last.kind, spec, prove=False).correct
    ok = understood and all(step.ok for step in steps) and last_right
    summary = _summary(steps, ok, understood, last_right, spec)
    return DerivationCheck(spec.name, tuple(steps), ok, summary, understood, lhs)


def _retell(step: Step, restorer: int) -> Step:
    message = (
        f"differs from {f'step {step.number - 1}' if step.number > 1 else 'the derivative'}; "
        f"step {restorer} restores the value: step {step.number} ({_where(step.lines)}) is a typo"
    )
    return Step(step.number, step.lines, step.text, False, message, step.counterexample,
                step.understood, step.expr)  # fmt: skip


def _summary(steps, ok, understood, last_right, spec) -> str:
    if not understood:
        bad = next(step for step in steps if not step.understood)
        return f"Step {bad.number} ({_where(bad.lines)}) is not understood."
    if ok:
        return f"Every step is right and the last is {spec.title} = {spec.formula}."
    wrong = [step for step in steps if not step.ok]
    if wrong:
        first = wrong[0]
        text = f"Step {first.number} ({_where(first.lines)}) breaks the equality"
        if "typo" in first.message:
            text += f"; step {first.number + 1} restores the value: step {first.number} is a typo"
        return text + "."
    return f"Every step follows from the one before, but the last is not {spec.title}."


def _values(expr, kind, cases) -> list:
    out = []
    for case in cases:
        try:
            value = evaluate(expr, case)
            width = case.X.shape[2] if kind == "vec" else 1
            out.append(np.broadcast_to(np.asarray(value, dtype=float), (case.X.shape[0], width)))
        except Unbound as exc:
            raise AnswerSyntaxError(
                f"{exc.name} has no value in this step: a summation index needs its sum, "
                f"e.g. \\sum_{{{exc.name}=1}}^{{C}}"
            ) from None
        except EvaluationError:
            out.append(None)
    return out


def _same(a, b) -> bool:
    if a is None or b is None:
        return False
    for u, v in zip(a, b, strict=True):
        if u is None or v is None or u.shape != v.shape:
            return False
        if not np.isfinite(u).all() or not np.allclose(u, v, rtol=RTOL, atol=ATOL):
            return False
    return True


def _counterexample(value, truth, cases, spec) -> Counterexample | None:
    """The first case where the step differs from the true derivative."""
    for student, true, case in zip(value, truth, cases, strict=True):
        if student is None or not np.allclose(student, true, rtol=RTOL, atol=ATOL):
            outcome = Outcome(case, None if student is None else np.asarray(student), true, False)
            return Counterexample.from_outcome(outcome, spec)
    return None


def described(step: Step) -> str:
    """A step's value in the lecture's notation (for reports)."""
    return show(step.expr) if step.expr is not None else ""
