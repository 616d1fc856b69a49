"""Measures of routines: adherence, on-time rate, streaks, repetitions, predictability, and
adherence over time; for one SOP, a person, a unit's subtree, or a domain.

Definitions (also in docs/sops.md, "Measures"):

- A run is *due* once it is closed: done, skipped or missed (a run done early counts at
  once; an open run does not count yet). **Adherence** = done ÷ due over the range. A skip
  is due and not done, like a miss, but is counted apart.
- **On-time rate** = runs done on or before their due date ÷ runs done, over the range.
- **Streaks** follow one routine's runs in due-date order: a done run extends the streak, a
  missed run ends it, a skipped or still-open run neither breaks nor extends it. The
  *current* streak is the run of done runs since the last miss, the *best* the longest
  ever. For several routines the figures are the longest current and the best streak
  among them.
- **Repetitions** (proficiency) = done runs, all time.
- **Predictability** (0–100) of a routine = 100 × max(0, 1 − σ ÷ gap) × adherence, where σ
  is the standard deviation of days late (negative when early) of the runs done in the
  range and gap the cadence's typical days between runs: done every time, always about as
  late, scores 100. For several routines: their mean weighted by runs due.

Everything is read set-wise, in a fixed number of queries whatever the number of routines:
one read of the routines, one grouped aggregate of their runs per routine, one of their
runs per due date (for the series), and one compact read of done and missed states for
the streaks of at most ``STREAK_LIMIT`` routines.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Count, F, Q, Sum

from leados.core.access import get_person_for, get_unit_for
from leados.core.errors import NotFound
from leados.core.models import Organization, Person, Unit
from leados.core.periods import organization_today
from leados.sops.cadence import typical_gap_days
from leados.sops.models import CLOSED_RUN_STATES, DOMAIN_OF, Domain, RunState, Sop, SopRun
from leados.sops.selectors.access import can_see_leading_of, get_sop_for, sops_visible_to

# The ranges offered (in weeks): 12 weeks and 6 months in weeks, a year in months.
RANGES = {12: "12 weeks", 26: "6 months", 52: "1 year"}
DEFAULT_WEEKS = 12
MONTHLY_FROM_WEEKS = 52
# Streaks need every run of a routine; past this many routines only the routines shown
# (a page of the table) get them, and the headline leaves them out.
STREAK_LIMIT = 200


class DaysLate(models.Func):
    """Whole days from a run's due date to its completion (negative when done early)."""

    output_field = models.IntegerField()

    def __init__(self, **extra):
        super().__init__(F("completed_on"), F("due_on"), **extra)

    def as_sql(self, compiler, connection, **extra):
        return self.as_sqlite(compiler, connection, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra
        )


@dataclass
class Figures:
    """The measures of one routine or of a set of them."""

    routines: int = 0
    done: int = 0
    skipped: int = 0
    missed: int = 0
    on_time: int = 0
    repetitions: int = 0
    current_streak: int | None = 0
    best_streak: int | None = 0
    predictability: float | None = None
    # Sums for predictability of a set: Σ(predictability × due) over routines with runs due.
    _weighted: float = 0.0
    _weight: int = 0

    @property
    def due(self) -> int:
        return self.done + self.skipped + self.missed

    @property
    def adherence(self) -> float | None:
        """Per cent done of due, one decimal; ``None`` when nothing was due."""
        return round(100 * self.done / self.due, 1) if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.on_time / self.done, 1) if self.done else None

    def add(self, other: Figures) -> None:
        self.routines += other.routines
        self.done += other.done
        self.skipped += other.skipped
        self.missed += other.missed
        self.on_time += other.on_time
        self.repetitions += other.repetitions
        for name in ("current_streak", "best_streak"):
            mine, theirs = getattr(self, name), getattr(other, name)
            setattr(self, name, None if mine is None or theirs is None else max(mine, theirs))
        if other.predictability is not None and other.due:
            self._weighted += other.predictability * other.due
            self._weight += other.due
            self.predictability = round(self._weighted / self._weight, 1)

    def as_dict(self) -> dict:
        return {
            "routines": self.routines,
            "due": self.due,
            "done": self.done,
            "skipped": self.skipped,
            "missed": self.missed,
            "adherence": self.adherence,
            "on_time": self.on_time,
            "on_time_rate": self.on_time_rate,
            "current_streak": self.current_streak,
            "best_streak": self.best_streak,
            "repetitions": self.repetitions,
            "predictability": self.predictability,
        }


