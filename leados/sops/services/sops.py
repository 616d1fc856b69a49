"""Writing SOPs: create, change (content changes make a new version), archive."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leados.core.history import history_record
from leados.core.models import HistoryAction, Organization, Person, Unit
from leados.core.periods import organization_today
from leados.core.services._common import apply_changes, check_version, field_error, lock
from leados.sops.cadence import validate_rrule
from leados.sops.models import (
    DOMAIN_OF,
    NOTE_MAX,
    PURPOSE_MAX,
    TITLE_MAX,
    RoutineContent,
    RunState,
    Sop,
    SopRun,
    SopVersion,
    Visibility,
)

SETTING_FIELDS = (
    "domain",
    "dimension",
    "levels",
    "rrule",
    "starts_on",
    "time_of_day",
    "visibility",
    "unit",
)
CONTENT_FIELDS = RoutineContent.CONTENT_FIELDS


def _text(field: str, value, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise field_error(field, "This cannot be empty.")
    if len(value) > limit:
        raise field_error(field, f"Keep this to {limit} characters (it has {len(value)}).")
    return value


def clean_steps(steps) -> list[dict]:
    """Steps as stored: ``{"text", "link", "evidence"}`` with blanks dropped and trimmed."""
    if steps is None:
        return []
    if not isinstance(steps, list):
        raise field_error("steps", "Steps must be a list.")
    cleaned = []
    for number, step in enumerate(steps, start=1):
        if isinstance(step, str):
            step = {"text": step}
        if not isinstance(step, dict):
            raise field_error("steps", f"Step {number} must be a text or an object with text.")
        unknown = set(step) - {"text", "link", "evidence"}
        if unknown:
            raise field_error("steps", f"Step {number} has unknown fields: {sorted(unknown)}.")
        values = {key: step.get(key) or "" for key in ("text", "link", "evidence")}
        if any(not isinstance(value, str) for value in values.values()):
            raise field_error("steps", f"Step {number}: text, link and evidence are texts.")
        values = {key: value.strip() for key, value in values.items()}
        if not values["text"]:
            if values["link"] or values["evidence"]:
                raise field_error("steps", f"Step {number} needs a text.")
            continue
        if values["link"]:
            from leados.sops.links import LINKS

            if values["link"] not in LINKS:
                raise field_error("steps", f"Step {number} links to {values['link']!r}, unknown.")
        cleaned.append(values)
    return cleaned


def _check_unit(unit: Unit | None, organization_id: int) -> None:
    if unit is not None and (unit.organization_id != organization_id or unit.is_archived):
        raise field_error("unit", "Choose a live unit of this organization.")


def _check_dimension(domain: str, dimension: str) -> None:
    if dimension in DOMAIN_OF and domain and DOMAIN_OF[dimension] != domain:
        raise field_error("dimension", f"{dimension!r} is not a dimension of {domain!r}.")


def _rrule(value) -> str:
    try:
        return validate_rrule(value)
    except ValidationError as error:
        raise field_error("rrule", error.messages[0]) from None


def _version(sop: Sop, *, made_by: Person | None, change_note: str = "", idea=None):
    version = SopVersion(
        organization_id=sop.organization_id,
        sop=sop,
        number=sop.version_number,
        made_by=made_by,
        change_note=change_note,
        idea=idea,
        **sop.content(),
    )
    version.save()
    return version


@transaction.atomic
def sop_create(
    *,
    organization: Organization,
    owner: Person,
    made_by: Person | None,
    title: str,
    domain: str,
    dimension: str,
    rrule: str,
    purpose: str = "",
    levels: list[str] | None = None,
    starts_on: datetime.date | None = None,
    time_of_day: datetime.time | None = None,
    duration_minutes: int = 30,
    steps: list | None = None,
    unit: Unit | None = None,
    visibility: str = Visibility.PRIVATE,
    template_slug: str = "",
) -> Sop:
    """Create an SOP with its version 1; its runs come from the next generation (or call
    ``runs_generate`` for it at once)."""
    if owner.organization_id != organization.pk or not owner.is_active:
        raise field_error("owner", "The owner must be an active member of the organization.")
    _check_unit(unit, organization.pk)
    _check_dimension(domain, dimension)
    sop = Sop(
        organization_id=organization.pk,
        owner=owner,
        unit=unit,
        title=_text("title", title, TITLE_MAX, required=True),
        purpose=_text("purpose", purpose, PURPOSE_MAX),
        domain=domain,
        dimension=dimension,
        levels=list(levels) if levels else ["self"],
        rrule=_rrule(rrule),
        starts_on=starts_on or organization_today(organization),
        time_of_day=time_of_day,
        duration_minutes=duration_minutes,
        steps=clean_steps(steps),
        visibility=visibility,
        template_slug=template_slug,
    )
    sop.full_clean(exclude=["organization"])
    sop.save()
    _version(sop, made_by=made_by, change_note="First version.")
    history_record(sop, action=HistoryAction.CREATE)
    return sop


@transaction.atomic
def sop_update(
    *,
    sop: Sop,
    made_by: Person | None,
    expected_version: int | None,
    change_note: str = "",
    idea=None,
    **fields,
) -> Sop:
    """Change an SOP's settings and content; a change to its content (title, purpose,
    steps, duration) makes a new version, kept with the note. Refused (``Conflict``) when
    ``expected_version`` is not the SOP's current version."""
    unknown = set(fields) - set(SETTING_FIELDS) - set(CONTENT_FIELDS) - {"owner"}
    if unknown:
        raise field_error(sorted(unknown)[0], "This field cannot be changed.")
    sop = lock(sop)
    check_version(sop, expected_version)
    if sop.is_archived:
        raise field_error("sop", "This routine is archived; unarchive it to change it.")
    if "title" in fields:
        fields["title"] = _text("title", fields["title"], TITLE_MAX, required=True)
    if "purpose" in fields:
        fields["purpose"] = _text("purpose", fields["purpose"], PURPOSE_MAX)
    if "steps" in fields:
        fields["steps"] = clean_steps(fields["steps"])
    if "rrule" in fields:
        fields["rrule"] = _rrule(fields["rrule"])
    if "unit" in fields:
        _check_unit(fields["unit"], sop.organization_id)
    if "owner" in fields:
        owner = fields["owner"]
        if owner.organization_id != sop.organization_id or not owner.is_active:
            raise field_error("owner", "The owner must be an active member of the organization.")
    _check_dimension(fields.get("domain", sop.domain), fields.get("dimension", sop.dimension))
    content_changed = any(
        field in fields and fields[field] != getattr(sop, field) for field in CONTENT_FIELDS
    )
    cadence_changed = any(
        field in fields and fields[field] != getattr(sop, field) for field in ("rrule", "starts_on")
    )
    if content_changed:
        fields["version_number"] = sop.version_number + 1
    today = organization_today(sop.organization)
    if cadence_changed:
        # Runs follow the new cadence from today: the past is not rewritten.
        starts_on = fields.get("starts_on", sop.starts_on)
        fields["runs_through"] = max(today, starts_on) - datetime.timedelta(days=1)
    changes = apply_changes(sop, fields, expected_version=None, exclude=["organization"])
    if content_changed:
        note = _text("change_note", change_note, NOTE_MAX)
        version = _version(sop, made_by=made_by, change_note=note, idea=idea)
        # Runs not yet started take the new version; a run under way keeps its own.
        _untouched(_open_runs(sop)).update(sop_version=version)
    if cadence_changed:
        # Runs from today that nobody has started go; the next generation adds the new
        # cadence's. Runs under way, done, skipped and missed stay.
        _untouched(_open_runs(sop).filter(due_on__gte=today)).delete()
    if "owner" in changes:
        _open_runs(sop).update(owner=sop.owner)
    return sop


