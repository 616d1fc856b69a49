"""The API's commitments collection under /api/v1/orgs/{org}/: the accountability loop
(assign → execute → monitor → evaluate → act) and each person's follow-through record."""

from __future__ import annotations

import datetime
from typing import Literal

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
from leados.core import policy
from leados.core.access import get_person_for, get_unit_for
from leados.core.errors import Forbidden
from leados.core.models import Level
from leados.core.periods import organization_today
from leados.core.services._common import field_error
from leados.operate.models import (
    Commitment,
    CommitmentAction,
    CommitmentState,
    Evaluation,
)
from leados.operate.models.commitments import DONE_MAX, NOTE_MAX, TITLE_MAX
from leados.operate.selectors.commitments import commitments_list as select_commitments
from leados.operate.selectors.commitments import (
    follow_through,
    get_commitment_for,
    pending_agreement,
    with_related,
)
from leados.operate.selectors.goals import get_goal_for
from leados.operate.services import commitments as services

router = Router(tags=["commitments"])

WHAT = "commitment"


# --- schemas -------------------------------------------------------------------------------


class PersonRef(Schema):
    id: int
    name: str


class UnitRef(Schema):
    id: int
    name: str
    level: Level


class GoalRef(Schema):
    id: int
    title: str


class AgreementOut(Schema):
    id: int
    state: str = Field(
        description="`proposed` (the owner answers) or `change_proposed` "
        "(the assigner answers the owner's proposed change)."
    )
    requester: PersonRef
    responder: PersonRef
    reason: str
    proposed_change: dict
    version: int


class CommitmentOut(Schema):
    id: int
    title: str
    definition_of_done: str
    owner: PersonRef
    assigned_by: PersonRef
    unit: UnitRef | None
    goal: GoalRef | None
    due_date: datetime.date
    state: CommitmentState
    status_note: str
    accepted_at: datetime.datetime | None
    completed_on: datetime.date | None
    overdue: bool = Field(description="Open and past its due date (the organization's today).")
    awaiting_evaluation: bool = Field(description="Marked done by the owner, not yet evaluated.")
    met_on_time: bool
    evaluation: Evaluation | Literal[""]
    evaluation_note: str
    evaluated_by: PersonRef | None
    evaluated_at: datetime.datetime | None
    action: CommitmentAction | Literal[""]
    action_note: str
    escalated_to: PersonRef | None
    renewed_from: int | None
    closed_at: datetime.datetime | None
    pending_agreement: AgreementOut | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CommitmentList(Schema):
    items: list[CommitmentOut]
    count: int


class CommitmentFilters(Schema):
    owner: Id | None = None
    assigned_by: Id | None = None
    escalated_to: Id | None = None
    unit: Id | None = None
    goal: Id | None = None
    state: CommitmentState | None = None
    open: bool | None = Field(None, description="Only open (true) or only finished (false).")
    overdue: bool | None = Field(None, description="Open and past the due date.")
    awaiting_evaluation: bool | None = Field(
        None, description="Marked done by the owner, not yet evaluated."
    )


class CommitmentCreate(Input):
    owner: Id | None = Field(None, description="The person who will own it (required).")
    title: Text(TITLE_MAX) = ""
    definition_of_done: Text(DONE_MAX) = ""
    due_date: datetime.date | None = None
    goal: Id | None = None
    unit: Id | None = Field(None, description="Defaults to the goal's unit.")


class CommitmentPatch(Input):
    title: Text(TITLE_MAX) = None
    definition_of_done: Text(DONE_MAX) = None
    due_date: datetime.date = None
    version: int | None = Field(None, description="Instead of If-Match.")


class VersionOnly(Input):
    version: int | None = Field(None, description="Instead of If-Match.")


class ReasonIn(Input):
    reason: Text(NOTE_MAX) = ""
    version: int | None = Field(None, description="Instead of If-Match.")


class ChangeIn(Input):
    title: Text(TITLE_MAX) = None
    definition_of_done: Text(DONE_MAX) = None
    due_date: datetime.date = None
    reason: Text(NOTE_MAX) = ""
    version: int | None = Field(None, description="Instead of If-Match.")


