"""The organization's vision and core values."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from leados.api.common import (
    ERRORS,
    WRITE_ERRORS,
    Id,
    Input,
    Text,
    expected_version,
    org_operation,
    set_etag,
    stale_check,
)
from leados.core import policy
from leados.operate import services
from leados.operate.models import (
    LONG_RANGE_MAX,
    VALUE_DESCRIPTION_MAX,
    VALUE_NAME_MAX,
    VISION_MAX,
    CoreValue,
    Vision,
)
from leados.operate.selectors import core_values_list, get_core_value_for, vision_get

router = Router(tags=["vision"])


class VisionOut(Schema):
    vision: str
    mission: str
    long_range: str
    horizon_year: int | None
    version: int = Field(description="0 until the vision is first saved.")
    updated_at: str | None


class VisionPatch(Input):
    vision: Text(VISION_MAX) = None
    mission: Text(VISION_MAX) = None
    long_range: Text(LONG_RANGE_MAX) = None
    horizon_year: int | None = Field(None, ge=2000, le=2200)
    version: int | None = Field(None, description="Instead of If-Match.")


class CoreValueOut(Schema):
    id: int
    name: str
    description: str
    position: int
    version: int


class CoreValueList(Schema):
    items: list[CoreValueOut]
    count: int


class CoreValueCreate(Input):
    name: Text(VALUE_NAME_MAX)
    description: Text(VALUE_DESCRIPTION_MAX) = ""


class CoreValuePatch(Input):
    name: Text(VALUE_NAME_MAX) = None
    description: Text(VALUE_DESCRIPTION_MAX) = None
    version: int | None = Field(None, description="Instead of If-Match.")


class VersionOnly(Input):
    version: int | None = None


class CoreValueOrder(Input):
    order: list[Id] = Field(description="Every core value's id, in the new order.", max_length=100)


def _vision_out(vision: Vision | None) -> dict:
    if vision is None:
        return {
            "vision": "",
            "mission": "",
            "long_range": "",
            "horizon_year": None,
            "version": 0,
            "updated_at": None,
        }
    return {
        "vision": vision.vision,
        "mission": vision.mission,
        "long_range": vision.long_range,
        "horizon_year": vision.horizon_year,
        "version": vision.version,
        "updated_at": vision.updated_at.isoformat(),
    }


def _vision_etag(response: HttpResponse, vision: Vision | None) -> None:
    response["ETag"] = vision.etag if vision is not None else 'W/"0"'


def _value_out(value: CoreValue) -> dict:
    return {
        "id": value.pk,
        "name": value.name,
        "description": value.description,
        "position": value.position,
        "version": value.version,
    }


@router.get("/{org}/vision", response={200: VisionOut, **ERRORS}, summary="The vision")
@org_operation
def get_vision(request, org: str, response: HttpResponse):
    vision = vision_get()
    _vision_etag(response, vision)
    return _vision_out(vision)


@router.patch(
    "/{org}/vision", response={200: VisionOut, **WRITE_ERRORS}, summary="Change the vision"
)
@org_operation
def update_vision(request, org: str, payload: VisionPatch, response: HttpResponse):
    """Owners and admins. Before the first save the vision is at version 0 (ETag W/"0")."""
    policy.require(request.viewer, policy.ORG_CHANGE)
    fields = payload.dict(exclude_unset=True)
    version, from_header = expected_version(request, fields.pop("version", None))
    with stale_check("vision", version, from_header):
        vision = services.vision_update(
            organization=request.org, expected_version=version, **fields
        )
    _vision_etag(response, vision)
    return _vision_out(vision)


@router.get(
    "/{org}/core-values", response={200: CoreValueList, **ERRORS}, summary="List core values"
)
@org_operation
def list_core_values(request, org: str):
    items = [_value_out(v) for v in core_values_list()]
    return {"items": items, "count": len(items)}


@router.post(
    "/{org}/core-values", response={201: CoreValueOut, **WRITE_ERRORS}, summary="Add a core value"
)
@org_operation
def create_core_value(request, org: str, payload: CoreValueCreate, response: HttpResponse):
    policy.require(request.viewer, policy.ORG_CHANGE)
    value = services.core_value_create(
        organization=request.org, name=payload.name, description=payload.description
    )
    set_etag(response, value)
    return Status(201, _value_out(value))


@router.post(
    "/{org}/core-values/order",
    response={200: CoreValueList, **WRITE_ERRORS},
    summary="Reorder core values",
)
@org_operation
def reorder_core_values(request, org: str, payload: CoreValueOrder):
    policy.require(request.viewer, policy.ORG_CHANGE)
    items = [
        _value_out(v)
        for v in services.core_values_reorder(organization=request.org, order=payload.order)
    ]
    return {"items": items, "count": len(items)}


@router.patch(
    "/{org}/core-values/{value_id}",
    response={200: CoreValueOut, **WRITE_ERRORS},
    summary="Change a core value",
)
@org_operation
def update_core_value(
    request, org: str, value_id: int, payload: CoreValuePatch, response: HttpResponse
):
    value = get_core_value_for(request.viewer, value_id)
    policy.require(request.viewer, policy.ORG_CHANGE)
    fields = payload.dict(exclude_unset=True)
    version, from_header = expected_version(request, fields.pop("version", None))
    with stale_check("core value", version, from_header):
        value = services.core_value_update(value=value, expected_version=version, **fields)
    set_etag(response, value)
    return _value_out(value)


@router.delete(
    "/{org}/core-values/{value_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Remove a core value",
)
@org_operation
def delete_core_value(request, org: str, value_id: int, payload: VersionOnly | None = None):
    value = get_core_value_for(request.viewer, value_id)
    policy.require(request.viewer, policy.ORG_CHANGE)
    version, from_header = expected_version(request, payload.version if payload else None)
    with stale_check("core value", version, from_header):
        services.core_value_delete(value=value, expected_version=version)
    return Status(204, None)
