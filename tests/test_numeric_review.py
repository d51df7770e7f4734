"""Review regressions for gradlab.numeric: false verdicts found by trying to break the check.

Expected gradients are closed forms written here.
"""

from __future__ import annotations

import numpy as np
import pytest

from gradlab.numeric import check_gradient


@pytest.mark.parametrize("mode", ["full", "directional"])
def test_zero_gradient_at_an_inflection_point_passes_with_the_complex_step(mode):
    # f = sum x^3 at x = 0: the gradient 3x^2 is exactly 0, while the complex step
    # carries its O(h^2) truncation term -h^2 (1e-40): no reason to call 0 wrong.
    x = np.zeros(4)
    report = check_gradient(
        lambda x: np.sum(x**3), lambda x: 3 * x**2, x, method="complex", mode=mode
    )
    assert report.ok, str(report)
    bad = check_gradient(
        lambda x: np.sum(x**3), lambda x: 3 * x**2 + 1e-3, x, method="complex", mode=mode
    )
    assert not bad.ok, str(bad)


@pytest.mark.parametrize("method", ["richardson", "central", "forward"])
@pytest.mark.parametrize("offset", [1e4, 1e6])
def test_f_varying_on_a_scale_far_below_x_gives_no_false_verdict(method, offset):
    # sin varies on a scale of 1 while |x| ~ offset, so the default steps (scaled by
    # |x|) are far too wide: the check must shrink them, or say it cannot decide,
    # but never call the right gradient wrong nor pass a 1% error.
    x = offset + np.random.default_rng(1).normal(size=5)
    right = check_gradient(lambda x: np.sum(np.sin(x)), np.cos, x, method=method)
    assert right.verdict != "fail", str(right)
    wrong = check_gradient(
        lambda x: np.sum(np.sin(x)), lambda x: 1.01 * np.cos(x), x, method=method
    )
    assert wrong.verdict != "pass", str(wrong)
