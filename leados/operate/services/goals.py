"""Writes to goals: create, change, move, archive, delete, milestones, roll-up.

Rules enforced here, each with a message a person can act on: a goal belongs to a live
unit or to a person's Self; it has a period unless it is an ongoing process goal; its
dates lie inside its period; its parent is a live goal of the same organization at the
same or a higher level, and never the goal itself or one beneath it.

Every change to a goal's measure or its place in the tree updates the stored roll-up of
every ancestor and their status in the same transaction (``rollup_ancestors``).
"""

from __future__ import annotations

import datetime
import math
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from leados.core.errors import Conflict
from leados.core.history import diff, history_record, history_record_many, snapshot
from leados.core.models import (
    HistoryAction,
    Level,
    Organization,
    Period,
    Person,
    RoleAssignment,
    Unit,
    UnitRole,
)
from leados.core.periods import organization_today
from leados.core.services._common import apply_changes, check_version, field_error, lock
from leados.operate import progress as calc
from leados.operate.models import (
    LEVEL_RANK,
    Agreement,
    AgreementKind,
    AgreementState,
    Direction,
    Goal,
    GoalKind,
    GoalLink,
    Milestone,
    Plan,
)
from leados.operate.models.goals import (
    DESCRIPTION_MAX,
    MAX_DEPTH,
    MAX_MILESTONES,
    MILESTONE_TITLE_MAX,
    REASON_MAX,
    TITLE_MAX,
)

UPDATABLE = {
    "title",
    "description",
    "weight",
    "period",
    "start_date",
    "due_date",
    "plan",
    "kind",
    "start_value",
    "target_value",
    "metric_unit",
    "direction",
    "status_override",
    "status_override_reason",
}


# ---------------------------------------------------------------------------- checks


