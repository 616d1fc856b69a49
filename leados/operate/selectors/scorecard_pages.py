"""What the scorecard and measurable pages show: the grid's rows ready to render, sparklines,
the measurable's chart with its target line and threshold bands, and comparisons.

Everything here reads through ``selectors.scorecards`` (the value table) and draws plain
numbers into SVG coordinates; the templates only place them.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from leados.core import policy
from leados.core.models import Organization, Person
from leados.operate import forecast as forecasting
from leados.operate import measures
from leados.operate.models import Measurable, Scorecard, ScorecardKind
from leados.operate.selectors.scorecards import (
    GridSection,
    grid,
    scorecard_measurables,
    target_of,
    value_table,
)

RANGES = (13, 26, 52)
COLOUR_WORDS = {"green": "on target", "yellow": "close", "red": "off target"}
COLOUR_MARKS = {"green": "✓", "yellow": "!", "red": "✗"}
STATUS_WORDS = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track"}


def fmt(m: Measurable, value: float | None) -> str:
    return measures.format_value(value, kind=m.kind, decimals=m.decimals, currency=m.currency)


def raw(m: Measurable, value: float | None) -> str:
    """A value as typed into a cell: no thousands separators, the measurable's decimals."""
    if value is None:
        return ""
    if m.kind == "yes_no":
        return "yes" if value >= 0.5 else "no"
    text = f"{value:.{m.decimals}f}"
    return text


# ---------------------------------------------------------------------------- sparklines


