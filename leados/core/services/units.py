from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from leados.core.errors import Conflict
from leados.core.history import history_record
from leados.core.models import HistoryAction, Level, Person, RoleAssignment, Unit, UnitRole
from leados.core.services._common import apply_changes, bulk_set, check_version, field_error, lock

# Which levels may sit below which: narrower communities of effort sit below broader ones.
ALLOWED_CHILD_LEVELS = {
    Level.STRATEGY: {Level.FUNCTIONAL_TEAM, Level.PROCESS, Level.PROJECT},
    Level.FUNCTIONAL_TEAM: {Level.FUNCTIONAL_TEAM, Level.PROCESS, Level.PROJECT},
    Level.PROCESS: {Level.PROCESS, Level.PROJECT},
    Level.PROJECT: {Level.PROJECT},
}
UNIT_FIELDS = {"name", "description", "start_date", "end_date"}


def _check_placement(level: str, parent: Unit | None) -> None:
    if level == Level.STRATEGY:
        raise field_error(
            "level", "Each organization has exactly one strategy-level unit: its leadership team."
        )
    if level not in ALLOWED_CHILD_LEVELS:
        raise field_error(
            "level", f"{level!r} is not a unit level; use functional_team, process or project."
        )
    if parent is None:
        raise field_error("parent", "Choose the unit this one belongs to.")
    if parent.is_archived:
        raise field_error("parent", f"{parent.name} is archived.")
    if level not in ALLOWED_CHILD_LEVELS[Level(parent.level)]:
        raise field_error(
            "parent",
            f"A {Level(level).label.lower()} cannot sit below a {Level(parent.level).label.lower()}"
            f" ({parent.name}).",
        )


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise field_error("name", "A unit needs a name.")
    return name


def _check_dates(level: str, start: datetime.date | None, end: datetime.date | None) -> None:
    if level != Level.PROJECT and (start or end):
        raise field_error("end_date", "Only projects have start and end dates.")
    if level == Level.PROJECT and not end:
        raise field_error("end_date", "A project is finite: give it an end date.")
    if start and end and end < start:
        raise field_error("end_date", "The end date is before the start date.")


@transaction.atomic
def unit_create(
    *,
    parent: Unit,
    level: str,
    name: str,
    description: str = "",
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
) -> Unit:
    """Create a unit below ``parent``; its level must fit below the parent's."""
    _check_placement(level, parent)
    _check_dates(level, start_date, end_date)
    unit = Unit(
        organization_id=parent.organization_id,
        parent=parent,
        level=level,
        name=_clean_name(name),
        description=(description or "").strip(),
        start_date=start_date,
        end_date=end_date,
    )
    unit.full_clean()
    unit.save()
    history_record(unit, action=HistoryAction.CREATE)
    return unit


@transaction.atomic
def unit_update(
    *, unit: Unit, expected_version: int | None, action: str = HistoryAction.UPDATE, **fields
) -> Unit:
    """Rename or describe a unit, or change a project's dates."""
    unknown = set(fields) - UNIT_FIELDS
    if unknown:
        raise ValidationError(
            {name: ["This field cannot be changed here."] for name in sorted(unknown)}
        )
    unit = lock(unit)
    check_version(unit, expected_version)
    if "name" in fields:
        fields["name"] = _clean_name(fields["name"])
    if "description" in fields:
        fields["description"] = (fields["description"] or "").strip()
    _check_dates(
        unit.level, fields.get("start_date", unit.start_date), fields.get("end_date", unit.end_date)
    )
    apply_changes(unit, fields, expected_version=None, action=action)
    return unit


@transaction.atomic
def unit_move(
    *, unit: Unit, parent: Unit, expected_version: int | None, action: str = HistoryAction.UPDATE
) -> Unit:
    """Move a unit (with everything below it) under another parent."""
    unit = lock(unit)
    check_version(unit, expected_version)
    if unit.level == Level.STRATEGY:
        raise field_error("parent", "The leadership team is the root and cannot move.")
    _check_placement(unit.level, parent)
    ancestor: Unit | None = parent
    while ancestor is not None:
        if ancestor.pk == unit.pk:
            raise field_error(
                "parent", f"{parent.name} is inside {unit.name}; it cannot move there."
            )
        ancestor = ancestor.parent
    apply_changes(unit, {"parent": parent}, expected_version=None, action=action)
    return unit


def _descendant_ids(unit: Unit) -> list[int]:
    """Every unit below ``unit``, found one level at a time (one query per level)."""
    found: list[int] = []
    frontier = [unit.pk]
    while frontier:
        frontier = list(Unit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        found.extend(frontier)
    return found


@transaction.atomic
def unit_archive(*, unit: Unit, expected_version: int | None) -> Unit:
    """Archive a unit and every live unit below it; nothing is deleted."""
    unit = lock(unit)
    check_version(unit, expected_version)
    if unit.level == Level.STRATEGY:
        raise field_error("parent", "The leadership team cannot be archived.")
    if unit.is_archived:
        return unit
    now = timezone.now()
    bulk_set(
        Unit.objects.filter(pk__in=_descendant_ids(unit), archived_at__isnull=True),
        {"archived_at": now},
        action=HistoryAction.ARCHIVE,
    )
    apply_changes(unit, {"archived_at": now}, expected_version=None, action=HistoryAction.ARCHIVE)
    return unit


@transaction.atomic
def unit_unarchive(*, unit: Unit, expected_version: int | None) -> Unit:
    unit = lock(unit)
    check_version(unit, expected_version)
    if not unit.is_archived:
        return unit
    if unit.parent is not None and unit.parent.is_archived:
        raise field_error("parent", f"Unarchive {unit.parent.name} first, or move this unit.")
    apply_changes(
        unit, {"archived_at": None}, expected_version=None, action=HistoryAction.UNARCHIVE
    )
    return unit


@transaction.atomic
def role_assignment_create(
    *, unit: Unit, person: Person, role: str, replace: bool = False
) -> RoleAssignment:
    """Give ``person`` a role on ``unit``. A unit has at most one lead and one manager;
    with ``replace`` the current holder steps down, otherwise the request is refused."""
    if role not in UnitRole.values:
        raise field_error("role", f"{role!r} is not a role; use lead, manage or member.")
    if unit.is_archived:
        raise field_error("unit", f"{unit.name} is archived.")
    if not person.is_active:
        raise field_error("person", f"{person.name} is deactivated.")
    if person.organization_id != unit.organization_id:
        raise field_error("person", "Not found.")
    if RoleAssignment.objects.filter(unit=unit, person=person, role=role).exists():
        raise field_error("role", f"{person.name} already has this role on {unit.name}.")
    if role in (UnitRole.LEAD, UnitRole.MANAGE):
        holder = (
            RoleAssignment.objects.select_for_update()
            .select_related("person")
            .filter(unit=unit, role=role)
            .first()
        )
        if holder is not None:
            if not replace:
                verb = "leads" if role == UnitRole.LEAD else "manages"
                raise Conflict(f"{holder.person.name} already {verb} {unit.name}.")
            role_assignment_delete(assignment=holder)
    assignment = RoleAssignment(
        organization_id=unit.organization_id, unit=unit, person=person, role=role
    )
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise Conflict(
            "Someone else changed this role at the same time; reload and retry."
        ) from None
    history_record(assignment, action=HistoryAction.CREATE)
    return assignment


@transaction.atomic
def role_assignment_delete(*, assignment: RoleAssignment) -> None:
    assignment = lock(assignment)
    history_record(assignment, action=HistoryAction.DELETE)
    assignment.delete()
