"""The API's check-ins collection under /api/v1/orgs/{org}/: progress reported on goals."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from leados.api.common import (
    ERRORS,
    WRITE_ERRORS,
    AwareDateTime,
    Id,
    Input,
    PageParams,
    Text,
    org_operation,
    paginate,
    reference,
    stale_check,
)
from leados.api.common import expected_version as version_from
from leados.api.schemas import DateTime
from leados.core import policy
from leados.core.errors import PreconditionRequired
from leados.operate.models import CheckIn, Goal
from leados.operate.models.goals import COMMENT_MAX, CONFIDENCE_MAX, MAX_MILESTONES
from leados.operate.selectors.goals import get_check_in_for, get_goal_for
from leados.operate.services.check_ins import check_in_create

router = Router(tags=["check-ins"])


class CheckInFilters(Schema):
    goal: Id | None = None
    author: Id | None = None
    since: AwareDateTime | None = Field(None, description="Checked in at or after this time.")


class CheckInOut(Schema):
    id: int
    goal: int
    goal_title: str
    author: int
    author_name: str
    checked_in_at: DateTime
    value: float | None
    milestones_done: list[int]
    is_done: bool | None
    progress: float = Field(description="The goal's own progress after this check-in.")
    confidence: int | None
    comment: str
    created_at: DateTime


class CheckInList(Schema):
    items: list[CheckInOut]
    count: int


class GoalProgress(Schema):
    id: int
    title: str
    progress: float
    own_progress: float
    rolls_up: bool
    status: str
    effective_status: str
    version: int


class CheckInCreated(CheckInOut):
    rollup: list[GoalProgress] = Field(
        description="The goal and then every goal above it up to the root, as they now are."
    )


class CheckInCreate(Input):
    goal: Id
    value: Annotated[float, Field(ge=-1e15, le=1e15, allow_inf_nan=False)] | None = Field(
        None, description="A metric goal's new current value."
    )
    milestones_done: list[Id] | None = Field(
        None, max_length=MAX_MILESTONES, description="Ids of the milestones now done."
    )
    is_done: bool | None = Field(None, description="For a done / not done goal.")
    confidence: int | None = Field(None, ge=0, le=CONFIDENCE_MAX)
    comment: Text(COMMENT_MAX) = ""
    version: int | None = Field(
        None, description="The goal's version, to refuse a check-in on a changed goal."
    )


def _row(check_in: CheckIn) -> dict:
    return {
        "id": check_in.pk,
        "goal": check_in.goal_id,
        "goal_title": check_in.goal.title,
        "author": check_in.author_id,
        "author_name": check_in.author.name,
        "checked_in_at": check_in.checked_in_at,
        "value": check_in.value,
        "milestones_done": list(check_in.milestones_done or []),
        "is_done": check_in.is_done,
        "progress": check_in.progress,
        "confidence": check_in.confidence,
        "comment": check_in.comment,
        "created_at": check_in.created_at,
    }


def _rows(check_ins) -> list[dict]:
    return [_row(c) for c in check_ins.select_related("goal", "author")]


def _progress(goal: Goal) -> dict:
    return {
        "id": goal.pk,
        "title": goal.title,
        "progress": goal.progress,
        "own_progress": goal.own_progress,
        "rolls_up": goal.rolls_up,
        "status": goal.status,
        "effective_status": goal.effective_status,
        "version": goal.version,
    }


@router.get("/{org}/check-ins", response={200: CheckInList, **ERRORS}, summary="List check-ins")
@org_operation
def list_check_ins(request, org: str, page: Query[PageParams], filters: Query[CheckInFilters]):
    """Latest first."""
    check_ins = CheckIn.objects.all()
    if filters.goal is not None:
        check_ins = check_ins.filter(goal_id=filters.goal)
    if filters.author is not None:
        check_ins = check_ins.filter(author_id=filters.author)
    if filters.since is not None:
        check_ins = check_ins.filter(checked_in_at__gte=filters.since)
    return paginate(check_ins.latest_first(), page, _rows, CheckInList)


@router.post(
    "/{org}/check-ins",
    response={201: CheckInCreated, **WRITE_ERRORS},
    summary="Check in on a goal",
)
@org_operation
def create_check_in(request, org: str, payload: CheckInCreate, response: HttpResponse):
    """Report a value (metric goal), the milestones done (milestones goal) or done / not done,
    with a confidence from 0 to 10 and a comment. The goal's progress and status move, and
    so does the roll-up of every goal above it, in the same transaction; the answer shows
    them all. The goal's version (If-Match or `version`) is optional."""
    viewer = request.viewer
    goal = reference(get_goal_for, viewer, payload.goal, "goal")
    policy.require(viewer, policy.GOAL_CHECK_IN, goal)
    try:
        version, from_header = version_from(request, payload.version)
    except PreconditionRequired:
        version, from_header = None, False
    with stale_check("goal", version, from_header):
        check_in = check_in_create(
            goal=goal,
            author=viewer,
            value=payload.value,
            milestones_done=payload.milestones_done,
            is_done=payload.is_done,
            confidence=payload.confidence,
            comment=payload.comment,
            expected_version=version,
        )
    goal = Goal.objects.get(pk=goal.pk)
    above = {g.pk: g for g in Goal.objects.filter(pk__in=goal.ancestor_ids)}
    chain = [goal] + [above[pk] for pk in reversed(goal.ancestor_ids) if pk in above]
    check_in = CheckIn.objects.select_related("goal", "author").get(pk=check_in.pk)
    response["Location"] = f"/api/v1/orgs/{org}/check-ins/{check_in.pk}"
    return Status(201, {**_row(check_in), "rollup": [_progress(g) for g in chain]})


@router.get(
    "/{org}/check-ins/{check_in_id}",
    response={200: CheckInOut, **ERRORS},
    summary="A check-in",
)
@org_operation
def get_check_in(request, org: str, check_in_id: int):
    return _row(get_check_in_for(request.viewer, check_in_id))
