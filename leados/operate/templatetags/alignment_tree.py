"""Labels for the alignment pages."""

from django import template

from leados.operate.models import GoalStatus

register = template.Library()

STATUS_LABELS = dict(GoalStatus.choices)


@register.filter
def status_label(value: str) -> str:
    return STATUS_LABELS.get(value, value)
