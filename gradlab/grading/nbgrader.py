"""An nbgrader preprocessor that confines each submission to its folder while it is graded.

In the course's ``nbgrader_config.py``, put it in place of nbgrader's ``Execute``::

    from gradlab.grading.nbgrader import autograde_preprocessors
    c.Autograde.autograde_preprocessors = autograde_preprocessors()

``ConfinedExecute`` runs :func:`gradlab.grading.sandbox.confine` in the kernel before
the first cell of the submission, then removes that cell from the graded notebook.
nbgrader is imported only when the class is first used.
"""

from __future__ import annotations

from gradlab.grading.otter import CONFINE_SOURCE

__all__ = ["autograde_preprocessors"]  # and ConfinedExecute, built on first access


def _build():
    import nbformat
    from nbgrader.preprocessors import Execute

    class ConfinedExecute(Execute):
        """nbgrader's Execute, with writes outside the submission folder refused."""

        def preprocess(self, nb, resources=None, km=None):
            nb.cells.insert(0, nbformat.v4.new_code_cell(CONFINE_SOURCE))
            try:
                return super().preprocess(nb, resources, km=km)
            finally:
                nb.cells.pop(0)

    return ConfinedExecute


def autograde_preprocessors() -> list:
    """nbgrader's autograde preprocessors with ``Execute`` replaced by ``ConfinedExecute``."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    confined = __getattr__("ConfinedExecute")
    return [confined if pp is Execute else pp for pp in Autograde.autograde_preprocessors.default()]


def __getattr__(name: str):
    if name == "ConfinedExecute":
        value = globals()[name] = _build()
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
