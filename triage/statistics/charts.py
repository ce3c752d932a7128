"""Charts of the statistics tables, drawn by matplotlib: SVG for the page and the HTML report, PNG for the PDF.

Invariants:
- the page's Content-Security-Policy allows no inline style or script, so the SVG put into the page carries no
  `<style>` element, no `style=` attribute and no script: matplotlib's inline styles are rewritten into SVG
  presentation attributes (`fill="..."`), which CSP does not govern;
- each chart gets its own id salt, so the clip-path ids of several charts on one page never collide;
- a chart is a pure function of its `Table` and title; rendered charts are kept in a bounded in-process LRU keyed by
  the organisation, the format and a sha256 digest of the table (key, title, columns, rows, note), so an
  organisation is only ever served a chart drawn from its own figures, and any change in the data draws anew;
- matplotlib's rc parameters are process-global and its figures not thread-safe: one chart is drawn at a time;
- a chart shows exactly the numbers of its `Table` (the page puts that table right under it); Dutch decimal commas.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from html import escape

import matplotlib

matplotlib.use("Agg")  # no display; must precede pyplot

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from schildwacht.vocabulary import LABEL_NL, LABELS  # noqa: E402
from triage.statistics.service import Table  # noqa: E402

# Okabe-Ito: distinguishable with colour blindness and in greyscale print.
LABEL_COLOURS = {
    "threat": "#D55E00",
    "doxxing": "#E69F00",
    "gender": "#CC79A7",
    "identity": "#009E73",
    "abuse": "#0072B2",
}
PRIMARY, SECONDARY = "#0072B2", "#999999"
CHARTED = (
    "berichten_per_week",
    "zaken_per_week",
    "per_platform",
    "per_functie",
    "per_gender",
    "werkproces",
    "tijd_tot_claim",
    "tijd_tot_afsluiten",
    "platformmeldingen",
    "dreiging_per_uur",
    "dreiging_per_dag",
)
_STYLE_ATTR = re.compile(r' style="([^"]*)"')
_SVG_START = re.compile(r"<svg\b[^>]*>")
_ID_REFERENCE = re.compile(r'(\bid="|url\(#|href="#)([^"()]+)')


def _dutch(value: float, _pos: object = None) -> str:
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return text.replace(".", ",")


def _percent(value: float, _pos: object = None) -> str:
    return f"{value * 100:.0f}%"


def _figure(height: float = 3.0) -> tuple[Figure, plt.Axes]:
    fig = Figure(figsize=(7.2, height), dpi=100)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=9)
    return fig, ax


def _rectangles(
    ax: plt.Axes, positions, values, *, width: float, colour: str, label: str, bottom=None, horizontal: bool = False
) -> None:
    """Bars as ONE PolyCollection (one artist per series): `ax.bar` adds a patch per bar and recomputes the data
    limits for each, which makes a year of weekly bars take most of a second."""
    bottom = bottom or [0] * len(values)
    boxes = []
    for p, v, b in zip(positions, values, bottom, strict=True):
        lo, hi, a, z = p - width / 2, p + width / 2, b, b + v
        boxes.append([(a, lo), (z, lo), (z, hi), (a, hi)] if horizontal else [(lo, a), (hi, a), (hi, z), (lo, z)])
    ax.add_collection(PolyCollection(boxes, facecolors=colour, edgecolors="none", label=label))
    ax.autoscale_view()


def _stacked_weeks(table: Table) -> Figure:
    fig, ax = _figure()
    weeks = [row[0][:5] for row in table.rows]  # "02-11"
    positions = range(len(weeks))  # numeric positions: a categorical axis of 53 weeks is slow to lay out
    bottom = [0] * len(weeks)
    for i, label in enumerate(LABELS, start=1):
        values = [row[i] for row in table.rows]
        _rectangles(ax, positions, values, bottom=bottom, width=0.8, colour=LABEL_COLOURS[label], label=LABEL_NL[label])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    step = max(1, -(-len(weeks) // 12))  # at most about 12 labels
    ax.set_xticks(positions[::step], weeks[::step])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(FuncFormatter(_dutch))
    ax.set_xlabel("week vanaf maandag (dag-maand)", fontsize=9)
    ax.legend(fontsize=8, frameon=False, ncols=4, loc="upper left", bbox_to_anchor=(0, 1.15))
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.2, top=0.86)
    return fig


def _bars(
    table: Table,
    columns: tuple[int, ...],
    *,
    horizontal: bool = True,
    share: bool = False,
    height: float | None = None,
) -> Figure:
    # Category names without their explanation in brackets (the table under the chart has them in full).
    names = [str(row[0]).split(" (")[0] for row in table.rows] or ["(geen gegevens)"]
    fig, ax = _figure(height or max(1.6, 0.45 * len(names) + 0.9) if horizontal else 3.0)
    width = 0.8 / len(columns)
    for n, col in enumerate(columns):
        values = [row[col] or 0 for row in table.rows] or [0]
        positions = [i + (n - (len(columns) - 1) / 2) * width for i in range(len(names))]
        colour = PRIMARY if n == 0 else SECONDARY
        _rectangles(
            ax, positions, values, width=width * 0.95, colour=colour, label=table.columns[col], horizontal=horizontal
        )
    step = 3 if len(names) > 12 else 1  # 24 hours: every third label, or they overlap
    (ax.set_yticks if horizontal else ax.set_xticks)(range(0, len(names), step), names[::step])
    value_axis = ax.xaxis if horizontal else ax.yaxis
    value_axis.set_major_formatter(FuncFormatter(_percent if share else _dutch))
    if share:
        (ax.set_xlim if horizontal else ax.set_ylim)(0, 1)
    else:
        value_axis.set_major_locator(MaxNLocator(integer=True))
    if horizontal:
        ax.invert_yaxis()
    if len(columns) > 1:
        ax.legend(fontsize=8, frameon=False)
    _margins(fig, max(len(n) for n in names) if horizontal else 0)
    return fig


def _margins(fig: Figure, label_chars: int = 0) -> None:
    """Fixed margins instead of `tight_layout` (which draws the figure once more): room for `label_chars`
    characters of category labels on the left, for tick labels below and a legend above."""
    width = fig.get_size_inches()[0]
    left = (0.35 + 0.068 * label_chars) / width if label_chars else 0.45 / width
    bottom = 0.55 / fig.get_size_inches()[1]
    fig.subplots_adjust(left=min(left, 0.5), right=0.97, bottom=min(bottom, 0.3), top=0.9)


DRAW: dict[str, Callable[[Table], Figure]] = {
    "berichten_per_week": _stacked_weeks,
    "zaken_per_week": _stacked_weeks,
    "per_platform": lambda t: _bars(t, (1, 2)),
    "per_functie": lambda t: _bars(t, (3,), share=True),
    "per_gender": lambda t: _bars(t, (3,), share=True),
    "werkproces": lambda t: _bars(t, (1,)),
    "tijd_tot_claim": lambda t: _bars(t, (5,), share=True),
    "tijd_tot_afsluiten": lambda t: _bars(t, (2,)),
    "platformmeldingen": lambda t: _bars(t, (3,), share=True),
    "dreiging_per_uur": lambda t: _bars(t, (1,), horizontal=False),
    "dreiging_per_dag": lambda t: _bars(t, (1,), horizontal=False),
    # the network's anonymous aggregate (aggregate.aggregate_tables): only the categories shown as a number
    **{f"landelijk_{d}": lambda t: _bars(t, (1,)) for d in ("soort", "functie", "gender", "platform", "stap")},
}
# What the bars of each chart show, when it is not the table's own first number column.
MEASURE = {
    "per_functie": "aandeel ambtsdragers getroffen",
    "per_gender": "aandeel ambtsdragers getroffen",
    "tijd_tot_claim": "aandeel opgepakt binnen de norm",
    "tijd_tot_afsluiten": "mediaan aantal uren tot afsluiten",
    "platformmeldingen": "aandeel beantwoord",
}


CACHE_SIZE = 512
"""Rendered charts kept in the process (about 11 per view of the page; an SVG is 10-40 kB)."""
_cache: OrderedDict[tuple[str, str, str], bytes] = OrderedDict()
_cache_lock = threading.Lock()
_draw_lock = threading.Lock()


def digest(table: Table, title: str | None = None) -> str:
    """sha256 of everything a chart is drawn from (reprs of numbers and text are exact and deterministic)."""
    content = (table.key, title or table.title, table.columns, table.rows, table.note)
    return hashlib.sha256(repr(content).encode()).hexdigest()


def clear_cache() -> None:
    """Forget every rendered chart (the benchmark measures cold pages with it)."""
    with _cache_lock:
        _cache.clear()


def cached_charts() -> int:
    """How many rendered charts the cache holds now."""
    with _cache_lock:
        return len(_cache)


def _rendered(organisation: str, fmt: str, table: Table, title: str | None, render: Callable[[], bytes]) -> bytes:
    key = (organisation, fmt, digest(table, title))
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    with _draw_lock:
        value = render()
    with _cache_lock:
        _cache[key] = value
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def _figure_bytes(table: Table, fmt: str) -> bytes:
    fig = DRAW[table.key](table)
    buffer = io.BytesIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": table.key, "font.family": "DejaVu Sans"}):
        fig.savefig(buffer, format=fmt, metadata={"Date": None} if fmt == "svg" else None, dpi=150)
    return buffer.getvalue()


def _presentation_attributes(match: re.Match[str]) -> str:
    out = []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if not name:
            continue
        if name == "font":  # "10px 'DejaVu Sans'" -> size and family
            size, _, family = value.partition(" ")
            out.append(f' font-size="{escape(size)}" font-family="{escape(family.strip(chr(39)))}, sans-serif"')
        else:
            out.append(f' {escape(name)}="{escape(value)}"')
    return "".join(out)


def inline_svg(table: Table, title: str | None = None, *, organisation: str) -> str:
    """The chart as an `<svg>` element for embedding in a page under a strict CSP (see the module invariants), drawn
    from `organisation`'s own `table` or taken from the cache of that organisation's charts."""
    return _rendered(organisation, "svg", table, title, lambda: _svg(table, title).encode()).decode()


def _svg(table: Table, title: str | None) -> str:
    svg = _figure_bytes(table, "svg").decode()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = _STYLE_ATTR.sub(_presentation_attributes, svg)
    svg = _ID_REFERENCE.sub(lambda m: f"{m.group(1)}{table.key}-{m.group(2)}", svg)  # ids unique on the page
    name = escape(title or table.title)
    opening = _SVG_START.search(svg)
    assert opening is not None
    viewbox = re.search(r'viewBox="([^"]*)"', opening.group(0))
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{viewbox.group(1) if viewbox else ""}" '
        f'class="grafiek-svg" role="img" aria-label="{name}" stroke-linejoin="round" stroke-linecap="butt">'
        f"<title>{name}</title>"
    )
    return head + svg[opening.end() :]


def aspect(table: Table) -> float:
    """Height / width of the chart of `table` (for placing its PNG without distortion)."""
    fig = DRAW[table.key](table)
    width, height = fig.get_size_inches()
    return float(height / width)


def png(table: Table, *, organisation: str) -> bytes:
    """The chart as PNG (150 dpi) for the PDF report; cached like `inline_svg`."""
    return _rendered(organisation, "png", table, None, lambda: _figure_bytes(table, "png"))