def _text(field: str, value, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise field_error(field, "This cannot be empty.")
    if len(value) > limit:
        raise field_error(field, f"Keep this to {limit} characters (it has {len(value)}).")
    return value


def _number(field: str, value) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise field_error(field, "Enter a number.") from None
    if not math.isfinite(number) or abs(number) > 1e15:
        raise field_error(field, "Enter a finite number no larger than 10^15.")
    return number


def _same_org(obj, organization_id: int, field: str) -> None:
    if obj is not None and obj.organization_id != organization_id:
        raise field_error(field, "This does not exist.")


def _check_metric(goal: Goal) -> None:
    if goal.kind != GoalKind.METRIC:
        return
    errors = {}
    if goal.start_value is None:
        errors["start_value"] = ["A metric goal needs a start value."]
    if goal.target_value is None:
        errors["target_value"] = ["A metric goal needs a target value."]
    if errors:
        raise ValidationError(errors)
    natural = Direction.UP if goal.target_value >= goal.start_value else Direction.DOWN
    if not goal.direction:
        goal.direction = natural
    elif goal.target_value != goal.start_value and goal.direction != natural:
        word = "above" if goal.direction == Direction.UP else "below"
        raise field_error(
            "target_value",
            f"{Direction(goal.direction).label}: the target must lie {word} the start value.",
        )
    if goal.current_value is None:
        goal.current_value = goal.start_value


def _check_dates(goal: Goal) -> None:
    if goal.period_id is None:
        if goal.level != Level.PROCESS:
            raise field_error(
                "period", "Choose a period; only process goals may be ongoing without one."
            )
        return
    period = goal.period
    for field in ("start_date", "due_date"):
        day = getattr(goal, field)
        if day is not None and not period.start <= day <= period.end:
            raise field_error(
                field,
                f"Pick a date inside {period.label} ({period.start:%d %b %Y} to "
                f"{period.end:%d %b %Y}).",
            )
    if goal.start_date and goal.due_date and goal.due_date < goal.start_date:
        raise field_error("due_date", "The due date cannot be before the start date.")


def _check_plan(goal: Goal) -> None:
    if goal.plan_id is None:
        return
    plan = goal.plan
    _same_org(plan, goal.organization_id, "plan")
    if goal.unit_id is None or plan.unit_id != goal.unit_id:
        raise field_error("plan", "A goal can only be part of a plan of its own unit.")


def check_parent(goal: Goal, parent: Goal | None) -> None:
    """Refuse a parent that would break the tree; ``goal`` may be unsaved."""
    if parent is None:
        return
    _same_org(parent, goal.organization_id, "parent")
    if parent.is_archived:
        raise field_error("parent", "An archived goal cannot take new goals beneath it.")
    if goal.pk is not None and (parent.pk == goal.pk or parent.path.startswith(goal.path)):
        raise field_error(
            "parent", "A goal cannot sit beneath itself or beneath one of its own sub-goals."
        )
    if LEVEL_RANK[parent.level] > LEVEL_RANK[goal.level]:
        raise field_error(
            "parent",
            f"A {Level(goal.level).label.lower()} goal can only align to a goal at the same or "
            f"a higher level, not to a {Level(parent.level).label.lower()} goal.",
        )
    if parent.depth + 1 + _subtree_height(goal) >= MAX_DEPTH:
        raise field_error("parent", f"Goals nest at most {MAX_DEPTH} deep.")


def _subtree_height(goal: Goal) -> int:
    if goal.pk is None:
        return 0
    deepest = (
        Goal.objects.in_subtree(goal).order_by("-depth").values_list("depth", flat=True).first()
    )
    return (deepest or goal.depth) - goal.depth


def default_owner(unit: Unit | None, person: Person | None, actor: Person) -> Person:
    """The person whose Self it is, or the unit's lead, or whoever sets the goal."""
    if person is not None:
        return person
    lead = (
        RoleAssignment.objects.filter(unit=unit, role=UnitRole.LEAD, person__is_active=True)
        .select_related("person")
        .first()
    )
    return lead.person if lead else actor


# ---------------------------------------------------------------------------- measure


def measure(goal: Goal, today: datetime.date) -> None:
    """Set the goal's own progress, progress (unless it rolls up) and status in memory."""
    if goal.kind == GoalKind.MILESTONES and goal.pk is not None:
        done, total = _milestone_counts(goal)
    else:
        done, total = 0, 0
    goal.own_progress = calc.own_progress_of(
        goal.kind,
        start=goal.start_value,
        target=goal.target_value,
        current=goal.current_value,
        is_done=goal.is_done,
        milestones_done=done,
        milestones=total,
    )
    if not goal.rolls_up or goal.kind == GoalKind.METRIC:
        goal.rolls_up = False
        goal.progress = goal.own_progress
    goal.status = status_for(goal, today)


def _milestone_counts(goal: Goal) -> tuple[int, int]:
    flags = list(Milestone.objects.filter(goal=goal).values_list("done", flat=True))
    return sum(flags), len(flags)


def window_of(goal: Goal) -> calc.Window:
    period = goal.period if goal.period_id else None
    start = goal.start_date or (period.start if period else None)
    end = goal.due_date or (period.end if period else None)
    return calc.Window(start, end)


def status_for(goal: Goal, today: datetime.date) -> str:
    return calc.status_of(
        progress=goal.progress,
        kind=goal.kind,
        rolls_up=goal.rolls_up,
        window=window_of(goal),
        today=today,
        confidence=goal.confidence,
    )


class ChainRow(NamedTuple):
    """What the roll-up reads of an ancestor, or of one of their other children."""

    id: int
    parent_id: int | None
    kind: str
    weight: int
    own_progress: float
    progress: float
    rolls_up: bool
    status: str
    confidence: int | None
    start_date: datetime.date | None
    due_date: datetime.date | None
    period_start: datetime.date | None
    period_end: datetime.date | None
    archived_at: datetime.datetime | None


def rollup_ancestors(goal: Goal, *, today: datetime.date | None = None) -> int:
    """Recompute the stored roll-up and status of every ancestor of ``goal``, nearest first.

    Reads every ancestor and their other live children in one query and writes the
    ancestors whose figures changed in one more. Returns how many changed. Call inside the
    transaction that changed ``goal`` (whose stored figures must already be saved).
    """
    chain = goal.ancestor_ids
    if not chain:
        return 0
    if today is None:
        today = organization_today(Organization.objects.get(pk=goal.organization_id))
    on_chain = set(chain)
    ancestors = {}
    # Children of each ancestor other than the one on the chain, whose figures are fixed.
    off_chain: dict[int, list[tuple[int, float]]] = {pk: [] for pk in chain}
    for row in _chain_rows(goal, chain):
        if row.id in on_chain:
            ancestors[row.id] = row
        else:
            off_chain[row.parent_id].append((row.weight, row.progress))
    child_live = not goal.is_archived
    child_figures = (goal.weight, goal.progress)
    changed: dict[int, tuple[bool, float, str]] = {}
    for pk in reversed(chain):
        ancestor = ancestors[pk]
        children = off_chain[pk] + ([child_figures] if child_live else [])
        rolls_up = bool(children) and ancestor.kind != GoalKind.METRIC
        progress = calc.rolled_up(children) if rolls_up else ancestor.own_progress
        status = calc.status_of(
            progress=progress,
            kind=ancestor.kind,
            rolls_up=rolls_up,
            window=calc.Window(
                ancestor.start_date or ancestor.period_start,
                ancestor.due_date or ancestor.period_end,
            ),
            today=today,
            confidence=ancestor.confidence,
        )
        if (ancestor.rolls_up, ancestor.progress, ancestor.status) != (rolls_up, progress, status):
            changed[pk] = (rolls_up, progress, status)
        child_live = ancestor.archived_at is None
        child_figures = (ancestor.weight, progress)
    _write_figures(goal.organization_id, changed)
    return len(changed)


# The two statements of the roll-up are written out rather than built through the ORM:
# they run on every check-in, and building them cost as much as running them (about a
# millisecond each). Both are confined to the goal's organization.


def _chain_rows(goal: Goal, chain: list[int]) -> list[ChainRow]:
    """The ancestors in ``chain`` and their live children but ``goal``, by id (so the sums
    come out the same, to the last bit, every time)."""
    q = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(chain))
    goal_table, period_table = q(Goal._meta.db_table), q(Period._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT g.id, g.parent_id, g.kind, g.weight, g.own_progress, g.progress, "  # noqa: S608
            f"g.rolls_up, g.status, g.confidence, g.start_date, g.due_date, "
            f"p.{q('start')}, p.{q('end')}, g.archived_at "
            f"FROM {goal_table} g LEFT JOIN {period_table} p ON p.id = g.period_id "
            f"WHERE g.organization_id = %s AND g.id <> %s AND (g.id IN ({marks}) "
            f"OR (g.parent_id IN ({marks}) AND g.archived_at IS NULL)) ORDER BY g.id",
            [goal.organization_id, goal.pk, *chain, *chain],
        )
        return [ChainRow(*row) for row in cursor.fetchall()]


