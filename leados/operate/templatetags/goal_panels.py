"""Goal panels that other pages embed: a unit's goals (the lead side), a person's goals."""

from django import template
from django.template.loader import render_to_string

from leados.core import policy
from leados.core.periods import organization_today
from leados.operate.models import GoalStatus
from leados.operate.selectors import goal_pages

register = template.Library()

STATUS_LABELS = dict(GoalStatus.choices)


@register.filter
def goal_status_label(value: str) -> str:
    return STATUS_LABELS.get(value, value)


@register.simple_tag(takes_context=True)
def unit_goals(context, unit):
    """The unit's goals this period with progress and status, and the share aligned."""
    request = context["request"]
    goals, total, aligned = goal_pages.unit_goals_panel(unit, organization_today(request.org))
    return render_to_string(
        "operate/goals/panel_unit.html",
        {
            "unit": unit,
            "goals": goals,
            "total": total,
            "aligned": aligned,
            "aligned_percent": round(100 * aligned / total) if total else 0,
            "can_create": policy.can(request.person, policy.GOAL_CREATE, unit),
        },
        request=request,
    )


@register.simple_tag(takes_context=True)
def person_goals(context, subject):
    """The goals ``subject`` owns and their Self goals, with progress and status."""
    request = context["request"]
    goals, total = goal_pages.person_goals_panel(subject, organization_today(request.org))
    return render_to_string(
        "operate/goals/panel_person.html",
        {
            "subject": subject,
            "goals": goals,
            "total": total,
            "can_create": policy.can(request.person, policy.GOAL_CREATE, subject),
        },
        request=request,
    )
