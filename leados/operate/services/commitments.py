"""Commitments through the accountability loop: assign → execute → monitor → evaluate → act."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from leados.core.errors import Conflict
from leados.core.history import history_record
from leados.core.models import HistoryAction, Organization, Person, RoleAssignment, Unit, UnitRole
from leados.core.periods import organization_today
from leados.core.services._common import apply_changes, check_version, field_error, lock
from leados.operate.models import (
    Agreement,
    AgreementKind,
    AgreementState,
    Commitment,
    CommitmentAction,
    CommitmentState,
    Evaluation,
    Goal,
)
from leados.operate.models.commitments import DONE_MAX, NOTE_MAX, TITLE_MAX


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


# --- the loop after the assignment ---------------------------------------------------

# The owner's working states, and where the owner may move a commitment with an update.
WORKING_STATES = (CommitmentState.ACCEPTED, CommitmentState.IN_PROGRESS, CommitmentState.AT_RISK)
UPDATE_STATES = (CommitmentState.IN_PROGRESS, CommitmentState.AT_RISK)


def _state_word(commitment: Commitment) -> str:
    return commitment.get_state_display().lower()


def _locked(commitment: Commitment, expected_version: int | None) -> Commitment:
    commitment = lock(commitment)
    check_version(commitment, expected_version)
    return commitment


def _note(field: str, value, *, required: bool = False, why: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise field_error(field, why or "Add a note.")
    if len(value) > NOTE_MAX:
        raise field_error(field, f"Keep this to {NOTE_MAX} characters (it has {len(value)}).")
    return value


def _save(commitment: Commitment, fields: dict) -> Commitment:
    apply_changes(commitment, fields, expected_version=None, exclude=["organization"])
    return commitment


def _today(commitment: Commitment, today: datetime.date | None) -> datetime.date:
    return today or organization_today(commitment.organization)


@transaction.atomic
def commitment_revise(
    *, commitment: Commitment, expected_version: int | None, **terms
) -> Commitment:
    """The assigner rewrites the terms while the owner has not said yes yet. A change the
    owner proposed meanwhile is set aside: the owner is asked again, on the new terms."""
    commitment = _locked(commitment, expected_version)
    if commitment.state != CommitmentState.PROPOSED:
        raise Conflict(
            f"This commitment is {_state_word(commitment)}; its terms can only be rewritten "
            "while it waits for the owner's yes. Agree a change with the owner, or close it "
            "and assign a new one."
        )
    allowed = {"title", "definition_of_done", "due_date"}
    unknown = set(terms) - allowed
    if unknown:
        raise field_error(sorted(unknown)[0], "Only the title, definition of done and due date.")
    if "title" in terms:
        terms["title"] = _text("title", terms["title"], TITLE_MAX, required=True)
    if "definition_of_done" in terms:
        terms["definition_of_done"] = _text(
            "definition_of_done", terms["definition_of_done"], DONE_MAX, required=True
        )
    if "due_date" in terms and not isinstance(terms["due_date"], datetime.date):
        raise field_error("due_date", "Give a due date.")
    changes = apply_changes(commitment, terms, expected_version=None, exclude=["organization"])
    if changes:
        agreement = (
            Agreement.objects.filter(commitment=commitment, state=AgreementState.CHANGE_PROPOSED)
            .select_for_update()
            .first()
        )
        if agreement is not None:
            apply_changes(
                agreement,
                {"state": AgreementState.PROPOSED, "proposed_change": {}, "reason": ""},
                expected_version=None,
                exclude=["organization"],
            )
    return commitment


@transaction.atomic
def commitment_withdraw(
    *, commitment: Commitment, reason: str = "", expected_version: int | None = None
) -> Commitment:
    """The assigner takes back a commitment the owner has not accepted: it closes, and the
    question to the owner is withdrawn."""
    commitment = _locked(commitment, expected_version)
    if commitment.state != CommitmentState.PROPOSED:
        raise Conflict(
            f"This commitment is {_state_word(commitment)}; only a proposed commitment can be "
            "withdrawn. Evaluate it and close it instead."
        )
    reason = _note("reason", reason)
    for agreement in Agreement.objects.filter(commitment=commitment).pending().select_for_update():
        apply_changes(
            agreement,
            {"state": AgreementState.WITHDRAWN, "responded_at": timezone.now()},
            expected_version=None,
            exclude=["organization"],
        )
    return _save(
        commitment,
        {
            "state": CommitmentState.CLOSED,
            "closed_at": timezone.now(),
            "status_note": (f"Withdrawn: {reason}" if reason else "Withdrawn.")[:NOTE_MAX],
        },
    )


@transaction.atomic
def commitment_update(
    *,
    commitment: Commitment,
    state: str,
    status_note: str = "",
    expected_version: int | None = None,
) -> Commitment:
    """The owner reports how it goes: in progress, or at risk (which needs a note saying
    why). Only while the commitment is accepted and not yet marked done."""
    commitment = _locked(commitment, expected_version)
    if state not in UPDATE_STATES:
        raise field_error("state", "Choose in progress or at risk.")
    if commitment.state not in WORKING_STATES:
        if commitment.state == CommitmentState.PROPOSED:
            raise Conflict("Accept this commitment before reporting progress on it.")
        raise Conflict(
            f"This commitment is {_state_word(commitment)}; progress can no longer be reported."
        )
    if commitment.completed_on is not None:
        raise Conflict("This commitment is marked done and waits for its evaluation.")
    note = _note(
        "status_note",
        status_note,
        required=state == CommitmentState.AT_RISK,
        why="Say what puts it at risk, so that your leader can help.",
    )
    return _save(commitment, {"state": state, "status_note": note})


@transaction.atomic
def commitment_complete(
    *,
    commitment: Commitment,
    status_note: str | None = None,
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> Commitment:
    """The owner marks it done today (in the organization's time zone); it then waits for
    the assigner's evaluation."""
    commitment = _locked(commitment, expected_version)
    if commitment.state not in WORKING_STATES:
        if commitment.state == CommitmentState.PROPOSED:
            raise Conflict("Accept this commitment before marking it done.")
        raise Conflict(f"This commitment is {_state_word(commitment)}; it cannot be marked done.")
    if commitment.completed_on is not None:
        raise Conflict(
            f"This commitment was already marked done on {commitment.completed_on.isoformat()}."
        )
    fields = {"completed_on": _today(commitment, today)}
    if status_note is not None:
        fields["status_note"] = _note("status_note", status_note)
    # Done is no longer at risk: it is in progress until evaluated.
    fields["state"] = CommitmentState.IN_PROGRESS
    return _save(commitment, fields)


def may_be_evaluated(commitment: Commitment, today: datetime.date) -> bool:
    """Open and accepted, and either marked done or past its due date; or escalated and
    so up for a fresh look by the leader it went to."""
    if commitment.state in WORKING_STATES:
        return commitment.completed_on is not None or commitment.due_date < today
    return (
        commitment.state == CommitmentState.EVALUATED
        and commitment.action == CommitmentAction.ESCALATE
    )


@transaction.atomic
def commitment_evaluate(
    *,
    commitment: Commitment,
    evaluator: Person,
    evaluation: str,
    note: str = "",
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> Commitment:
    """The assigner (or the leader it was escalated to) judges the result: met, partially
    met or missed. Allowed once the owner marked it done, or once it is overdue."""
    commitment = _locked(commitment, expected_version)
    if evaluation not in Evaluation.values:
        raise field_error("evaluation", "Choose met, partially met or missed.")
    today = _today(commitment, today)
    if not may_be_evaluated(commitment, today):
        if commitment.state == CommitmentState.PROPOSED:
            raise Conflict(
                "The owner has not accepted this commitment; there is nothing to evaluate yet."
            )
        if commitment.state in WORKING_STATES:
            raise Conflict(
                "This commitment is not done and not yet due (due "
                f"{commitment.due_date.isoformat()}); evaluate it once the owner marks it done "
                "or once it is overdue."
            )
        raise Conflict(f"This commitment is already {_state_word(commitment)}.")
    note = _note(
        "note",
        note,
        required=evaluation != Evaluation.MET,
        why="Say what fell short, so that the owner can learn from it.",
    )
    return _save(
        commitment,
        {
            "state": CommitmentState.EVALUATED,
            "evaluation": evaluation,
            "evaluation_note": note,
            "evaluated_by": evaluator,
            "evaluated_at": timezone.now(),
            "action": "",
            "action_note": "",
        },
    )


def leader_of(person: Person, commitment: Commitment) -> Person | None:
    """Whom ``person`` escalates to: their manager, else the lead of the unit above the
    commitment's unit. Nobody who is inactive, ``person`` themselves or already holding it."""
    candidates = []
    if person.manager_id is not None:
        candidates.append(person.manager_id)
    unit = commitment.unit
    if unit is not None and unit.parent_id is not None:
        candidates.extend(
            RoleAssignment.objects.filter(unit_id=unit.parent_id, role=UnitRole.LEAD)
            .order_by("pk")
            .values_list("person_id", flat=True)
        )
    skip = {person.pk, commitment.escalated_to_id}
    for person_id in candidates:
        if person_id in skip:
            continue
        leader = Person.objects.filter(pk=person_id, is_active=True).first()
        if leader is not None:
            return leader
    return None


@transaction.atomic
def commitment_act(
    *,
    commitment: Commitment,
    actor: Person,
    action: str,
    note: str = "",
    due_date: datetime.date | None = None,
    title: str | None = None,
    definition_of_done: str | None = None,
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> Commitment:
    """Act on an evaluated commitment: close it; renew it with a new due date (this one
    closes and a linked renewal starts, accepted by the same owner unless its terms
    change); escalate it to the actor's own leader, who may evaluate it afresh and act; or
    recognize it, closing it with a recognition note. Returns the commitment acted on."""
    commitment = _locked(commitment, expected_version)
    if action not in CommitmentAction.values:
        raise field_error("action", "Choose close, renew, escalate or recognize.")
    if commitment.state != CommitmentState.EVALUATED:
        if commitment.state == CommitmentState.CLOSED:
            raise Conflict("This commitment is closed; there is nothing left to act on.")
        raise Conflict(
            f"This commitment is {_state_word(commitment)}; evaluate it before acting on it."
        )
    now = timezone.now()
    closing = {"state": CommitmentState.CLOSED, "closed_at": now, "action": action}
    if action == CommitmentAction.CLOSE:
        return _save(commitment, {**closing, "action_note": _note("note", note)})
    if action == CommitmentAction.RECOGNIZE:
        if commitment.evaluation == Evaluation.MISSED:
            raise field_error(
                "action", "A missed commitment is not recognized: close, renew or escalate it."
            )
        text = _note("note", note, required=True, why="Say what you recognize.")
        return _save(commitment, {**closing, "action_note": text})
    if action == CommitmentAction.ESCALATE:
        leader = leader_of(actor, commitment)
        if leader is None:
            raise field_error(
                "action",
                "There is nobody to escalate to: you have no manager, and the unit above has "
                "no lead. Give yourself a manager, or close or renew it.",
            )
        text = _note("note", note, required=True, why="Say what you need your leader to do.")
        return _save(commitment, {"action": action, "action_note": text, "escalated_to": leader})
    # Renew.
    today = _today(commitment, today)
    if not isinstance(due_date, datetime.date):
        raise field_error("due_date", "Give the renewal a new due date.")
    if due_date < today:
        raise field_error("due_date", "The new due date cannot be in the past.")
    owner = commitment.owner
    if not owner.is_active:
        raise field_error("action", f"{owner.name} is no longer active; assign a new one.")
    new_title = _text(
        "title", commitment.title if title is None else title, TITLE_MAX, required=True
    )
    new_done = _text(
        "definition_of_done",
        commitment.definition_of_done if definition_of_done is None else definition_of_done,
        DONE_MAX,
        required=True,
    )
    note = _note("note", note)
    _save(commitment, {**closing, "action_note": note})
    same_terms = (new_title, new_done) == (commitment.title, commitment.definition_of_done)
    agreed = same_terms or owner.pk == actor.pk
    renewal = Commitment(
        organization_id=commitment.organization_id,
        title=new_title,
        definition_of_done=new_done,
        owner=owner,
        assigned_by=actor,
        unit=commitment.unit,
        goal=commitment.goal
        if commitment.goal is None or not commitment.goal.is_archived
        else None,
        due_date=due_date,
        state=CommitmentState.ACCEPTED if agreed else CommitmentState.PROPOSED,
        accepted_at=now if agreed else None,
        renewed_from=commitment,
    )
    renewal.full_clean(exclude=["organization"])
    renewal.save()
    history_record(renewal, action=HistoryAction.CREATE)
    if not agreed:
        agreement = Agreement.objects.create(
            organization_id=commitment.organization_id,
            kind=AgreementKind.COMMITMENT,
            commitment=renewal,
            requester=actor,
            responder=owner,
        )
        history_record(agreement, action=HistoryAction.CREATE)
    return commitment


ANSWERS = ("accept", "decline", "propose_change")


@transaction.atomic
def commitment_answer(
    *,
    commitment: Commitment,
    answer: str,
    reason: str = "",
    change: dict | None = None,
    expected_version: int | None = None,
) -> Commitment:
    """Answer the commitment's open question. To the owner's question (is this yours?):
    accept, decline with a reason, or propose a change. To the assigner's (the owner
    would rather have this): accept the change, or decline it and keep the terms."""
    from leados.operate.services.agreements import (
        agreement_accept,
        agreement_accept_change,
        agreement_decline,
        agreement_propose_change,
        agreement_reject_change,
    )

    if answer not in ANSWERS:
        raise field_error("answer", "Accept, decline or propose a change.")
    commitment = _locked(commitment, expected_version)
    agreement = (
        Agreement.objects.filter(commitment=commitment).pending().select_for_update().first()
    )
    if agreement is None:
        raise Conflict(
            f"This commitment is {_state_word(commitment)}; nothing waits for an answer."
        )
    if agreement.state == AgreementState.PROPOSED:
        if answer == "accept":
            agreement_accept(agreement=agreement)
        elif answer == "decline":
            agreement_decline(agreement=agreement, reason=reason)
        else:
            agreement_propose_change(agreement=agreement, change=change or {}, reason=reason)
    elif answer == "accept":
        agreement_accept_change(agreement=agreement)
    elif answer == "decline":
        agreement_reject_change(agreement=agreement, reason=reason)
    else:
        raise Conflict("The owner proposed a change: accept it or decline it.")
    return Commitment.objects.get(pk=commitment.pk)