def _write_figures(organization_id: int, figures: dict[int, tuple[bool, float, str]]) -> None:
    """Store (rolls_up, progress, status) of each goal in ``figures``: one UPDATE."""
    if not figures:
        return
    cases, params = [], []
    for i, column in enumerate(("rolls_up", "progress", "status")):
        whens = " ".join(["WHEN %s THEN %s"] * len(figures))
        cases.append(f"{column} = CASE id {whens} END")
        for pk, values in figures.items():
            params += [pk, values[i]]
    marks = ", ".join(["%s"] * len(figures))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(Goal._meta.db_table)} SET {', '.join(cases)} "  # noqa: S608
            f"WHERE organization_id = %s AND id IN ({marks})",
            [*params, organization_id, *figures],
        )


# ---------------------------------------------------------------------------- writes


def save_goal(goal: Goal, before: dict) -> dict:
    """Validate and save ``goal``; when its content differs from the snapshot ``before``,
    move its version on and record the change. Returns the changes."""
    goal.full_clean(exclude=["organization", "path"])
    changes = diff(before, snapshot(goal))
    if changes:
        goal.version += 1
    goal.save()
    if changes:
        history_record(goal, action=HistoryAction.UPDATE, changes=changes)
    return changes


def _clean_milestones(titles) -> list[str]:
    if titles is None:
        return []
    if not isinstance(titles, list | tuple):
        raise field_error("milestones", "Give the milestones as a list of titles.")
    cleaned = [_text("milestones", t, MILESTONE_TITLE_MAX) for t in titles]
    cleaned = [t for t in cleaned if t]
    if len(cleaned) > MAX_MILESTONES:
        raise field_error("milestones", f"Keep to {MAX_MILESTONES} milestones.")
    return cleaned


