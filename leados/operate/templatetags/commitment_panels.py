"""Commitment panels that other pages embed: a unit's manage side, a person's record.

Each reads a fixed number of queries whatever the number of commitments.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django import template
from django.db.models import Count, Q
from django.template.loader import render_to_string

from leados.core.periods import organization_today
from leados.operate.models import OPEN_STATES, Commitment, CommitmentState
from leados.operate.selectors.commitments import FOLLOW_THROUGH_DAYS, follow_through

register = template.Library()

SHOWN = 8


def _today(context) -> datetime.date:
    request = context.get("request")
    org = getattr(request, "org", None)
    return organization_today(org)


@register.simple_tag(takes_context=True)
def unit_commitments(context, unit):
    """The unit's manage side: targets assigned within it, open by state, overdue, and
    recently evaluated."""
    today = _today(context)
    org = context.get("request").org
    since = datetime.datetime.combine(
        today - datetime.timedelta(days=FOLLOW_THROUGH_DAYS),
        datetime.time.min,
        tzinfo=zoneinfo.ZoneInfo(org.time_zone),
    )
    commitments = Commitment.objects.filter(unit=unit)
    counts = commitments.aggregate(
        **{f"n_{state}": Count("pk", filter=Q(state=state)) for state in OPEN_STATES},
        overdue=Count("pk", filter=Q(state__in=OPEN_STATES, due_date__lt=today)),
        evaluated=Count("pk", filter=Q(evaluated_at__gte=since)),
        met=Count("pk", filter=Q(evaluated_at__gte=since, evaluation="met")),
    )
    related = ("owner", "assigned_by")
    overdue = list(
        commitments.overdue(today).select_related(*related).order_by("due_date", "id")[:SHOWN]
    )
    recent = list(
        commitments.filter(evaluated_at__isnull=False)
        .select_related(*related)
        .order_by("-evaluated_at", "-id")[:SHOWN]
    )
    by_state = [
        (state, CommitmentState(state).label, counts[f"n_{state}"]) for state in OPEN_STATES
    ]
    return render_to_string(
        "operate/commitments/unit_panel.html",
        {
            "unit": unit,
            "by_state": by_state,
            "open_total": sum(n for _, _, n in by_state),
            "overdue_total": counts["overdue"],
            "overdue": overdue,
            "recent": recent,
            "evaluated_total": counts["evaluated"],
            "met_total": counts["met"],
            "today": today,
        },
        request=context.get("request"),
    )


@register.simple_tag(takes_context=True)
def person_commitments(context, subject):
    """A person's follow-through record over 90 days with its trend, and their open
    commitments, soonest due first."""
    request = context.get("request")
    today = _today(context)
    record = follow_through(subject, today, getattr(request, "org", None))
    open_ones = Commitment.objects.open().filter(owner=subject)
    total = open_ones.count()
    shown = list(open_ones.select_related("assigned_by").order_by("due_date", "id")[:SHOWN])
    for commitment in shown:
        commitment.flag_overdue = commitment.is_overdue(today)
    return render_to_string(
        "operate/commitments/person_panel.html",
        {
            "subject": subject,
            "record": record,
            "open": shown,
            "open_total": total,
            "today": today,
        },
        request=request,
    )