@dataclass
class SopFigures:
    sop: Sop
    figures: Figures


@dataclass
class SeriesPoint:
    start: datetime.date
    end: datetime.date
    label: str
    done: int = 0
    due: int = 0

    @property
    def adherence(self) -> float | None:
        return round(100 * self.done / self.due, 1) if self.due else None


@dataclass
class Measures:
    """Figures over ``first``..``today`` for a set of routines, per domain, per routine, and
    adherence per week (or month) as ``series``."""

    figures: Figures
    by_domain: dict[str, Figures]
    sops: list[SopFigures]
    series: list[SeriesPoint]
    weeks: int
    first: datetime.date
    today: datetime.date
    streaks_complete: bool = True
    by_dimension: dict[str, Figures] = field(default_factory=dict)


# --- ranges ----------------------------------------------------------------------------


def clean_weeks(value) -> int:
    """A range in weeks from ``RANGES``; anything else is the default."""
    try:
        weeks = int(value)
    except (TypeError, ValueError):
        return DEFAULT_WEEKS
    return weeks if weeks in RANGES else DEFAULT_WEEKS


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def buckets(
    today: datetime.date, weeks: int, week_start_day: int = 0
) -> list[tuple[datetime.date, datetime.date]]:
    """The periods of the series, oldest first, the last one holding ``today``: ``weeks``
    weeks starting on the organization's first weekday, or 12 months for a year."""
    if weeks >= MONTHLY_FROM_WEEKS:
        first = _add_months(today.replace(day=1), -11)
        starts = [_add_months(first, i) for i in range(13)]
        return [(starts[i], starts[i + 1] - datetime.timedelta(days=1)) for i in range(12)]
    this_week = today - datetime.timedelta(days=(today.weekday() - week_start_day) % 7)
    first = this_week - datetime.timedelta(weeks=weeks - 1)
    return [
        (first + datetime.timedelta(weeks=i), first + datetime.timedelta(weeks=i, days=6))
        for i in range(weeks)
    ]


def _label(start: datetime.date, monthly: bool) -> str:
    return start.strftime("%b %Y") if monthly else f"{start.day} {start.strftime('%b')}"


# --- pure pieces ------------------------------------------------------------------------


def streaks(states) -> tuple[int, int]:
    """(current, best) streak of states in due-date order; skipped and due runs are
    ignored, a missed run ends a streak."""
    current = best = 0
    for state in states:
        if state == RunState.DONE:
            current += 1
            best = max(best, current)
        elif state == RunState.MISSED:
            current = 0
    return current, best


def predictability(
    *, done: int, due: int, late_sum: int, late_squares: int, gap_days: float
) -> float | None:
    """100 × max(0, 1 − σ(days late) ÷ gap) × adherence; ``None`` when nothing was due."""
    if not due:
        return None
    if not done:
        return 0.0
    mean = late_sum / done
    sigma = math.sqrt(max(0.0, late_squares / done - mean * mean))
    regularity = max(0.0, 1 - sigma / gap_days) if gap_days > 0 else 1.0
    return round(100 * regularity * done / due, 1)


# --- reading ----------------------------------------------------------------------------


def unit_subtree_ids(unit: Unit) -> list[int]:
    """``unit`` and every unit below it, from one read of the unit tree."""
    below: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Unit.objects.filter(organization_id=unit.organization_id).values_list(
        "id", "parent_id"
    ):
        below[parent_id].append(pk)
    ids, stack = [], [unit.pk]
    while stack:
        pk = stack.pop()
        ids.append(pk)
        stack.extend(below.get(pk, ()))
    return ids


