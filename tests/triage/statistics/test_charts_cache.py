"""The in-process chart cache: keyed by organisation and by a digest of the table, so an organisation is never served
another organisation's chart and any change in the figures draws the chart anew. The oracle for a cached chart is
the same chart drawn fresh with an empty cache (a second path)."""

from __future__ import annotations

import re

from triage.statistics import charts
from triage.statistics.service import Table

COLUMNS = ("Functie", "Ambtsdragers", "Getroffen", "Aandeel getroffen")


def _roles(burgemeester: int, raadslid: int) -> Table:
    rows = (("burgemeester", 10, burgemeester, burgemeester / 10), ("raadslid", 40, raadslid, raadslid / 40))
    return Table("per_functie", "Getroffen ambtsdragers per functie", COLUMNS, rows)


def _fresh(table: Table, organisation: str) -> str:
    charts.clear_cache()
    return charts.inline_svg(table, organisation=organisation)


def _bar_widths(svg: str) -> list[float]:
    """Widths of the horizontal bars: the rectangles filled with the chart's colour ('M x0 y0 L x1 y1 ... z')."""
    widths = []
    for path in re.findall(rf'<path d="([^"]+)"[^>]*fill="{charts.PRIMARY.lower()}"', svg):
        xs = [float(x) for x in re.findall(r"[ML] ([\d.]+) ", path)]
        widths.append(round(max(xs) - min(xs), 1))
    return widths


def test_chart_of_organisation_a_is_never_served_to_organisation_b():
    table_a, table_b = _roles(5, 10), _roles(1, 30)
    fresh_a, fresh_b = _fresh(table_a, "gm-a"), _fresh(table_b, "gm-b")
    assert fresh_a != fresh_b
    charts.clear_cache()
    assert charts.inline_svg(table_a, organisation="gm-a") == fresh_a
    assert charts.inline_svg(table_b, organisation="gm-b") == fresh_b  # B gets its own figures, not A's cached chart
    assert charts.inline_svg(table_a, organisation="gm-a") == fresh_a  # and A's entry is still A's
    # the same figures in another organisation are a separate entry: nothing is shared across organisations
    assert charts.cached_charts() == 2
    charts.inline_svg(table_a, organisation="gm-b")
    assert charts.cached_charts() == 3


def test_a_change_in_the_data_changes_the_chart():
    before, after = _roles(5, 10), _roles(5, 20)  # one more count: raadsleden 10 -> 20 of 40 (25% -> 50%)
    charts.clear_cache()
    first = charts.inline_svg(before, organisation="gm-a")
    second = charts.inline_svg(after, organisation="gm-a")
    assert second != first and second == _fresh(after, "gm-a")
    # the bars follow the shares: burgemeester 50% in both; raadslid twice as wide after the change
    widths_before, widths_after = _bar_widths(first), _bar_widths(second)
    assert len(widths_before) == len(widths_after) == 2
    assert widths_before[0] == widths_after[0]
    assert abs(widths_after[1] - 2 * widths_before[1]) < 0.2
    # a new title (the same numbers) is a new chart too: the title is part of the SVG
    retitled = Table(before.key, "Andere titel", before.columns, before.rows)
    assert "Andere titel" in charts.inline_svg(retitled, organisation="gm-a")


def test_the_cache_is_bounded():
    charts.clear_cache()
    tables = [_roles(1, n) for n in range(3)]
    limit, charts.CACHE_SIZE = charts.CACHE_SIZE, 2
    try:
        for table in tables:
            charts.inline_svg(table, organisation="gm-a")
        assert charts.cached_charts() == 2
        assert charts.inline_svg(tables[0], organisation="gm-a") == _fresh(tables[0], "gm-a")  # evicted, drawn again
    finally:
        charts.CACHE_SIZE = limit