def _set_path(goal: Goal, parent: Goal | None) -> None:
    goal.path = (parent.path if parent else "/") + f"{goal.pk}/"
    goal.depth = parent.depth + 1 if parent else 0
    goal.aligned = parent.aligned if parent else goal.level == Level.STRATEGY


def _propose(goal: Goal, *, actor: Person | None) -> Agreement | None:
    """A goal set for someone else to own waits for their yes."""
    if actor is None or goal.owner_id == actor.pk:
        return None
    agreement = Agreement.objects.create(
        organization_id=goal.organization_id,
        kind=AgreementKind.GOAL,
        goal=goal,
        requester=actor,
        responder_id=goal.owner_id,
    )
    history_record(agreement, action=HistoryAction.CREATE)
    return agreement


@transaction.atomic
def goal_create(
    *,
    organization: Organization,
    actor: Person | None,
    title: str,
    unit: Unit | None = None,
    person: Person | None = None,
    owner: Person | None = None,
    period=None,
    parent: Goal | None = None,
    kind: str = GoalKind.METRIC,
    description: str = "",
    weight: int = 1,
    start_value=None,
    target_value=None,
    current_value=None,
    metric_unit: str = "",
    direction: str = "",
    start_date: datetime.date | None = None,
    due_date: datetime.date | None = None,
    plan: Plan | None = None,
    milestones: list[str] | None = None,
    today: datetime.date | None = None,
) -> Goal:
    """Create a goal in ``unit`` or in ``person``'s Self, aligned under ``parent``.

    The owner defaults to the person whose Self it is or the unit's lead. A goal whose
    owner is not ``actor`` is proposed to them (an ``Agreement``) until they answer.
    """
    if (unit is None) == (person is None):
        raise field_error("unit", "Set a goal for a unit or for a person's Self, not both.")
    org_id = organization.pk
    for obj, field in ((unit, "unit"), (person, "person"), (owner, "owner"), (period, "period")):
        _same_org(obj, org_id, field)
    if unit is not None and unit.is_archived:
        raise field_error("unit", "This unit is archived; restore it before adding goals.")
    if person is not None and not person.is_active:
        raise field_error("person", "This person is no longer active.")
    owner = owner or default_owner(unit, person, actor)
    if owner is None:
        raise field_error("owner", "Choose who owns this goal.")
    if not owner.is_active:
        raise field_error("owner", "The owner must be an active member of the organization.")
    milestone_titles = _clean_milestones(milestones)
    goal = Goal(
        organization_id=org_id,
        title=_text("title", title, TITLE_MAX, required=True),
        description=_text("description", description, DESCRIPTION_MAX),
        level=unit.level if unit is not None else Level.SELF,
        unit=unit,
        person=person,
        owner=owner,
        created_by=actor,
        period=period,
        start_date=start_date,
        due_date=due_date,
        plan=plan,
        weight=weight,
        kind=kind,
        start_value=_number("start_value", start_value),
        target_value=_number("target_value", target_value),
        current_value=_number("current_value", current_value),
        metric_unit=_text("metric_unit", metric_unit, 30),
        direction=direction or "",
        parent=parent,
        path="/",
    )
    if kind not in GoalKind.values:
        raise field_error("kind", f"Choose one of: {', '.join(GoalKind.values)}.")
    if kind == GoalKind.MILESTONES and not milestone_titles:
        raise field_error("milestones", "A milestones goal needs at least one milestone.")
    _check_metric(goal)
    _check_dates(goal)
    _check_plan(goal)
    check_parent(goal, parent)
    goal.full_clean(exclude=["organization", "path"])
    goal.save()
    _set_path(goal, parent)
    if milestone_titles:
        Milestone.objects.bulk_create(
            [
                Milestone(organization_id=org_id, goal=goal, title=t, position=i)
                for i, t in enumerate(milestone_titles)
            ]
        )
        history_record_many(Milestone.objects.filter(goal=goal), action=HistoryAction.CREATE)
    today = today or organization_today(organization)
    measure(goal, today)
    goal.save()
    history_record(goal, action=HistoryAction.CREATE)
    _propose(goal, actor=actor)
    rollup_ancestors(goal, today=today)
    return goal


