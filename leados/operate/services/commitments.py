"""Commitments through the accountability loop: assign → execute → monitor → evaluate → act."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from leados.core.history import history_record
from leados.core.models import HistoryAction, Organization, Person, Unit
from leados.core.services._common import apply_changes, field_error, lock
from leados.operate.models import (
    Agreement,
    AgreementKind,
    Commitment,
    CommitmentState,
    Goal,
)
from leados.operate.models.commitments import DONE_MAX, TITLE_MAX


def _text(field: str, value, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise field_error(field, "This cannot be empty.")
    if len(value) > limit:
        raise field_error(field, f"Keep this to {limit} characters (it has {len(value)}).")
    return value


def _same_org(obj, organization_id: int, field: str) -> None:
    if obj is not None and obj.organization_id != organization_id:
        raise field_error(field, "This does not exist.")


@transaction.atomic
def commitment_assign(
    *,
    organization: Organization,
    assigned_by: Person,
    owner: Person,
    title: str,
    definition_of_done: str,
    due_date: datetime.date,
    goal: Goal | None = None,
    unit: Unit | None = None,
) -> Commitment:
    """Assign a commitment. Assigned to someone else it is proposed until they accept;
    a commitment to oneself is accepted at once."""
    org_id = organization.pk
    for obj, field in ((owner, "owner"), (goal, "goal"), (unit, "unit")):
        _same_org(obj, org_id, field)
    if not owner.is_active:
        raise field_error("owner", "The owner must be an active member of the organization.")
    if goal is not None and goal.is_archived:
        raise field_error("goal", "This goal is archived.")
    if unit is None and goal is not None:
        unit = goal.unit
    if not isinstance(due_date, datetime.date):
        raise field_error("due_date", "Give a due date.")
    own = owner.pk == assigned_by.pk
    commitment = Commitment(
        organization_id=org_id,
        title=_text("title", title, TITLE_MAX, required=True),
        definition_of_done=_text("definition_of_done", definition_of_done, DONE_MAX, required=True),
        owner=owner,
        assigned_by=assigned_by,
        goal=goal,
        unit=unit,
        due_date=due_date,
        state=CommitmentState.ACCEPTED if own else CommitmentState.PROPOSED,
        accepted_at=timezone.now() if own else None,
    )
    commitment.full_clean(exclude=["organization"])
    commitment.save()
    history_record(commitment, action=HistoryAction.CREATE)
    if not own:
        agreement = Agreement.objects.create(
            organization_id=org_id,
            kind=AgreementKind.COMMITMENT,
            commitment=commitment,
            requester=assigned_by,
            responder=owner,
        )
        history_record(agreement, action=HistoryAction.CREATE)
    return commitment


@transaction.atomic
def commitment_change_terms(*, commitment: Commitment, **terms) -> Commitment:
    """Apply agreed terms (title, definition of done, due date) to a commitment."""
    allowed = {"title", "definition_of_done", "due_date"}
    if set(terms) - allowed:
        raise field_error("proposed_change", "Only title, definition_of_done and due_date.")
    commitment = lock(commitment)
    if "title" in terms:
        terms["title"] = _text("title", terms["title"], TITLE_MAX, required=True)
    if "definition_of_done" in terms:
        terms["definition_of_done"] = _text(
            "definition_of_done", terms["definition_of_done"], DONE_MAX, required=True
        )
    apply_changes(commitment, terms, expected_version=None, exclude=["organization"])
    return commitment
