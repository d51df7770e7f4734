"""The one timing rule every benchmark here uses: the best of a few runs.

The minimum is the least noisy estimate on a shared machine: other load only ever
adds time.
"""

from __future__ import annotations

import time


def best_of(fn, repeat: int = 5) -> float:
    """Seconds of the fastest of ``repeat`` calls of ``fn()``."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)
