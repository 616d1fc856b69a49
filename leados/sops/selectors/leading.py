"""Leading vs. doing: a leader's level and target, their weekly series, and drift.

**Level and target.** A person's leader level is the highest level (strategy >
functional team > process > project) of the live units where they hold a ``lead`` or
``manage`` role; their target is ``organization.leading_target()[level]``. Someone who
leads and manages nothing has no level and no target.

**Drift** (``drift_of``). The weeks that count end with the *latest counted week*: this
week when it already has a check-in, otherwise last week (a week still running without a
check-in neither breaks nor makes a drift). A person drifts when each of the
``DRIFT_WEEKS`` (three) consecutive weeks ending there has a check-in whose leading share
(structure + operate + perfect) is below their target. A week without a check-in breaks
the run: drift is only ever claimed from what the person said. ``since`` is the first
week of the unbroken run of below-target weeks (the drift episode), which the alert uses
to tell one episode from the next.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from leados.core.models import Level, Person, RoleAssignment, UnitRole
from leados.core.periods import organization_today
from leados.sops.models import TimeCheckin
from leados.sops.services.time_checkins import week_start_of

LEADER_LEVELS = (Level.STRATEGY, Level.FUNCTIONAL_TEAM, Level.PROCESS, Level.PROJECT)
DRIFT_WEEKS = 3
RANGES = (12, 26, 52)
# How far back the drift episode's first week is looked for (weeks).
EPISODE_LOOKBACK = 52
WEEK = datetime.timedelta(days=7)


# ---------------------------------------------------------------------------- level, target


def levels_of(people: Iterable[Person]) -> dict[int, str | None]:
    """Each person's leader level (or ``None``), read in one query for all of them."""
    ids = [p.pk for p in people]
    found: dict[int, str | None] = dict.fromkeys(ids)
    if not ids:
        return found
    rank = {level.value: i for i, level in enumerate(LEADER_LEVELS)}
    rows = (
        RoleAssignment.objects.live()
        .filter(person_id__in=ids, role__in=[UnitRole.LEAD, UnitRole.MANAGE])
        .values_list("person_id", "unit__level")
        .distinct()
    )
    for person_id, level in rows:
        current = found[person_id]
        if level in rank and (current is None or rank[level] < rank[current]):
            found[person_id] = level
    return found


def person_level(person: Person) -> str | None:
    """The highest level at which ``person`` leads or manages a live unit, or ``None``."""
    return levels_of([person])[person.pk]


def target_at(organization, level: str | None) -> int | None:
    """The organization's leading target for a leader ``level`` (``None``: no target)."""
    return organization.leading_target()[level] if level is not None else None


def leading_target_for(person: Person) -> int | None:
    """The share of the week (per cent) ``person`` is meant to spend leading, or ``None``
    when they lead nothing."""
    return target_at(person.organization, person_level(person))


# ---------------------------------------------------------------------------- series


@dataclass
class WeekPoint:
    """One week of a person's series; ``checkin`` is ``None`` for a week without one."""

    week_start: datetime.date
    checkin: TimeCheckin | None
    target: int | None

    @property
    def has_checkin(self) -> bool:
        return self.checkin is not None

    @property
    def leading_pct(self) -> int | None:
        return self.checkin.leading_pct if self.checkin is not None else None

    @property
    def below_target(self) -> bool:
        return (
            self.checkin is not None
            and self.target is not None
            and self.checkin.leading_pct < self.target
        )


def weeks_ending(last_week: datetime.date, count: int) -> list[datetime.date]:
    """``count`` week starts, oldest first, ending with ``last_week``."""
    return [last_week - WEEK * (count - 1 - i) for i in range(count)]


def _checkins_by_person(
    people_ids: list[int], first_week: datetime.date, last_week: datetime.date
) -> dict[int, dict[datetime.date, TimeCheckin]]:
    found: dict[int, dict[datetime.date, TimeCheckin]] = {pk: {} for pk in people_ids}
    if not people_ids:
        return found
    rows = TimeCheckin.objects.filter(
        person_id__in=people_ids, week_start__gte=first_week, week_start__lte=last_week
    )
    for checkin in rows:
        found[checkin.person_id][checkin.week_start] = checkin
    return found


def leading_series(
    person: Person,
    *,
    weeks: int = 12,
    today: datetime.date | None = None,
) -> list[WeekPoint]:
    """The last ``weeks`` weeks up to and including this one, oldest first, each with its
    check-in (or none) and whether it was below the person's target."""
    today = today or organization_today(person.organization)
    target = leading_target_for(person)
    this_week = week_start_of(person, today)
    starts = weeks_ending(this_week, weeks)
    checkins = _checkins_by_person([person.pk], starts[0], this_week)[person.pk]
    return [WeekPoint(week, checkins.get(week), target) for week in starts]


# ---------------------------------------------------------------------------- drift


