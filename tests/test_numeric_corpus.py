"""The corpus of student-style gradient code (tests/numeric_corpus.py): exact verdicts and causes."""

from __future__ import annotations

import importlib.util
import pathlib
import sys
import warnings

import pytest

from gradlab.numeric import check_gradient

_spec = importlib.util.spec_from_file_location(
    "numeric_corpus", pathlib.Path(__file__).with_name("numeric_corpus.py")
)
corpus = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("numeric_corpus", corpus)
_spec.loader.exec_module(corpus)


def test_corpus_has_the_promised_size():
    assert len(corpus.BUGS) >= 40
    assert len(corpus.CORRECT) >= 20


@pytest.mark.parametrize("case", corpus.CASES, ids=lambda c: c.name)
def test_corpus_case_gets_its_verdict_and_cause(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # float32 overflow in exp etc. is the case's business
        report = check_gradient(case.f, case.grad, case.x, **case.kw)
    assert report.verdict == case.verdict, str(report)
    if case.cause:
        assert any(case.cause in d for d in report.diagnosis), str(report)
