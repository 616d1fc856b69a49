"""The weekly one-minute leading-vs-doing check-in."""

from __future__ import annotations

import datetime

from django.db import transaction

from leados.core.history import history_record
from leados.core.models import HistoryAction, Person
from leados.core.periods import organization_today
from leados.core.services._common import apply_changes, field_error, lock
from leados.sops.models import NOTE_MAX, TimeCheckin

SHARES = ("structure", "operate", "perfect", "doing", "other")


def week_start_of(person: Person, day: datetime.date) -> datetime.date:
    """The first day of the organization's week that holds ``day``."""
    start = person.organization.week_start_day  # 0 = Monday
    return day - datetime.timedelta(days=(day.weekday() - start) % 7)


def _shares(values: dict) -> dict:
    fields = {}
    for key in SHARES:
        value = values.get(key, 0)
        if value in (None, ""):
            value = 0
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise field_error(key, "Give a whole per cent from 0 to 100.")
        fields[f"{key}_pct"] = value
    total = sum(fields.values())
    if total != 100:
        raise field_error("shares", f"The shares add up to {total} %, not 100 %.")
    return fields


@transaction.atomic
def time_checkin_save(
    *,
    person: Person,
    week_start: datetime.date | None = None,
    shares: dict,
    note: str = "",
    expected_version: int | None = None,
) -> TimeCheckin:
    """Save a person's split of a week (created, or changed when it exists; a change with a
    stale ``expected_version`` is refused). Weeks in the future are refused."""
    today = organization_today(person.organization)
    week = week_start_of(person, week_start or today)
    if week > today:
        raise field_error("week_start", "That week has not started yet.")
    fields = _shares(shares)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise field_error("note", f"Keep this to {NOTE_MAX} characters.")
    fields["note"] = note
    existing = TimeCheckin.objects.filter(person=person, week_start=week).first()
    if existing is not None:
        existing = lock(existing)
        apply_changes(existing, fields, expected_version=expected_version, exclude=["organization"])
        return existing
    checkin = TimeCheckin(
        organization_id=person.organization_id, person=person, week_start=week, **fields
    )
    checkin.full_clean(exclude=["organization"])
    checkin.save()
    history_record(checkin, action=HistoryAction.CREATE)
    return checkin
