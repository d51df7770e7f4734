"""Check a student's derivative: parse it safely, decide, explain.

>>> from gradlab.answers import check_answer
>>> print(check_answer("p_k - [y = k]").correct)
True
"""

from gradlab.answers.check import AnswerCheck, Counterexample, check_answer
from gradlab.answers.lexer import AnswerSyntaxError
from gradlab.answers.topics import TOPICS
from gradlab.answers.vocabulary import vocabulary_table

__all__ = ["TOPICS", "AnswerCheck", "AnswerSyntaxError", "Counterexample", "check_answer",
           "vocabulary_table"]  # fmt: skip
