"""Where the errors of a failed check are: which parameters, rows, columns, block, entries.

Used by :mod:`gradlab.numeric.diagnosis` when no hypothesis about the bug (a factor, a
transpose, a regularization term) explains every probe.
"""

from __future__ import annotations

import numpy as np

from gradlab.numeric.policy import POLICY as P

__all__ = ["location_findings", "parameter_findings"]


def parameter_findings(fit) -> list[str]:
    """Which parameters agree and which do not (several parameters, full/sparse mode)."""
    r = fit.r
    if r.directions is not None or len(fit.params.blocks) < 2:
        return []
    wrong, right = [], []
    for label, sl, _ in fit.params.blocks:
        inside = fit.inside(sl)
        if not inside.any():
            continue
        k, n = int(r.failed[inside].sum()), int(inside.sum())
        (wrong if k else right).append(f"'{label}' ({k} of {n} entries)" if k else f"'{label}'")
    if not wrong or not right:
        return []
    return [
        f"{', '.join(wrong)} disagree; {', '.join(right)} agree{'s' if len(right) == 1 else ''}"
    ]


def location_findings(fit) -> list[str]:
    r = fit.r
    if r.directions is not None:
        return [
            (
                "directional mode only sees directional derivatives: run mode='full' to locate the "
                "wrong entries"
            )
        ]
    failed = r.probe_idx[r.failed]
    if failed.size == 1:
        k = int(np.flatnonzero(r.failed)[0])
        return [
            (
                f"only entry {r.probe_name(k)} disagrees: analytic {r.analytic[k]:.10g}, numeric "
                f"{r.numeric[k]:.10g} (relative error {r.rel_error[k]:.1e}); every other checked "
                "entry agrees"
            )
        ]
    out = []
    for label, sl, shape in fit.params.blocks:
        inside = failed[(failed >= sl.start) & (failed < sl.stop)] - sl.start
        checked = r.probe_idx[fit.inside(sl)] - sl.start
        if inside.size >= 2 and len(shape) == 2:
            out += _rectangle(label or "x", shape, inside, checked)
        elif inside.size >= 2 and len(shape) == 1:
            out += _range(label or "x", inside, checked)
    return out or _few_entries(r)


def _few_entries(r) -> list[str]:
    """A handful of scattered failures among many agreeing entries: name them."""
    ks = np.flatnonzero(r.failed)
    if not 2 <= ks.size <= P.worst_shown + 3 or 2 * ks.size > len(r.probe_idx):
        return []
    names = ", ".join(r.probe_name(int(k)) for k in ks)
    return [(f"only entries {names} disagree ({ks.size} of {len(r.probe_idx)}); every other "
            "checked entry agrees")]  # fmt: skip


def _span(values) -> str:
    lo, hi = int(values.min()), int(values.max())
    return f"{lo}" if lo == hi else f"{lo}–{hi}"


def _range(name, inside, checked) -> list[str]:
    lo, hi = inside.min(), inside.max()
    span = checked[(checked >= lo) & (checked <= hi)]
    if span.size == inside.size and span.size < checked.size:
        return [f"the errors are confined to entries {_span(inside)} of {name}; the others agree"]
    return []


def _rectangle(name, shape, inside, checked) -> list[str]:
    """Failures that fill a contiguous block of rows and columns (every checked entry in
    it failed, none outside): rows, columns, or a block."""
    rows, cols = np.unravel_index(inside, shape)
    n = inside.size
    if np.unique(rows).size == 1 and shape[1] > 1:
        return [(f"the errors are confined to row {rows[0]} of {name} ({n} entries); "
                "the other rows agree")]  # fmt: skip
    if np.unique(cols).size == 1 and shape[0] > 1:
        return [(f"the errors are confined to column {cols[0]} of {name} ({n} entries); "
                "the other columns agree")]  # fmt: skip
    r0, r1, c0, c1 = rows.min(), rows.max(), cols.min(), cols.max()
    cr, cc = np.unravel_index(checked, shape)
    box = (cr >= r0) & (cr <= r1) & (cc >= c0) & (cc <= c1)
    if box.sum() != inside.size or box.all():
        return []
    full_rows, full_cols = c0 == 0 and c1 == shape[1] - 1, r0 == 0 and r1 == shape[0] - 1
    if full_rows:
        which = f"row {r0}" if r0 == r1 else f"rows {r0}–{r1}"
        return [f"the errors are confined to {which} of {name} ({n} entries); the other rows agree"]
    if full_cols:
        which = f"column {c0}" if c0 == c1 else f"columns {c0}–{c1}"
        return [
            f"the errors are confined to {which} of {name} ({n} entries); the other columns agree"
        ]
    return [
        (
            f"the errors are confined to the block {name}[{_span(rows)}, {_span(cols)}] "
            f"({n} entries); every entry outside it agrees"
        )
    ]