@dataclass
class Drift:
    """Whether a person drifts into doing, with the weeks that say so."""

    person_id: int
    target: int | None
    level: str | None
    # The DRIFT_WEEKS counted weeks, oldest first (some may lack a check-in).
    weeks: list[WeekPoint] = field(default_factory=list)
    drifting: bool = False
    # The first week of the unbroken run of below-target weeks (when drifting).
    since: datetime.date | None = None
    # This week's check-in, if any.
    this_week: TimeCheckin | None = None

    @property
    def shares(self) -> list[int | None]:
        return [w.leading_pct for w in self.weeks]


def counted_last_week(this_week: datetime.date, has_this_week: bool) -> datetime.date:
    return this_week if has_this_week else this_week - WEEK


def drift_for_people(
    people: list[Person],
    today: datetime.date,
    *,
    levels: dict[int, str | None] | None = None,
    lookback: int = DRIFT_WEEKS + 1,
) -> dict[int, Drift]:
    """``Drift`` of each of ``people`` (of one organization) on ``today``, in two queries
    (their levels, their recent check-ins). ``lookback`` weeks are read: enough for the
    drift itself by default; more to find how long an episode has lasted (``since``)."""
    if not people:
        return {}
    org = people[0].organization
    if levels is None:
        levels = levels_of(people)
    this_week = week_start_of(people[0], today)
    lookback = max(lookback, DRIFT_WEEKS + 1)
    first = this_week - WEEK * (lookback - 1)
    checkins = _checkins_by_person([p.pk for p in people], first, this_week)
    result = {}
    for person in people:
        level = levels.get(person.pk)
        target = target_at(org, level)
        mine = checkins[person.pk]
        last = counted_last_week(this_week, this_week in mine)
        counted = [
            WeekPoint(week, mine.get(week), target) for week in weeks_ending(last, DRIFT_WEEKS)
        ]
        drift = Drift(
            person_id=person.pk,
            target=target,
            level=level,
            weeks=counted,
            this_week=mine.get(this_week),
        )
        if target is not None and all(w.below_target for w in counted):
            drift.drifting = True
            since = counted[0].week_start
            while since - WEEK >= first:
                before = mine.get(since - WEEK)
                if before is None or before.leading_pct >= target:
                    break
                since -= WEEK
            drift.since = since
        result[person.pk] = drift
    return result


def drift_of(person: Person, today: datetime.date | None = None) -> Drift:
    """Whether ``person`` drifts into doing on ``today`` (default: the organization's
    today): the three counted weeks all have check-ins below their target (see the
    module's docstring for which weeks count)."""
    today = today or organization_today(person.organization)
    return drift_for_people([person], today, lookback=EPISODE_LOOKBACK)[person.pk]


# ---------------------------------------------------------------------------- people


def people_for_overview(viewer: Person):
    """Whose leading the viewer oversees on the leading page: everyone active for admins
    and coaches (those who lead something or have checked in), a manager's reports,
    otherwise nobody. ``None`` when the viewer oversees nobody."""
    from leados.core import policy

    active = Person.objects.filter(is_active=True).exclude(pk=viewer.pk)
    if viewer.role in (policy.OrgRole.OWNER, policy.OrgRole.ADMIN, policy.OrgRole.COACH):
        leads = RoleAssignment.objects.live().filter(role__in=[UnitRole.LEAD, UnitRole.MANAGE])
        return active.filter(
            Q(pk__in=leads.values("person_id")) | Q(pk__in=TimeCheckin.objects.values("person_id"))
        ).order_by("name", "id")
    reports = active.filter(manager=viewer).order_by("name", "id")
    return reports if reports.exists() else None


@dataclass
class OverviewRow:
    person: Person
    level: str | None
    target: int | None
    latest: TimeCheckin | None
    drift: Drift

    @property
    def level_label(self) -> str:
        return Level(self.level).label if self.level else ""


def overview_rows(people: list[Person], today: datetime.date) -> list[OverviewRow]:
    """A row per person: level, target, latest check-in (within the drift window or the
    last few weeks) and drift flag, in three queries whatever the number of people."""
    if not people:
        return []
    levels = levels_of(people)
    drifts = drift_for_people(people, today, levels=levels)
    this_week = week_start_of(people[0], today)
    latest: dict[int, TimeCheckin] = {}
    recent = TimeCheckin.objects.filter(
        person_id__in=[p.pk for p in people], week_start__lte=this_week
    ).order_by("person_id", "-week_start")
    # One query; newest first per person, the first seen wins. Limited to a year back so
    # the read stays bounded.
    for checkin in recent.filter(week_start__gte=this_week - WEEK * EPISODE_LOOKBACK):
        latest.setdefault(checkin.person_id, checkin)
    return [
        OverviewRow(
            person=p,
            level=levels[p.pk],
            target=drifts[p.pk].target,
            latest=latest.get(p.pk),
            drift=drifts[p.pk],
        )
        for p in people
    ]
