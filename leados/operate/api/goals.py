"""The API's goals collection under /api/v1/orgs/{org}/: goals, their milestones and links,
and the chain up to the root (the vision) and down to the children."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from leados.api.common import (
    ERRORS,
    WRITE_ERRORS,
    Id,
    Input,
    PageParams,
    Text,
    expected_version,
    org_operation,
    paginate,
    reference,
    set_etag,
    stale_check,
)
from leados.api.schemas import DateTime, json_response
from leados.core import policy
from leados.core.access import get_period_for, get_person_for, get_unit_for
from leados.core.errors import Forbidden, NotFound
from leados.core.models import Level, Unit
from leados.core.services._common import field_error
from leados.operate.models import Direction, Goal, GoalKind, GoalLink, GoalStatus, Milestone
from leados.operate.models.goals import (
    DESCRIPTION_MAX,
    MAX_MILESTONES,
    METRIC_UNIT_MAX,
    MILESTONE_TITLE_MAX,
    REASON_MAX,
    TITLE_MAX,
    WEIGHT_MAX,
)
from leados.operate.selectors.goals import get_goal_for, get_goal_link_for
from leados.operate.selectors.plans import get_plan_for
from leados.operate.selectors.scorecards import get_measurable_for
from leados.operate.services import goals as goal_services
from leados.operate.services.goal_feed import goal_link_measurable

router = Router(tags=["goals"])

Number = Annotated[float, Field(ge=-1e15, le=1e15, allow_inf_nan=False)]
Weight = Annotated[int, Field(ge=0, le=WEIGHT_MAX)]


class GoalFilters(Schema):
    q: Text(200) | None = Field(None, description="Part of the title.")
    period: Id | None = None
    unit: Id | None = None
    subtree: bool = Field(False, description="With `unit`: the unit and every unit below it.")
    level: Level | None = None
    owner: Id | None = None
    person: Id | None = Field(None, description="Self goals of this person.")
    status: GoalStatus | None = Field(None, description="The effective status.")
    parent: Id | Literal["none"] | None = Field(
        None, description="Children of this goal; `none` for goals without a parent."
    )
    orphans: bool | None = Field(
        None, description="true: only goals that do not trace up to a strategy goal."
    )
    plan: Id | None = None
    archived: bool = Field(False, description="true: archived goals instead of live ones.")


class MilestoneOut(Schema):
    id: int
    title: str
    done: bool
    position: int
    done_at: DateTime | None


class GoalOut(Schema):
    id: int
    title: str
    description: str
    level: str
    unit: int | None
    unit_name: str | None
    person: int | None = Field(description="Whose Self a self goal belongs to.")
    owner: int
    owner_name: str
    period: int | None = Field(description="Empty for an ongoing process goal.")
    period_label: str | None
    start_date: datetime.date | None
    due_date: datetime.date | None
    plan: int | None
    measurable: int | None
    parent: int | None
    path: list[int] = Field(description="Ancestor ids from the root down to the parent.")
    depth: int
    kind: str
    weight: int
    start_value: float | None
    target_value: float | None
    current_value: float | None
    metric_unit: str
    direction: str
    is_done: bool
    progress: float = Field(description="0 to 1; for a goal that rolls up, its children's.")
    own_progress: float
    rolls_up: bool
    status: str = Field(description="Computed from progress against time elapsed.")
    status_override: str
    status_override_reason: str
    effective_status: str
    confidence: int | None
    last_check_in_at: DateTime | None
    aligned: bool = Field(description="Traces up to a strategy goal, and so to the vision.")
    archived_at: DateTime | None
    version: int
    created_at: DateTime
    updated_at: DateTime


class GoalDetail(GoalOut):
    milestones: list[MilestoneOut]


class GoalList(Schema):
    items: list[GoalOut]
    count: int


class GoalCreate(Input):
    title: Text(TITLE_MAX)
    description: Text(DESCRIPTION_MAX) = ""
    unit: Id | None = Field(None, description="The unit; or `person` for a self goal.")
    person: Id | None = None
    owner: Id | None = Field(None, description="Defaults to the person or the unit's lead.")
    period: Id | None = Field(None, description="Required unless an ongoing process goal.")
    parent: Id | None = None
    plan: Id | None = None
    kind: GoalKind = GoalKind.METRIC
    weight: Weight = 1
    start_value: Number | None = None
    target_value: Number | None = None
    current_value: Number | None = None
    metric_unit: Text(METRIC_UNIT_MAX) = ""
    direction: Direction | None = None
    start_date: datetime.date | None = None
    due_date: datetime.date | None = None
    milestones: list[Text(MILESTONE_TITLE_MAX)] | None = Field(
        None, max_length=MAX_MILESTONES, description="Titles, in order."
    )


class GoalPatch(Input):
    title: Text(TITLE_MAX) = None
    description: Text(DESCRIPTION_MAX) = None
    weight: Weight = None
    period: Id | None = None
    plan: Id | None = None
    measurable: Id | None = Field(
        None, description="Feed this metric goal's current value from a measurable; null stops."
    )
    start_date: datetime.date | None = None
    due_date: datetime.date | None = None
    kind: GoalKind = None
    start_value: Number | None = None
    target_value: Number | None = None
    metric_unit: Text(METRIC_UNIT_MAX) = None
    direction: Direction | None = None
    status_override: GoalStatus | Literal[""] | None = Field(
        None, description="Empty to clear the override."
    )
    status_override_reason: Text(REASON_MAX) = None
    version: int | None = Field(None, description="Instead of If-Match.")


class VersionOnly(Input):
    version: int | None = None


class GoalMove(Input):
    parent: Id | None = Field(None, description="The new parent, or null for a root goal.")
    version: int | None = None


class GoalReassign(Input):
    owner: Id | None = None
    version: int | None = None


class MilestoneIn(Input):
    id: Id | None = Field(None, description="An existing milestone; leave out for a new one.")
    title: Text(MILESTONE_TITLE_MAX)
    done: bool = False


class MilestonesPut(Input):
    milestones: list[MilestoneIn] | None = Field(None, max_length=MAX_MILESTONES)
    version: int | None = None


class LinkOut(Schema):
    id: int
    source: int
    source_title: str
    target: int
    target_title: str
    state: str
    version: int
    created_at: DateTime


class LinkList(Schema):
    items: list[LinkOut]
    count: int


class LinkCreate(Input):
    target: Id | None = Field(None, description="The goal of another unit it contributes to.")


# --------------------------------------------------------------------------- rows

_RELATED = ("unit", "owner", "period")


def goal_row(goal: Goal) -> dict:
    return {
        "id": goal.pk,
        "title": goal.title,
        "description": goal.description,
        "level": goal.level,
        "unit": goal.unit_id,
        "unit_name": goal.unit.name if goal.unit_id else None,
        "person": goal.person_id,
        "owner": goal.owner_id,
        "owner_name": goal.owner.name,
        "period": goal.period_id,
        "period_label": goal.period.label if goal.period_id else None,
        "start_date": goal.start_date,
        "due_date": goal.due_date,
        "plan": goal.plan_id,
        "measurable": goal.measurable_id,
        "parent": goal.parent_id,
        "path": goal.ancestor_ids,
        "depth": goal.depth,
        "kind": goal.kind,
        "weight": goal.weight,
        "start_value": goal.start_value,
        "target_value": goal.target_value,
        "current_value": goal.current_value,
        "metric_unit": goal.metric_unit,
        "direction": goal.direction,
        "is_done": goal.is_done,
        "progress": goal.progress,
        "own_progress": goal.own_progress,
        "rolls_up": goal.rolls_up,
        "status": goal.status,
        "status_override": goal.status_override,
        "status_override_reason": goal.status_override_reason,
        "effective_status": goal.effective_status,
        "confidence": goal.confidence,
        "last_check_in_at": goal.last_check_in_at,
        "aligned": goal.aligned,
        "archived_at": goal.archived_at,
        "version": goal.version,
        "created_at": goal.created_at,
        "updated_at": goal.updated_at,
    }


def goal_rows(goals) -> list[dict]:
    return [goal_row(g) for g in goals.select_related(*_RELATED)]


def _detail(goal_id: int) -> dict:
    goal = Goal.objects.select_related(*_RELATED).get(pk=goal_id)
    row = goal_row(goal)
    row["milestones"] = [
        {
            "id": m.pk,
            "title": m.title,
            "done": m.done,
            "position": m.position,
            "done_at": m.done_at,
        }
        for m in Milestone.objects.filter(goal_id=goal_id)
    ]
    return row


def _answer(response: HttpResponse, goal_id: int) -> dict:
    row = _detail(goal_id)
    response["ETag"] = f'W/"{row["version"]}"'
    return row


def _link_row(link: GoalLink) -> dict:
    return {
        "id": link.pk,
        "source": link.source_id,
        "source_title": link.source.title,
        "target": link.target_id,
        "target_title": link.target.title,
        "state": link.state,
        "version": link.version,
        "created_at": link.created_at,
    }


def _unit_subtree(unit: Unit) -> list[int]:
    """``unit`` and every unit below it, from one read of the unit tree."""
    below: dict[int, list[int]] = {}
    for pk, parent_id in Unit.objects.values_list("id", "parent_id"):
        below.setdefault(parent_id, []).append(pk)
    ids, stack = [], [unit.pk]
    while stack:
        pk = stack.pop()
        ids.append(pk)
        stack.extend(below.get(pk, ()))
    return ids


def _filtered(viewer, filters: GoalFilters):
    goals = Goal.objects.all()
    goals = goals.filter(archived_at__isnull=not filters.archived)
    if filters.q:
        goals = goals.search(filters.q)
    if filters.period is not None:
        goals = goals.filter(period_id=filters.period)
    if filters.unit is not None:
        if filters.subtree:
            try:
                unit = get_unit_for(viewer, filters.unit)
            except NotFound:
                return goals.none()
            goals = goals.filter(unit_id__in=_unit_subtree(unit))
        else:
            goals = goals.filter(unit_id=filters.unit)
    if filters.level is not None:
        goals = goals.filter(level=filters.level)
    if filters.owner is not None:
        goals = goals.filter(owner_id=filters.owner)
    if filters.person is not None:
        goals = goals.filter(person_id=filters.person)
    if filters.status is not None:
        goals = goals.filter(
            Q(status_override=filters.status) | Q(status_override="", status=filters.status)
        )
    if filters.parent == "none":
        goals = goals.filter(parent__isnull=True)
    elif filters.parent is not None:
        goals = goals.filter(parent_id=filters.parent)
    if filters.orphans is not None:
        goals = goals.filter(aligned=not filters.orphans)
    if filters.plan is not None:
        goals = goals.filter(plan_id=filters.plan)
    return goals.order_by("id")


def _location(response: HttpResponse, org: str, what: str, pk: int) -> None:
    response["Location"] = f"/api/v1/orgs/{org}/{what}/{pk}"


# --------------------------------------------------------------------------- goals


@router.get("/{org}/goals", response={200: GoalList, **ERRORS}, summary="List goals")
@org_operation
def list_goals(request, org: str, page: Query[PageParams], filters: Query[GoalFilters]):
    """Live goals (or archived ones with `archived=true`), in id order, filtered."""
    return paginate(_filtered(request.viewer, filters), page, goal_rows, GoalList)


@router.post("/{org}/goals", response={201: GoalDetail, **WRITE_ERRORS}, summary="Set a goal")
@org_operation
def create_goal(request, org: str, payload: GoalCreate, response: HttpResponse):
    """A goal for a unit (`unit`) or a person's Self (`person`). A goal set for someone else
    to own waits for their answer (an agreement)."""
    viewer = request.viewer
    unit = reference(get_unit_for, viewer, payload.unit, "unit")
    person = reference(get_person_for, viewer, payload.person, "person")
    if (unit is None) == (person is None):
        raise field_error("unit", "Set a goal for a unit or for a person's Self, not both.")
    policy.require(viewer, policy.GOAL_CREATE, unit or person)
    goal = goal_services.goal_create(
        organization=request.org,
        actor=viewer,
        title=payload.title,
        description=payload.description,
        unit=unit,
        person=person,
        owner=reference(get_person_for, viewer, payload.owner, "owner"),
        period=reference(get_period_for, viewer, payload.period, "period"),
        parent=reference(get_goal_for, viewer, payload.parent, "parent"),
        plan=reference(get_plan_for, viewer, payload.plan, "plan"),
        kind=payload.kind,
        weight=payload.weight,
        start_value=payload.start_value,
        target_value=payload.target_value,
        current_value=payload.current_value,
        metric_unit=payload.metric_unit,
        direction=payload.direction or "",
        start_date=payload.start_date,
        due_date=payload.due_date,
        milestones=payload.milestones,
    )
    _location(response, org, "goals", goal.pk)
    return Status(201, _answer(response, goal.pk))


@router.get("/{org}/goals/{goal_id}", response={200: GoalDetail, **ERRORS}, summary="A goal")
@org_operation
def get_goal(request, org: str, goal_id: int, response: HttpResponse):
    goal = get_goal_for(request.viewer, goal_id)
    return _answer(response, goal.pk)


@router.patch(
    "/{org}/goals/{goal_id}", response={200: GoalDetail, **WRITE_ERRORS}, summary="Change a goal"
)
@org_operation
def update_goal(request, org: str, goal_id: int, payload: GoalPatch, response: HttpResponse):
    """Title, description, measure, period, dates, plan, weight, status override (with a
    reason). The owner changes through `/reassign`, the parent through `/move`."""
    viewer = request.viewer
    goal = get_goal_for(viewer, goal_id)
    policy.require(viewer, policy.GOAL_CHANGE, goal)
    fields = payload.dict(exclude_unset=True)
    version, from_header = expected_version(request, fields.pop("version", None))
    if "period" in fields:
        fields["period"] = reference(get_period_for, viewer, fields["period"], "period")
    if "plan" in fields:
        fields["plan"] = reference(get_plan_for, viewer, fields["plan"], "plan")
    if "direction" in fields:
        fields["direction"] = fields["direction"] or ""
    for name in ("title", "description", "weight", "kind", "metric_unit"):
        if name in fields and fields[name] is None:
            raise field_error(name, "This cannot be null.")
    linking = "measurable" in fields
    measurable = reference(get_measurable_for, viewer, fields.pop("measurable", None), "measurable")
    with stale_check("goal", version, from_header), transaction.atomic():
        if fields:
            goal = goal_services.goal_update(
                goal=goal, actor=viewer, expected_version=version, **fields
            )
            version = goal.version
        if linking:
            goal = goal_link_measurable(
                goal=goal, measurable=measurable, actor=viewer, expected_version=version
            )
    return _answer(response, goal.pk)


def _versioned(request, goal_id: int, body_version: int | None):
    viewer = request.viewer
    goal = get_goal_for(viewer, goal_id)
    policy.require(viewer, policy.GOAL_CHANGE, goal)
    version, from_header = expected_version(request, body_version)
    return goal, version, from_header


@router.post(
    "/{org}/goals/{goal_id}/move",
    response={200: GoalDetail, **WRITE_ERRORS},
    summary="Align a goal under another (or make it a root)",
)
@org_operation
def move_goal(request, org: str, goal_id: int, payload: GoalMove, response: HttpResponse):
    goal, version, from_header = _versioned(request, goal_id, payload.version)
    if "parent" not in payload.model_fields_set:
        raise field_error("parent", "Give the new parent's id, or null to make it a root goal.")
    parent = reference(get_goal_for, request.viewer, payload.parent, "parent")
    with stale_check("goal", version, from_header):
        goal = goal_services.goal_move(goal=goal, parent=parent, expected_version=version)
    return _answer(response, goal.pk)


@router.post(
    "/{org}/goals/{goal_id}/reassign",
    response={200: GoalDetail, **WRITE_ERRORS},
    summary="Give a goal a new owner",
)
@org_operation
def reassign_goal(request, org: str, goal_id: int, payload: GoalReassign, response: HttpResponse):
    """Unless the new owner is you, they are asked to accept (an agreement)."""
    goal, version, from_header = _versioned(request, goal_id, payload.version)
    if payload.owner is None:
        raise field_error("owner", "Give the new owner's id.")
    owner = reference(get_person_for, request.viewer, payload.owner, "owner")
    with stale_check("goal", version, from_header):
        goal = goal_services.goal_reassign(
            goal=goal, actor=request.viewer, owner=owner, expected_version=version
        )
    return _answer(response, goal.pk)


@router.post(
    "/{org}/goals/{goal_id}/archive",
    response={200: GoalDetail, **WRITE_ERRORS},
    summary="Archive a goal",
)
@org_operation
def archive_goal(
    request, org: str, goal_id: int, response: HttpResponse, payload: VersionOnly | None = None
):
    goal, version, from_header = _versioned(request, goal_id, payload.version if payload else None)
    with stale_check("goal", version, from_header):
        goal = goal_services.goal_archive(goal=goal, expected_version=version)
    return _answer(response, goal.pk)


@router.post(
    "/{org}/goals/{goal_id}/unarchive",
    response={200: GoalDetail, **WRITE_ERRORS},
    summary="Restore an archived goal",
)
@org_operation
def unarchive_goal(
    request, org: str, goal_id: int, response: HttpResponse, payload: VersionOnly | None = None
):
    goal, version, from_header = _versioned(request, goal_id, payload.version if payload else None)
    with stale_check("goal", version, from_header):
        goal = goal_services.goal_unarchive(goal=goal, expected_version=version)
    return _answer(response, goal.pk)


@router.delete(
    "/{org}/goals/{goal_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete a goal set by mistake",
    description="Only a goal with no goals beneath it and no check-ins; archive the others.",
)
@org_operation
def delete_goal(request, org: str, goal_id: int, payload: VersionOnly | None = None):
    goal, version, from_header = _versioned(request, goal_id, payload.version if payload else None)
    with stale_check("goal", version, from_header):
        goal_services.goal_delete(goal=goal, expected_version=version)
    return Status(204, None)


@router.put(
    "/{org}/goals/{goal_id}/milestones",
    response={200: GoalDetail, **WRITE_ERRORS},
    summary="Replace a goal's milestones",
)
@org_operation
def set_milestones(request, org: str, goal_id: int, payload: MilestonesPut, response: HttpResponse):
    """The full ordered list: items with an `id` keep that milestone, items without are new,
    milestones left out are removed. The goal's version moves on."""
    goal, version, from_header = _versioned(request, goal_id, payload.version)
    if payload.milestones is None:
        raise field_error("milestones", "Give the full list of milestones, in order.")
    items = [m.dict() for m in payload.milestones]
    for item in items:
        if item["id"] is None:
            del item["id"]
    with stale_check("goal", version, from_header):
        goal_services.goal_milestones_set(goal=goal, milestones=items, expected_version=version)
    return _answer(response, goal.pk)


