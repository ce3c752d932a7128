"""Small-cell protection for the anonymous aggregate: primary suppression of counts from 1 to 4 and secondary
(complementary) suppression, so that no suppressed count can be recomputed from the published total and the other
cells of the same breakdown.

Why hand-written: the Python tools for statistical disclosure control check research output (`acro`: primary
suppression only, and it pins pandas) or drive the native τ-Argus engine through batch files on disk (`pytauargus`,
a beta release that protects tables built from microdata). Our tables are a handful of one-dimensional breakdowns of
one published total; the attacker's bounds for such a table have the closed form below, and the greedy choice of
the smallest published cells is what statistical offices do by hand for tables this small.

The attacker model (what someone reading the export knows):
- the published total `T` and every published count exactly; a listed category has at least one case (categories
  without cases are not listed); `<5` is a count from 1 to 4; `x` is a count of 5 or more (anything from 1 to 4
  would have been `<5`); every count is at most `T`;
- per breakdown its relation to the total: a `PARTITION` (each case in exactly one category: its counts sum to
  `T`), a `COVER` (each case in at least one category, multi-label: the counts sum to at least `T`) or `NONE`
  (steps a case may or may not have reached: no relation).

Invariants of `protect` (checked against a brute-force enumeration in the tests):
- every count from 1 to 4 is `<5` and every published number is the true count;
- for every `<5` cell, at least two values are consistent with everything published (it cannot be derived);
- in a `PARTITION`, the sum of the suppressed cells (which `T` minus the published cells gives exactly) is 0 or at
  least 5, so the suppressed categories together are no small count either;
- when a breakdown cannot be protected by suppressing cells, or when the total itself is below 5, the breakdown is
  withheld as a whole (`None`): only the total is published.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

THRESHOLD = 5
PRIMARY = "<5"
SECONDARY = "x"

Shown = int | str


class Relation(enum.Enum):
    """How the counts of one breakdown relate to the published total (see the module docstring)."""

    PARTITION = "partition"
    COVER = "cover"
    NONE = "none"


@dataclass(frozen=True)
class Breakdown:
    relation: Relation
    counts: Mapping[str, int]


def is_primary(n: int) -> bool:
    """A count that may not be shown: 1 to 4 (0 and 5 or more are shown)."""
    return 0 < n < THRESHOLD


def shown_total(total: int) -> Shown:
    return PRIMARY if is_primary(total) else total


def _bounds(shown: Shown, total: int) -> tuple[int, int]:
    """What the attacker knows about one listed cell from its published form alone."""
    if shown == PRIMARY:
        return 1, min(THRESHOLD - 1, total)
    if shown == SECONDARY:
        return THRESHOLD, total
    assert isinstance(shown, int)
    return shown, shown


def feasible_interval(cells: Mapping[str, Shown], total: int, relation: Relation, name: str) -> tuple[int, int]:
    """The smallest and largest value of cell `name` consistent with the published `cells` and `total` (every
    integer in between is consistent too: the other cells' ranges are intervals of integers)."""
    lows_highs = {k: _bounds(v, total) for k, v in cells.items()}
    low, high = lows_highs[name]
    if relation is Relation.NONE:
        return low, high
    others = [b for k, b in lows_highs.items() if k != name]
    low = max(low, total - sum(h for _, h in others))  # PARTITION and COVER: the counts reach at least T
    if relation is Relation.PARTITION:
        high = min(high, total - sum(lo for lo, _ in others))  # and in a partition at most T
    return low, high


def is_protected(cells: Mapping[str, Shown], total: int, relation: Relation) -> bool:
    """No `<5` cell can be derived, and a partition's suppressed cells do not add up to a small count."""
    for name, shown in cells.items():
        if shown == PRIMARY:
            low, high = feasible_interval(cells, total, relation, name)
            if low >= high:
                return False
    if relation is Relation.PARTITION:
        hidden = total - sum(v for v in cells.values() if isinstance(v, int))
        if is_primary(hidden):
            return False
    return True


def protect_breakdown(total: int, breakdown: Breakdown) -> dict[str, Shown] | None:
    """The published form of one breakdown of a published total `total` (at least 5): primary suppression, then the
    smallest published cells one by one (ties by name) as `x` until `is_protected`; None if even that fails."""
    cells: dict[str, Shown] = {k: PRIMARY if is_primary(n) else n for k, n in breakdown.counts.items()}
    candidates = sorted((n, k) for k, n in breakdown.counts.items() if n >= THRESHOLD)
    while not is_protected(cells, total, breakdown.relation):
        if not candidates:
            return None
        cells[candidates.pop(0)[1]] = SECONDARY
    return cells


def protect(total: int, breakdowns: Mapping[str, Breakdown]) -> dict[str, dict[str, Shown] | None]:
    """Every breakdown of one population of `total` units in its published form (None: withheld). A total of 1 to
    4 withholds every breakdown: with a total under 5 every listed cell is `<5`, and the number of listed categories
    alone bounds them (four categories of a total under 5 are one each)."""
    if is_primary(total):
        return {name: None for name in breakdowns}
    return {name: protect_breakdown(total, b) for name, b in breakdowns.items()}
