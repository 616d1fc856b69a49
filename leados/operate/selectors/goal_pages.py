"""Reads behind the goal pages, the agreements inbox, the goal panels and My week.

Every function runs inside the organization's scope and reads a fixed number of rows
and queries whatever the size of the organization: lists are limited, counts are
asked only when a list is full.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import DateTimeField, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from leados.core.models import Organization, Person, RoleAssignment, Unit, UnitRole
from leados.operate.models import (
    LEVEL_RANK,
    Agreement,
    AgreementState,
    CheckIn,
    Goal,
    GoalLink,
    GoalStatus,
    Milestone,
)

CHECK_INS_SHOWN = 60
CHILDREN_SHOWN = 100
LINKS_SHOWN = 50
PANEL_SHOWN = 25
SEARCH_SHOWN = 20
PARENT_CHOICES = 300
INBOX_SHOWN = 100
OPEN_STATUSES = (GoalStatus.ON_TRACK, GoalStatus.AT_RISK, GoalStatus.OFF_TRACK)
DRIFTING = (GoalStatus.AT_RISK, GoalStatus.OFF_TRACK)

AGREEMENT_RELATED = (
    "goal__unit",
    "goal__person",
    "link__source__unit",
    "link__source__person",
    "link__target__unit",
    "link__target__person",
    "commitment",
    "requester",
    "responder",
)


def limited(queryset: QuerySet, limit: int) -> tuple[list, int]:
    """The first ``limit`` rows and how many there are; counted only when the list is full."""
    rows = list(queryset[:limit])
    total = len(rows) if len(rows) < limit else queryset.count()
    return rows, total


# ---------------------------------------------------------------------------- goal page


@dataclass
class GoalPage:
    goal: Goal
    ancestors: list[Goal]
    children: list[Goal]
    children_total: int
    contributes_to: list[GoalLink]
    contributions: list[GoalLink]
    milestones: list[Milestone]
    check_ins: list[CheckIn]
    agreements: list[Agreement]
    link_agreements: dict[int, Agreement] = field(default_factory=dict)

    @property
    def goal_agreement(self) -> Agreement | None:
        return next((a for a in self.agreements if a.goal_id == self.goal.pk), None)


def ancestors_of(goal: Goal) -> list[Goal]:
    """The goals above ``goal``, from the root down, with their owners."""
    ids = goal.ancestor_ids
    if not ids:
        return []
    found = {g.pk: g for g in Goal.objects.filter(pk__in=ids).select_related("owner", "unit")}
    return [found[pk] for pk in ids if pk in found]


def goal_page(goal: Goal) -> GoalPage:
    children, children_total = limited(
        Goal.objects.live()
        .filter(parent=goal)
        .select_related("owner", "unit", "person")
        .order_by("title", "id"),
        CHILDREN_SHOWN,
    )
    links = list(
        GoalLink.objects.filter(Q(source=goal) | Q(target=goal))
        .select_related("source__unit", "source__person", "target__unit", "target__person")
        .order_by("id")[: 2 * LINKS_SHOWN]
    )
    agreements = list(
        Agreement.objects.pending()
        .filter(Q(goal=goal) | Q(link__source=goal) | Q(link__target=goal))
        .select_related("requester", "responder", "goal", "link__source", "link__target")
    )
    check_ins = goal_check_ins(goal)
    return GoalPage(
        goal=goal,
        ancestors=ancestors_of(goal),
        children=children,
        children_total=children_total,
        contributes_to=[link for link in links if link.source_id == goal.pk],
        contributions=[link for link in links if link.target_id == goal.pk],
        milestones=list(Milestone.objects.filter(goal=goal).order_by("position", "id")),
        check_ins=check_ins,
        agreements=agreements,
        link_agreements={a.link_id: a for a in agreements if a.link_id},
    )


def goal_check_ins(goal: Goal) -> list[CheckIn]:
    """The latest check-ins of ``goal``, newest first, with their authors."""
    return list(
        CheckIn.objects.filter(goal=goal).select_related("author").latest_first()[:CHECK_INS_SHOWN]
    )


def progress_of(ids: list[int]) -> dict[int, float]:
    return dict(Goal.objects.filter(pk__in=ids).values_list("pk", "progress"))


# ---------------------------------------------------------------------------- chart

CHART_WIDTH = 600
CHART_HEIGHT = 180
CHART_PAD = 28


@dataclass
class ChartPoint:
    x: float
    y: float
    label: str


@dataclass
class Chart:
    points: list[ChartPoint]
    polyline: str
    first: str
    last: str
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    pad: int = CHART_PAD

    @property
    def gridlines(self) -> list[tuple[float, str]]:
        return [(self._y(share), f"{round(share * 100)}%") for share in (0, 0.5, 1)]

    @property
    def right(self) -> int:
        return self.width - self.pad

    @property
    def bottom(self) -> int:
        return self.height - self.pad

    def _y(self, progress: float) -> float:
        return round(self.pad + (1 - progress) * (self.height - 2 * self.pad), 1)


def progress_chart(check_ins: list[CheckIn]) -> Chart | None:
    """An SVG line of the goal's progress at each check-in, oldest to newest."""
    ordered = sorted(check_ins, key=lambda c: (c.checked_in_at, c.pk))
    if not ordered:
        return None
    chart = Chart(points=[], polyline="", first="", last="")
    start, end = ordered[0].checked_in_at, ordered[-1].checked_in_at
    span = (end - start).total_seconds()
    inner = chart.width - 2 * chart.pad
    for index, check_in in enumerate(ordered):
        if span > 0:
            share = (check_in.checked_in_at - start).total_seconds() / span
        else:
            share = index / (len(ordered) - 1) if len(ordered) > 1 else 0.5
        x = round(chart.pad + share * inner, 1)
        y = chart._y(check_in.progress)
        label = f"{check_in.checked_in_at:%d %b %Y}: {round(check_in.progress * 100)}%"
        if check_in.confidence is not None:
            label += f", confidence {check_in.confidence}/10"
        chart.points.append(ChartPoint(x, y, label))
    chart.polyline = " ".join(f"{p.x},{p.y}" for p in chart.points)
    chart.first = f"{start:%d %b %Y}"
    chart.last = f"{end:%d %b %Y}"
    return chart