class UpdateIn(Input):
    state: Literal["in_progress", "at_risk"] | None = Field(
        None, description="`in_progress` or `at_risk` (which needs a status note)."
    )
    status_note: Text(NOTE_MAX) = ""
    version: int | None = Field(None, description="Instead of If-Match.")


class CompleteIn(Input):
    status_note: Text(NOTE_MAX) | None = None
    version: int | None = Field(None, description="Instead of If-Match.")


class EvaluateIn(Input):
    evaluation: Evaluation | None = Field(None, description="`met`, `partially_met`, `missed`.")
    note: Text(NOTE_MAX) = Field("", description="Required unless met.")
    version: int | None = Field(None, description="Instead of If-Match.")


class ActIn(Input):
    action: CommitmentAction | None = Field(
        None, description="`close`, `renew`, `escalate` or `recognize`."
    )
    note: Text(NOTE_MAX) = Field("", description="Required to escalate and to recognize.")
    due_date: datetime.date | None = Field(None, description="Renew: the new due date.")
    title: Text(TITLE_MAX) | None = Field(None, description="Renew: new terms, if any.")
    definition_of_done: Text(DONE_MAX) | None = Field(None, description="Renew: new terms.")
    version: int | None = Field(None, description="Instead of If-Match.")


class BucketOut(Schema):
    start: datetime.date
    end: datetime.date = Field(description="Exclusive.")
    count: int
    met_on_time: int
    rate: float | None


class FollowThroughOut(Schema):
    person: PersonRef
    today: datetime.date
    days: int
    count: int = Field(description="Commitments evaluated in the last 90 days.")
    met_on_time: int
    rate: float | None
    previous_count: int = Field(description="The same for the 90 days before.")
    previous_met_on_time: int
    previous_rate: float | None
    trend: Literal["up", "down", "flat", ""]
    buckets: list[BucketOut] = Field(description="Per 30 days, oldest first.")


# --- rows ------------------------------------------------------------------------------------


def _person(person) -> dict | None:
    return None if person is None else {"id": person.pk, "name": person.name}


def _agreement(agreement) -> dict | None:
    if agreement is None:
        return None
    return {
        "id": agreement.pk,
        "state": agreement.state,
        "requester": _person(agreement.requester),
        "responder": _person(agreement.responder),
        "reason": agreement.reason,
        "proposed_change": agreement.proposed_change,
        "version": agreement.version,
    }


def _out(commitment: Commitment, today: datetime.date, agreement) -> dict:
    unit, goal = commitment.unit, commitment.goal
    return {
        "id": commitment.pk,
        "title": commitment.title,
        "definition_of_done": commitment.definition_of_done,
        "owner": _person(commitment.owner),
        "assigned_by": _person(commitment.assigned_by),
        "unit": None if unit is None else {"id": unit.pk, "name": unit.name, "level": unit.level},
        "goal": None if goal is None else {"id": goal.pk, "title": goal.title},
        "due_date": commitment.due_date,
        "state": commitment.state,
        "status_note": commitment.status_note,
        "accepted_at": commitment.accepted_at,
        "completed_on": commitment.completed_on,
        "overdue": commitment.is_overdue(today),
        "awaiting_evaluation": commitment.is_open and commitment.completed_on is not None,
        "met_on_time": commitment.met_on_time,
        "evaluation": commitment.evaluation,
        "evaluation_note": commitment.evaluation_note,
        "evaluated_by": _person(commitment.evaluated_by),
        "evaluated_at": commitment.evaluated_at,
        "action": commitment.action,
        "action_note": commitment.action_note,
        "escalated_to": _person(commitment.escalated_to),
        "renewed_from": commitment.renewed_from_id,
        "closed_at": commitment.closed_at,
        "pending_agreement": _agreement(agreement),
        "version": commitment.version,
        "created_at": commitment.created_at,
        "updated_at": commitment.updated_at,
    }


