"""Reads of measurables, their values and scorecards, and their access functions.

``value_table`` is the one place that answers "what is this measurable's value in this
period": a value entered for it, the children's values combined for a measurable others
roll up into, or the formula over its inputs. The grid, the API, comparisons and the
forecast all read through it, in a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from leados.core.access import as_id
from leados.core.errors import NotFound
from leados.core.models import Organization, Person
from leados.operate import forecast as forecasting
from leados.operate import formulas, measures
from leados.operate.models import (
    Feed,
    Measurable,
    MeasurableTarget,
    MeasurableValue,
    Scorecard,
    ScorecardItem,
)

GRID_PERIODS = 13
TREND_POINTS = 8


def _one(queryset, viewer: Person, object_id):
    obj = queryset.filter(pk=as_id(object_id), organization_id=viewer.organization_id).first()
    if obj is None:
        raise NotFound()
    return obj


def get_measurable_for(viewer: Person, measurable_id) -> Measurable:
    return _one(
        Measurable.objects.select_related("unit", "owner", "parent", "organization"),
        viewer,
        measurable_id,
    )


def get_scorecard_for(viewer: Person, scorecard_id) -> Scorecard:
    return _one(Scorecard.objects.select_related("unit", "person", "owner"), viewer, scorecard_id)


def get_measurable_value_for(viewer: Person, measurable: Measurable, value_id) -> MeasurableValue:
    value = (
        MeasurableValue.objects.filter(
            pk=as_id(value_id),
            measurable=measurable,
            organization_id=viewer.organization_id,
        )
        .select_related("entered_by")
        .first()
    )
    if value is None:
        raise NotFound()
    return value


def get_feed_for(viewer: Person, measurable: Measurable) -> Feed:
    feed = Feed.objects.filter(
        measurable=measurable, organization_id=viewer.organization_id
    ).first()
    if feed is None:
        raise NotFound("This measurable has no feed.")
    return feed


def measurables_list(
    *,
    unit: int | None = None,
    owner: int | None = None,
    category: str | None = None,
    parent: int | None = None,
    archived: bool = False,
    q: str | None = None,
):
    qs = Measurable.objects.select_related("unit", "owner", "parent")
    qs = qs.filter(archived_at__isnull=not archived)
    if unit:
        qs = qs.filter(unit_id=unit)
    if owner:
        qs = qs.filter(owner_id=owner)
    if category:
        qs = qs.filter(category=category)
    if parent:
        qs = qs.filter(parent_id=parent)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


def scorecard_measurables(scorecard: Scorecard, *, live_only: bool = True) -> list[Measurable]:
    """The scorecard's measurables in row order."""
    items = (
        ScorecardItem.objects.filter(scorecard=scorecard)
        .select_related("measurable__unit", "measurable__owner")
        .order_by("position", "id")
    )
    rows = [item.measurable for item in items]
    if live_only:
        rows = [m for m in rows if m.archived_at is None]
    return rows


# ---------------------------------------------------------------------------- values


@dataclass
class Cell:
    """One measurable in one period: its value (entered or computed) and how it looks."""

    value: float | None
    target: float | None
    target_max: float | None
    colour: str | None
    note: str = ""
    version: int = 0  # of the stored value; 0 when there is none
    value_id: int | None = None
    computed: bool = False  # a roll-up or a formula, not entered


@dataclass
class ValueTable:
    """Values of measurables per period start: ``cells[measurable_id][period_start]``,
    for the periods starting ``first`` … ``last``."""

    first: datetime.date | None = None
    last: datetime.date | None = None
    cells: dict[int, dict[datetime.date, Cell]] = field(default_factory=dict)
    # Per-period targets that differ from the usual one: [measurable_id][period_start].
    targets: dict[int, dict[datetime.date, tuple]] = field(default_factory=dict)
    # The measurables read that have live children (their values roll up).
    rolled_up: set[int] = field(default_factory=set)

    def covers(self, first: datetime.date, last: datetime.date) -> bool:
        return self.first is not None and self.first <= first and last <= self.last

    def cell(self, measurable_id: int, start: datetime.date) -> Cell | None:
        return self.cells.get(measurable_id, {}).get(start)

    def values(self, measurable_id: int, starts: Iterable[datetime.date]) -> list[float | None]:
        row = self.cells.get(measurable_id, {})
        return [row[s].value if s in row else None for s in starts]


