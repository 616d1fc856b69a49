"""Agreements: the explicit yes between two parties on a goal, a link or a commitment.

The responder accepts, declines with a reason, or proposes a change; the requester then
accepts the change (it is applied to the subject and the agreement is accepted) or
turns it down (the agreement is proposed again, as it was). Every step is in history.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leados.core.errors import Conflict
from leados.core.services._common import apply_changes, check_version, field_error, lock
from leados.operate.models import (
    Agreement,
    AgreementKind,
    AgreementState,
    Commitment,
    CommitmentState,
    LinkState,
)
from leados.operate.models.commitments import NOTE_MAX

# What a responder may propose to change, per kind of agreement.
CHANGEABLE = {
    AgreementKind.GOAL: {"title", "description", "target_value", "due_date", "weight"},
    AgreementKind.COMMITMENT: {"title", "definition_of_done", "due_date"},
    AgreementKind.LINK: set(),
}


def _reason(reason, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise field_error("reason", "Say why, so the other side can act on it.")
    if len(reason) > NOTE_MAX:
        raise field_error("reason", f"Keep this to {NOTE_MAX} characters.")
    return reason


def _pending(agreement: Agreement, state: str, expected_version: int | None) -> Agreement:
    agreement = lock(agreement)
    check_version(agreement, expected_version)
    if agreement.state != state:
        raise Conflict(
            f"This agreement is {agreement.get_state_display().lower()}; "
            "it is no longer waiting for this answer."
        )
    return agreement


def _settle_subject(agreement: Agreement, *, accepted: bool, reason: str = "") -> None:
    if agreement.kind == AgreementKind.LINK:
        link = lock(agreement.link)
        apply_changes(
            link,
            {"state": LinkState.ACCEPTED if accepted else LinkState.DECLINED},
            expected_version=None,
            exclude=["organization"],
        )
    elif agreement.kind == AgreementKind.COMMITMENT:
        commitment = lock(agreement.commitment)
        if commitment.state != CommitmentState.PROPOSED:
            return
        if accepted:
            fields = {"state": CommitmentState.ACCEPTED, "accepted_at": timezone.now()}
        else:
            fields = {
                "state": CommitmentState.CLOSED,
                "closed_at": timezone.now(),
                "status_note": f"Declined: {reason}"[:NOTE_MAX],
            }
        apply_changes(commitment, fields, expected_version=None, exclude=["organization"])


@transaction.atomic
def agreement_accept(*, agreement: Agreement, expected_version: int | None = None) -> Agreement:
    """The responder says yes: the goal is theirs, the link counts, the commitment is on."""
    agreement = _pending(agreement, AgreementState.PROPOSED, expected_version)
    apply_changes(
        agreement,
        {"state": AgreementState.ACCEPTED, "responded_at": timezone.now()},
        expected_version=None,
        exclude=["organization"],
    )
    _settle_subject(agreement, accepted=True)
    return agreement


@transaction.atomic
def agreement_decline(
    *, agreement: Agreement, reason: str, expected_version: int | None = None
) -> Agreement:
    """The responder says no, with a reason the requester can act on."""
    reason = _reason(reason, required=True)
    agreement = _pending(agreement, AgreementState.PROPOSED, expected_version)
    apply_changes(
        agreement,
        {"state": AgreementState.DECLINED, "reason": reason, "responded_at": timezone.now()},
        expected_version=None,
        exclude=["organization"],
    )
    _settle_subject(agreement, accepted=False, reason=reason)
    return agreement


def _clean_change(agreement: Agreement, change) -> dict:
    if not isinstance(change, dict) or not change:
        raise field_error("proposed_change", "Say what you would change: field → new value.")
    allowed = CHANGEABLE[agreement.kind]
    unknown = set(change) - allowed
    if unknown:
        names = ", ".join(sorted(allowed)) or "nothing; accept or decline instead"
        raise ValidationError({"proposed_change": [f"Only these can be proposed here: {names}."]})
    cleaned = {}
    for name, value in change.items():
        if name == "due_date":
            if isinstance(value, datetime.date):
                value = value.isoformat()
            try:
                datetime.date.fromisoformat(str(value))
            except ValueError:
                raise field_error(
                    "proposed_change", "due_date must be a date (YYYY-MM-DD)."
                ) from None
            cleaned[name] = str(value)
        elif name in ("target_value",):
            try:
                cleaned[name] = float(value)
            except (TypeError, ValueError):
                raise field_error("proposed_change", f"{name} must be a number.") from None
        elif name == "weight":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
                raise field_error("proposed_change", "weight is a whole number from 0 to 100.")
            cleaned[name] = value
        else:
            text = str(value or "").strip()
            if not text and name in ("title", "definition_of_done"):
                raise field_error("proposed_change", f"{name} cannot be empty.")
            cleaned[name] = text[:4000]
    return cleaned


@transaction.atomic
def agreement_propose_change(
    *, agreement: Agreement, change: dict, reason: str = "", expected_version: int | None = None
) -> Agreement:
    """The responder would say yes to something slightly different."""
    agreement = _pending(agreement, AgreementState.PROPOSED, expected_version)
    cleaned = _clean_change(agreement, change)
    apply_changes(
        agreement,
        {
            "state": AgreementState.CHANGE_PROPOSED,
            "proposed_change": cleaned,
            "reason": _reason(reason, required=False),
            "responded_at": timezone.now(),
        },
        expected_version=None,
        exclude=["organization"],
    )
    return agreement


@transaction.atomic
def agreement_accept_change(
    *, agreement: Agreement, expected_version: int | None = None
) -> Agreement:
    """The requester agrees to the proposed change: it is applied, and both have said yes."""
    from leados.operate.services.commitments import commitment_change_terms
    from leados.operate.services.goals import goal_update

    agreement = _pending(agreement, AgreementState.CHANGE_PROPOSED, expected_version)
    change = dict(agreement.proposed_change)
    if "due_date" in change:
        change["due_date"] = datetime.date.fromisoformat(change["due_date"])
    if agreement.kind == AgreementKind.GOAL:
        goal_update(goal=agreement.goal, actor=agreement.requester, expected_version=None, **change)
    elif agreement.kind == AgreementKind.COMMITMENT:
        commitment_change_terms(commitment=agreement.commitment, **change)
    apply_changes(
        agreement,
        {"state": AgreementState.ACCEPTED, "responded_at": timezone.now()},
        expected_version=None,
        exclude=["organization"],
    )
    _settle_subject(agreement, accepted=True)
    return agreement


@transaction.atomic
def agreement_reject_change(
    *, agreement: Agreement, reason: str = "", expected_version: int | None = None
) -> Agreement:
    """The requester keeps the original terms; the responder is asked again."""
    agreement = _pending(agreement, AgreementState.CHANGE_PROPOSED, expected_version)
    apply_changes(
        agreement,
        {
            "state": AgreementState.PROPOSED,
            "proposed_change": {},
            "reason": _reason(reason, required=False),
        },
        expected_version=None,
        exclude=["organization"],
    )
    return agreement


def pending_for_commitment(commitment: Commitment) -> Agreement | None:
    return Agreement.objects.filter(commitment=commitment).pending().first()
