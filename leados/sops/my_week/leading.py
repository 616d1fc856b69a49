"""My week: the weekly leading check-in and the drift warning (registered with
``@section`` from leados.web.my_week).

A leader (someone with a leading target) or anyone who checked in lately is asked for
this week's check-in until it is done, and warned when their leading share has stayed
below target three weeks running. A manager sees which of their reports drift. Both
sections share one read of three queries whatever the size of the organization: the
reports who could be drifting, then the levels and recent check-ins of the person and of
those reports together.
"""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse

from leados.core import policy
from leados.core.models import Person
from leados.core.periods import organization_today
from leados.sops.models import TimeCheckin
from leados.sops.selectors.leading import DRIFT_WEEKS, WEEK, drift_for_people
from leados.sops.services.time_checkins import week_start_of
from leados.web.my_week import LIST_LIMIT, Item, Section, once, section

MAX_REPORTS = 200


def _url(name: str, person: Person) -> str:
    return reverse(name, args=[person.organization.slug])


def _shares(drift) -> str:
    return ", ".join(f"{w.leading_pct} %" for w in drift.weeks)


def _drifts(person: Person):
    """The reports of ``person`` who could be drifting (by name), and the drift of the
    person and of each of them: read once per page."""

    def read():
        today = organization_today(person.organization)
        # Only a report with a check-in in each of the last weeks can be drifting (a week
        # without one breaks the run).
        first = week_start_of(person, today) - WEEK * DRIFT_WEEKS
        candidates = (
            TimeCheckin.objects.filter(
                person__manager=person, person__is_active=True, week_start__gte=first
            )
            .values("person_id")
            .annotate(weeks=Count("id"))
            .filter(weeks__gte=DRIFT_WEEKS)
            .values("person_id")
        )
        reports = list(
            Person.objects.filter(pk__in=candidates).order_by("name", "id")[:MAX_REPORTS]
        )
        return reports, drift_for_people([person, *reports], today)

    return once(person, "drifts", read)


@section(order=49)
def leading_check_in(person: Person) -> Section | None:
    if not policy.can(person, policy.TIME_CHECKIN, person):
        return None
    _reports, drifts = _drifts(person)
    drift = drifts[person.pk]
    recent = drift.this_week is not None or any(w.checkin for w in drift.weeks)
    if drift.target is None and not recent:
        return None  # leads nothing and does not keep the check-in: nothing to ask
    target = f" · your target: {drift.target} %" if drift.target is not None else ""
    items = []
    if drift.this_week is None:
        items.append(
            Item(
                text="This week's leading check-in",
                url=_url("web:time_checkin", person),
                detail="one minute: how your week splits between leading and doing" + target,
            )
        )
    else:
        items.append(
            Item(
                text=f"Checked in this week: {drift.this_week.leading_pct} % leading",
                url=_url("web:leading", person),
                detail=target.removeprefix(" · "),
            )
        )
    if drift.drifting:
        items.append(
            Item(
                text="You are drifting into doing",
                url=_url("web:leading", person),
                detail=f"leading share {_shares(drift)} in the last three weeks, below your "
                f"target of {drift.target} %",
            )
        )
    return Section(
        key="leading_check_in",
        title="Leading vs. doing",
        items=items,
        attention=drift.drifting or drift.this_week is None,
    )


@section(order=66)
def reports_drifting(person: Person) -> Section | None:
    reports, drifts = _drifts(person)
    drifting = [p for p in reports if drifts[p.pk].drifting]
    if not drifting:
        return None
    base = _url("web:leading", person)
    items = [
        Item(
            text=p.name,
            url=f"{base}?person={p.pk}",
            detail=f"leading {_shares(drifts[p.pk])}, target {drifts[p.pk].target} %",
        )
        for p in drifting[:LIST_LIMIT]
    ]
    return Section(
        key="reports_drifting",
        title="Your reports drifting into doing",
        items=items,
        total=len(drifting),
        more_url=base,
        attention=True,
    )
