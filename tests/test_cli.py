"""The ``gradlab`` command as a newcomer meets it: run in a subprocess, as a shell runs it.

Each ``@early_run("-m", "gradlab", ...)`` test reads what ``python -m gradlab ...`` printed;
the command starts when collection ends (tests/conftest.py), hence the marker.
"""

import argparse
from pathlib import Path

import pytest

from gradlab.cli import build_parser, main

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
ASCII = {"env": {"PYTHONIOENCODING": "ascii"}}  # a terminal that is not UTF-8


def subcommands():
    parser = build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sub.choices


@pytest.mark.early_run("-m", "gradlab", "--help")
def test_python_dash_m_gradlab_runs_the_command(early_run):
    run = early_run
    assert run.returncode == 0, run.stderr
    text = run.stdout.decode()
    assert text.startswith("usage: gradlab")
    for name in subcommands():
        assert name in text


@pytest.mark.early_run("-m", "gradlab", "check", r"\mathbb{I}(y_i = k) - f_k", **ASCII)
def test_check_on_an_ascii_terminal_prints_ascii_and_keeps_its_exit_status(early_run):
    # before: UnicodeEncodeError, exit status 1 ("wrong") for any answer
    run = early_run
    assert run.returncode == 1, run.stderr.decode(errors="replace")
    text = run.stdout.decode("ascii")  # raises if anything is not ASCII
    assert "Traceback" not in run.stderr.decode("ascii")
    # the lecture's notation, transliterated rather than dropped
    assert "I(y_i = k)" in text and "dJ_i/dz_k" in text and "Sign error" in text
    assert "?" not in text.split("hint:")[0]  # nothing left untransliterated


def test_check_exit_status_is_0_for_a_right_answer(capsys):
    assert main(["check", "f_k - 1(y_i = k)"]) == 0
    assert "correct" in capsys.readouterr().out.lower()


@pytest.mark.early_run("-m", "gradlab", "derive", "softmax_dz", **ASCII)
def test_the_ascii_fallback_spells_out_the_notation(early_run):
    run = early_run
    assert run.returncode == 0, run.stderr.decode(errors="replace")
    text = run.stdout.decode("ascii")
    assert "f_k - I(y_i = k)" in text
    assert "f_k^2" in text  # a superscript is a power, not a digit glued to the name


def test_a_crash_is_an_internal_error_not_a_wrong_answer(monkeypatch, capsys):
    import gradlab.answers

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(gradlab.answers, "check_answer", broken)
    assert main(["check", "f_k - [y_i = k]"]) == 3
    err = capsys.readouterr().err
    assert "ZeroDivisionError: a bug" in err and "internal error" in err


def test_not_understood_is_status_2(capsys):
    assert main(["check", "f_k - import"]) == 2
    assert "not understood" in capsys.readouterr().err


def test_every_option_has_help_and_shows_its_default():
    for name, parser in subcommands().items():
        formatter = parser._get_formatter()
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            label = f"gradlab {name} {'/'.join(action.option_strings) or action.dest}"
            assert action.help, f"{label} has no help"
            flag = isinstance(action, argparse._StoreTrueAction)
            if action.option_strings and not flag:
                shown = formatter._expand_help(action)  # the text --help prints
                assert "default" in shown, f"{label} does not show its default: {shown!r}"


@pytest.mark.early_run("-m", "gradlab", "train", "--help")
def test_train_help_shows_the_learning_rate_default(early_run):
    run = early_run
    assert run.returncode == 0
    assert "learning rate (default: 0.5)" in " ".join(run.stdout.decode().split())


@pytest.mark.early_run("-m", "gradlab", "gradcheck", "--bug", "list")
def test_gradcheck_bug_list_says_what_each_bug_is(early_run):
    from gradlab.numeric.examples import STUDENT_GRADIENTS

    run = early_run
    assert run.returncode == 0, run.stderr
    lines = run.stdout.decode().splitlines()[1:]
    described = {line.split()[0]: line.split(None, 1)[1] for line in lines}
    assert set(described) == set(STUDENT_GRADIENTS)
    assert "1/m" in described["missing-m"]
    assert "sign" in described["sign-flip"]


@pytest.mark.early_run("-m", "gradlab", "gradcheck", "--bug", "missing-m")
def test_gradcheck_runs_the_named_bug(early_run):
    run = early_run
    assert run.returncode == 1
    assert "forgot to divide by m = 50" in run.stdout.decode()


@pytest.mark.early_run("-m", "gradlab", "selfcheck")
def test_selfcheck_passes(early_run):
    run = early_run
    assert run.returncode == 0, run.stderr
    assert "self-check         : passed" in run.stdout.decode()


def test_the_readme_documents_every_subcommand_and_the_exit_statuses():
    for name in subcommands():
        assert f"gradlab {name}" in README, f"README does not mention `gradlab {name}`"
    assert "python -m gradlab" in README
    assert "3 internal error" in README
