"""Reads of the organization's direction, and the access function for core values."""

from __future__ import annotations

from leados.core.access import as_id
from leados.core.errors import NotFound
from leados.core.models import Person
from leados.operate.models import CoreValue, Vision


def vision_get() -> Vision | None:
    """The current organization's vision, or ``None`` before anyone wrote one."""
    return Vision.objects.first()


def core_values_list():
    return CoreValue.objects.order_by("position", "id")


def get_core_value_for(viewer: Person, value_id) -> CoreValue:
    """A core value of the viewer's organization; any other is not found."""
    number = as_id(value_id)
    value = CoreValue.objects.filter(pk=number, organization_id=viewer.organization_id).first()
    if value is None:
        raise NotFound()
    return value