def sparkline(values: Sequence[float | None], width: int = 80, height: int = 20) -> str:
    """SVG polyline points of ``values`` (gaps skipped), or "" with fewer than two."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return ""
    low = min(v for _, v in known)
    high = max(v for _, v in known)
    spread = (high - low) or 1.0
    step = (width - 2) / max(len(values) - 1, 1)
    return " ".join(
        f"{1 + i * step:.1f},{height - 2 - (v - low) / spread * (height - 4):.1f}" for i, v in known
    )


# ---------------------------------------------------------------------------- the grid


@dataclass
class GridCell:
    span: measures.Span
    value: float | None
    text: str
    raw: str
    colour: str | None
    target: str
    note: str
    version: int
    computed: bool


@dataclass
class PageRow:
    measurable: Measurable
    cells: list[GridCell]
    to_date: list[dict]
    spark: str
    trend: str
    target: str
    editable: bool
    why_read_only: str
    forecast: forecasting.Forecast | None = None


@dataclass
class PageSection:
    frequency: str
    spans: list[measures.Span]
    rows: list[PageRow] = field(default_factory=list)


def scorecard_grid(
    scorecard: Scorecard, viewer: Person, today: datetime.date
) -> tuple[list[PageSection], list[Measurable]]:
    """The scorecard's sections, every row with its cells formatted, whether the viewer may
    type into it (and why not), and its end-of-quarter forecast. A fixed number of queries
    whatever the number of rows."""
    measurables = scorecard_measurables(scorecard)
    organization = scorecard.organization
    sections = grid(organization, measurables, today)
    rolled_up = set().union(*(s.table.rolled_up for s in sections))
    predictions = forecasting.forecasts(
        organization, measurables, today, tables={s.frequency: s.table for s in sections}
    )
    policy.preload_unit_roles(viewer)
    return [_section(s, viewer, rolled_up, predictions) for s in sections], measurables


def why_read_only(m: Measurable, viewer: Person, rolled_up: set[int]) -> str:
    """Why ``viewer`` may not type ``m``'s values into a grid, or "" when they may
    (``rolled_up``: the measurables whose values are rolled up from their children)."""
    if m.formula:
        return f"Computed from a formula ({m.formula}); it takes no values."
    if m.pk in rolled_up:
        return "Rolled up from other units' values; enter them there."
    if not policy.can(viewer, policy.MEASURABLE_ENTER, m):
        return "Only its owner, the unit's leads and managers, and admins enter its values."
    return ""


def _section(section: GridSection, viewer, rolled_up, predictions) -> PageSection:
    page = PageSection(frequency=section.frequency, spans=section.spans)
    for row in section.rows:
        m = row.measurable
        why = why_read_only(m, viewer, rolled_up)
        cells = []
        for span, cell in row.cells:
            if cell is None:
                target, target_max = m.target, m.target_max
                cells.append(
                    GridCell(span, None, "", "", None, _target_text(m, target, target_max), "",
                             0, False)
                )  # fmt: skip
                continue
            cells.append(
                GridCell(
                    span=span,
                    value=cell.value,
                    text=fmt(m, cell.value),
                    raw=raw(m, cell.value),
                    colour=cell.colour,
                    target=_target_text(m, cell.target, cell.target_max),
                    note=cell.note,
                    version=cell.version,
                    computed=cell.computed,
                )
            )
        for entry in row.to_date:
            entry["text"] = fmt(m, entry["value"])
            entry["target_text"] = fmt(m, entry["target"])
        page.rows.append(
            PageRow(
                measurable=m,
                cells=cells,
                to_date=row.to_date,
                spark=sparkline(row.spark),
                trend=row.trend,
                target=_target_text(m, m.target, m.target_max),
                editable=not why,
                why_read_only=why,
                forecast=predictions.get(m.pk),
            )
        )
    return page


def _target_text(m: Measurable, target, target_max) -> str:
    if target is None and target_max is None:
        return ""
    if m.better == "range":
        return f"{fmt(m, target) or '…'} to {fmt(m, target_max) or '…'}"
    word = "at least" if m.better == "higher" else "at most"
    return f"{word} {fmt(m, target)}"


def scorecards_grouped(scorecards: Sequence[Scorecard]) -> list[tuple[str, list[Scorecard]]]:
    groups = {kind: [] for kind in ScorecardKind.values}
    for s in scorecards:
        groups[s.kind].append(s)
    titles = {"unit": "Units' scorecards", "personal": "Personal", "custom": "Custom selections"}
    return [(titles[k], v) for k, v in groups.items() if v]


# ---------------------------------------------------------------------------- the chart


@dataclass
class ChartPoint:
    x: float
    y: float
    label: str
    colour: str | None


@dataclass
class Chart:
    width: int = 640
    height: int = 240
    pad: int = 48
    top: int = 12
    bottom: int = 28
    low: float = 0.0
    high: float = 1.0
    points: list[ChartPoint] = field(default_factory=list)
    polyline: str = ""
    target_line: str = ""
    bands: list[dict] = field(default_factory=list)
    gridlines: list[tuple[float, str]] = field(default_factory=list)
    labels: list[tuple[float, str]] = field(default_factory=list)
    band: dict | None = None  # the forecast's band
    first: str = ""
    last: str = ""

    @property
    def right(self) -> int:
        return self.width - 12

    def y(self, value: float) -> float:
        inner = self.height - self.top - self.bottom
        share = (value - self.low) / ((self.high - self.low) or 1.0)
        return round(self.height - self.bottom - share * inner, 1)


def measurable_chart(
    organization: Organization,
    m: Measurable,
    today: datetime.date,
    periods: int,
    prediction: forecasting.Forecast | None = None,
):
    """The last ``periods`` periods of ``m`` as an SVG line over its green, yellow and red
    bands, with the target line; the rows of the values table, newest first."""
    fiscal = organization.fiscal_year_start_month
    spans = measures.periods_ending(m.frequency, today, periods, fiscal)
    table = value_table([m], spans[0].start, spans[-1].start)
    series = []
    for span in spans:
        cell = table.cell(m.pk, span.start)
        target, target_max = target_of(table, m, span.start)
        series.append((span, cell, target, target_max))
    rows = [
        {
            "span": span,
            "text": fmt(m, cell.value) if cell else "",
            "colour": cell.colour if cell else None,
            "note": cell.note if cell else "",
            "computed": bool(cell and cell.computed),
            "target": _target_text(m, target, target_max),
        }
        for span, cell, target, target_max in reversed(series)
    ]
    numbers = [c.value for _, c, _, _ in series if c is not None]
    numbers += [t for _, _, t, _ in series if t is not None]
    numbers += [t for _, _, _, t in series if t is not None]
    if not numbers:
        return None, rows
    chart = Chart()
    low, high = min(numbers), max(numbers)
    if m.threshold_mode == "absolute":
        numbers += [b for b in (m.green_bound, m.red_bound) if b is not None]
        low, high = min(numbers), max(numbers)
    margin = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    chart.low, chart.high = min(low - margin, 0.0) if low >= 0 else low - margin, high + margin
    inner = chart.right - chart.pad
    step = inner / max(len(spans) - 1, 1)
    xs = [round(chart.pad + i * step, 1) for i in range(len(spans))]
    for x, (span, cell, target, _) in zip(xs, series, strict=True):
        if cell is None:
            continue
        label = f"{span.label}: {fmt(m, cell.value)}"
        if target is not None:
            label += f" (target {fmt(m, target)})"
        if cell.colour:
            label += f", {COLOUR_WORDS[cell.colour]}"
        chart.points.append(ChartPoint(x, chart.y(cell.value), label, cell.colour))
    chart.polyline = " ".join(f"{p.x},{p.y}" for p in chart.points)
    target_points = [
        f"{x},{chart.y(t)}" for x, (_, _, t, _) in zip(xs, series, strict=True) if t is not None
    ]
    chart.target_line = " ".join(target_points)
    _bands(chart, m, series[-1][2], series[-1][3])
    for i in range(5):
        value = chart.low + (chart.high - chart.low) * i / 4
        chart.gridlines.append((chart.y(value), fmt(m, value)))
    every = max(1, len(spans) // 6)
    chart.labels = [(xs[i], spans[i].label) for i in range(0, len(spans), every)]
    chart.first, chart.last = spans[0].label, spans[-1].label
    if prediction is not None and m.frequency == "quarterly":
        chart.band = {
            "x": xs[-1] - 6,
            "y": chart.y(min(max(prediction.high, chart.low), chart.high)),
            "height": max(
                1.0,
                chart.y(min(max(prediction.low, chart.low), chart.high))
                - chart.y(min(max(prediction.high, chart.low), chart.high)),
            ),
            "label": f"Forecast {fmt(m, prediction.low)} to {fmt(m, prediction.high)}",
        }
    return chart, rows


def _bands(chart: Chart, m: Measurable, target, target_max) -> None:
    """Green, yellow and red bands from the thresholds against the latest target."""
    green, red = measures.bounds(
        better=m.better, mode=m.threshold_mode, green=m.green_bound, red=m.red_bound,
        target=target, target_max=target_max,
    )  # fmt: skip
    lo, hi = chart.low, chart.high

    def band(colour: str, a: float, b: float) -> None:
        a, b = max(min(a, b), lo), min(max(a, b), hi)
        if b <= a:
            return
        chart.bands.append(
            {"colour": colour, "y": chart.y(b), "height": round(chart.y(a) - chart.y(b), 1)}
        )

    if m.better == "higher" and green is not None and red is not None:
        band("green", green, hi)
        band("yellow", red, green)
        band("red", lo, red)
    elif m.better == "lower" and green is not None and red is not None:
        band("green", lo, green)
        band("yellow", green, red)
        band("red", red, hi)
    elif m.better == "range" and (target is not None or target_max is not None):
        low_end = target if target is not None else lo
        high_end = target_max if target_max is not None else hi
        share = red if red is not None else 0.1
        if m.threshold_mode == "absolute":
            below, above = low_end - share, high_end + share
        else:
            below, above = low_end * (1 - share), high_end * (1 + share)
        band("green", low_end, high_end)
        band("yellow", below, low_end)
        band("yellow", high_end, above)
        band("red", lo, below)
        band("red", above, hi)


# ---------------------------------------------------------------------------- compare


def _ranked(m: Measurable, rows: list[dict]) -> list[dict]:
    known = [r for r in rows if r["value"] is not None]
    unknown = [r for r in rows if r["value"] is None]
    if m.better == "range":
        centre = (m.target or 0) if m.target_max is None else ((m.target or 0) + m.target_max) / 2
        known.sort(key=lambda r: abs(r["value"] - centre))
    else:
        known.sort(key=lambda r: r["value"], reverse=m.better == "higher")
    top = max((abs(r["value"]) for r in known), default=0) or 1.0
    for rank, r in enumerate(known, start=1):
        r["rank"] = rank
        r["bar"] = round(abs(r["value"]) / top * 300, 1)
    return known + unknown


def compare_units(organization: Organization, m: Measurable, span: measures.Span) -> list[dict]:
    """The measurables that roll up into ``m`` for one period, best first."""
    children = list(
        Measurable.objects.filter(parent=m, archived_at__isnull=True).select_related(
            "unit", "owner"
        )
    )
    table = value_table(children, span.start, span.start)
    rows = []
    for child in children:
        cell = table.cell(child.pk, span.start)
        rows.append(
            {
                "measurable": child,
                "value": cell.value if cell else None,
                "text": fmt(child, cell.value) if cell else "",
                "colour": cell.colour if cell else None,
            }
        )
    return _ranked(m, rows)


def compare_quarters(organization: Organization, m: Measurable, today: datetime.date) -> list[dict]:
    """This quarter (so far), the last one, and the same quarter a year before, each the
    values of its periods combined with the measurable's time aggregation."""
    fiscal = organization.fiscal_year_start_month
    this = measures.fiscal_span_of(today, "quarter", fiscal)
    last = measures.fiscal_span_of(this.start - measures.DAY, "quarter", fiscal)
    a_year = measures.fiscal_span_of(
        this.start.replace(year=this.start.year - 1), "quarter", fiscal
    )
    quarters = [("Same quarter last year", a_year), ("Last quarter", last), ("This quarter", this)]
    table = value_table([m], a_year.start, min(this.end, today))
    rows = []
    for label, q in quarters:
        spans = measures.periods_between(m.frequency, q.start, min(q.end, today), fiscal)
        spans = [s for s in spans if s.start >= q.start]
        values = [c.value for s in spans if (c := table.cell(m.pk, s.start)) is not None]
        value = measures.over_time(values, m.time_aggregation)
        targets = [target_of(table, m, s.start) for s in spans]
        target_values = [t for t, _ in targets if t is not None]
        if m.time_aggregation == "sum":
            target = sum(target_values) if target_values else None
        else:
            target = target_values[-1] if target_values else None
        target_max = targets[-1][1] if targets else None
        colour = (
            measures.colour(
                value, better=m.better, mode=m.threshold_mode, green=m.green_bound,
                red=m.red_bound, target=target, target_max=target_max,
            )
            if value is not None
            else None
        )  # fmt: skip
        rows.append(
            {
                "label": f"{label} ({q.label})",
                "value": value,
                "text": fmt(m, value),
                "target": fmt(m, target),
                "colour": colour,
                "periods": f"{len(values)} of {len(spans)} periods",
            }
        )
    top = max((abs(r["value"]) for r in rows if r["value"] is not None), default=0) or 1.0
    for r in rows:
        r["bar"] = round(abs(r["value"]) / top * 300, 1) if r["value"] is not None else 0
    return rows