def _formula_inputs(organization_id: int, roots: Sequence[Measurable]) -> dict[str, Measurable]:
    """Every keyed measurable the formulas of ``roots`` need, directly or through other
    formulas, in as many queries as the formulas are deep (one, usually)."""
    by_key: dict[str, Measurable] = {m.key: m for m in roots if m.key}
    wanted = set()
    for m in roots:
        if m.formula:
            wanted |= formulas.parse(m.formula)
    wanted -= set(by_key)
    while wanted:
        found = list(Measurable.objects.filter(organization_id=organization_id, key__in=wanted))
        for m in found:
            by_key[m.key] = m
        nxt = set()
        for m in found:
            if m.formula:
                nxt |= formulas.parse(m.formula)
        wanted = nxt - set(by_key)
        if not found:
            break
    return by_key


def value_table(
    measurables: Sequence[Measurable],
    first: datetime.date,
    last: datetime.date,
) -> ValueTable:
    """Every value of ``measurables`` in periods starting ``first`` … ``last``, with each
    period's target and colour. Roll-ups combine the children's values of the same period;
    formulas take their inputs' values of the same period. Four queries at most (plus one
    per extra level of formulas of formulas)."""
    table = ValueTable(first=first, last=last)
    if not measurables:
        return table
    organization_id = measurables[0].organization_id
    by_key = _formula_inputs(organization_id, measurables)
    everyone: dict[int, Measurable] = {m.pk: m for m in measurables}
    for m in by_key.values():
        everyone.setdefault(m.pk, m)
    parents = [m.pk for m in everyone.values() if not m.formula]
    children: dict[int, list[Measurable]] = defaultdict(list)
    for child in Measurable.objects.filter(
        organization_id=organization_id, parent_id__in=parents, archived_at__isnull=True
    ).only("id", "parent_id", "weight", "organization_id"):
        children[child.parent_id].append(child)
    stored_ids = set(everyone) | {c.pk for kids in children.values() for c in kids}
    raw: dict[int, dict[datetime.date, tuple]] = defaultdict(dict)
    for pk, mid, start, value, note, version in MeasurableValue.objects.filter(
        measurable_id__in=stored_ids, period_start__gte=first, period_start__lte=last
    ).values_list("pk", "measurable_id", "period_start", "value", "note", "version"):
        raw[mid][start] = (value, note, version, pk)
    targets: dict[int, dict[datetime.date, tuple]] = defaultdict(dict)
    for mid, start, target, target_max in MeasurableTarget.objects.filter(
        measurable_id__in=list(everyone), period_start__gte=first, period_start__lte=last
    ).values_list("measurable_id", "period_start", "target", "target_max"):
        targets[mid][start] = (target, target_max)

    computed: dict[int, dict[datetime.date, float | None]] = {}

    def values_of(m: Measurable, visiting: frozenset = frozenset()) -> dict:
        if m.pk in computed:
            return computed[m.pk]
        result: dict[datetime.date, float | None] = {}
        if m.formula:
            inputs = {}
            if m.pk in visiting:  # a loop saved before the check existed: no values
                computed[m.pk] = {}
                return computed[m.pk]
            for name in formulas.parse(m.formula):
                source = by_key.get(name)
                inputs[name] = values_of(source, visiting | {m.pk}) if source else {}
            starts = set()
            for series in inputs.values():
                starts |= set(series)
            for start in starts:
                result[start] = formulas.evaluate(
                    m.formula, {name: series.get(start) for name, series in inputs.items()}
                )
        elif children.get(m.pk):
            own = raw.get(m.pk, {})
            by_start: dict[datetime.date, list[tuple[float, float]]] = defaultdict(list)
            for child in children[m.pk]:
                for start, (value, *_rest) in raw.get(child.pk, {}).items():
                    by_start[start].append((value, child.weight))
            for start, pairs in by_start.items():
                result[start] = measures.across_units(pairs, m.unit_aggregation)
            for start, (value, *_rest) in own.items():
                result.setdefault(start, value)
        else:
            for start, (value, *_rest) in raw.get(m.pk, {}).items():
                result[start] = value
        computed[m.pk] = result
        return result

    for m in measurables:
        row: dict[datetime.date, Cell] = {}
        own = raw.get(m.pk, {})
        rolled = bool(m.formula) or bool(children.get(m.pk))
        overrides = targets.get(m.pk, {})
        for start, value in values_of(m).items():
            if value is None:
                continue
            target, target_max = overrides.get(start, (m.target, m.target_max))
            stored = own.get(start)
            row[start] = Cell(
                value=value,
                target=target,
                target_max=target_max,
                colour=measures.colour(
                    value,
                    better=m.better,
                    mode=m.threshold_mode,
                    green=m.green_bound,
                    red=m.red_bound,
                    target=target,
                    target_max=target_max,
                ),
                note=stored[1] if stored else "",
                version=stored[2] if stored else 0,
                value_id=stored[3] if stored else None,
                computed=rolled and (stored is None or stored[0] != value),
            )
        table.cells[m.pk] = row
    table.targets = targets
    table.rolled_up = {pk for pk, kids in children.items() if kids}
    return table


