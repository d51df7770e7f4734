"""gradlab.grading: one Grade from every check, explicit partial credit, no leaks, no stderr."""

from __future__ import annotations

import re
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

from gradlab.grading import (
    CREDIT_RULES,
    Grade,
    grade,
    grade_accuracy,
    grade_answer,
    grade_choice,
    grade_gradient,
    grade_loss,
    grade_step_size,
    grade_threshold,
)


def per_sample_loss_and_gradient(W, b, X, y):
    """Eq (1)-(3) written as loops over samples: the test's own oracle."""
    m, C = X.shape[0], W.shape[1]
    J, dW, db = 0.0, np.zeros_like(W), np.zeros_like(b)
    for i in range(m):
        z = X[i] @ W + b
        f = np.exp(z - z.max())
        f /= f.sum()
        J -= np.log(f[y[i]]) / m
        for k in range(C):
            g = f[k] - (y[i] == k)  # eq (2)
            dW[:, k] += g * X[i] / m  # eq (3)
            db[k] += g / m
    return J, dW, db


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    return rng.normal(size=(24, 3)), rng.integers(0, 4, size=24)


def _no_formula(text: str) -> bool:
    flat = re.sub(r"\s+", "", text.replace("𝕀", "I").replace("−", "-"))
    return "f_k-I(y_i=k)" not in flat


def test_right_answer_full_credit():
    g = grade_answer(r"f_k - \mathbb{I}(y_i = k)", name="eq (2)")
    assert (g.score, g.passed, g.points(3)) == (1.0, True, 3.0)
    assert g.feedback.startswith("✓ eq (2): correct")


def test_sign_error_no_credit_names_the_mistake_without_the_solution():
    g = grade_answer(r"\mathbb{I}(y_i = k) - f_k", name="eq (2)")
    assert (g.score, g.passed, g.points(3)) == (0.0, False, 0.0)
    assert "hint: Sign error." in g.feedback
    assert "counterexample" in g.feedback
    assert _no_formula(g.feedback) and _no_formula(g.html)


@pytest.mark.parametrize(
    "answer",
    [
        "f_k",  # right only for k != y_i
        "f_{y_i} - 1",  # right only for k = y_i
    ],
)
def test_answer_right_in_some_cases_gets_no_credit(answer):
    g = grade_answer(answer)
    assert g.score == 0.0
    assert g.rule == "all or nothing"
    assert _no_formula(g.feedback)


@pytest.mark.parametrize("answer", [..., None, "", "   "])
def test_missing_answer_is_not_answered_yet(answer):
    g = grade_answer(answer, name="eq (2)")
    assert (g.score, g.verdict) == (0.0, "not answered yet")


def test_unparsable_answer_is_feedback_not_an_error():
    g = grade_answer("f_k - (y_i")
    assert (g.score, g.verdict) == (0.0, "not understood")


def test_correct_gradient_full_credit(data):
    X, y = data
    g = grade_gradient(per_sample_loss_and_gradient, X, y)
    assert (g.score, g.passed) == (1.0, True)
    assert grade_loss(per_sample_loss_and_gradient, X, y).passed


def test_W_right_b_wrong_is_half(data):
    X, y = data

    def forgot_b(W, b, X, y):
        J, dW, db = per_sample_loss_and_gradient(W, b, X, y)
        return J, dW, np.zeros_like(db)

    g = grade_gradient(forgot_b, X, y)
    assert (g.score, g.passed, g.points(4)) == (0.5, False, 2.0)
    assert g.verdict == "b wrong, W right"
    assert g.rule == "per parameter" and "half" in CREDIT_RULES["per parameter"]


def test_missing_one_over_m_is_diagnosed(data):
    X, y = data
    m = X.shape[0]

    def no_mean(W, b, X, y):
        J, dW, db = per_sample_loss_and_gradient(W, b, X, y)
        return J * m, dW * m, db * m

    g = grade_gradient(no_mean, X, y)
    assert (g.score, g.verdict) == (0.0, "W and b wrong")
    assert f"forgot to divide by m = {m}" in g.feedback
    lg = grade_loss(no_mean, X, y)
    assert lg.score == 0.0 and f"a factor m = {m}" in lg.feedback


def test_feedback_never_shows_the_data(data):
    X, y = data
    X = X + 123.456  # values that would be recognisable in the feedback

    def wrong(W, b, X, y):
        J, dW, db = per_sample_loss_and_gradient(W, b, X, y)
        return J, -dW, db

    text = grade_gradient(wrong, X, y).feedback + grade_loss(wrong, X, y).feedback
    assert "123" not in text


