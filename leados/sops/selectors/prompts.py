"""What to prompt a person about: their runs today and this week, what went missed, the
improvement ideas waiting on their routines, and who may hear of a drift.

``week_of`` is the one place that says where the organization's week starts and ends;
My week, the digest, the demo and the benchmark all read a person's runs through
``person_runs``, which costs two queries however many routines the person keeps.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import reverse

from leados.core.models import OrgRole, Person
from leados.core.periods import organization_today
from leados.sops.models import IdeaState, ImprovementIdea, RunState, SopRun

MISSED_LOOKBACK_DAYS = 7
# What a list of runs shows of each (My week, the digest).
RUN_LIST_FIELDS = (
    "organization_id", "owner_id", "state", "due_on", "window_ends_on", "sop_version_id",
    "sop__organization_id", "sop__owner_id", "sop__title", "sop__time_of_day",
    "sop__duration_minutes", "sop__is_archived",
)  # fmt: skip


def week_of(person: Person, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and the last day of the organization's week that holds ``day``."""
    start_day = person.organization.week_start_day  # 0 = Monday
    first = day - datetime.timedelta(days=(day.weekday() - start_day) % 7)
    return first, first + datetime.timedelta(days=6)


@dataclass
class PersonRuns:
    """A person's open runs: ``today`` (due today, or overdue while still open) and
    ``later`` (due after today, to the end of the week), with the week's tally."""

    today: datetime.date
    week_start: datetime.date
    week_end: datetime.date
    due_today: list[SopRun] = field(default_factory=list)
    later: list[SopRun] = field(default_factory=list)
    done_this_week: int = 0
    due_this_week: int = 0

    @property
    def overdue(self) -> list[SopRun]:
        return [run for run in self.due_today if run.due_on < self.today]


def _open_runs(person: Person, today: datetime.date, last: datetime.date):
    """Open runs of ``person`` still in their window today and due by ``last``; read by the
    (organization, owner, due_on) index. Each comes with what a list of runs says of it
    (its routine's title, time of day and duration), not the routine's text and steps."""
    return (
        SopRun.objects.for_owner(person)
        .open()
        .filter(due_on__lte=last, window_ends_on__gte=today, sop__is_archived=False)
        .select_related("sop")
        .only(*RUN_LIST_FIELDS)
        .order_by("due_on", "sop__time_of_day", "sop__title", "id")
    )


def person_runs(person: Person, *, today: datetime.date | None = None) -> PersonRuns:
    """The person's runs for today and the rest of this week (two queries)."""
    today = today or organization_today(person.organization)
    first, last = week_of(person, today)
    found = PersonRuns(today=today, week_start=first, week_end=last)
    for run in _open_runs(person, today, last):
        (found.due_today if run.due_on <= today else found.later).append(run)
    tally = (
        SopRun.objects.for_owner(person)
        .between(first, last)
        .filter(sop__is_archived=False)
        .aggregate(
            due=Count("id", filter=~Q(state=RunState.SKIPPED)),
            done=Count("id", filter=Q(state=RunState.DONE)),
        )
    )
    found.due_this_week = tally["due"] or 0
    found.done_this_week = tally["done"] or 0
    return found


def missed_runs(person: Person, *, since: datetime.date, until: datetime.date) -> list[SopRun]:
    """Runs of ``person`` marked missed whose window closed from ``since`` to ``until``."""
    return list(
        SopRun.objects.for_owner(person)
        .filter(
            state=RunState.MISSED,
            window_ends_on__gte=since,
            window_ends_on__lte=until,
            sop__is_archived=False,
        )
        .select_related("sop")
        .order_by("due_on", "id")
    )


def pending_ideas(person: Person) -> list[ImprovementIdea]:
    """Improvement ideas waiting for ``person``'s decision on their own live routines."""
    return list(
        ImprovementIdea.objects.filter(
            sop__owner=person, sop__is_archived=False, state=IdeaState.PROPOSED
        )
        .select_related("sop", "proposed_by")
        .order_by("created_at", "id")
    )


def coaches_in(person: Person):
    """The active coaches of the person's organization, who may hear of a drift."""
    return (
        Person.objects.active()
        .filter(role=OrgRole.COACH, organization_id=person.organization_id)
        .exclude(pk=person.pk)
        .order_by("name", "id")
    )


def run_path(org_slug: str, run_id: int) -> str:
    """The path of a run's page (where its steps are ticked)."""
    return reverse("web:sop_run", args=[org_slug, run_id])


def sop_path(org_slug: str, sop_id: int) -> str:
    """The path of a routine's page."""
    return reverse("web:sop", args=[org_slug, sop_id])


def day_label(day: datetime.date, *, long: bool = False) -> str:
    """ "Mon 2 Nov", or "Monday 2 November" when ``long``."""
    if long:
        return f"{day:%A} {day.day} {day:%B}"
    return f"{day:%a} {day.day} {day:%b}"
