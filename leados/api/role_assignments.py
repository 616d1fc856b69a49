"""Role assignments: who leads, manages or is a member of each unit."""

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from leados.api.common import (
    ERRORS,
    WRITE_ERRORS,
    Id,
    Input,
    PageParams,
    check_version,
    expected_version,
    org_operation,
    paginate,
    reference,
    set_etag,
    stale_check,
)
from leados.api.rows import one, role_assignment_rows
from leados.api.schemas import RoleAssignmentList, RoleAssignmentOut
from leados.core import policy
from leados.core.access import get_person_for, get_role_assignment_for, get_unit_for
from leados.core.models import RoleAssignment, UnitRole
from leados.core.services import role_assignment_create, role_assignment_delete

router = Router(tags=["role assignments"])


class RoleAssignmentFilters(Schema):
    unit: Id | None = None
    person: Id | None = None
    role: UnitRole | None = None


class RoleAssignmentCreate(Input):
    person: Id
    unit: Id
    role: UnitRole
    replace: bool = Field(
        False,
        description="For lead and manage: let the current holder step down instead of "
        "refusing with 409.",
    )


class VersionOnly(Input):
    version: int | None = None


def _required_action(role: str) -> str:
    return policy.UNIT_STAFF if role == UnitRole.MEMBER else policy.UNIT_RESTRUCTURE


def _assignment_out(assignment_id: int) -> dict:
    return one(role_assignment_rows, RoleAssignment.objects.filter(pk=assignment_id))


@router.get(
    "/{org}/role-assignments",
    response={200: RoleAssignmentList, **ERRORS},
    summary="List role assignments",
)
@org_operation
def list_role_assignments(
    request, org: str, page: Query[PageParams], filters: Query[RoleAssignmentFilters]
):
    assignments = RoleAssignment.objects.order_by("id")
    if filters.unit is not None:
        assignments = assignments.filter(unit_id=filters.unit)
    if filters.person is not None:
        assignments = assignments.filter(person_id=filters.person)
    if filters.role is not None:
        assignments = assignments.filter(role=filters.role)
    return paginate(assignments, page, role_assignment_rows, RoleAssignmentList)


@router.get(
    "/{org}/role-assignments/{assignment_id}",
    response={200: RoleAssignmentOut, **ERRORS},
    summary="A role assignment",
)
@org_operation
def get_role_assignment(request, org: str, assignment_id: int, response: HttpResponse):
    assignment = get_role_assignment_for(request.viewer, assignment_id)
    set_etag(response, assignment)
    return _assignment_out(assignment.pk)


@router.post(
    "/{org}/role-assignments",
    response={201: RoleAssignmentOut, **WRITE_ERRORS},
    summary="Give a person a role on a unit",
    description="A unit has at most one lead and one manager. Leads and managers are set by "
    "admins; the unit's lead or manager may add and remove members.",
)
@org_operation
def create_role_assignment(
    request, org: str, payload: RoleAssignmentCreate, response: HttpResponse
):
    viewer = request.viewer
    unit = reference(get_unit_for, viewer, payload.unit, "unit")
    person = reference(get_person_for, viewer, payload.person, "person")
    policy.require(viewer, _required_action(payload.role), unit)
    assignment = role_assignment_create(
        unit=unit, person=person, role=payload.role, replace=payload.replace
    )
    set_etag(response, assignment)
    return Status(201, _assignment_out(assignment.pk))


@router.delete(
    "/{org}/role-assignments/{assignment_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Remove a role assignment",
)
@org_operation
def delete_role_assignment(
    request, org: str, assignment_id: int, payload: VersionOnly | None = None
):
    viewer = request.viewer
    assignment = get_role_assignment_for(viewer, assignment_id)
    version, from_header = expected_version(request, payload.version if payload else None)
    policy.require(viewer, _required_action(assignment.role), assignment.unit)
    with stale_check("role assignment", version, from_header):
        check_version(assignment, version)
        role_assignment_delete(assignment=assignment)
    return Status(204, None)