def test_stub_and_crash_are_graded_not_raised(data):
    X, y = data

    def stub(W, b, X, y):
        raise NotImplementedError

    def crash(W, b, X, y):
        return X @ W @ W  # wrong shapes: ValueError inside

    assert grade_gradient(stub, X, y).verdict == "not answered yet"
    assert grade_gradient(..., X, y).verdict == "not answered yet"
    g = grade_gradient(crash, X, y)
    assert g.score == 0.0 and g.verdict.startswith("your function raised ValueError")

    def shape(W, b, X, y):
        return 1.0, W.T, b

    assert grade_gradient(shape, X, y).verdict.startswith("expected (J, dW, db)")


def test_nothing_written_to_stderr(data, capfd):
    X, y = data

    def noisy(W, b, X, y):
        warnings.warn("student warning", UserWarning, stacklevel=1)
        np.exp(np.array([1000.0]))  # overflow RuntimeWarning
        return per_sample_loss_and_gradient(W, b, X, y)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        grade_gradient(noisy, X, y)
        grade_loss(noisy, X, y)
        grade_answer("f_k - (y_i")
    assert capfd.readouterr().err == ""


def test_derivation_check_by_duck_typing():
    steps = ["a", "b", "c", "d"]
    wrong = grade(SimpleNamespace(ok=False, steps=steps, first_wrong=2, reason="sign flipped"))
    assert (wrong.score, wrong.verdict) == (0.5, "step 3 of 4 is wrong")
    assert "sign flipped" in wrong.feedback
    right = grade(SimpleNamespace(ok=True, steps=steps, first_wrong=None))
    assert (right.score, right.passed) == (1.0, True)


def test_threshold_and_accuracy():
    assert grade_threshold(0.92, 0.9).passed
    assert grade_threshold(0.8, 0.9).score == 0.0
    assert grade_threshold(0.7, 0.9, partial_from=0.5).points(10) == pytest.approx(5.0)
    assert grade_threshold(0.2, 0.25, kind="loss").passed

    class Model:
        def predict(self, X):
            return np.array([0, 1, 1, 1])

    g = grade_accuracy(Model(), np.zeros((4, 1)), np.array([0, 1, 0, 1]), 0.9)
    assert (g.score, g.verdict) == (0.0, "accuracy 0.75 is below the threshold 0.9")


def test_grade_rejects_bad_values():
    with pytest.raises(ValueError, match="score must be a number in"):
        Grade("q", 1.5, True, "x")
    with pytest.raises(TypeError, match="check must be the result of check_answer"):
        grade(object())
    with pytest.raises(ValueError, match="max_points"):
        Grade("q", 1.0, True, "x").points(-1)


def test_html_is_escaped():
    g = Grade("<q>", 0.0, False, "a < b", ("x & y",))
    assert "&lt;q&gt;" in g.html and "x &amp; y" in g.html and "<q>" not in g.html


def test_require_raises_the_feedback_per_part(data):
    X, y = data

    def forgot_b(W, b, X, y):
        J, dW, db = per_sample_loss_and_gradient(W, b, X, y)
        return J, dW, 2 * db

    g = grade_gradient(forgot_b, X, y)
    g.require("W")
    with pytest.raises(AssertionError, match="b wrong, W right"):
        g.require("b")
    with pytest.raises(AssertionError, match="not answered yet"):
        grade_gradient(..., X, y).require("W")


def test_confine_refuses_writes_outside_reads_of_notebooks_and_programs(tmp_path):
    import subprocess
    import sys

    folder = tmp_path / "submission"
    (folder / "tests").mkdir(parents=True)
    (tmp_path / "source.ipynb").write_text("{}")
    script = f"""
import os
from gradlab.grading.sandbox import confine
confine({str(folder)!r})
open("answer.txt", "w").write("mine")  # inside: allowed
results = []
for what, attempt in [
    ("outside", lambda: open({str(tmp_path / "x.txt")!r}, "w")),
    ("above", lambda: open("../y.txt", "a")),
    ("tests", lambda: open("tests/q1.py", "w")),
    ("module", lambda: open("gradlab.py", "w")),
    ("os.open", lambda: os.open({str(tmp_path / "z")!r}, os.O_WRONLY | os.O_CREAT)),
    ("notebook", lambda: open({str(tmp_path / "source.ipynb")!r}).read()),
    ("remove", lambda: os.remove({str(tmp_path / "source.ipynb")!r})),
    ("program", lambda: os.system("true")),
]:
    try:
        attempt()
        results.append(what + " allowed")
    except PermissionError:
        results.append(what + " refused")
print(";".join(results))
"""
    out = subprocess.run([sys.executable, "-c", script], check=False, cwd=folder, capture_output=True,
                         text=True, timeout=60)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ";".join(
        f"{w} refused"
        for w in ("outside", "above", "tests", "module", "os.open", "notebook", "remove", "program")
    )
    assert (folder / "answer.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.ipynb", "submission"]


