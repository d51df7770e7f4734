"""The timing rules every benchmark here uses.

- In-process: the best of a few runs. The minimum is the least noisy estimate on a shared
  machine: other load only ever adds time.
- A command in a fresh process: its wall time and its CPU time (user + system, its child
  processes included). On a busy machine the wall time grows with the load; the CPU time
  barely does, so the two together say what a user on a quiet machine would wait.
- Every script prints ``machine()`` first: a number means little without the machine.
"""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import time


def best_of(fn, repeat: int = 5) -> float:
    """Seconds of the fastest of ``repeat`` calls of ``fn()``."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_command(args, check=True, **kwargs) -> tuple[float, float]:
    """Run ``args`` to completion; return (wall seconds, CPU seconds).

    With ``check=True`` the command must succeed. Its output is kept in
    ``run_command.last`` (a CompletedProcess) for callers that report on it.
    """
    cpu, start = _children_cpu(), time.perf_counter()
    run_command.last = subprocess.run(args, check=check, capture_output=True, text=True, **kwargs)
    return time.perf_counter() - start, _children_cpu() - cpu


def machine() -> str:
    """One line naming the machine and how busy it is right now."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    cpu = platform.processor() or platform.machine()
    return (f"machine: {platform.system()} {cpu}, {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, load average {load} (1, 5, 15 min)")  # fmt: skip
