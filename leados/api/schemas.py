"""Output schemas of the organization routes.

They are plain pydantic models validated from the dicts of ``leados.api.rows``: pydantic
checks dicts in compiled code, where a ninja ``Schema`` would resolve every attribute of
every nested object in Python. ``json_response`` writes them with pydantic's own JSON
writer; times are written exactly as the rest of the API writes them (Django's encoder).
"""

from __future__ import annotations

import datetime
from typing import Annotated

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from pydantic import BaseModel, PlainSerializer, WithJsonSchema

from leados.core.models import HistoryAction, Level, OrgRole, UnitRole
from leados.core.models.history import Edge

JSON_CONTENT_TYPE = "application/json; charset=utf-8"

DateTime = Annotated[
    datetime.datetime,
    PlainSerializer(DjangoJSONEncoder().default, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def json_response(model: type[BaseModel], data: dict) -> HttpResponse:
    """``data`` validated as ``model`` and written as JSON, in one pass each."""
    return HttpResponse(
        model.model_validate(data).model_dump_json(), content_type=JSON_CONTENT_TYPE
    )


class PersonRef(BaseModel):
    id: int
    name: str


class UnitRef(BaseModel):
    id: int
    name: str
    level: Level


class PersonRoleOut(BaseModel):
    id: int
    role: UnitRole
    unit: UnitRef


class PersonOut(BaseModel):
    id: int
    name: str
    email: str
    title: str
    role: OrgRole
    manager: PersonRef | None
    is_active: bool
    deactivated_at: DateTime | None
    roles: list[PersonRoleOut]
    version: int
    created_at: DateTime
    updated_at: DateTime


class UnitOut(BaseModel):
    id: int
    name: str
    level: Level
    parent: int | None
    description: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    archived_at: DateTime | None
    is_archived: bool
    lead: PersonRef | None
    manager: PersonRef | None
    version: int
    created_at: DateTime
    updated_at: DateTime


class RoleAssignmentOut(BaseModel):
    id: int
    role: UnitRole
    person: PersonRef
    unit: UnitRef
    version: int
    created_at: DateTime


class HistoryOut(BaseModel):
    id: int
    object_type: str
    object_id: int
    object_repr: str
    object_version: int
    action: HistoryAction
    actor: int | None
    actor_label: str
    edge: Edge
    changes: dict
    snapshot: dict
    created_at: DateTime


class PersonList(BaseModel):
    items: list[PersonOut]
    count: int


class UnitList(BaseModel):
    items: list[UnitOut]
    count: int


class RoleAssignmentList(BaseModel):
    items: list[RoleAssignmentOut]
    count: int


class HistoryList(BaseModel):
    items: list[HistoryOut]
    count: int
