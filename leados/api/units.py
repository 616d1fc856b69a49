"""Units: the organization's communities of effort, in a tree."""

import datetime
from typing import Literal

from django.db import transaction
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from leados.api.common import (
    ERRORS,
    WRITE_ERRORS,
    Id,
    Input,
    PageParams,
    Text,
    expected_version,
    org_operation,
    paginate,
    reference,
    set_etag,
    stale_check,
)
from leados.api.rows import one, unit_rows
from leados.api.schemas import UnitList, UnitOut
from leados.core import policy
from leados.core.access import get_unit_for
from leados.core.models import Unit
from leados.core.models.units import UNIT_LEVELS
from leados.core.services import unit_archive, unit_create, unit_move, unit_unarchive, unit_update

router = Router(tags=["units"])


UnitLevel = Literal[tuple(level.value for level in UNIT_LEVELS)]  # type: ignore[valid-type]


class UnitFilters(Schema):
    level: UnitLevel | None = None
    parent: Id | None = Field(None, description="Only the direct children of this unit.")
    archived: bool | None = Field(None, description="true: only archived; false: only live.")
    q: Text(200) | None = Field(None, description="Part of the name.")


class UnitCreate(Input):
    parent: Id
    level: UnitLevel
    name: Text(120)
    description: Text(4000) = ""
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None


class UnitPatch(Input):
    name: Text(120) = None
    description: Text(4000) = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    parent: Id = Field(None, description="Move the unit (and everything below it) here.")
    version: int | None = Field(None, description="Instead of If-Match.")


class VersionOnly(Input):
    version: int | None = None


def _unit_out(unit_id: int) -> dict:
    return one(unit_rows, Unit.objects.filter(pk=unit_id))


@router.get("/{org}/units", response={200: UnitList, **ERRORS}, summary="List units")
@org_operation
def list_units(request, org: str, page: Query[PageParams], filters: Query[UnitFilters]):
    units = Unit.objects.order_by("id")
    if filters.level is not None:
        units = units.filter(level=filters.level)
    if filters.parent is not None:
        units = units.filter(parent_id=filters.parent)
    if filters.archived is not None:
        units = units.filter(archived_at__isnull=not filters.archived)
    if filters.q:
        units = units.filter(name__icontains=filters.q)
    return paginate(units, page, unit_rows, UnitList)


@router.get("/{org}/units/{unit_id}", response={200: UnitOut, **ERRORS}, summary="A unit")
@org_operation
def get_unit(request, org: str, unit_id: int, response: HttpResponse):
    unit = get_unit_for(request.viewer, unit_id)
    set_etag(response, unit)
    return _unit_out(unit.pk)


@router.post("/{org}/units", response={201: UnitOut, **WRITE_ERRORS}, summary="Create a unit")
@org_operation
def create_unit(request, org: str, payload: UnitCreate, response: HttpResponse):
    policy.require(request.viewer, policy.UNIT_CREATE)
    parent = reference(get_unit_for, request.viewer, payload.parent, "parent")
    unit = unit_create(
        parent=parent,
        level=payload.level,
        name=payload.name,
        description=payload.description,
        start_date=payload.start_date,
        end_date=payload.end_date,
    )
    set_etag(response, unit)
    return Status(201, _unit_out(unit.pk))


@router.patch("/{org}/units/{unit_id}", response={200: UnitOut, **WRITE_ERRORS})
@org_operation
def update_unit(request, org: str, unit_id: int, payload: UnitPatch, response: HttpResponse):
    """Rename, describe or re-date a unit (its lead or manager, or an admin); move it (admins)."""
    viewer = request.viewer
    unit = get_unit_for(viewer, unit_id)
    fields = payload.dict(exclude_unset=True)
    version, from_header = expected_version(request, fields.pop("version", None))
    parent_id = fields.pop("parent", None)
    if fields or parent_id is None:
        policy.require(viewer, policy.UNIT_CHANGE, unit)
    if parent_id is not None:
        policy.require(viewer, policy.UNIT_RESTRUCTURE, unit)
    parent = reference(get_unit_for, viewer, parent_id, "parent")
    with stale_check("unit", version, from_header), transaction.atomic():
        unit = unit_update(unit=unit, expected_version=version, **fields)
        if parent is not None and parent.pk != unit.parent_id:
            unit = unit_move(unit=unit, parent=parent, expected_version=None)
    set_etag(response, unit)
    return _unit_out(unit.pk)


def _archive(request, unit_id: int, body_version: int | None, response: HttpResponse):
    viewer = request.viewer
    unit = get_unit_for(viewer, unit_id)
    version, from_header = expected_version(request, body_version)
    policy.require(viewer, policy.UNIT_RESTRUCTURE, unit)
    with stale_check("unit", version, from_header):
        unit = unit_archive(unit=unit, expected_version=version)
    set_etag(response, unit)
    return _unit_out(unit.pk)


@router.delete(
    "/{org}/units/{unit_id}",
    response={200: UnitOut, **WRITE_ERRORS},
    summary="Archive a unit",
    description="Units are never deleted: this archives the unit and every unit below it.",
)
@org_operation
def delete_unit(
    request, org: str, unit_id: int, response: HttpResponse, payload: VersionOnly | None = None
):
    return _archive(request, unit_id, payload.version if payload else None, response)


@router.post(
    "/{org}/units/{unit_id}/archive",
    response={200: UnitOut, **WRITE_ERRORS},
    summary="Archive a unit",
)
@org_operation
def archive_unit(
    request, org: str, unit_id: int, response: HttpResponse, payload: VersionOnly | None = None
):
    return _archive(request, unit_id, payload.version if payload else None, response)


@router.post(
    "/{org}/units/{unit_id}/unarchive",
    response={200: UnitOut, **WRITE_ERRORS},
    summary="Unarchive a unit",
)
@org_operation
def unarchive_unit(
    request, org: str, unit_id: int, response: HttpResponse, payload: VersionOnly | None = None
):
    viewer = request.viewer
    unit = get_unit_for(viewer, unit_id)
    version, from_header = expected_version(request, payload.version if payload else None)
    policy.require(viewer, policy.UNIT_RESTRUCTURE, unit)
    with stale_check("unit", version, from_header):
        unit = unit_unarchive(unit=unit, expected_version=version)
    set_etag(response, unit)
    return _unit_out(unit.pk)
