"""Writes to scorecards: a named, ordered selection of measurables.

A unit has at most one unit scorecard and a person one personal scorecard; any number of
custom scorecards select measurables from anywhere in the organization. Every change is
versioned and recorded in the history.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from leados.core.errors import Conflict
from leados.core.history import history_record
from leados.core.models import HistoryAction, Organization, Person, Unit
from leados.core.services._common import apply_changes, check_version, field_error, lock
from leados.operate.models import Measurable, Scorecard, ScorecardItem, ScorecardKind
from leados.operate.models.scorecards import DESCRIPTION_MAX, MAX_SCORECARD_ITEMS, NAME_MAX
from leados.operate.services.measurables import text

SCORECARD_UPDATABLE = {"name", "description", "owner"}


def _same_org(obj, organization_id: int, field: str) -> None:
    if obj is not None and obj.organization_id != organization_id:
        raise field_error(field, "This does not exist.")


def _measurables(organization_id: int, ids) -> list[Measurable]:
    if not isinstance(ids, list | tuple):
        raise field_error("measurables", "Give the measurables as a list of ids.")
    clean = []
    for item in ids:
        if isinstance(item, bool) or not str(item).isdigit():
            raise field_error("measurables", f"{item!r} is not a measurable id.")
        if int(item) not in clean:
            clean.append(int(item))
    if len(clean) > MAX_SCORECARD_ITEMS:
        raise field_error("measurables", f"Keep a scorecard to {MAX_SCORECARD_ITEMS} rows.")
    found = {
        m.pk: m for m in Measurable.objects.filter(organization_id=organization_id, pk__in=clean)
    }
    missing = [str(pk) for pk in clean if pk not in found]
    if missing:
        raise field_error("measurables", f"Not measurables here: {', '.join(missing)}.")
    return [found[pk] for pk in clean]


def _write_items(scorecard: Scorecard, measurables: list[Measurable]) -> None:
    ScorecardItem.objects.filter(scorecard=scorecard).delete()
    ScorecardItem.objects.bulk_create(
        [
            ScorecardItem(
                organization_id=scorecard.organization_id,
                scorecard=scorecard,
                measurable=m,
                position=n,
            )
            for n, m in enumerate(measurables)
        ]
    )


@transaction.atomic
def scorecard_create(
    *,
    organization: Organization,
    actor: Person,
    name: str,
    kind: str = ScorecardKind.CUSTOM,
    unit: Unit | None = None,
    person: Person | None = None,
    description: str = "",
    measurables: list[int] | None = None,
) -> Scorecard:
    """Create a scorecard: a unit's (one per unit), a person's own (one per person) or a
    custom selection; ``measurables`` are ids in the order the rows show."""
    org_id = organization.pk
    if kind not in ScorecardKind.values:
        raise field_error("kind", f"Choose one of: {', '.join(ScorecardKind.values)}.")
    _same_org(unit, org_id, "unit")
    _same_org(person, org_id, "person")
    if kind == ScorecardKind.UNIT:
        if unit is None:
            raise field_error("unit", "A unit's scorecard needs its unit.")
        if unit.is_archived:
            raise field_error("unit", "This unit is archived.")
        if Scorecard.objects.filter(kind=kind, unit=unit, archived_at__isnull=True).exists():
            raise field_error("unit", f"{unit.name} already has a scorecard.")
        person = None
    elif kind == ScorecardKind.PERSONAL:
        person = person or actor
        if Scorecard.objects.filter(kind=kind, person=person, archived_at__isnull=True).exists():
            raise field_error("person", f"{person.name} already has a personal scorecard.")
        unit = None
    else:
        unit = person = None
    items = _measurables(org_id, measurables or [])
    scorecard = Scorecard(
        organization_id=org_id,
        name=text("name", name, NAME_MAX, required=True),
        description=text("description", description, DESCRIPTION_MAX),
        kind=kind,
        unit=unit,
        person=person,
        owner=actor,
    )
    scorecard.full_clean(exclude=["organization", "unit", "person", "owner"])
    scorecard.save()
    _write_items(scorecard, items)
    history_record(scorecard, action=HistoryAction.CREATE)
    return scorecard


@transaction.atomic
def scorecard_update(*, scorecard: Scorecard, expected_version: int | None, **fields) -> Scorecard:
    unknown = set(fields) - SCORECARD_UPDATABLE
    if unknown:
        raise ValidationError({n: ["This field cannot be changed here."] for n in sorted(unknown)})
    scorecard = lock(scorecard)
    check_version(scorecard, expected_version)
    if "name" in fields:
        fields["name"] = text("name", fields["name"], NAME_MAX, required=True)
    if "description" in fields:
        fields["description"] = text("description", fields["description"], DESCRIPTION_MAX)
    if "owner" in fields:
        owner = fields["owner"]
        _same_org(owner, scorecard.organization_id, "owner")
        if owner is None or not owner.is_active:
            raise field_error("owner", "The owner must be an active member.")
    apply_changes(scorecard, fields, expected_version=None, exclude=["organization"])
    return scorecard


@transaction.atomic
def scorecard_set_measurables(
    *, scorecard: Scorecard, measurables: list[int], expected_version: int | None
) -> Scorecard:
    """Replace the scorecard's rows with ``measurables`` (ids, in order)."""
    scorecard = lock(scorecard)
    check_version(scorecard, expected_version)
    items = _measurables(scorecard.organization_id, measurables)
    before = list(
        ScorecardItem.objects.filter(scorecard=scorecard).values_list("measurable_id", flat=True)
    )
    after = [m.pk for m in items]
    if before == after:
        return scorecard
    _write_items(scorecard, items)
    scorecard.version += 1
    scorecard.save(update_fields=["version", "updated_at"])
    history_record(scorecard, action=HistoryAction.UPDATE, changes={"measurables": [before, after]})
    return scorecard


@transaction.atomic
def scorecard_archive(*, scorecard: Scorecard, expected_version: int | None) -> Scorecard:
    scorecard = lock(scorecard)
    check_version(scorecard, expected_version)
    if scorecard.archived_at is None:
        apply_changes(
            scorecard, {"archived_at": timezone.now()}, expected_version=None,
            exclude=["organization"],
        )  # fmt: skip
    return scorecard


@transaction.atomic
def scorecard_delete(*, scorecard: Scorecard, expected_version: int | None) -> None:
    """Delete a scorecard; its measurables and their values stay."""
    scorecard = lock(scorecard)
    check_version(scorecard, expected_version)
    if scorecard.kind == ScorecardKind.UNIT and scorecard.archived_at is None:
        raise Conflict("A unit's scorecard is archived, not deleted; archive it first.")
    history_record(scorecard, action=HistoryAction.DELETE)
    scorecard.delete()