def _open_runs(sop: Sop):
    return SopRun.objects.filter(sop=sop, state=RunState.DUE)


def _untouched(runs):
    """Open runs nobody has started: no step ticked, no note, no time."""
    return runs.filter(steps_done=[], note="", minutes_spent__isnull=True)


@transaction.atomic
def sop_archive(*, sop: Sop, expected_version: int | None = None) -> Sop:
    """Archive an SOP: no new runs, open runs removed, history kept."""
    sop = lock(sop)
    apply_changes(
        sop,
        {"is_archived": True, "archived_at": timezone.now()},
        expected_version=expected_version,
        action=HistoryAction.ARCHIVE,
        exclude=["organization"],
    )
    _untouched(_open_runs(sop)).delete()
    _open_runs(sop).update(
        state=RunState.SKIPPED, skip_reason="The routine was archived.", closed_at=timezone.now()
    )
    return sop


@transaction.atomic
def sop_unarchive(*, sop: Sop, expected_version: int | None = None) -> Sop:
    sop = lock(sop)
    today = organization_today(sop.organization)
    apply_changes(
        sop,
        # Runs restart from today: the archived stretch is not counted as missed.
        {"is_archived": False, "archived_at": None, "runs_through": today - datetime.timedelta(1)},
        expected_version=expected_version,
        action=HistoryAction.UNARCHIVE,
        exclude=["organization"],
    )
    return sop