def test_every_public_name_documents_itself_with_an_example():
    import inspect

    import gradlab.grading

    for name in gradlab.grading.__all__:
        obj = getattr(gradlab.grading, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            doc = inspect.getdoc(obj) or ""
            assert "Examples\n--------" in doc and ">>> " in doc, name


def test_choice_never_names_the_right_answer():
    g = grade_choice(0, 2, name="class at P", choices=(0, 1, 2), hint="look at the colour")
    assert (g.score, g.verdict) == (0.0, "not correct: 0 is not the answer")
    assert "2" not in g.feedback.replace("0 is not", "")
    assert grade_choice(5, 2, choices=(0, 1, 2)).verdict == "expected one of 0, 1, 2; got 5"
    assert grade_choice(2, 2).passed and grade_choice(..., 2).verdict == "not answered yet"


def test_step_size_against_central_difference_error_computed_here():
    f, grad, x = (lambda v: float(np.sum(np.exp(v)))), np.exp, np.array([0.3, -0.2])
    for h in (1e-1, 1e-5, 1e-12):
        # the error of the central difference along x's first coordinate, done by hand
        e = np.array([h, 0.0])
        hand = abs((f(x + e) - f(x - e)) / (2 * h) - np.exp(0.3))
        g = grade_step_size(h, f, grad, x)
        if hand > 1e-6:
            assert g.score == 0.0, (h, hand, g.feedback)
    assert grade_step_size(1e-1, f, grad, x).verdict.endswith("truncation error dominates")
    assert grade_step_size(1e-12, f, grad, x).verdict.endswith("rounding error dominates")
    assert grade_step_size(1e-5, f, grad, x).passed
    assert grade_step_size(-1.0, f, grad, x).verdict == "h must be a positive number; got -1.0"


def test_gradescope_results_from_otter_results():
    from gradlab.grading.gradescope import VISIBILITIES, to_gradescope

    otter = {"tests": [
        {"name": "Public Tests", "visibility": "visible", "output": "q1 passed", "status": "passed"},
        {"name": "q1", "score": 1, "max_score": 3, "visibility": "hidden", "output": "✗ eq (2)"},
        {"name": "q2", "score": 3, "max_score": 3, "visibility": "hidden", "output": ""},
    ]}  # fmt: skip
    results = to_gradescope(otter)
    assert results["score"] == 4.0
    assert [(t["name"], t["score"], t["max_score"]) for t in results["tests"]] == [
        ("Public Tests", 0.0, 0.0), ("q1", 1.0, 3.0), ("q2", 3.0, 3.0)
    ]  # fmt: skip
    for test in results["tests"]:
        assert set(test) == {"name", "score", "max_score", "output", "visibility"}
        assert test["visibility"] in VISIBILITIES


def test_grade_command_names_a_missing_submission(tmp_path, capsys):
    from gradlab.cli import main

    code = main(["grade", str(tmp_path / "nope.ipynb"), "--assignment", str(tmp_path)])
    assert code == 2
    assert "SUBMISSION must be a notebook file" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize(
    ("script", "folder"),
    [
        ("assignments/softmax_gradient/make_notebooks.py", "assignments/softmax_gradient"),
        ("notebooks/exercises/make_exercises.py", "notebooks/exercises"),
    ],
)
def test_committed_notebooks_are_what_their_one_definition_writes(script, folder, tmp_path):
    import importlib.util
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("maker", root / script)
    maker = importlib.util.module_from_spec(spec)
    sys.modules["maker"] = maker  # dataclasses look their module up
    try:
        spec.loader.exec_module(maker)
    finally:
        del sys.modules["maker"]
    for path in maker.write(tmp_path):
        committed = root / folder / path.relative_to(tmp_path)
        assert path.read_text() == committed.read_text(), f"rerun {script}"


def test_derivation_first_wrong_may_be_the_step_itself():
    steps = [SimpleNamespace(text="a"), SimpleNamespace(text="b", reason="dropped a minus")]
    g = grade(SimpleNamespace(ok=False, steps=steps, first_wrong=steps[1]))
    assert (g.score, g.verdict) == (0.5, "step 2 of 2 is wrong")
    assert "dropped a minus" in g.feedback


def test_answer_check_without_a_message_still_grades():
    check = SimpleNamespace(correct=False, counterexample=None, hint=None, mistake="sign error")
    g = grade(check, name="eq (2)")
    assert (g.score, g.verdict, g.details) == (0.0, "not correct", ("hint: sign error",))
