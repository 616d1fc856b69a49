"""Continuous improvement: an idea proposes a change to an SOP; accepted by the owner, it
becomes the SOP's next version (each run keeps the version it was done with)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from leados.core.history import history_record
from leados.core.models import HistoryAction, Person
from leados.core.services._common import apply_changes, field_error, lock
from leados.sops.models import NOTE_MAX, IdeaState, ImprovementIdea, RoutineContent, Sop, SopRun
from leados.sops.services.sops import clean_steps, sop_update


def _text(field: str, value, *, required: bool = False, why: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise field_error(field, why or "This cannot be empty.")
    if len(value) > NOTE_MAX:
        raise field_error(field, f"Keep this to {NOTE_MAX} characters (it has {len(value)}).")
    return value


def _proposal(sop: Sop, proposal: dict | None) -> dict:
    """The proposed content, keeping only what differs from the SOP now."""
    proposal = dict(proposal or {})
    unknown = set(proposal) - set(RoutineContent.CONTENT_FIELDS)
    if unknown:
        raise field_error(
            "proposal", f"An idea changes title, purpose, steps or duration, not {sorted(unknown)}."
        )
    if "steps" in proposal:
        proposal["steps"] = clean_steps(proposal["steps"])
    if "title" in proposal:
        proposal["title"] = (proposal["title"] or "").strip()
        if not proposal["title"]:
            raise field_error("proposal", "A routine needs a title.")
    if "duration_minutes" in proposal:
        minutes = proposal["duration_minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 480:
            raise field_error("proposal", "The duration is 1 to 480 minutes.")
    return {key: value for key, value in proposal.items() if getattr(sop, key) != value}


@transaction.atomic
def idea_propose(
    *,
    sop: Sop,
    proposed_by: Person,
    summary: str,
    proposal: dict | None = None,
    run: SopRun | None = None,
) -> ImprovementIdea:
    """Propose an improvement: a summary (what and why) and, optionally, the changed
    content. Ideas wait for the owner to accept or decline them."""
    if run is not None and run.sop_id != sop.pk:
        raise field_error("run", "This run belongs to another routine.")
    if sop.is_archived:
        raise field_error("sop", "This routine is archived.")
    idea = ImprovementIdea(
        organization_id=sop.organization_id,
        sop=sop,
        run=run,
        proposed_by=proposed_by,
        summary=_text("summary", summary, required=True, why="Say what to change and why."),
        proposal=_proposal(sop, proposal),
        base_version=sop.version_number,
    )
    idea.full_clean(exclude=["organization"])
    idea.save()
    history_record(idea, action=HistoryAction.CREATE)
    return idea


def _decide(idea: ImprovementIdea, expected_version: int | None) -> ImprovementIdea:
    idea = lock(idea, "sop")
    if idea.state != IdeaState.PROPOSED:
        raise field_error("state", f"This idea was already {idea.get_state_display().lower()}.")
    return idea


@transaction.atomic
def idea_accept(
    *,
    idea: ImprovementIdea,
    decided_by: Person,
    expected_version: int | None = None,
    note: str = "",
    proposal: dict | None = None,
) -> ImprovementIdea:
    """Accept an idea: the SOP gets a new version with the proposed content (the owner may
    adjust ``proposal`` first). An idea made on an older version than the SOP's current
    one is still accepted: its changes apply on top of the current content."""
    idea = _decide(idea, expected_version)
    content = _proposal(idea.sop, proposal if proposal is not None else idea.proposal)
    note = _text("note", note)
    apply_changes(
        idea,
        {
            "state": IdeaState.ACCEPTED,
            "decided_by": decided_by,
            "decided_at": timezone.now(),
            "decision_note": note,
            "proposal": content,
        },
        expected_version=expected_version,
        exclude=["organization"],
    )
    if content:
        sop_update(
            sop=idea.sop,
            made_by=decided_by,
            expected_version=None,
            change_note=idea.summary,
            idea=idea,
            **content,
        )
    return idea


@transaction.atomic
def idea_decline(
    *, idea: ImprovementIdea, decided_by: Person, reason: str, expected_version: int | None = None
) -> ImprovementIdea:
    idea = _decide(idea, expected_version)
    apply_changes(
        idea,
        {
            "state": IdeaState.DECLINED,
            "decided_by": decided_by,
            "decided_at": timezone.now(),
            "decision_note": _text("reason", reason, required=True, why="Say why not."),
        },
        expected_version=expected_version,
        exclude=["organization"],
    )
    return idea