def _run_counts(runs, first: datetime.date) -> dict[int, dict]:
    """Per routine: range counts, lateness sums and all-time repetitions, in one query."""
    done = Q(state=RunState.DONE)
    recent = Q(due_on__gte=first)
    rows = (
        runs.order_by()
        .values("sop_id")
        .annotate(
            repetitions=Count("id", filter=done),
            done=Count("id", filter=done & recent),
            skipped=Count("id", filter=Q(state=RunState.SKIPPED) & recent),
            missed=Count("id", filter=Q(state=RunState.MISSED) & recent),
            on_time=Count("id", filter=done & recent & Q(completed_on__lte=F("due_on"))),
            late_sum=Sum(DaysLate(), filter=done & recent),
            late_squares=Sum(DaysLate() * DaysLate(), filter=done & recent),
        )
    )
    return {row["sop_id"]: row for row in rows}


def _streaks_of(runs, sop_ids: list[int]) -> dict[int, tuple[int, int]]:
    states: dict[int, list[str]] = defaultdict(list)
    for sop_id, state in (
        runs.filter(sop_id__in=sop_ids, state__in=(RunState.DONE, RunState.MISSED))
        .order_by("sop_id", "due_on")
        .values_list("sop_id", "state")
    ):
        states[sop_id].append(state)
    return {sop_id: streaks(seq) for sop_id, seq in states.items()}


def _series(runs, periods, monthly: bool) -> list[SeriesPoint]:
    points = [SeriesPoint(start, end, _label(start, monthly)) for start, end in periods]
    first = periods[0][0]
    rows = (
        runs.filter(due_on__gte=first, state__in=CLOSED_RUN_STATES)
        .order_by()
        .values("due_on")
        .annotate(due=Count("id"), done=Count("id", filter=Q(state=RunState.DONE)))
    )
    for row in rows:
        for point in points:
            if point.start <= row["due_on"] <= point.end:
                point.done += row["done"]
                point.due += row["due"]
                break
    return points


def measures_of(
    sops,
    *,
    organization: Organization,
    today: datetime.date | None = None,
    weeks: int = DEFAULT_WEEKS,
    owner: Person | None = None,
    streak_ids: list[int] | None = None,
) -> Measures:
    """The measures of the routines in the queryset ``sops`` (live and archived alike).

    ``owner``: the routines are all this person's (lets the runs be read by owner, along
    the (organization, owner, due_on) index). ``streak_ids``: the routines to compute
    streaks for when there are more than ``STREAK_LIMIT`` (default: none then).
    """
    today = today or organization_today(organization)
    weeks = clean_weeks(weeks)
    periods = buckets(today, weeks, organization.week_start_day)
    first = periods[0][0]
    sop_list = list(
        sops.order_by("title", "id").only(
            "id", "title", "domain", "dimension", "rrule", "owner_id", "unit_id", "is_archived"
        )
    )
    runs = SopRun.objects.filter(organization_id=organization.pk)
    if owner is not None:
        runs = runs.filter(owner_id=owner.pk)
    runs = runs.filter(sop_id__in=sops.values("pk"))
    counts = _run_counts(runs, first)
    complete = len(sop_list) <= STREAK_LIMIT
    wanted = [s.pk for s in sop_list] if complete else list(streak_ids or [])
    streak_map = _streaks_of(runs, wanted) if wanted else {}
    wanted_set = set(wanted)
    total = Figures(current_streak=0 if complete else None, best_streak=0 if complete else None)
    by_domain = {d: Figures() for d in Domain.values}
    by_dimension: dict[str, Figures] = {}
    rows = []
    for sop in sop_list:
        row = counts.get(sop.pk, {})
        current, best = streak_map.get(sop.pk, (0, 0))
        figures = Figures(
            routines=1,
            done=row.get("done", 0),
            skipped=row.get("skipped", 0),
            missed=row.get("missed", 0),
            on_time=row.get("on_time", 0),
            repetitions=row.get("repetitions", 0),
            current_streak=current if sop.pk in wanted_set else None,
            best_streak=best if sop.pk in wanted_set else None,
        )
        figures.predictability = predictability(
            done=figures.done,
            due=figures.due,
            late_sum=row.get("late_sum") or 0,
            late_squares=row.get("late_squares") or 0,
            gap_days=typical_gap_days(sop.rrule),
        )
        rows.append(SopFigures(sop, figures))
        total.add(figures)
        by_domain[DOMAIN_OF.get(sop.dimension, sop.domain)].add(figures)
        by_dimension.setdefault(sop.dimension, Figures()).add(figures)
    if not complete:
        total.current_streak = total.best_streak = None
    return Measures(
        figures=total,
        by_domain=by_domain,
        by_dimension=by_dimension,
        sops=rows,
        series=_series(runs, periods, weeks >= MONTHLY_FROM_WEEKS),
        weeks=weeks,
        first=first,
        today=today,
        streaks_complete=complete,
    )


