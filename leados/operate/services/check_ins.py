"""Check-ins: progress reported on a goal, rolled up the ancestor path in one transaction."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from leados.core.errors import Conflict
from leados.core.history import diff, history_record_each, snapshot
from leados.core.models import HistoryAction, Person
from leados.core.periods import organization_today
from leados.core.services._common import apply_changes, check_version, field_error, lock
from leados.operate.models import CheckIn, Goal, GoalKind, Milestone
from leados.operate.models.goals import COMMENT_MAX, CONFIDENCE_MAX
from leados.operate.services.goals import _number, _text, measure, rollup_ancestors

# What a check-in may change on its goal: the goal is saved with these alone.
CHECK_IN_FIELDS = (
    "current_value", "is_done", "confidence", "last_check_in_at",
    "own_progress", "progress", "rolls_up", "status", "version", "updated_at",
)  # fmt: skip


def _relock(goal: Goal) -> Goal:
    """``goal`` read again under its row lock. Its organization and period are taken from
    ``goal`` when it still points at them (the caller has just read them), so the lock is
    a read of one row rather than a join of three."""
    fresh = lock(goal)
    for name in ("organization", "period"):
        field = Goal._meta.get_field(name)
        cached = field.get_cached_value(goal, None)
        if cached is not None and cached.pk == getattr(fresh, field.attname):
            field.set_cached_value(fresh, cached)
    return fresh


def _milestone_ids(goal: Goal, milestones_done) -> set[int]:
    if not isinstance(milestones_done, list | tuple):
        raise field_error("milestones_done", "Give the ids of the milestones that are done.")
    ids = set()
    for item in milestones_done:
        if isinstance(item, bool) or not str(item).isdigit():
            raise field_error("milestones_done", f"{item!r} is not a milestone id.")
        ids.add(int(item))
    known = set(Milestone.objects.filter(goal=goal).values_list("pk", flat=True))
    unknown = ids - known
    if unknown:
        raise field_error(
            "milestones_done",
            f"Not milestones of this goal: {', '.join(str(i) for i in sorted(unknown))}.",
        )
    return ids


@transaction.atomic
def check_in_create(
    *,
    goal: Goal,
    author: Person,
    value=None,
    milestones_done: list[int] | None = None,
    is_done: bool | None = None,
    confidence: int | None = None,
    comment: str = "",
    expected_version: int | None = None,
    at: datetime.datetime | None = None,
    today: datetime.date | None = None,
) -> CheckIn:
    """Record progress on ``goal`` and move its roll-up and status, and every ancestor's.

    A metric goal takes a ``value``, a milestones goal the ids of the milestones now done,
    a done / not done goal ``is_done``; any goal takes a confidence (0–10) and a comment.
    A check-in with none of these says nothing and is refused.
    """
    goal = _relock(goal)
    check_version(goal, expected_version)
    if goal.is_archived:
        raise Conflict("This goal is archived; restore it to check in.")
    comment = _text("comment", comment, COMMENT_MAX)
    if confidence is not None and (
        isinstance(confidence, bool)
        or not isinstance(confidence, int)
        or not 0 <= confidence <= CONFIDENCE_MAX
    ):
        raise field_error("confidence", f"Confidence is a whole number from 0 to {CONFIDENCE_MAX}.")
    changes: dict = {}
    value = _number("value", value)
    if value is not None:
        if goal.kind != GoalKind.METRIC:
            raise field_error("value", "Only a metric goal takes a value.")
        changes["current_value"] = value
    done_ids = None
    if milestones_done is not None:
        if goal.kind != GoalKind.MILESTONES:
            raise field_error("milestones_done", "Only a milestones goal has milestones to tick.")
        done_ids = _milestone_ids(goal, milestones_done)
    if is_done is not None:
        if goal.kind != GoalKind.BINARY:
            raise field_error("is_done", "Only a done / not done goal takes is_done.")
        changes["is_done"] = bool(is_done)
    if not changes and done_ids is None and confidence is None and not comment:
        raise field_error(
            "value", "Report progress, a confidence or a comment: this check-in says nothing."
        )
    now = at or timezone.now()
    if done_ids is not None:
        for milestone in Milestone.objects.filter(goal=goal):
            done = milestone.pk in done_ids
            if milestone.done != done:
                apply_changes(
                    milestone,
                    {"done": done, "done_at": now if done else None},
                    expected_version=None,
                    exclude=["organization"],
                )
    today = today or organization_today(goal.organization)
    before = (goal.progress, goal.status, goal.rolls_up)
    before_snapshot = snapshot(goal)
    for name, new in changes.items():
        setattr(goal, name, new)
    if confidence is not None:
        goal.confidence = confidence
    goal.last_check_in_at = now
    measure(goal, today)
    check_in = CheckIn(
        organization_id=goal.organization_id,
        goal=goal,
        author=author,
        checked_in_at=now,
        value=value,
        milestones_done=sorted(done_ids) if done_ids is not None else [],
        is_done=is_done if is_done is None else bool(is_done),
        progress=goal.own_progress,
        confidence=confidence,
        comment=comment,
    )
    check_in.save()
    # Every field set above was checked here: the goal is saved without a full_clean.
    goal_changes = diff(before_snapshot, snapshot(goal))
    if goal_changes:
        goal.version += 1
    goal.save(update_fields=CHECK_IN_FIELDS)
    history_record_each(
        [(check_in, HistoryAction.CREATE, {})]
        + ([(goal, HistoryAction.UPDATE, goal_changes)] if goal_changes else [])
    )
    if before != (goal.progress, goal.status, goal.rolls_up):
        rollup_ancestors(goal, today=today)
    return check_in
