"""Hostile answers: each gets a clear error (or a plain verdict) within 2 s and runs nothing."""

import ast
import builtins
import os
import pathlib
import subprocess

import pytest

from gradlab.answers import AnswerSyntaxError, check_answer

HOSTILE = {
    "import": "__import__('os').system('touch /tmp/gradlab-pwned')",
    "eval call": "eval('1+1')",
    "exec call": "exec('import os')",
    "open file": "open('/etc/passwd').read()",
    "attribute access": "f_k.__class__.__bases__",
    "dunder walk": "().__class__.__bases__[0].__subclasses__()",
    "lambda": "lambda: f_k",
    "called lambda": "(lambda x: x)(1)",
    "list comprehension": "[f_c for c in range(9)]",
    "dict comprehension": "{c: f_c for c in C}",
    "generator": "sum(f_c for c in C)",
    "power tower": "9**9**9**9",
    "latex power tower": "9^{9^{9^{9}}}",
    "huge base": "(10^{60})^{60}",
    "100 kB": "f_k + " * 17_000 + "1",
    "10,000 nested parentheses": "(" * 10_000 + "f_k" + ")" * 10_000,
    "300 nested parentheses": "(" * 300 + "f_k" + ")" * 300,
    "300 nested braces": "{" * 300 + "f_k" + "}" * 300,
    "300 minus signs": "-" * 300 + "f_k",
    "unbalanced braces": r"\frac{f_k}{1",
    "unbalanced closing": r"f_k}}} - [y = k]",
    "unbalanced brackets": "f_k - [y = k",
    "input file": r"\input{/etc/passwd}",
    "include": r"\include{/etc/passwd}",
    "write18": r"\immediate\write18{rm -rf ~}",
    "def": r"\def\x{f_k}\x",
    "shell escape": "$(rm -rf ~)",
    "backticks": "`ls`",
    "semicolon": "f_k; import os",
    "null byte": "f_k\x00",
    "zero-width space": "f_k\u200b - [y = k]",
    "fullwidth letters": "ｆ_k",
    "long digits": "1" * 5000,
    "deep sums": r"\sum_c " * 20 + "f_c",
    "many sums": " + ".join([r"\sum_{c=1}^{C} f_c"] * 40),
    "string literal": "'f_k'",
    "format string": "f'{__import__(\"os\")}'",
}

# Parsed, but their value cannot be computed: a verdict, still fast.
HOSTILE_BUT_PARSED = {
    "sum to a billion": r"\sum_{c=1}^{999999999} f_{1}",
    "exp tower": "e^{e^{e^{e^{e^{z_k}}}}}",
    "log of zero": r"\log(f_k - f_k)",
    "division by zero": "f_k / (f_k - f_k)",
}


@pytest.fixture
def nothing_runs(monkeypatch):
    """Any attempt to evaluate text or start a process fails the test."""

    def forbidden(name):
        def fail(*args, **kwargs):
            raise AssertionError(f"{name} was called")

        return fail

    for name in ("eval", "exec"):
        monkeypatch.setattr(builtins, name, forbidden(name))
    monkeypatch.setattr(os, "system", forbidden("os.system"))
    monkeypatch.setattr(subprocess, "Popen", forbidden("subprocess.Popen"))


def outcome_of(answer):
    # No clock here: the grammar's limits count work (length, depth, sums, exponents), so
    # "fast" means refused by a limit (test_error_messages_are_specific names which one).
    try:
        return check_answer(answer)
    except AnswerSyntaxError as exc:
        return exc


def test_the_plain_text_reference_answer_is_correct():
    assert check_answer("f_k - [y = k]").correct is True


@pytest.mark.parametrize("answer", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_is_rejected_fast(answer, nothing_runs):
    outcome = outcome_of(answer)
    assert isinstance(outcome, AnswerSyntaxError), outcome
    message = str(outcome)
    assert len(message) < 1500  # a clear message, not an echo of 100 kB
    assert "Traceback" not in message
    assert not pathlib.Path("/tmp/gradlab-pwned").exists()


@pytest.mark.parametrize("answer", HOSTILE_BUT_PARSED.values(), ids=HOSTILE_BUT_PARSED.keys())
def test_hostile_but_parsed_input_gets_a_fast_wrong_verdict(answer, nothing_runs):
    outcome = outcome_of(answer)
    assert not isinstance(outcome, Exception)
    assert outcome.correct is False and outcome.counterexample is not None


def test_error_messages_are_specific():
    for answer, expected in [
        (HOSTILE["import"], "unknown symbol import"),
        (HOSTILE["attribute access"], "unknown symbol class"),
        (HOSTILE["power tower"], "exponent too large"),
        (HOSTILE["100 kB"], "answer is too long"),
        (HOSTILE["300 nested parentheses"], "nested too deeply"),
        (HOSTILE["input file"], "unknown LaTeX command \\input"),
        (HOSTILE["unbalanced braces"], "expected '}'"),
        (HOSTILE["unbalanced closing"], "unbalanced '}'"),
        (HOSTILE["deep sums"], "too many sums"),
        (HOSTILE["lambda"], "unknown symbol lambda"),
    ]:
        with pytest.raises(AnswerSyntaxError) as info:
            check_answer(answer)
        assert expected in str(info.value), (answer[:40], str(info.value))


FORBIDDEN_CALLS = {"eval", "exec", "compile", "sympify", "parse_expr", "parse_latex", "S"}


def test_source_never_evaluates_text():
    """No call to eval, exec, sympify, parse_expr, parse_latex or S(...) in gradlab.answers."""
    package = pathlib.Path(__file__).parents[1] / "gradlab" / "answers"
    for path in package.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                assert name not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} calls {name}"
