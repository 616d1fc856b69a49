"""My week: commitments (sections are registered with `@section` from leados.web.my_week).

Commitments waiting for my yes (read with the other agreements waiting for my answer, in
my_week/agreements.py), my open commitments (overdue first), and commitments waiting for
my evaluation (including those escalated to me). The last two read at most two queries
each: the first few, and a count only when there are more.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from leados.core.models import Person
from leados.core.periods import organization_today
from leados.operate.models import AgreementState, Commitment
from leados.operate.my_week.agreements import COMMITMENTS, awaiting
from leados.operate.selectors.commitments import to_evaluate
from leados.web.my_week import LIST_LIMIT, Item, Section, section


def _first(rows: QuerySet) -> tuple[list, int]:
    found = list(rows[:LIST_LIMIT])
    total = len(found) if len(found) < LIST_LIMIT else rows.count()
    return found, total


def _url(person: Person, commitment_id: int) -> str:
    return reverse("web:commitment", args=[person.organization.slug, commitment_id])


def _list_url(person: Person, show: str) -> str:
    return reverse("web:commitments", args=[person.organization.slug]) + f"?show={show}"


def _words(person: Person) -> tuple[str, str]:
    org = person.organization
    return org.word("commitment").lower(), org.word("commitment", plural=True).lower()


@section(order=60)
def commitments_waiting_for_my_yes(person: Person) -> Section | None:
    agreements, total = awaiting(person)[COMMITMENTS]
    if not agreements:
        return None
    items = []
    for a in agreements:
        if a.state == AgreementState.PROPOSED:
            detail = f"from {a.requester.name} · due {a.commitment.due_date:%d %b %Y}"
        else:
            detail = f"{a.responder.name} proposes a change"
        items.append(
            Item(text=a.commitment.title, url=_url(person, a.commitment_id), detail=detail)
        )
    _, plural = _words(person)
    return Section(
        key="commitments_waiting_for_my_yes",
        title=f"{plural.capitalize()} waiting for your yes",
        items=items,
        total=total,
        attention=True,
    )


@section(order=62)
def my_open_commitments(person: Person) -> Section | None:
    today = organization_today(person.organization)
    commitments, total = _first(
        Commitment.objects.open()
        .filter(owner=person)
        .exclude(state="proposed")
        .select_related("assigned_by")
        .order_by("due_date", "id")
    )
    if not commitments:
        return None
    items = []
    for c in commitments:
        if c.is_overdue(today) and c.completed_on is None:
            detail = f"overdue since {c.due_date:%d %b}"
        elif c.completed_on is not None:
            detail = "done, waiting for evaluation"
        else:
            detail = f"{c.get_state_display().lower()} · due {c.due_date:%d %b}"
        items.append(Item(text=c.title, url=_url(person, c.pk), detail=detail))
    _, plural = _words(person)
    return Section(
        key="my_open_commitments",
        title=f"Your open {plural}",
        items=items,
        total=total,
        more_url=_list_url(person, "mine"),
        attention=any(c.is_overdue(today) and c.completed_on is None for c in commitments),
    )


@section(order=64)
def commitments_to_evaluate(person: Person) -> Section | None:
    today = organization_today(person.organization)
    commitments, total = _first(to_evaluate(person, today).select_related("owner"))
    if not commitments:
        return None
    items = []
    for c in commitments:
        if c.escalated_to_id == person.pk and c.state == "evaluated":
            detail = f"{c.owner.name} · escalated to you"
        elif c.state == "evaluated":
            detail = f"{c.owner.name} · {c.get_evaluation_display().lower()}, act on it"
        elif c.completed_on is not None:
            detail = f"{c.owner.name} · done {c.completed_on:%d %b}"
        else:
            detail = f"{c.owner.name} · overdue since {c.due_date:%d %b}"
        items.append(Item(text=c.title, url=_url(person, c.pk), detail=detail))
    _, plural = _words(person)
    return Section(
        key="commitments_to_evaluate",
        title=f"{plural.capitalize()} waiting for your evaluation or action",
        items=items,
        total=total,
        more_url=_list_url(person, "assigned"),
        attention=True,
    )