@router.get(
    "/{org}/goals/{goal_id}/ancestors",
    response={200: GoalList, **ERRORS},
    summary="The chain above a goal, from the root down to its parent",
)
@org_operation
def goal_ancestors(request, org: str, goal_id: int):
    """Follow a goal up to the vision: when the first item is a strategy goal (``aligned``),
    the goal traces to the vision; otherwise it is an orphan."""
    goal = get_goal_for(request.viewer, goal_id)
    chain = goal.ancestor_ids
    found = {g.pk: g for g in Goal.objects.filter(pk__in=chain).select_related(*_RELATED)}
    items = [goal_row(found[pk]) for pk in chain if pk in found]
    return json_response(GoalList, {"items": items, "count": len(items)})


@router.get(
    "/{org}/goals/{goal_id}/children",
    response={200: GoalList, **ERRORS},
    summary="The goals aligned directly beneath a goal",
)
@org_operation
def goal_children(request, org: str, goal_id: int, page: Query[PageParams], archived: bool = False):
    goal = get_goal_for(request.viewer, goal_id)
    children = Goal.objects.filter(parent=goal, archived_at__isnull=not archived).order_by(
        "title", "id"
    )
    return paginate(children, page, goal_rows, GoalList)


# --------------------------------------------------------------------------- links