@transaction.atomic
def goal_update(
    *,
    goal: Goal,
    actor: Person | None,
    expected_version: int | None,
    today: datetime.date | None = None,
    **fields,
) -> Goal:
    """Change a goal's description, measure, period or status override.

    A status override needs a reason; clearing the override clears the reason. A new
    owner is set through ``goal_reassign``, a new parent through ``goal_move``.
    """
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise ValidationError(
            {name: ["This field cannot be changed here."] for name in sorted(unknown)}
        )
    goal = lock(goal)
    check_version(goal, expected_version)
    if goal.is_archived:
        raise field_error("archived_at", "This goal is archived; restore it to change it.")
    org_id = goal.organization_id
    for name in ("title", "description", "metric_unit", "status_override_reason"):
        if name in fields:
            limit = {"title": TITLE_MAX, "description": DESCRIPTION_MAX}.get(name, REASON_MAX)
            if name == "metric_unit":
                limit = 30
            fields[name] = _text(name, fields[name], limit, required=name == "title")
    for name in ("start_value", "target_value"):
        if name in fields:
            fields[name] = _number(name, fields[name])
    for name in ("period", "plan"):
        if fields.get(name) is not None:
            _same_org(fields[name], org_id, name)
    if "status_override" in fields:
        fields["status_override"] = fields["status_override"] or ""
        if not fields["status_override"]:
            fields["status_override_reason"] = ""
    before_kind = goal.kind
    before_figures = (goal.weight, goal.progress, goal.rolls_up, goal.status)
    before = snapshot(goal)
    for name, value in fields.items():
        setattr(goal, name, value)
    if goal.status_override and not goal.status_override_reason:
        raise field_error(
            "status_override_reason", "Say why the status differs from what the numbers show."
        )
    if goal.kind == GoalKind.MILESTONES and before_kind != GoalKind.MILESTONES:
        if not Milestone.objects.filter(goal=goal).exists():
            raise field_error("kind", "Add milestones before making this a milestones goal.")
    if goal.kind == GoalKind.METRIC and before_kind != GoalKind.METRIC:
        goal.current_value = None
    if goal.kind not in GoalKind.values:
        raise field_error("kind", f"Choose one of: {', '.join(GoalKind.values)}.")
    _check_metric(goal)
    _check_dates(goal)
    _check_plan(goal)
    today = today or organization_today(goal.organization)
    if goal.kind != GoalKind.METRIC and before_kind == GoalKind.METRIC:
        goal.rolls_up = Goal.objects.live().filter(parent=goal).exists()
        if goal.rolls_up:
            _refresh_own_rollup(goal)
    measure(goal, today)
    save_goal(goal, before)
    if before_figures != (goal.weight, goal.progress, goal.rolls_up, goal.status):
        rollup_ancestors(goal, today=today)
    return goal


def _refresh_own_rollup(goal: Goal) -> None:
    goal.progress = calc.rolled_up(
        list(Goal.objects.live().filter(parent=goal).values_list("weight", "progress"))
    )


@transaction.atomic
def goal_reassign(
    *, goal: Goal, actor: Person | None, owner: Person, expected_version: int | None
) -> Goal:
    """Give the goal a new owner; unless the new owner is ``actor``, they must agree."""
    goal = lock(goal)
    check_version(goal, expected_version)
    _same_org(owner, goal.organization_id, "owner")
    if not owner.is_active:
        raise field_error("owner", "The owner must be an active member of the organization.")
    if goal.level == Level.SELF and owner.pk != goal.person_id:
        raise field_error("owner", "A self goal is owned by the person whose Self it is.")
    if owner.pk == goal.owner_id:
        return goal
    Agreement.objects.filter(goal=goal).pending().update(
        state=AgreementState.WITHDRAWN, responded_at=timezone.now()
    )
    apply_changes(goal, {"owner": owner}, expected_version=None, exclude=["organization"])
    _propose(goal, actor=actor)
    return goal


