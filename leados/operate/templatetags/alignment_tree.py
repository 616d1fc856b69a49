"""Labels and rows for the alignment pages.

A goal's row is written here rather than in a template: a level of fifty goals then
renders in a few milliseconds, which keeps opening a branch of a large tree quick.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe

from leados.core.models import Level
from leados.operate.models import GoalStatus

register = template.Library()

STATUS_LABELS = dict(GoalStatus.choices)
LEVEL_LABELS = dict(Level.choices)


@register.filter
def status_label(value: str) -> str:
    return STATUS_LABELS.get(value, value)


@register.simple_tag(takes_context=True)
def goal_row(context, goal, child_count=None) -> str:
    """The row of ``goal``: title (to its page), level, unit or person, owner, progress,
    status (an owner's override marked), confidence, children, and its place in the tree.
    Needs ``goals_base``, ``people_base`` and ``tree_url`` in the context."""
    goals_base = escape(context["goals_base"])
    people_base = escape(context["people_base"])
    tree_url = escape(context["tree_url"])
    pk = goal.pk
    title = escape(goal.title)
    where = goal.unit.name if goal.unit_id else f"Self · {goal.person.name}"
    status = goal.effective_status
    percent = goal.percent
    override = ' <span class="al-override">(set by owner)</span>' if goal.status_override else ""
    if goal.confidence is None:
        confidence = '<span class="muted">No check-in yet</span>'
    else:
        confidence = f'<span class="al-label">Confidence</span> {goal.confidence}/10'
    count = f'<span class="al-count">{child_count} under it</span>' if child_count else ""
    return mark_safe(  # noqa: S308 - every value above is escaped or a number
        f'<div class="al-main"><a class="al-title" href="{goals_base}{pk}/">{title}</a> '
        f'<span class="badge al-level al-level-{escape(goal.level)}">'
        f"{escape(LEVEL_LABELS.get(goal.level, goal.level))}</span> "
        f'<span class="al-where">{escape(where)}</span></div>'
        f'<div class="al-facts"><span class="al-owner"><span class="al-label">Owner</span> '
        f'<a href="{people_base}{goal.owner_id}/">{escape(goal.owner.name)}</a></span> '
        f'<span class="al-progress"><progress max="100" value="{percent}" '
        f'aria-label="Progress of {title}">{percent}%</progress> '
        f'<span class="al-percent">{percent}%</span></span> '
        f'<span class="al-status al-status-{escape(status)}">'
        f"{escape(STATUS_LABELS.get(status, status))}{override}</span> "
        f'<span class="al-confidence">{confidence}</span> {count} '
        f'<a class="al-permalink" href="{tree_url}?focus={pk}#goal-{pk}" '
        f'aria-label="{title} in the tree">In the tree</a></div>'
    )
