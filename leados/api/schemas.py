"""Output schemas of the organization routes."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch
from ninja import Schema

from leados.core.models import (
    HistoryAction,
    Level,
    OrgRole,
    Person,
    RoleAssignment,
    Unit,
    UnitRole,
)
from leados.core.models.history import Edge


class PersonRef(Schema):
    id: int
    name: str


class UnitRef(Schema):
    id: int
    name: str
    level: Level


class PersonRoleOut(Schema):
    id: int
    role: UnitRole
    unit: UnitRef


class PersonOut(Schema):
    id: int
    name: str
    email: str
    title: str
    role: OrgRole
    manager: PersonRef | None
    is_active: bool
    deactivated_at: datetime.datetime | None
    roles: list[PersonRoleOut]
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_roles(obj: Person):
        return obj.role_assignments.all()


class UnitOut(Schema):
    id: int
    name: str
    level: Level
    parent: int | None
    description: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    archived_at: datetime.datetime | None
    is_archived: bool
    lead: PersonRef | None
    manager: PersonRef | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_parent(obj: Unit):
        return obj.parent_id

    @staticmethod
    def resolve_lead(obj: Unit):
        return _holder(obj, UnitRole.LEAD)

    @staticmethod
    def resolve_manager(obj: Unit):
        return _holder(obj, UnitRole.MANAGE)


def _holder(unit: Unit, role: str) -> Person | None:
    if not hasattr(unit, "leadership"):
        unit.leadership = list(leadership_queryset().filter(unit=unit))
    for assignment in unit.leadership:
        if assignment.role == role:
            return assignment.person
    return None


def leadership_queryset():
    return RoleAssignment.objects.filter(role__in=[UnitRole.LEAD, UnitRole.MANAGE]).select_related(
        "person"
    )


def people_queryset():
    return Person.objects.select_related("user", "manager").prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.select_related("unit").order_by("unit_id", "role"),
        )
    )


def units_queryset():
    return Unit.objects.prefetch_related(
        Prefetch("role_assignments", queryset=leadership_queryset(), to_attr="leadership")
    )


class RoleAssignmentOut(Schema):
    id: int
    role: UnitRole
    person: PersonRef
    unit: UnitRef
    version: int
    created_at: datetime.datetime


class HistoryOut(Schema):
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
    created_at: datetime.datetime

    @staticmethod
    def resolve_actor(obj):
        return obj.actor_id


class PersonList(Schema):
    items: list[PersonOut]
    count: int


class UnitList(Schema):
    items: list[UnitOut]
    count: int


class RoleAssignmentList(Schema):
    items: list[RoleAssignmentOut]
    count: int


class HistoryList(Schema):
    items: list[HistoryOut]
    count: int
