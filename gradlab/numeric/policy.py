"""The vocabulary and the thresholds of the verdict: statuses, stages, one policy.

Every number the verdict procedure compares against lives in :class:`Policy`, each
field with the reason for its value. :data:`POLICY` is the policy every check uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

__all__ = ["POLICY", "Policy", "Stage", "Status"]


class Status(str, Enum):
    """What the procedure concluded about one probe (an entry, or a direction)."""

    OK = "ok"  # agrees: |a - n| within the numeric error bar plus rtol/atol
    FAIL = "fail"  # disagrees, confirmed at two steps 100x apart (or by the complex step)
    SUSPECT = "suspect"  # failed the screen; left unconfirmed once another failure was confirmed
    KINK = "kink"  # f has a kink here and the analytic value lies between the one-sided slopes
    UNRESOLVED = "unresolved"  # the numeric derivative changes with h: no verdict
    IMPRECISE = "imprecise"  # every error bar was too wide to clear the entry: no verdict
    ALIASED = "aliased"  # f varies at or below the spacing of x: no step can see the slope
    COMPLEX_ONLY = "complex-only"  # only the (unverified) complex step sees a difference
    LOST_DIGITS = "lost-digits"  # f rounds far above a few ulps: no method resolves the entry

    def __str__(self) -> str:
        return self.value

    @property
    def decided(self) -> bool:
        """Whether the probe has a verdict (agree or disagree) rather than none."""
        return self in (Status.OK, Status.FAIL, Status.SUSPECT, Status.KINK)


# The statuses that make a check inconclusive (no verdict for that probe).
UNDECIDED = (
    Status.UNRESOLVED,
    Status.IMPRECISE,
    Status.ALIASED,
    Status.COMPLEX_ONLY,
    Status.LOST_DIGITS,
)


class Stage(str, Enum):
    """The rungs of the ladder, in the order they run; the first that decides stops it."""

    SCREEN = "screen"  # the chosen method at its default step, once per probe
    SHARPER = "sharper step"  # Richardson (h, h/2, h/4) with a second opinion at h/100
    CONFIRM = "confirm"  # the same at 100x and 10^4x smaller steps
    RESOLVE = "resolve"  # the smallest step that resolves the miss; x's spacing; kinks

    def __str__(self) -> str:
        return self.value


_RTOL = MappingProxyType(
    {
        "float64": MappingProxyType(
            {"complex": 1e-8, "richardson": 1e-8, "central": 1e-7, "forward": 1e-5}
        ),
        "float32": MappingProxyType(
            {"complex": 1e-4, "richardson": 1e-3, "central": 1e-3, "forward": 1e-2}
        ),
    }
)


@dataclass(frozen=True)
class Policy:
    """Every threshold of the verdict procedure, each with its reason."""

    # -- the error model -------------------------------------------------------------
    rounding_ulps: float = 16.0
    """One evaluation of f is trusted to 16 ulps of |f| at least (sums of many terms)."""
    complex_ulps: float = 8.0
    """The complex step has no cancellation: only f's own rounding, a few ulps of f'."""
    noise_far: float = 100.0
    """A 4th difference 100x above rounding is looked at again, closer; shrinking 100x
    there, it was f's variation, not noise."""
    noise_closer: float = 1e-3
    """The second look at f's noise is 1000x closer to x."""
    # -- tolerances ------------------------------------------------------------------
    rtol: MappingProxyType = field(default_factory=lambda: _RTOL)
    """Default rtol per precision and method: what each method resolves on a smooth f."""
    safety: float = 3.0
    """Error estimates are trusted up to this factor (an error bar is SAFETY x estimate)."""
    atol_eps: float = 100.0
    """Rounding of an analytic gradient made of terms as large as its largest entry."""
    loose_atol: float = 1e-3
    """Central/forward screening has no truncation estimate: allow 1e-3 rtol of the scale."""
    typical_quantile: float = 75.0
    """An entry near zero is judged against the upper quartile of its parameter."""
    stationary: float = 1e-3
    """Where the analytic gradient is exactly zero (a stationary point), entries are
    judged against 1e-3 |f| / |x|, the scale of f and x, not against zero."""
    narrow_fraction: float = 1e-3
    """A small entry is cleared against at most 1e-3 of its parameter's largest entry."""
    # -- method ----------------------------------------------------------------------
    safe_bars: float = 10.0
    """'auto' trusts the complex step if it agrees with real differences within 10 of
    their error bars..."""
    safe_rtol: float = 1e-6
    """... or 1e-6 relative: an abs or max in f shows as far more than that."""
    # -- screen -------------------------------------------------------------------------
    screen_vague: float = 1e-2
    """A screening bar wider than 1% (or 2 rtol) of the gradient decides nothing."""
    direction_floor: float = 1e-2
    """Directions weight entry j by 1/max(|a_j|, 1e-2 max|a|): small entries' errors show,
    without a direction made of entries whose steps x's spacing cannot resolve."""
    confirm_all: int = 5
    """Up to this many suspects are all confirmed; beyond, one confirmed failure decides."""
    richardson_max_probes: int = 2000
    """Above this many probes, method 'auto' falls back to central (6 evals per probe)."""
    nondeterministic_eps: float = 1e3
    """f(x) twice differing by more than 1e3 ulps is not deterministic."""
    lossy_noise_ratio: float = 1e3
    """f rounding 1e3x above a few ulps of |f| loses digits: a complex step of that
    implementation is off by as much, so it decides nothing alone."""
    stair_slope: float = 0.1
    """A flat f is a staircase only if at a larger step it rises as the analytic slope
    says, within 10% (a flat f with a wrong slope is not)."""
    stair_curvature: float = 10.0
    """A rough second difference counts as rounding when 10x what curvature explains..."""
    stair_shrink: float = 30.0
    """... and it shrinks by less than 30x at a 100x smaller step (a kink's shrinks 100x)."""
    # -- sharper step and confirm ----------------------------------------------------
    shrinks: tuple = (1.0, 1e-2, 1e-4)
    """Richardson steps tried, relative to its default: 100x apart, so that a stencil
    wider than f's scale cannot agree with itself at both."""
    second_opinion: float = 1e-2
    """The second opinion's step, relative to Richardson's: two decades smaller."""
    clear_vague: float = 0.05
    """A bar wider than 5% of the gradient clears nothing (a 1% error would fit in it)."""
    sharp: float = 2e-3
    """A clearing bar wider than 0.2% waits for the next, 100x smaller step."""
    near_miss: float = 100.0
    """A miss within 100 tolerances is re-measured with a stencil 0.1% wider."""
    jitter: float = 1.001
    """The wider stencil: same truncation, fresh rounding; their spread measures it."""
    kink_steps: int = 2
    """A kink is claimed only when this many steps (100x apart) both show one."""
    kink_jump: float = 1e-3
    """One-sided slopes differing by over 1e-3 of the gradient are a kink, not rounding."""
    witness_bar: float = 0.5
    """The complex step clears an entry only where real differences pin it down to 50%:
    it refines their estimate, it does not replace it."""
    # -- resolve ---------------------------------------------------------------------
    resolve_margin: float = 100.0
    """The resolving step puts SAFETY x rounding / h at 1/100 of the miss."""
    entry_ulps: float = 16.0
    """The smallest resolving step along an entry: 16 ulps of x (rounded exactly)."""
    direction_ulps: float = 1e4
    """Along a direction each x_j + h v_j rounds on its own: keep h above 1e4 ulps of x."""
    resolve_jitter: float = 1.37
    """At tiny steps the rounding of x + h v dominates: a 37% wider stencil exposes it."""
    not_asymptotic: float = 1 / 3
    """Central far (1/3 of the miss) from its extrapolation: the stencil is too wide."""
    aliased_residual: float = 100.0
    """f departing from a parabola by 100x its rounding at x's spacing varies below it."""
    aliased_slope: float = 10.0
    """... unless by more than the analytic slope moves f over ten such steps."""
    flat_slope: float = 1e3
    """Flat f where the analytic slope would move it 1e3x its rounding: aliased."""
    finer_complex: float = 1e-6
    """A complex step 1e-6 smaller bounds the first one's truncation (it shrinks as h^2)."""
    # -- diagnosis -------------------------------------------------------------------
    fit_slack: float = 2.0
    """A hypothesis fits when every probe agrees within twice its tolerance..."""
    fit_explains: float = 0.1
    """... and it removes 90% of the largest disagreement, not just nudges it."""
    factor_match: float = 1e-4
    """A fitted factor within 1e-4 of m, 2, 1/2, -1 is named as that factor."""
    l2_match: float = 1e-3
    """A regularization slope within 0.1% of the known l2 is named as l2."""
    worst_shown: int = 5
    """The report's worst-entry table and trace show this many entries."""


POLICY = Policy()