def target_of(table: ValueTable, m: Measurable, start: datetime.date) -> tuple:
    return table.targets.get(m.pk, {}).get(start, (m.target, m.target_max))


# ---------------------------------------------------------------------------- the grid


@dataclass
class GridRow:
    measurable: Measurable
    cells: list[tuple[measures.Span, Cell | None]]
    to_date: list[dict]  # period-to-date and year-to-date: label, value, target, colour
    spark: list[float | None]
    trend: str  # improving, worsening, steady, or "" without enough values
    editable: bool = False


@dataclass
class GridSection:
    frequency: str
    spans: list[measures.Span]
    rows: list[GridRow]
    table: ValueTable  # also covers what the rows' forecasts read (``forecast.window``)


def _trend(values: list[float | None], better: str) -> str:
    points = [(i, v) for i, v in enumerate(values[-TREND_POINTS:]) if v is not None]
    if len(points) < 3:
        return ""
    n = len(points)
    mean_x = sum(i for i, _ in points) / n
    mean_y = sum(v for _, v in points) / n
    sxx = sum((i - mean_x) ** 2 for i, _ in points)
    slope = sum((i - mean_x) * (v - mean_y) for i, v in points) / sxx if sxx else 0.0
    scale = max(abs(mean_y), max(abs(v - mean_y) for _, v in points), 1e-9)
    if abs(slope) * len(values[-TREND_POINTS:]) < 0.05 * scale:
        return "steady"
    if better == "range":
        return "rising" if slope > 0 else "falling"
    up_is_good = better == "higher"
    return "improving" if (slope > 0) == up_is_good else "worsening"


def _to_date(m: Measurable, table: ValueTable, spans: list[measures.Span], label: str) -> dict:
    values = [table.cell(m.pk, s.start) for s in spans]
    known = [c.value for c in values if c is not None]
    value = measures.over_time(known, m.time_aggregation)
    targets = [target_of(table, m, s.start) for s in spans]
    target_values = [t[0] for t in targets if t[0] is not None]
    if m.time_aggregation == "sum":
        target = sum(target_values) if len(target_values) == len(spans) else None
    else:
        target = targets[-1][0] if targets else None
    target_max = targets[-1][1] if targets else None
    if m.time_aggregation == "sum" and target_max is not None:
        target_max = target_max * len(spans)
    return {
        "label": label,
        "value": value,
        "target": target,
        "colour": measures.colour(
            value,
            better=m.better,
            mode=m.threshold_mode,
            green=m.green_bound,
            red=m.red_bound,
            target=target,
            target_max=target_max,
        ),
        "periods": len(known),
    }


def grid(
    organization: Organization,
    measurables: Sequence[Measurable],
    today: datetime.date,
    *,
    periods: int = GRID_PERIODS,
) -> list[GridSection]:
    """The scorecard grid: one section per frequency among ``measurables`` (weekly first),
    each with the last ``periods`` periods up to today's, the period-to-date and
    year-to-date figures, a sparkline and the trend of every row."""
    fiscal = organization.fiscal_year_start_month
    sections = []
    for frequency in ("weekly", "monthly", "quarterly"):
        rows_of = [m for m in measurables if m.frequency == frequency]
        if not rows_of:
            continue
        spans = measures.periods_ending(frequency, today, periods, fiscal)
        year = measures.fiscal_span_of(today, "year", fiscal)
        quarter = measures.fiscal_span_of(today, "quarter", fiscal)
        _, back, ahead = forecasting.window(frequency, today, fiscal)
        first = min(spans[0].start, year.start, back)
        table = value_table(rows_of, first, max(spans[-1].start, ahead))
        in_year = measures.periods_between(frequency, year.start, today, fiscal)
        in_year = [s for s in in_year if s.start >= year.start]
        in_quarter = [s for s in in_year if s.start >= quarter.start]
        rows = []
        for m in rows_of:
            cells = [(s, table.cell(m.pk, s.start)) for s in spans]
            spark = [c.value if c else None for _, c in cells]
            to_date = []
            if frequency != "quarterly":
                to_date.append(_to_date(m, table, in_quarter, "Quarter to date"))
            to_date.append(_to_date(m, table, in_year, "Year to date"))
            rows.append(
                GridRow(
                    measurable=m,
                    cells=cells,
                    to_date=to_date,
                    spark=spark,
                    trend=_trend(spark, m.better),
                )
            )
        sections.append(GridSection(frequency=frequency, spans=spans, rows=rows, table=table))
    return sections
