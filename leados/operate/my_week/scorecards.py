"""My week: numbers the person still has to enter, and their numbers that are off track."""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.urls import reverse

from leados.core.models import Person
from leados.core.periods import organization_today
from leados.operate import measures
from leados.operate.models import Measurable, MeasurableTarget, MeasurableValue, ScorecardItem
from leados.operate.selectors import scorecard_pages
from leados.operate.selectors.goal_pages import limited
from leados.web.my_week import LIST_LIMIT, Item, Section, once, section

# Off track is judged on at most this many of a person's measurables (their latest values).
OFF_TRACK_SCAN = 200


def last_complete(frequency: str, today: datetime.date, fiscal: int) -> measures.Span:
    """The latest period of ``frequency`` that has ended before ``today``."""
    current = measures.period_of(frequency, today, fiscal)
    return measures.period_of(frequency, current.start - measures.DAY, fiscal)


def _to_enter(person: Person, today: datetime.date) -> Q:
    """Whether a measurable takes values and has none for its last complete period (a
    value entered late still counts)."""
    fiscal = person.organization.fiscal_year_start_month
    missing = Q()
    for frequency in ("weekly", "monthly", "quarterly"):
        start = last_complete(frequency, today, fiscal).start
        has = Exists(MeasurableValue.objects.filter(measurable=OuterRef("pk"), period_start=start))
        missing |= Q(frequency=frequency) & ~Q(has)
    rolled_up = Exists(Measurable.objects.filter(parent=OuterRef("pk"), archived_at__isnull=True))
    return Q(formula="") & ~Q(rolled_up) & missing


def numbers_to_enter(person: Person, today: datetime.date):
    """The person's live measurables that take values and have none for their last
    complete period (a value entered late still counts)."""
    return (
        Measurable.objects.filter(owner=person, archived_at__isnull=True)
        .filter(_to_enter(person, today))
        .order_by("name", "id")
    )


def _with_latest(measurables):
    latest = MeasurableValue.objects.filter(measurable=OuterRef("pk")).order_by("-period_start")
    return measurables.annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_start=Subquery(latest.values("period_start")[:1]),
    )


def my_numbers(person: Person) -> tuple[list[Measurable], int, list]:
    """For both sections, read once per page: the first ``LIST_LIMIT`` of the person's
    numbers to enter and how many there are, and their numbers off track (see ``off_track``).
    One query reads the person's live measurables with their latest values and whether
    each waits for a value; past ``OFF_TRACK_SCAN`` of them, each list is read apart."""

    def read():
        today = organization_today(person.organization)
        mine = list(
            _with_latest(Measurable.objects.filter(owner=person, archived_at__isnull=True))
            .annotate(to_enter=ExpressionWrapper(_to_enter(person, today), BooleanField()))
            .order_by("name", "id")[: OFF_TRACK_SCAN + 1]
        )
        if len(mine) > OFF_TRACK_SCAN:
            rows, total = limited(numbers_to_enter(person, today), LIST_LIMIT)
            return rows, total, off_track(person)
        waiting = [m for m in mine if m.to_enter]
        return waiting[:LIST_LIMIT], len(waiting), _red(m for m in mine if m.latest_start)

    return once(person, "my_numbers", read)


def _grid_urls(person: Person, measurables) -> dict[int, str]:
    """A scorecard showing each measurable (one query), else its own page."""
    slug = person.organization.slug
    urls = {m.pk: reverse("web:measurable", args=[slug, m.pk]) for m in measurables}
    for measurable_id, scorecard_id in (
        ScorecardItem.objects.filter(
            measurable_id__in=list(urls), scorecard__archived_at__isnull=True
        )
        .order_by("-scorecard__kind", "scorecard_id")
        .values_list("measurable_id", "scorecard_id")
    ):
        urls[measurable_id] = reverse("web:scorecard", args=[slug, scorecard_id])
    return urls


@section(order=60)
def numbers_to_enter_section(person: Person) -> Section | None:
    today = organization_today(person.organization)
    fiscal = person.organization.fiscal_year_start_month
    rows, total, _off_track = my_numbers(person)
    if not rows:
        return None
    urls = _grid_urls(person, rows)
    return Section(
        key="numbers_to_enter",
        title="Numbers to enter",
        items=[
            Item(
                text=m.name,
                url=urls[m.pk],
                detail=f"no value for {last_complete(m.frequency, today, fiscal).label} yet",
            )
            for m in rows
        ],
        total=total,
        more_url=reverse("web:measurables", args=[person.organization.slug])
        + f"?owner={person.pk}",
        attention=True,
    )


def off_track(person: Person) -> list[tuple[Measurable, float, datetime.date]]:
    """The person's live measurables whose latest value is red, by name: two queries."""
    return _red(
        _with_latest(Measurable.objects.filter(owner=person, archived_at__isnull=True))
        .filter(latest_start__isnull=False)
        .order_by("name", "id")[:OFF_TRACK_SCAN]
    )


def _red(measurables) -> list[tuple[Measurable, float, datetime.date]]:
    """Those of ``measurables`` (read with their latest value) whose latest value is red,
    with the target of its period (one query)."""
    measurables = list(measurables)
    if not measurables:
        return []
    overrides = {
        (mid, start): (target, target_max)
        for mid, start, target, target_max in MeasurableTarget.objects.filter(
            measurable_id__in=[m.pk for m in measurables],
            period_start__in={m.latest_start for m in measurables},
        ).values_list("measurable_id", "period_start", "target", "target_max")
    }
    red = []
    for m in measurables:
        target, target_max = overrides.get((m.pk, m.latest_start), (m.target, m.target_max))
        colour = measures.colour(
            m.latest_value, better=m.better, mode=m.threshold_mode, green=m.green_bound,
            red=m.red_bound, target=target, target_max=target_max,
        )  # fmt: skip
        if colour == "red":
            red.append((m, m.latest_value, m.latest_start))
    return red


@section(order=62)
def off_track_numbers(person: Person) -> Section | None:
    _rows, _total, red = my_numbers(person)
    if not red:
        return None
    slug = person.organization.slug
    fiscal = person.organization.fiscal_year_start_month
    return Section(
        key="off_track_numbers",
        title="Your numbers off track",
        items=[
            Item(
                text=m.name,
                url=reverse("web:measurable", args=[slug, m.pk]),
                detail=f"{scorecard_pages.fmt(m, value)} in "
                f"{measures.period_of(m.frequency, start, fiscal).label}",
            )
            for m, value, start in red[:LIST_LIMIT]
        ],
        total=len(red),
        attention=True,
    )
