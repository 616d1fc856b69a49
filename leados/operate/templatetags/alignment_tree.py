"""Labels, rows and tree nodes for the alignment pages.

A goal's row and its node in the tree are written here rather than in templates: a level
of fifty goals then renders in about a millisecond (a template included per node took
several), which keeps the tree's first render and each opened branch quick.
"""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import mark_safe

from leados.core.models import Level
from leados.operate.models import GoalStatus
from leados.web.templatetags.leados_web import term

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
    return mark_safe(_row(_Bases.of(context), goal, child_count))  # noqa: S308 - escaped


@register.simple_tag(takes_context=True)
def tree_node(context, row, swapped=False) -> str:
    """A goal's node in the tree (``Row``): its toggle when it has goals under it, its row,
    and when opened its children's nodes and "show more" under them. ``swapped``: the node
    replaces itself after a toggle, and keeps the focus."""
    goals_word = escape(term(context, "goal", plural=True))
    return mark_safe(_node(_Bases.of(context), goals_word, row, swapped))  # noqa: S308 - escaped


class _Bases:
    """The escaped URL prefixes a row links with."""

    __slots__ = ("goals", "people", "tree")

    def __init__(self, goals: str, people: str, tree: str):
        self.goals, self.people, self.tree = escape(goals), escape(people), escape(tree)

    @classmethod
    def of(cls, context) -> _Bases:
        return cls(context["goals_base"], context["people_base"], context["tree_url"])


def _node(bases: _Bases, goals_word: str, row, swapped: bool) -> str:
    goal = row.goal
    gid = goal.pk
    parts = [
        f'<li class="al-node{" al-focused" if row.focused else ""}" id="goal-{gid}">\n'
        f'  <div class="al-row al-row-{escape(goal.effective_status)}">\n'
    ]
    if row.child_count:
        expanded = row.expanded
        value = ("" if goal.parent_id is None else goal.parent_id) if expanded else gid
        controls = f' aria-controls="kids-{gid}"' if expanded else ""
        parts.append(
            f'    <button type="submit" form="al-nav" name="focus" class="al-toggle" '
            f'value="{value}" aria-expanded="{"true" if expanded else "false"}"{controls} '
            f'hx-get="{bases.tree}goals/{gid}/children/{"?collapse=1" if expanded else ""}" '
            f'hx-target="#goal-{gid}" hx-swap="outerHTML"{" autofocus" if swapped else ""}>\n'
            f'      <span class="al-chevron" aria-hidden="true"></span>'
            f'<span class="visually-hidden">{goals_word} under {escape(goal.title)} '
            f"({row.child_count})</span>\n"
            f"    </button>\n"
        )
    else:
        parts.append('    <span class="al-leaf" aria-hidden="true"></span>\n')
    parts.append(f'    <div class="al-body">{_row(bases, goal, row.child_count)}</div>\n  </div>\n')
    if row.expanded and row.children:
        parts.append(f'  <ul class="al-children" id="kids-{gid}">\n')
        parts.extend(_node(bases, goals_word, child, False) for child in row.children)
        if row.more_offset:
            parts.append(_more(bases, goal, row.more_offset, row.pinned_id))
        parts.append("  </ul>\n")
    parts.append("</li>")
    return "".join(parts)


def _more(bases: _Bases, parent, offset: int, exclude: int | None) -> str:
    url = f"{bases.tree}goals/{parent.pk}/children/?offset={offset}"
    if exclude:
        url += f"&amp;exclude={exclude}"
    return (
        f'<li class="al-more">\n  <a class="button small" href="{url}" hx-get="{url}" '
        f'hx-target="closest li" hx-swap="outerHTML">Show more under {escape(parent.title)}</a>'
        "\n</li>\n"
    )


def _row(bases: _Bases, goal, child_count) -> str:
    goals_base, people_base, tree_url = bases.goals, bases.people, bases.tree
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
    return (
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
