from __future__ import annotations

import datetime

from django.db import transaction

from leados.core.errors import Conflict, NotFound
from leados.core.models import HistoryAction, HistoryEntry, Person, Unit
from leados.core.services._common import check_version, field_error
from leados.core.services.people import person_update
from leados.core.services.units import unit_move, unit_update

RESTORABLE = {"person", "unit"}


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


@transaction.atomic
def history_restore(*, entry: HistoryEntry, expected_version: int | None, by: Person | None = None):
    """Put a person or unit back the way ``entry`` recorded it, as new recorded changes.

    Goes through the same services as an edit, so every rule still holds.
    """
    if entry.object_type not in RESTORABLE:
        raise field_error("entry", f"A {entry.object_type} cannot be restored from history.")
    snap = entry.snapshot
    if entry.object_type == "person":
        person = Person.objects.filter(pk=entry.object_id).first()
        if person is None:
            raise NotFound("The person no longer exists.")
        check_version(person, expected_version)
        manager = None
        if snap.get("manager_id"):
            manager = Person.objects.filter(pk=snap["manager_id"], is_active=True).first()
            if manager is None:
                raise Conflict("The manager in that version has left; choose a manager by hand.")
        return person_update(
            person=person,
            expected_version=None,
            by=by,
            action=HistoryAction.RESTORE,
            name=snap.get("name", person.name),
            title=snap.get("title", person.title),
            role=snap.get("role", person.role),
            manager=manager,
        )
    unit = Unit.objects.filter(pk=entry.object_id).first()
    if unit is None:
        raise NotFound("The unit no longer exists.")
    check_version(unit, expected_version)
    fields = {"name": snap.get("name", unit.name), "description": snap.get("description", "")}
    if unit.level == "project":
        fields["start_date"] = _date(snap.get("start_date"))
        fields["end_date"] = _date(snap.get("end_date"))
    unit = unit_update(unit=unit, expected_version=None, action=HistoryAction.RESTORE, **fields)
    if snap.get("parent_id") and snap["parent_id"] != unit.parent_id:
        parent = Unit.objects.filter(pk=snap["parent_id"], archived_at__isnull=True).first()
        if parent is None:
            raise Conflict("The parent unit in that version is archived; move the unit by hand.")
        unit = unit_move(
            unit=unit, parent=parent, expected_version=None, action=HistoryAction.RESTORE
        )
    return unit
