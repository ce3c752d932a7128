"""Secondary suppression of the anonymous aggregate (`triage.statistics.suppression`): hand-computed cases, and a
property test over random tables whose oracle is an enumeration of every table consistent with what is published
(the attacker's view), independent of the module's closed-form bounds."""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.statistics.suppression import (
    PRIMARY,
    SECONDARY,
    Breakdown,
    Relation,
    Shown,
    feasible_interval,
    protect,
    protect_breakdown,
)

PARTITION, COVER, NONE = Relation.PARTITION, Relation.COVER, Relation.NONE


def test_the_issue_example_total_7_mastodon_6_no_longer_reveals_bluesky_1():
    counts = {"mastodon": 6, "bluesky": 1}
    # primary suppression alone: 7 - 6 = 1, so bluesky is known exactly
    assert feasible_interval({"mastodon": 6, "bluesky": PRIMARY}, 7, PARTITION, "bluesky") == (1, 1)
    published = protect_breakdown(7, Breakdown(PARTITION, counts))
    assert published == {"mastodon": SECONDARY, "bluesky": PRIMARY}
    # mastodon is 5 or more (x), so bluesky is 7 - mastodon: 1 or 2, not one value
    assert feasible_interval(published, 7, PARTITION, "bluesky") == (1, 2)


def test_two_small_cells_with_a_small_sum_take_the_smallest_published_cell_along():
    # 20 = 10 + 6 + 2 + 2: both small cells could be 1..3 each, but together they are 4 (< 5, a small count for
    # "neither mastodon nor bluesky"): the smallest published cell, bluesky 6, is suppressed too, mastodon stays.
    published = protect_breakdown(20, Breakdown(PARTITION, {"mastodon": 10, "bluesky": 6, "threads": 2, "x.com": 2}))
    assert published == {"mastodon": 10, "bluesky": SECONDARY, "threads": PRIMARY, "x.com": PRIMARY}
    # 20 - 10 = 10 = bluesky (5..8) + threads + x.com: threads from 10 - 8 - 4 (so 1) to 10 - 5 - 1 = 4
    assert feasible_interval(published, 20, PARTITION, "threads") == (1, 4)
    # 10 = 8 + 1 + 1: two small cells of one each are both derivable (10 - 8 = 2 = 1 + 1), so mastodon goes too
    assert protect_breakdown(10, Breakdown(PARTITION, {"mastodon": 8, "bluesky": 1, "threads": 1})) == {
        "mastodon": SECONDARY,
        "bluesky": PRIMARY,
        "threads": PRIMARY,
    }
    # 11 = 6 + 3 + 2: the small cells add up to 5 and neither is fixed (1..4 each), nothing more to hide
    assert protect_breakdown(11, Breakdown(PARTITION, {"mastodon": 6, "bluesky": 3, "threads": 2})) == {
        "mastodon": 6,
        "bluesky": PRIMARY,
        "threads": PRIMARY,
    }


def test_a_total_under_5_withholds_every_breakdown():
    # four platforms of a total under 5 are one case each: no breakdown of a total 1..4 is published
    result = protect(4, {"platform": Breakdown(PARTITION, dict.fromkeys("abcd", 1)), "stap": Breakdown(NONE, {"a": 2})})
    assert result == {"platform": None, "stap": None}
    assert protect(0, {"platform": Breakdown(PARTITION, {})}) == {"platform": {}}


def test_a_breakdown_that_cannot_be_protected_is_withheld():
    # 6 = 5 + 1: even with mastodon as x (5 or more) bluesky is 6 - 5 = 1
    assert protect_breakdown(6, Breakdown(PARTITION, {"mastodon": 5, "bluesky": 1})) is None
    # 11 = 5 + 5 + 1: both fives as x leave 11 - 10 = 1 for the small cell
    assert protect_breakdown(11, Breakdown(PARTITION, {"a": 5, "b": 5, "c": 1})) is None