# ---------------------------------------------------------------------------- pickers


def parent_candidates(goal: Goal | None, *, text: str = "", limit: int = SEARCH_SHOWN) -> list:
    """Live goals that could sit above ``goal`` (or above a new goal): higher or equal level,
    not the goal itself nor beneath it, matching ``text``."""
    found = Goal.objects.live().search(text).select_related("unit", "person", "owner")
    if goal is not None and goal.pk is not None:
        found = found.exclude(path__startswith=goal.path)
        allowed = [lvl for lvl, rank in LEVEL_RANK.items() if rank <= LEVEL_RANK[goal.level]]
        found = found.filter(level__in=allowed)
    return list(found.order_by("depth", "title", "id")[:limit])


def link_candidates(goal: Goal, *, text: str, limit: int = SEARCH_SHOWN) -> list:
    """Live goals of other units that ``goal`` could contribute to."""
    found = (
        Goal.objects.live()
        .search(text)
        .exclude(pk=goal.pk)
        .exclude(contributions__source=goal)
        .select_related("unit", "person", "owner")
    )
    if goal.unit_id is not None:
        found = found.exclude(unit_id=goal.unit_id)
    if goal.parent_id is not None:
        found = found.exclude(pk=goal.parent_id)
    return list(found.order_by("depth", "title", "id")[:limit])


# ---------------------------------------------------------------------------- agreements


def agreements_awaiting(person: Person) -> tuple[list[Agreement], int]:
    """Pending agreements ``person`` must answer, oldest first."""
    return limited(
        Agreement.objects.awaiting(person)
        .select_related(*AGREEMENT_RELATED)
        .order_by("created_at", "id"),
        INBOX_SHOWN,
    )


def agreements_waiting_on_others(person: Person) -> tuple[list[Agreement], int]:
    """Pending agreements ``person`` asked for (or answered with a change), oldest first."""
    return limited(
        Agreement.objects.filter(
            Q(state=AgreementState.PROPOSED, requester=person)
            | Q(state=AgreementState.CHANGE_PROPOSED, responder=person)
        )
        .select_related(*AGREEMENT_RELATED)
        .order_by("created_at", "id"),
        INBOX_SHOWN,
    )


# ---------------------------------------------------------------------------- panels


def current(goals: QuerySet, today: datetime.date) -> QuerySet:
    """Goals whose period includes ``today``, and ongoing ones."""
    return goals.filter(
        Q(period__isnull=True) | Q(period__start__lte=today, period__end__gte=today)
    )


def unit_goals_panel(unit: Unit, today: datetime.date) -> tuple[list[Goal], int, int]:
    """The unit's live goals this period, how many, and how many of them are aligned."""
    goals = current(Goal.objects.live().filter(unit=unit), today)
    rows, total = limited(
        goals.select_related("owner", "unit", "period").order_by("-aligned", "title", "id"),
        PANEL_SHOWN,
    )
    if total == len(rows):
        aligned = sum(1 for g in rows if g.aligned)
    else:
        aligned = goals.filter(aligned=True).count()
    return rows, total, aligned


def person_goals_panel(person: Person, today: datetime.date) -> tuple[list[Goal], int]:
    """Goals ``person`` owns and their Self goals, live and current."""
    goals = current(Goal.objects.live().filter(Q(owner=person) | Q(person=person)), today)
    return limited(
        goals.select_related("unit", "person", "period").order_by("level", "title", "id"),
        PANEL_SHOWN,
    )


# ---------------------------------------------------------------------------- My week


def stale(goals: QuerySet, organization: Organization, now: datetime.datetime) -> QuerySet:
    """Open goals whose last check-in (or creation, when never checked in) is older than the
    organization's rhythm for their level."""
    rhythm = organization.check_in_rhythm()
    overdue = Q()
    for level, days in rhythm.items():
        overdue |= Q(level=level, last_seen__lt=now - datetime.timedelta(days=days))
    return (
        goals.live()
        .filter(status__in=OPEN_STATUSES, status_override__in=["", *OPEN_STATUSES])
        .annotate(
            last_seen=Coalesce("last_check_in_at", "created_at", output_field=DateTimeField())
        )
        .filter(overdue)
    )


def my_stale_goals(person: Person, now: datetime.datetime | None = None) -> QuerySet:
    now = now or timezone.now()
    return stale(Goal.objects.filter(owner=person), person.organization, now).order_by(
        "last_seen", "id"
    )


def managed_stale_goals(person: Person, now: datetime.datetime | None = None) -> QuerySet:
    """Stale goals of the units ``person`` manages, other than their own."""
    now = now or timezone.now()
    managed = RoleAssignment.objects.filter(person=person, role=UnitRole.MANAGE).values("unit_id")
    return (
        stale(Goal.objects.filter(unit_id__in=managed), person.organization, now)
        .exclude(owner=person)
        .select_related("owner")
        .order_by("last_seen", "id")
    )


def my_drifting_goals(person: Person) -> QuerySet:
    """``person``'s live goals at risk or off track (an override counts over the numbers)."""
    return (
        Goal.objects.live()
        .filter(owner=person)
        .filter(Q(status_override__in=DRIFTING) | Q(status_override="", status__in=DRIFTING))
        .order_by("status", "title", "id")
    )
