"""The record of one probe's verdict: which stage decided it, and on what numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gradlab.numeric.policy import POLICY, Stage, Status

__all__ = ["Decision", "TraceEntry"]


@dataclass(frozen=True)
class Decision:
    """What one rung of the ladder concluded, and the estimate it rests on.

    ``error`` is the estimate's own error (the bar is ``POLICY.safety`` times it);
    ``method`` names the estimate (``"central"``, ``"richardson"``, ``"complex"``...)
    and ``h`` its step; ``why`` is a short phrase for an undecided probe.
    """

    status: Status
    stage: Stage
    method: str
    h: float
    value: float
    error: float
    why: str = ""


@dataclass(frozen=True)
class TraceEntry:
    """One probe's verdict for :attr:`GradientCheck.trace`: the deciding stage and numbers."""

    probe: str
    status: Status
    stage: Stage
    method: str
    h: float
    numeric: float
    error_bar: float
    analytic: float
    tolerance: float
    why: str = ""

    @property
    def bars(self) -> float:
        """``|analytic - numeric|`` in error bars (inf for an exact numeric value)."""
        miss = abs(self.analytic - self.numeric)
        if self.error_bar > 0:
            return miss / self.error_bar
        return 0.0 if miss == 0 else np.inf

    def __str__(self) -> str:
        says = (
            f"{self.probe}: {self.stage}, {self.method} h={self.h:.0e} says "
            f"{self.numeric:.6g} ± {self.error_bar:.1g}, analytic {self.analytic:.6g}"
        )
        return f"{says}: {self._verdict()}"

    def _verdict(self) -> str:
        s = self.status
        if s in (Status.FAIL, Status.SUSPECT):
            verb = "disagrees" if s is Status.FAIL else "disagrees at the screen"
            if self.why:
                verb += f" ({self.why})"
            if np.isfinite(self.bars) and self.error_bar > 0:
                return f"{verb} by {self.bars:.2g} error bars (tolerance {self.tolerance:.1g})"
            return f"{verb} by {abs(self.analytic - self.numeric):.2g} (tolerance {self.tolerance:.1g})"
        if s is Status.OK:
            return f"agrees within {self.tolerance:.1g}"
        if s is Status.KINK:
            return f"a kink ({self.why}); the analytic value is a valid subgradient"
        return f"undecided ({s}): {self.why}" if self.why else f"undecided ({s})"


def entry(probe: str, d: Decision, analytic: float, tolerance: float) -> TraceEntry:
    return TraceEntry(
        probe, d.status, d.stage, d.method, d.h, float(d.value), POLICY.safety * float(d.error),
        float(analytic), float(tolerance), d.why,
    )  # fmt: skip
