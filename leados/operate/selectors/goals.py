"""Reads of goals, check-ins, links and agreements, and their access functions.

Each access function runs inside the organization's scope and also checks the viewer's
organization, so another organization's object is simply not found.
"""

from __future__ import annotations

from leados.core.access import as_id
from leados.core.errors import NotFound
from leados.core.models import Person
from leados.operate.models import Agreement, CheckIn, Goal, GoalLink, Milestone


def _one(queryset, viewer: Person, object_id):
    obj = queryset.filter(pk=as_id(object_id), organization_id=viewer.organization_id).first()
    if obj is None:
        raise NotFound()
    return obj


def get_goal_for(viewer: Person, goal_id) -> Goal:
    return _one(
        Goal.objects.select_related(
            "unit", "person", "owner", "period", "parent", "plan", "measurable"
        ),
        viewer,
        goal_id,
    )


def get_check_in_for(viewer: Person, check_in_id) -> CheckIn:
    return _one(CheckIn.objects.select_related("goal", "author"), viewer, check_in_id)


def get_goal_link_for(viewer: Person, link_id) -> GoalLink:
    return _one(GoalLink.objects.select_related("source", "target"), viewer, link_id)


def get_milestone_for(viewer: Person, milestone_id) -> Milestone:
    return _one(Milestone.objects.select_related("goal"), viewer, milestone_id)


def get_agreement_for(viewer: Person, agreement_id) -> Agreement:
    return _one(
        Agreement.objects.select_related(
            "goal", "link__source", "link__target", "commitment", "requester", "responder"
        ),
        viewer,
        agreement_id,
    )
