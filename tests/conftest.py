"""The slow tier for the items that cannot carry a marker themselves.

`pytest` runs everything; `pytest -m "not slow and not notebook"` is the fast tier (see
the README). Tests mark themselves with ``@pytest.mark.slow``; doctests cannot, so the
ones that run a whole story (the tour, an animation) are marked here.
"""

import pytest

SLOW_DOCTESTS = {"gradlab.tour.tour", "gradlab.plots._animate.animate_training"}


def pytest_collection_modifyitems(items):
    for item in items:
        if isinstance(item, pytest.DoctestItem) and item.name in SLOW_DOCTESTS:
            item.add_marker(pytest.mark.slow)
