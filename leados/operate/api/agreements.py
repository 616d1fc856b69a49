"""The API's agreements under /api/v1/orgs/{org}/: the explicit yes between two parties on
a goal, a contributes-to link or a commitment."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from leados.api.common import (
    ERRORS,
    WRITE_ERRORS,
    Input,
    PageParams,
    Text,
    org_operation,
    paginate,
    set_etag,
    stale_check,
)
from leados.api.common import expected_version as version_from
from leados.api.schemas import DateTime
from leados.core import policy
from leados.core.errors import PreconditionRequired
from leados.operate.models import Agreement, AgreementKind, AgreementState
from leados.operate.models.commitments import NOTE_MAX
from leados.operate.selectors.goals import get_agreement_for
from leados.operate.services import agreements as services

router = Router(tags=["agreements"])


class AgreementFilters(Schema):
    awaiting: Literal["me"] | None = Field(
        None, description="`me`: the pending agreements you are the one to answer."
    )
    state: AgreementState | None = None
    kind: AgreementKind | None = None


class AgreementOut(Schema):
    id: int
    kind: str
    state: str
    subject: str = Field(description="The title of the goal, link or commitment agreed on.")
    goal: int | None
    link: int | None
    commitment: int | None
    requester: int
    requester_name: str
    responder: int
    responder_name: str
    awaiting: int | None = Field(description="Who answers next while it is pending.")
    reason: str
    proposed_change: dict[str, Any]
    responded_at: DateTime | None
    version: int
    created_at: DateTime


class AgreementList(Schema):
    items: list[AgreementOut]
    count: int


class Answer(Input):
    version: int | None = Field(None, description="Instead of If-Match; optional.")


class Decline(Input):
    reason: Text(NOTE_MAX) = ""
    version: int | None = None


class ProposeChange(Input):
    change: dict[str, Any] | None = Field(
        None,
        description="Field → new value: for a goal title, description, target_value, due_date, "
        "weight; for a commitment title, definition_of_done, due_date.",
    )
    reason: Text(NOTE_MAX) = ""
    version: int | None = None


class RejectChange(Input):
    reason: Text(NOTE_MAX) = ""
    version: int | None = None


_RELATED = ("goal", "link__source", "link__target", "commitment", "requester", "responder")


def _subject(agreement: Agreement) -> str:
    if agreement.kind == AgreementKind.GOAL:
        return agreement.goal.title
    if agreement.kind == AgreementKind.LINK:
        link = agreement.link
        return f"{link.source.title} → {link.target.title}"
    return agreement.commitment.title


def _awaiting(agreement: Agreement) -> int | None:
    if agreement.state == AgreementState.PROPOSED:
        return agreement.responder_id
    if agreement.state == AgreementState.CHANGE_PROPOSED:
        return agreement.requester_id
    return None


def _row(agreement: Agreement) -> dict:
    return {
        "id": agreement.pk,
        "kind": agreement.kind,
        "state": agreement.state,
        "subject": _subject(agreement),
        "goal": agreement.goal_id,
        "link": agreement.link_id,
        "commitment": agreement.commitment_id,
        "requester": agreement.requester_id,
        "requester_name": agreement.requester.name,
        "responder": agreement.responder_id,
        "responder_name": agreement.responder.name,
        "awaiting": _awaiting(agreement),
        "reason": agreement.reason,
        "proposed_change": agreement.proposed_change or {},
        "responded_at": agreement.responded_at,
        "version": agreement.version,
        "created_at": agreement.created_at,
    }


def _rows(agreements) -> list[dict]:
    return [_row(a) for a in agreements.select_related(*_RELATED)]


@router.get("/{org}/agreements", response={200: AgreementList, **ERRORS}, summary="List agreements")
@org_operation
def list_agreements(request, org: str, page: Query[PageParams], filters: Query[AgreementFilters]):
    """Newest first. `awaiting=me` lists what you must answer: proposals to you, and changes
    proposed on what you asked."""
    agreements = Agreement.objects.all()
    if filters.awaiting == "me":
        agreements = agreements.awaiting(request.viewer)
    if filters.state is not None:
        agreements = agreements.filter(state=filters.state)
    if filters.kind is not None:
        agreements = agreements.filter(kind=filters.kind)
    return paginate(agreements.order_by("-created_at", "-id"), page, _rows, AgreementList)


@router.get(
    "/{org}/agreements/{agreement_id}",
    response={200: AgreementOut, **ERRORS},
    summary="An agreement",
)
@org_operation
def get_agreement(request, org: str, agreement_id: int, response: HttpResponse):
    agreement = get_agreement_for(request.viewer, agreement_id)
    set_etag(response, agreement)
    return _row(agreement)


def _answer(request, agreement_id: int, body_version: int | None, response, act) -> dict:
    """Only the party who must answer may; a party answering a settled agreement gets 409."""
    viewer = request.viewer
    agreement = get_agreement_for(viewer, agreement_id)
    party = viewer.pk in (agreement.requester_id, agreement.responder_id)
    if agreement.is_pending or not party:
        policy.require(viewer, policy.AGREEMENT_RESPOND, agreement)
    try:
        version, from_header = version_from(request, body_version)
    except PreconditionRequired:
        version, from_header = None, False
    with stale_check("agreement", version, from_header):
        act(agreement, version)
    agreement = get_agreement_for(viewer, agreement.pk)
    set_etag(response, agreement)
    return _row(agreement)


@router.post(
    "/{org}/agreements/{agreement_id}/accept",
    response={200: AgreementOut, **WRITE_ERRORS},
    summary="Accept: the goal is yours, the link counts, the commitment is on",
)
@org_operation
def accept(
    request, org: str, agreement_id: int, response: HttpResponse, payload: Answer | None = None
):
    return _answer(
        request,
        agreement_id,
        payload.version if payload else None,
        response,
        lambda a, v: services.agreement_accept(agreement=a, expected_version=v),
    )


@router.post(
    "/{org}/agreements/{agreement_id}/decline",
    response={200: AgreementOut, **WRITE_ERRORS},
    summary="Decline, with a reason",
)
@org_operation
def decline(request, org: str, agreement_id: int, payload: Decline, response: HttpResponse):
    return _answer(
        request,
        agreement_id,
        payload.version,
        response,
        lambda a, v: services.agreement_decline(
            agreement=a, reason=payload.reason, expected_version=v
        ),
    )


@router.post(
    "/{org}/agreements/{agreement_id}/propose-change",
    response={200: AgreementOut, **WRITE_ERRORS},
    summary="Propose a change instead of accepting",
)
@org_operation
def propose_change(
    request, org: str, agreement_id: int, payload: ProposeChange, response: HttpResponse
):
    return _answer(
        request,
        agreement_id,
        payload.version,
        response,
        lambda a, v: services.agreement_propose_change(
            agreement=a, change=payload.change, reason=payload.reason, expected_version=v
        ),
    )


@router.post(
    "/{org}/agreements/{agreement_id}/accept-change",
    response={200: AgreementOut, **WRITE_ERRORS},
    summary="Accept the change proposed on what you asked (it is applied)",
)
@org_operation
def accept_change(
    request, org: str, agreement_id: int, response: HttpResponse, payload: Answer | None = None
):
    return _answer(
        request,
        agreement_id,
        payload.version if payload else None,
        response,
        lambda a, v: services.agreement_accept_change(agreement=a, expected_version=v),
    )


@router.post(
    "/{org}/agreements/{agreement_id}/reject-change",
    response={200: AgreementOut, **WRITE_ERRORS},
    summary="Keep the original terms; the other side is asked again",
)
@org_operation
def reject_change(
    request, org: str, agreement_id: int, payload: RejectChange, response: HttpResponse
):
    return _answer(
        request,
        agreement_id,
        payload.version,
        response,
        lambda a, v: services.agreement_reject_change(
            agreement=a, reason=payload.reason, expected_version=v
        ),
    )
