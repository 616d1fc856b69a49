"""My week: goals that need a check-in, drifting goals, and agreements to answer."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from leados.core.models import Level, Person
from leados.operate.models import GoalStatus
from leados.operate.my_week.agreements import OTHERS, awaiting
from leados.operate.selectors import goal_pages
from leados.web.my_week import LIST_LIMIT, Item, Section, section

STATUS_LABELS = dict(GoalStatus.choices)


def _goal_url(person: Person, goal_id: int) -> str:
    return reverse("web:goal", args=[person.organization.slug, goal_id])


def _since(last_seen, now) -> str:
    days = (now - last_seen).days
    return f"no check-in for {days} days"


@section(order=50)
def goals_to_check_in(person: Person) -> Section | None:
    now = timezone.now()
    goals, total = goal_pages.limited(
        goal_pages.my_stale_goals(person, now).only("id", "title", "level", "created_at"),
        LIST_LIMIT,
    )
    if not goals:
        return None
    word = person.organization.word("goal", plural=True).lower()
    return Section(
        key="goals_to_check_in",
        title=f"Your {word} waiting for a check-in",
        items=[
            Item(
                text=g.title,
                url=_goal_url(person, g.pk),
                detail=f"{Level(g.level).label} · {_since(g.last_seen, now)}",
            )
            for g in goals
        ],
        total=total,
        attention=True,
    )


@section(order=52)
def drifting_goals(person: Person) -> Section | None:
    goals, total = goal_pages.limited(
        goal_pages.my_drifting_goals(person).only(
            "id", "title", "progress", "status", "status_override"
        ),
        LIST_LIMIT,
    )
    if not goals:
        return None
    word = person.organization.word("goal", plural=True).lower()
    return Section(
        key="drifting_goals",
        title=f"Your {word} at risk or off track",
        items=[
            Item(
                text=g.title,
                url=_goal_url(person, g.pk),
                detail=f"{STATUS_LABELS[g.effective_status]} · {g.percent}%",
            )
            for g in goals
        ],
        total=total,
        attention=True,
    )


@section(order=54)
def agreements_to_answer(person: Person) -> Section | None:
    # Commitments waiting for a yes have their own section (my_week/commitments.py).
    agreements, total = awaiting(person)[OTHERS]
    if not agreements:
        return None
    slug = person.organization.slug
    items = []
    for a in agreements:
        if a.goal_id:
            text = a.goal.title
        else:
            text = f"“{a.link.source.title}” contributes to “{a.link.target.title}”"
        if a.state == "proposed":
            detail = f"{a.get_kind_display()} · asked by {a.requester.name}"
        else:
            detail = f"{a.get_kind_display()} · {a.responder.name} proposes a change"
        items.append(Item(text=text, url=reverse("web:agreements", args=[slug]), detail=detail))
    return Section(
        key="agreements_to_answer",
        title="Agreements waiting for your answer",
        items=items,
        total=total,
        more_url=reverse("web:agreements", args=[slug]),
        attention=True,
    )


@section(order=56)
def stale_goals_in_my_units(person: Person) -> Section | None:
    now = timezone.now()
    goals, total = goal_pages.limited(
        goal_pages.managed_stale_goals(person, now).only(
            "id", "title", "level", "created_at", "owner__name"
        ),
        LIST_LIMIT,
    )
    if not goals:
        return None
    word = person.organization.word("goal", plural=True).lower()
    return Section(
        key="stale_goals_in_my_units",
        title=f"{word.capitalize()} in units you manage without a fresh check-in",
        items=[
            Item(
                text=g.title,
                url=_goal_url(person, g.pk),
                detail=f"{g.owner.name} · {_since(g.last_seen, now)}",
            )
            for g in goals
        ],
        total=total,
        attention=True,
    )