@transaction.atomic
def goal_move(
    *,
    goal: Goal,
    parent: Goal | None,
    expected_version: int | None,
    today: datetime.date | None = None,
) -> Goal:
    """Align ``goal`` (and everything beneath it) under ``parent``, or make it a root."""
    goal = lock(goal)
    check_version(goal, expected_version)
    if parent is not None:
        parent = lock(parent)
    if goal.parent_id == (parent.pk if parent else None):
        return goal
    check_parent(goal, parent)
    today = today or organization_today(goal.organization)
    old_path, old_parent_id = goal.path, goal.parent_id
    new_path = (parent.path if parent else "/") + f"{goal.pk}/"
    aligned = parent.aligned if parent else goal.level == Level.STRATEGY
    depth_change = (parent.depth + 1 if parent else 0) - goal.depth
    Goal.objects.in_subtree(goal).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_change,
        aligned=aligned,
    )
    goal.path, goal.depth, goal.aligned = new_path, goal.depth + depth_change, aligned
    apply_changes(goal, {"parent": parent}, expected_version=None, exclude=["organization"])
    if old_parent_id is not None:
        _rollup_from(old_parent_id, today)
    rollup_ancestors(goal, today=today)
    return goal


def _rollup_from(goal_id: int, today: datetime.date) -> None:
    """Recompute ``goal_id`` itself from its children, then its ancestors."""
    goal = Goal.objects.select_related("period").get(pk=goal_id)
    children = list(Goal.objects.live().filter(parent=goal).values_list("weight", "progress"))
    goal.rolls_up = bool(children) and goal.kind != GoalKind.METRIC
    goal.progress = calc.rolled_up(children) if goal.rolls_up else goal.own_progress
    goal.status = status_for(goal, today)
    Goal.objects.filter(pk=goal.pk).update(
        rolls_up=goal.rolls_up, progress=goal.progress, status=goal.status
    )
    rollup_ancestors(goal, today=today)


@transaction.atomic
def goal_archive(*, goal: Goal, expected_version: int | None) -> Goal:
    """Take a finished or abandoned goal out of the tree; its history and check-ins stay."""
    goal = lock(goal)
    check_version(goal, expected_version)
    if goal.is_archived:
        return goal
    if Goal.objects.live().filter(parent=goal).exists():
        raise field_error(
            "archived_at", "Move or archive the goals aligned beneath this one first."
        )
    apply_changes(
        goal,
        {"archived_at": timezone.now()},
        expected_version=None,
        action=HistoryAction.ARCHIVE,
        exclude=["organization"],
    )
    Agreement.objects.filter(goal=goal).pending().update(
        state=AgreementState.WITHDRAWN, responded_at=timezone.now()
    )
    rollup_ancestors(goal)
    return goal


@transaction.atomic
def goal_unarchive(*, goal: Goal, expected_version: int | None) -> Goal:
    goal = lock(goal)
    check_version(goal, expected_version)
    if not goal.is_archived:
        return goal
    if goal.parent_id is not None and goal.parent.is_archived:
        raise field_error("parent", "Restore the goal above this one first, or move this one.")
    apply_changes(
        goal,
        {"archived_at": None},
        expected_version=None,
        action=HistoryAction.UNARCHIVE,
        exclude=["organization"],
    )
    rollup_ancestors(goal)
    return goal


@transaction.atomic
def goal_delete(*, goal: Goal, expected_version: int | None) -> None:
    """Delete a goal set by mistake: one with no goals beneath it and no check-ins yet.

    Anything with a past is archived instead, so nothing is lost.
    """
    goal = lock(goal)
    check_version(goal, expected_version)
    if Goal.objects.filter(parent=goal).exists():
        raise Conflict(message="Goals are aligned beneath this one; move them first.")
    if goal.check_ins.exists():
        raise Conflict(message="This goal has check-ins; archive it instead of deleting it.")
    milestones = list(Milestone.objects.filter(goal=goal))
    if milestones:
        history_record_many(milestones, action=HistoryAction.DELETE)
    history_record(goal, action=HistoryAction.DELETE)
    parent_id = goal.parent_id
    goal.delete()
    if parent_id is not None:
        _rollup_from(
            parent_id, organization_today(Organization.objects.get(pk=goal.organization_id))
        )