def _in_domain(sops, domain: str | None):
    return sops.filter(domain=domain) if domain else sops


def sop_measures(sop: Sop, *, today: datetime.date | None = None, weeks: int = DEFAULT_WEEKS):
    """One routine's measures (the caller has checked the viewer may read it)."""
    return measures_of(
        Sop.objects.filter(pk=sop.pk),
        organization=sop.organization,
        today=today,
        weeks=weeks,
        owner=None,
    )


def person_measures(
    person: Person,
    *,
    today: datetime.date | None = None,
    weeks: int = DEFAULT_WEEKS,
    domain: str | None = None,
):
    """Every routine ``person`` owns, live or archived (the caller has checked
    ``can_see_leading_of``)."""
    sops = _in_domain(Sop.objects.filter(organization_id=person.organization_id), domain)
    return measures_of(
        sops.filter(owner_id=person.pk),
        organization=person.organization,
        today=today,
        weeks=weeks,
        owner=person,
    )


def unit_sops(viewer: Person, unit: Unit, *, domain: str | None = None):
    """The routines (live and archived) of ``unit``'s subtree that ``viewer`` may read."""
    sops = sops_visible_to(viewer).filter(unit_id__in=unit_subtree_ids(unit))
    return _in_domain(sops, domain)


def unit_measures(
    viewer: Person,
    unit: Unit,
    *,
    today: datetime.date | None = None,
    weeks: int = DEFAULT_WEEKS,
    domain: str | None = None,
    streak_ids: list[int] | None = None,
):
    """The routines of ``unit`` and every unit below it that ``viewer`` may read."""
    return measures_of(
        unit_sops(viewer, unit, domain=domain),
        organization=viewer.organization,
        today=today,
        weeks=weeks,
        streak_ids=streak_ids,
    )


def measures_for_viewer(viewer, values: dict, *, page_ids=None):
    """(subject kind, subject, measures) for the cleaned filters; ``NotFound`` for an id
    the viewer may not see. ``values``: person, unit, sop, domain, weeks; ``page_ids(unit)``
    names the routines to compute streaks for in a large unit."""
    weeks, domain = values["weeks"], values["domain"] or None
    if values.get("sop"):
        sop = get_sop_for(viewer, values["sop"])
        return "sop", sop, sop_measures(sop, weeks=weeks)
    if values.get("unit"):
        unit = get_unit_for(viewer, values["unit"])
        streak_ids = page_ids(unit) if page_ids else None
        return (
            "unit",
            unit,
            unit_measures(viewer, unit, weeks=weeks, domain=domain, streak_ids=streak_ids),
        )
    person = viewer
    if values.get("person"):
        person = get_person_for(viewer, values["person"])
        if not can_see_leading_of(viewer, person):
            raise NotFound()
    return "person", person, person_measures(person, weeks=weeks, domain=domain)


__all__ = [
    "DEFAULT_WEEKS",
    "RANGES",
    "Figures",
    "Measures",
    "SeriesPoint",
    "SopFigures",
    "buckets",
    "clean_weeks",
    "measures_for_viewer",
    "measures_of",
    "person_measures",
    "predictability",
    "sop_measures",
    "streaks",
    "unit_measures",
    "unit_sops",
    "unit_subtree_ids",
]
