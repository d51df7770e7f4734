"""Check a student's derivative: parse it safely, decide, explain.

>>> from gradlab.answers import check_answer
>>> print(check_answer("p_k - [y = k]").correct)
True
"""

from gradlab.answers.check import AnswerCheck, Counterexample, check_answer
from gradlab.answers.derivation import DerivationCheck, Step, check_derivation
from gradlab.answers.lexer import AnswerSyntaxError
from gradlab.answers.profiles import PROFILES, Profile
from gradlab.answers.topics import TOPICS
from gradlab.answers.vocabulary import vocabulary_table

__all__ = ["PROFILES", "TOPICS", "AnswerCheck", "AnswerSyntaxError", "Counterexample",
           "DerivationCheck", "Profile", "Step", "check_answer", "check_derivation",
           "vocabulary_table"]  # fmt: skip