@router.get(
    "/{org}/goals/{goal_id}/links",
    response={200: LinkList, **ERRORS},
    summary="What a goal contributes to, and what contributes to it",
)
@org_operation
def list_links(request, org: str, goal_id: int):
    goal = get_goal_for(request.viewer, goal_id)
    links = (
        GoalLink.objects.filter(Q(source=goal) | Q(target=goal))
        .select_related("source", "target")
        .order_by("id")
    )
    items = [_link_row(link) for link in links]
    return json_response(LinkList, {"items": items, "count": len(items)})


@router.post(
    "/{org}/goals/{goal_id}/links",
    response={201: LinkOut, **WRITE_ERRORS},
    summary="Say that a goal contributes to a goal of another unit",
)
@org_operation
def create_link(request, org: str, goal_id: int, payload: LinkCreate, response: HttpResponse):
    """The link counts once the other unit's lead accepts it (an agreement); linking to a
    goal of a unit you lead needs nobody's yes."""
    viewer = request.viewer
    goal = get_goal_for(viewer, goal_id)
    policy.require(viewer, policy.GOAL_CHANGE, goal)
    if payload.target is None:
        raise field_error("target", "Give the id of the goal this one contributes to.")
    target = reference(get_goal_for, viewer, payload.target, "target")
    link = goal_services.goal_link_create(source=goal, target=target, actor=viewer)
    link = GoalLink.objects.select_related("source", "target").get(pk=link.pk)
    response["Location"] = f"/api/v1/orgs/{org}/goals/{goal.pk}/links/{link.pk}"
    set_etag(response, link)
    return Status(201, _link_row(link))


@router.delete(
    "/{org}/goals/{goal_id}/links/{link_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Remove a contributes-to link",
)
@org_operation
def delete_link(request, org: str, goal_id: int, link_id: int):
    """Either side may remove it: whoever may change the source goal or the target goal."""
    viewer = request.viewer
    goal = get_goal_for(viewer, goal_id)
    link = get_goal_link_for(viewer, link_id)
    if goal.pk not in (link.source_id, link.target_id):
        raise NotFound()
    if not (
        policy.can(viewer, policy.GOAL_CHANGE, link.source)
        or policy.can(viewer, policy.GOAL_CHANGE, link.target)
    ):
        raise Forbidden()
    goal_services.goal_link_delete(link=link)
    return Status(204, None)