def test_labels_cover_the_total_so_a_small_label_can_be_bounded_from_below():
    # 9 cases, every case at least one label: threat 5 leaves at least 4 for doxxing, which is then 4 exactly
    published = protect_breakdown(9, Breakdown(COVER, {"threat": 5, "doxxing": 4}))
    assert published == {"threat": SECONDARY, "doxxing": PRIMARY}
    assert feasible_interval(published, 9, COVER, "doxxing") == (1, 4)
    # 7 cases with threat 5, abuse 2, doxxing 1 (one case has two labels): abuse + doxxing >= 2 fixes neither
    assert protect_breakdown(7, Breakdown(COVER, {"threat": 5, "abuse": 2, "doxxing": 1})) == {
        "threat": 5,
        "abuse": PRIMARY,
        "doxxing": PRIMARY,
    }


def test_steps_have_no_relation_to_the_total_and_keep_their_numbers():
    assert protect_breakdown(9, Breakdown(NONE, {"bewijs": 8, "aangifte": 1})) == {"bewijs": 8, "aangifte": PRIMARY}


# --- property test -------------------------------------------------------------------------------------------------


def _values(shown: Shown, total: int) -> range:
    """The attacker's reading of one listed cell."""
    if shown == PRIMARY:
        return range(1, 5)
    if shown == SECONDARY:
        return range(5, total + 1)
    assert isinstance(shown, int)
    return range(shown, shown + 1)


def _sums(ranges: list[range]) -> set[int]:
    out = {0}
    for r in ranges:
        out = {s + v for s in out for v in r}
    return out


def _fits(value: int, others: set[int], total: int, relation: Relation) -> bool:
    """Whether the other cells can reach a sum that makes `value` consistent with the total."""
    if relation is PARTITION:
        return total - value in others
    if relation is COVER:
        return value + max(others) >= total
    return True


def consistent_values(cells: Mapping[str, Shown], total: int, relation: Relation) -> dict[str, set[int]]:
    """Per cell every value that some table consistent with the published cells and total gives it (enumerated
    through the set of sums the other cells can reach)."""
    out = {}
    for name, shown in cells.items():
        others = _sums([_values(v, total) for k, v in cells.items() if k != name])
        out[name] = {v for v in _values(shown, total) if v <= total and _fits(v, others, total, relation)}
    return out


def is_safe(cells: Mapping[str, Shown], total: int, relation: Relation) -> bool:
    values = consistent_values(cells, total, relation)
    if any(shown == PRIMARY and len(values[k]) < 2 for k, shown in cells.items()):
        return False
    hidden = total - sum(v for v in cells.values() if isinstance(v, int))
    return relation is not PARTITION or not 0 < hidden < 5


@st.composite
def tables(draw: st.DrawFn) -> tuple[int, Relation, dict[str, int]]:
    relation = draw(st.sampled_from([PARTITION, COVER, NONE]))
    values = draw(st.lists(st.integers(1, 9), min_size=1, max_size=4))
    counts = {f"c{i}": n for i, n in enumerate(values)}
    if relation is PARTITION:
        total = sum(values)
    elif relation is COVER:  # multi-label: at least the largest label, at most every label on its own case
        total = draw(st.integers(max(values), sum(values)))
    else:
        total = draw(st.integers(max(values), max(values) + 6))
    return total, relation, counts


@settings(max_examples=400, deadline=None, database=None)
@given(tables())
def test_no_suppressed_cell_can_be_recovered_from_any_random_table(table):
    total, relation, counts = table
    published = protect(total, {"t": Breakdown(relation, counts)})["t"]
    if 0 < total < 5:
        assert published is None
        return
    if published is None:  # withheld only when even suppressing every cell of 5 or more does not protect
        everything = {k: PRIMARY if n < 5 else SECONDARY for k, n in counts.items()}
        assert not is_safe(everything, total, relation)
        return
    assert published.keys() == counts.keys()
    for name, n in counts.items():
        shown = published[name]
        if 0 < n < 5:
            assert shown == PRIMARY
        elif shown == SECONDARY:
            # secondary cells are the smallest of those that could have been published
            assert all(n <= m for m in published.values() if isinstance(m, int) and m >= 5)
        else:
            assert shown == n
    values = consistent_values(published, total, relation)
    assert all(counts[k] in values[k] for k in counts)  # the true table is among those the attacker considers
    assert is_safe(published, total, relation), (published, values)