def _rows(today: datetime.date):
    def rows(queryset) -> list[dict]:
        return [
            _out(c, today, next(iter(c.pending_agreements), None)) for c in with_related(queryset)
        ]

    return rows


def _answer(request, commitment_id: int, response: HttpResponse) -> dict:
    commitment = get_commitment_for(request.viewer, commitment_id)
    return _one(request, commitment, response)


def _one(request, commitment: Commitment, response: HttpResponse) -> dict:
    fresh = get_commitment_for(request.viewer, commitment.pk)
    set_etag(response, fresh)
    return _out(fresh, organization_today(request.org), pending_agreement(fresh))


# --- routes ------------------------------------------------------------------------------------


@router.get(
    "/{org}/commitments", response={200: CommitmentList, **ERRORS}, summary="List commitments"
)
@org_operation
def list_commitments(request, org: str, page: Query[PageParams], filters: Query[CommitmentFilters]):
    """Soonest due first. Filters combine; `overdue` and `awaiting_evaluation` only
    match open commitments."""
    today = organization_today(request.org)
    commitments = select_commitments(
        today=today,
        owner=filters.owner,
        assigned_by=filters.assigned_by,
        escalated_to=filters.escalated_to,
        unit=filters.unit,
        goal=filters.goal,
        state=filters.state,
        open_only=filters.open,
        overdue=filters.overdue,
        awaiting_evaluation=filters.awaiting_evaluation,
    )
    return paginate(commitments, page, _rows(today), CommitmentList)


@router.post(
    "/{org}/commitments",
    response={201: CommitmentOut, **WRITE_ERRORS},
    summary="Assign a commitment",
    description="Assigned to someone else it is `proposed` until they accept; a commitment "
    "to yourself is `accepted` at once.",
)
@org_operation
def create_commitment(request, org: str, payload: CommitmentCreate, response: HttpResponse):
    viewer = request.viewer
    if not policy.can(viewer, policy.COMMITMENT_ASSIGN, viewer):
        raise Forbidden()
    if payload.owner is None:
        raise field_error("owner", "Say who will own it.")
    owner = reference(get_person_for, viewer, payload.owner, "owner")
    policy.require(viewer, policy.COMMITMENT_ASSIGN, owner)
    goal = reference(get_goal_for, viewer, payload.goal, "goal")
    unit = reference(get_unit_for, viewer, payload.unit, "unit")
    commitment = services.commitment_assign(
        organization=request.org,
        assigned_by=viewer,
        owner=owner,
        title=payload.title,
        definition_of_done=payload.definition_of_done,
        due_date=payload.due_date,
        goal=goal,
        unit=unit,
    )
    return Status(201, _one(request, commitment, response))


@router.get(
    "/{org}/commitments/{commitment_id}",
    response={200: CommitmentOut, **ERRORS},
    summary="A commitment",
)
@org_operation
def get_commitment(request, org: str, commitment_id: int, response: HttpResponse):
    return _answer(request, commitment_id, response)


@router.patch(
    "/{org}/commitments/{commitment_id}",
    response={200: CommitmentOut, **WRITE_ERRORS},
    summary="Rewrite the terms while proposed",
    description="The assigner changes title, definition of done or due date before the owner "
    "has accepted. A change the owner proposed meanwhile is set aside and the owner is "
    "asked again.",
)
@org_operation
def update_commitment(
    request, org: str, commitment_id: int, payload: CommitmentPatch, response: HttpResponse
):
    commitment = get_commitment_for(request.viewer, commitment_id)
    policy.require(request.viewer, policy.COMMITMENT_EVALUATE, commitment)
    fields = payload.dict(exclude_unset=True)
    version, from_header = expected_version(request, fields.pop("version", None))
    for name in ("title", "definition_of_done", "due_date"):
        if name in fields and fields[name] is None:
            raise field_error(name, "This cannot be empty.")
    with stale_check(WHAT, version, from_header):
        commitment = services.commitment_revise(
            commitment=commitment, expected_version=version, **fields
        )
    return _one(request, commitment, response)


