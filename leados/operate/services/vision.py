"""Writes to the organization's direction: every change is validated, versioned and recorded."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from leados.core.errors import Conflict
from leados.core.history import history_record
from leados.core.models import HistoryAction, Organization
from leados.core.services._common import apply_changes, check_version, field_error, lock
from leados.operate.models import (
    LONG_RANGE_MAX,
    MAX_CORE_VALUES,
    VALUE_DESCRIPTION_MAX,
    VALUE_NAME_MAX,
    VISION_MAX,
    CoreValue,
    Vision,
)

VISION_FIELDS = {"vision": VISION_MAX, "mission": VISION_MAX, "long_range": LONG_RANGE_MAX}
VALUE_FIELDS = {"name", "description"}


def _text(field: str, value, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise field_error(field, f"Keep this to {limit} characters (it has {len(value)}).")
    return value


def _refuse_unknown(fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            {name: ["This field cannot be changed here."] for name in sorted(unknown)}
        )


@transaction.atomic
def vision_update(*, organization: Organization, expected_version: int | None, **fields) -> Vision:
    """Change the vision, mission, long-range picture or its horizon year.

    An organization without a vision yet is at version 0: the first save creates it.
    """
    _refuse_unknown(fields, set(VISION_FIELDS) | {"horizon_year"})
    for name, limit in VISION_FIELDS.items():
        if name in fields:
            fields[name] = _text(name, fields[name], limit)
    current = Vision.objects.filter(organization_id=organization.pk).first()
    if current is None:
        if expected_version not in (None, 0):
            raise Conflict(current_version=0)
        vision = Vision(organization_id=organization.pk, **fields)
        vision.full_clean(exclude=["organization"])
        try:
            with transaction.atomic():
                vision.save()
        except IntegrityError:
            raise Conflict() from None
        history_record(vision, action=HistoryAction.CREATE)
        return vision
    vision = lock(current)
    apply_changes(vision, fields, expected_version=expected_version)
    return vision


def _clean_value_name(name, *, organization_id: int, exclude_pk: int | None = None) -> str:
    name = _text("name", name, VALUE_NAME_MAX)
    if not name:
        raise field_error("name", "A core value needs a name.")
    same = CoreValue.objects.filter(organization_id=organization_id, name__iexact=name)
    if exclude_pk is not None:
        same = same.exclude(pk=exclude_pk)
    if same.exists():
        raise field_error("name", f"There is already a core value called {name!r}.")
    return name


@transaction.atomic
def core_value_create(*, organization: Organization, name: str, description: str = "") -> CoreValue:
    """Add a core value after the existing ones; names are unique (ignoring case)."""
    existing = list(
        CoreValue.objects.filter(organization_id=organization.pk).values_list("position", flat=True)
    )
    if len(existing) >= MAX_CORE_VALUES:
        raise field_error(
            "name", f"An organization keeps at most {MAX_CORE_VALUES} core values; few is better."
        )
    value = CoreValue(
        organization_id=organization.pk,
        name=_clean_value_name(name, organization_id=organization.pk),
        description=_text("description", description, VALUE_DESCRIPTION_MAX),
        position=max(existing, default=-1) + 1,
    )
    value.full_clean(exclude=["organization"])
    value.save()
    history_record(value, action=HistoryAction.CREATE)
    return value


@transaction.atomic
def core_value_update(*, value: CoreValue, expected_version: int | None, **fields) -> CoreValue:
    """Rename or re-describe a core value."""
    _refuse_unknown(fields, VALUE_FIELDS)
    value = lock(value)
    check_version(value, expected_version)
    if "name" in fields:
        fields["name"] = _clean_value_name(
            fields["name"], organization_id=value.organization_id, exclude_pk=value.pk
        )
    if "description" in fields:
        fields["description"] = _text("description", fields["description"], VALUE_DESCRIPTION_MAX)
    apply_changes(value, fields, expected_version=None, exclude=["organization"])
    return value


@transaction.atomic
def core_value_delete(*, value: CoreValue, expected_version: int | None) -> None:
    """Remove a core value; its history keeps what it said."""
    value = lock(value)
    check_version(value, expected_version)
    history_record(value, action=HistoryAction.DELETE)
    value.delete()


@transaction.atomic
def core_values_reorder(*, organization: Organization, order: list[int]) -> list[CoreValue]:
    """Put the core values in ``order`` (every value's id, once each)."""
    values = {
        v.pk: v
        for v in CoreValue.objects.select_for_update().filter(organization_id=organization.pk)
    }
    ids = [int(i) for i in order]
    if len(set(ids)) != len(ids) or set(ids) != set(values):
        raise field_error("order", "List every core value's id exactly once.")
    result = []
    for position, pk in enumerate(ids):
        value = values[pk]
        if value.position != position:
            apply_changes(
                value, {"position": position}, expected_version=None, exclude=["organization"]
            )
        result.append(value)
    return result