@transaction.atomic
def goal_milestones_set(
    *, goal: Goal, milestones: list[dict], expected_version: int | None
) -> list[Milestone]:
    """Replace the goal's milestones with ``milestones`` in order.

    Each item is ``{"id": …, "title": …, "done": …}``; an item without an id is new, an
    existing milestone left out is removed. The goal's version moves on.
    """
    goal = lock(goal)
    check_version(goal, expected_version)
    if not isinstance(milestones, list | tuple) or len(milestones) > MAX_MILESTONES:
        raise field_error("milestones", f"Give a list of at most {MAX_MILESTONES} milestones.")
    existing = {m.pk: m for m in Milestone.objects.filter(goal=goal)}
    kept, now = [], timezone.now()
    for position, item in enumerate(milestones):
        if not isinstance(item, dict):
            raise field_error("milestones", "Each milestone is an object with a title.")
        title = _text("milestones", item.get("title"), MILESTONE_TITLE_MAX, required=True)
        done = bool(item.get("done", False))
        pk = item.get("id")
        if pk is not None:
            milestone = existing.pop(int(pk), None) if str(pk).isdigit() else None
            if milestone is None:
                raise field_error("milestones", f"Milestone {pk} is not one of this goal's.")
            changes = {}
            for name, value in (("title", title), ("position", position), ("done", done)):
                if getattr(milestone, name) != value:
                    changes[name] = value
            if "done" in changes:
                changes["done_at"] = now if done else None
            if changes:
                apply_changes(milestone, changes, expected_version=None, exclude=["organization"])
        else:
            milestone = Milestone.objects.create(
                organization_id=goal.organization_id,
                goal=goal,
                title=title,
                position=position,
                done=done,
                done_at=now if done else None,
            )
            history_record(milestone, action=HistoryAction.CREATE)
        kept.append(milestone)
    if goal.kind == GoalKind.MILESTONES and not kept:
        raise field_error("milestones", "A milestones goal needs at least one milestone.")
    for milestone in existing.values():
        history_record(milestone, action=HistoryAction.DELETE)
        milestone.delete()
    today = organization_today(goal.organization)
    before = (goal.progress, goal.status)
    measure(goal, today)
    goal.version += 1  # the milestones are part of the goal: an edit based on the old ones is stale
    goal.save()
    if before != (goal.progress, goal.status):
        rollup_ancestors(goal, today=today)
    return kept


# ---------------------------------------------------------------------------- links


@transaction.atomic
def goal_link_create(*, source: Goal, target: Goal, actor: Person | None) -> GoalLink:
    """Propose that ``source`` contributes to ``target``, a goal of another unit.

    The target unit's lead accepts or declines (an ``Agreement``); a lead linking to their
    own unit's goal needs nobody's yes.
    """
    _same_org(target, source.organization_id, "target")
    if source.pk == target.pk:
        raise field_error("target", "A goal cannot contribute to itself.")
    if target.is_archived or source.is_archived:
        raise field_error("target", "Archived goals take no new links.")
    if source.unit_id is not None and source.unit_id == target.unit_id:
        raise field_error(
            "target", "Both goals belong to the same unit; align it vertically instead."
        )
    if target.pk == source.parent_id:
        raise field_error("target", "This is already the goal's parent.")
    if GoalLink.objects.filter(source=source, target=target).exists():
        raise field_error("target", "This goal already contributes to that one.")
    link = GoalLink.objects.create(
        organization_id=source.organization_id, source=source, target=target, created_by=actor
    )
    history_record(link, action=HistoryAction.CREATE)
    responder = _target_lead(target)
    if responder is None or (actor is not None and responder.pk == actor.pk):
        link.state = "accepted"
        link.save(update_fields=["state"])
    else:
        agreement = Agreement.objects.create(
            organization_id=source.organization_id,
            kind=AgreementKind.LINK,
            link=link,
            requester=actor or source.owner,
            responder=responder,
        )
        history_record(agreement, action=HistoryAction.CREATE)
    return link


def _target_lead(target: Goal) -> Person | None:
    """Who answers for the target's side: its unit's lead, or for a self goal the person."""
    if target.unit_id is None:
        return target.person
    lead = (
        RoleAssignment.objects.filter(
            unit_id=target.unit_id, role=UnitRole.LEAD, person__is_active=True
        )
        .select_related("person")
        .first()
    )
    return lead.person if lead else target.owner


@transaction.atomic
def goal_link_delete(*, link: GoalLink) -> None:
    history_record(link, action=HistoryAction.DELETE)
    link.delete()