def _respond(request, commitment_id: int, answer: str, payload, response: HttpResponse, **kw):
    viewer = request.viewer
    commitment = get_commitment_for(viewer, commitment_id)
    agreement = pending_agreement(commitment)
    if agreement is not None:
        policy.require(viewer, policy.AGREEMENT_RESPOND, agreement)
    elif not (
        policy.can(viewer, policy.COMMITMENT_UPDATE, commitment)
        or policy.can(viewer, policy.COMMITMENT_EVALUATE, commitment)
    ):
        raise Forbidden()
    version, from_header = expected_version(request, payload.version if payload else None)
    with stale_check(WHAT, version, from_header):
        commitment = services.commitment_answer(
            commitment=commitment, answer=answer, expected_version=version, **kw
        )
    return _one(request, commitment, response)


@router.post(
    "/{org}/commitments/{commitment_id}/accept",
    response={200: CommitmentOut, **WRITE_ERRORS},
    summary="Accept",
    description="The owner says yes to a proposed commitment; or, when the owner proposed a "
    "change, the assigner accepts the change.",
)
@org_operation
def accept_commitment(
    request,
    org: str,
    commitment_id: int,
    response: HttpResponse,
    payload: VersionOnly | None = None,
):
    return _respond(request, commitment_id, "accept", payload, response)


@router.post(
    "/{org}/commitments/{commitment_id}/decline",
    response={200: CommitmentOut, **WRITE_ERRORS},
    summary="Decline",
    description="The owner says no, with a reason (the commitment closes); or the assigner "
    "turns down the owner's proposed change (the owner is asked again).",
)
@org_operation
def decline_commitment(
    request, org: str, commitment_id: int, response: HttpResponse, payload: ReasonIn | None = None
):
    reason = payload.reason if payload else ""
    return _respond(request, commitment_id, "decline", payload, response, reason=reason)


@router.post(
    "/{org}/commitments/{commitment_id}/propose-change",
    response={200: CommitmentOut, **WRITE_ERRORS},
    summary="Propose a change",
    description="The owner would say yes to different terms (title, definition of done, "
    "due date); the assigner then accepts or declines the change.",
)
@org_operation
def propose_change(
    request, org: str, commitment_id: int, response: HttpResponse, payload: ChangeIn | None = None
):
    change = {}
    if payload is not None:
        change = payload.dict(exclude_unset=True, exclude={"reason", "version"})
    reason = payload.reason if payload else ""
    return _respond(
        request, commitment_id, "propose_change", payload, response, change=change, reason=reason
    )


@router.post(
    "/{org}/commitments/{commitment_id}/update",
    response={200: CommitmentOut, **WRITE_ERRORS},
    summary="Report progress",
    description="The owner: `in_progress`, or `at_risk` with a note saying why.",
)
@org_operation
def report_progress(
    request, org: str, commitment_id: int, response: HttpResponse, payload: UpdateIn | None = None
):
    commitment = get_commitment_for(request.viewer, commitment_id)
    policy.require(request.viewer, policy.COMMITMENT_UPDATE, commitment)
    payload = payload or UpdateIn()
    version, from_header = expected_version(request, payload.version)
    with stale_check(WHAT, version, from_header):
        commitment = services.commitment_update(
            commitment=commitment,
            state=payload.state or "",
            status_note=payload.status_note,
            expected_version=version,
        )
    return _one(request, commitment, response)


@router.post(
    "/{org}/commitments/{commitment_id}/complete",
    response={200: CommitmentOut, **WRITE_ERRORS},
    summary="Mark done",
    description="The owner marks it done today; it then awaits the assigner's evaluation.",
)
@org_operation
def complete_commitment(
    request, org: str, commitment_id: int, response: HttpResponse, payload: CompleteIn | None = None
):
    commitment = get_commitment_for(request.viewer, commitment_id)
    policy.require(request.viewer, policy.COMMITMENT_UPDATE, commitment)
    payload = payload or CompleteIn()
    version, from_header = expected_version(request, payload.version)
    with stale_check(WHAT, version, from_header):
        commitment = services.commitment_complete(
            commitment=commitment, status_note=payload.status_note, expected_version=version
        )
    return _one(request, commitment, response)


@router.post(
    "/{org}/commitments/{commitment_id}/evaluate",
    response={200: CommitmentOut, **WRITE_ERRORS},
    summary="Evaluate",
    description="The assigner (or the leader it was escalated to): met, partially met or "
    "missed, with a note unless met. Allowed once marked done or once overdue.",
)
@org_operation
def evaluate_commitment(
    request, org: str, commitment_id: int, response: HttpResponse, payload: EvaluateIn | None = None
):
    commitment = get_commitment_for(request.viewer, commitment_id)
    policy.require(request.viewer, policy.COMMITMENT_EVALUATE, commitment)
    payload = payload or EvaluateIn()
    version, from_header = expected_version(request, payload.version)
    with stale_check(WHAT, version, from_header):
        commitment = services.commitment_evaluate(
            commitment=commitment,
            evaluator=request.viewer,
            evaluation=payload.evaluation or "",
            note=payload.note,
            expected_version=version,
        )
    return _one(request, commitment, response)


@router.post(
    "/{org}/commitments/{commitment_id}/act",
    response={200: CommitmentOut, **WRITE_ERRORS},
    summary="Act on the evaluation",
    description="`close`; `renew` with a new `due_date` (this one closes, a linked renewal "
    "starts: accepted by the same owner unless title or definition of done change); "
    "`escalate` to your own leader (note required); `recognize` (note required). Answers "
    "the commitment acted on; a renewal lists with `renewed_from`.",
)
@org_operation
def act_on_commitment(
    request, org: str, commitment_id: int, response: HttpResponse, payload: ActIn | None = None
):
    commitment = get_commitment_for(request.viewer, commitment_id)
    policy.require(request.viewer, policy.COMMITMENT_EVALUATE, commitment)
    payload = payload or ActIn()
    version, from_header = expected_version(request, payload.version)
    with stale_check(WHAT, version, from_header):
        commitment = services.commitment_act(
            commitment=commitment,
            actor=request.viewer,
            action=payload.action or "",
            note=payload.note,
            due_date=payload.due_date,
            title=payload.title,
            definition_of_done=payload.definition_of_done,
            expected_version=version,
        )
    return _one(request, commitment, response)


@router.post(
    "/{org}/commitments/{commitment_id}/withdraw",
    response={200: CommitmentOut, **WRITE_ERRORS},
    summary="Withdraw",
    description="The assigner takes back a commitment the owner has not accepted.",
)
@org_operation
def withdraw_commitment(
    request, org: str, commitment_id: int, response: HttpResponse, payload: ReasonIn | None = None
):
    commitment = get_commitment_for(request.viewer, commitment_id)
    policy.require(request.viewer, policy.COMMITMENT_EVALUATE, commitment)
    payload = payload or ReasonIn()
    version, from_header = expected_version(request, payload.version)
    with stale_check(WHAT, version, from_header):
        commitment = services.commitment_withdraw(
            commitment=commitment, reason=payload.reason, expected_version=version
        )
    return _one(request, commitment, response)


@router.get(
    "/{org}/people/{person_id}/follow-through",
    response={200: FollowThroughOut, **ERRORS},
    summary="A person's follow-through record",
    description="Commitments evaluated in the last 90 days and how many were met on time, "
    "the same for the 90 days before, and per 30 days.",
)
@org_operation
def get_follow_through(request, org: str, person_id: int):
    person = get_person_for(request.viewer, person_id)
    today = organization_today(request.org)
    record = follow_through(person, today, request.org)
    return {
        "person": _person(person),
        "today": today,
        "days": 90,
        "count": record.count,
        "met_on_time": record.met_on_time,
        "rate": record.rate,
        "previous_count": record.previous_count,
        "previous_met_on_time": record.previous_met_on_time,
        "previous_rate": record.previous_rate,
        "trend": record.trend,
        "buckets": [
            {
                "start": b.start,
                "end": b.end,
                "count": b.count,
                "met_on_time": b.met_on_time,
                "rate": b.rate,
            }
            for b in record.buckets
        ],
    }
