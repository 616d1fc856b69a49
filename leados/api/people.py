"""People: an organization's memberships."""

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
from leados.api.rows import one, person_rows
from leados.api.schemas import PersonList, PersonOut
from leados.core import policy
from leados.core.access import get_person_for
from leados.core.errors import Forbidden
from leados.core.models import OrgRole, Person, User
from leados.core.services import (
    person_add,
    person_deactivate,
    person_reactivate,
    person_update,
    user_create,
)
from leados.core.services.users import normalize_email

router = Router(tags=["people"])


class PeopleFilters(Schema):
    q: Text(200) | None = Field(None, description="Part of a name, email or title.")
    role: OrgRole | None = None
    is_active: bool | None = None
    manager: Id | None = Field(None, description="Only the direct reports of this person.")
    order: Literal["id", "name"] = "id"


class PersonCreate(Input):
    email: Text(254)
    name: Text(150) = ""
    title: Text(120) = ""
    role: OrgRole = OrgRole.MEMBER
    manager: Id | None = None


class PersonPatch(Input):
    name: Text(150) = None
    title: Text(120) = None
    role: OrgRole = None
    manager: Id | None = None
    version: int | None = Field(None, description="Instead of If-Match.")


class VersionOnly(Input):
    version: int | None = None


def _person_out(person_id: int) -> dict:
    return one(person_rows, Person.objects.filter(pk=person_id))


@router.get("/{org}/people", response={200: PersonList, **ERRORS}, summary="List people")
@org_operation
def list_people(request, org: str, page: Query[PageParams], filters: Query[PeopleFilters]):
    people = Person.objects.search(filters.q or "")
    if filters.role is not None:
        people = people.filter(role=filters.role)
    if filters.is_active is not None:
        people = people.filter(is_active=filters.is_active)
    if filters.manager is not None:
        people = people.filter(manager_id=filters.manager)
    people = people.order_by("name", "id") if filters.order == "name" else people.order_by("id")
    return paginate(people, page, person_rows, PersonList)


@router.get("/{org}/people/{person_id}", response={200: PersonOut, **ERRORS}, summary="A person")
@org_operation
def get_person(request, org: str, person_id: int, response: HttpResponse):
    person = get_person_for(request.viewer, person_id)
    set_etag(response, person)
    return _person_out(person.pk)


@router.post(
    "/{org}/people",
    response={201: PersonOut, **WRITE_ERRORS},
    summary="Add a person",
    description="Adds the user with this email to the organization, creating the user when "
    "there is none. A new user sets a password through password reset (or signs in "
    "with single sign-on).",
)
@org_operation
def create_person(request, org: str, payload: PersonCreate, response: HttpResponse):
    viewer = request.viewer
    policy.require(viewer, policy.PEOPLE_MANAGE)
    if payload.role == OrgRole.OWNER and viewer.role != OrgRole.OWNER:
        raise Forbidden("Only an owner can grant ownership.")
    manager = reference(get_person_for, viewer, payload.manager, "manager")
    email = normalize_email(payload.email)
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = user_create(email=email, name=payload.name)
        person = person_add(
            organization=request.org,
            user=user,
            role=payload.role,
            name=payload.name,
            title=payload.title,
            manager=manager,
        )
    set_etag(response, person)
    return Status(201, _person_out(person.pk))


@router.patch("/{org}/people/{person_id}", response={200: PersonOut, **WRITE_ERRORS})
@org_operation
def update_person(request, org: str, person_id: int, payload: PersonPatch, response: HttpResponse):
    """Change name and title (the person themselves, or an admin); role and manager (admins)."""
    viewer = request.viewer
    person = get_person_for(viewer, person_id)
    fields = payload.dict(exclude_unset=True)
    version, from_header = expected_version(request, fields.pop("version", None))
    if {"name", "title"} & set(fields) or not fields:
        policy.require(viewer, policy.PERSON_CHANGE, person)
    if {"role", "manager"} & set(fields):
        policy.require(viewer, policy.PEOPLE_MANAGE)
    if "manager" in fields:
        fields["manager"] = reference(get_person_for, viewer, fields["manager"], "manager")
    with stale_check("person", version, from_header):
        person = person_update(person=person, expected_version=version, by=viewer, **fields)
    set_etag(response, person)
    return _person_out(person.pk)


def _deactivate(request, person_id: int, body_version: int | None, response: HttpResponse):
    viewer = request.viewer
    person = get_person_for(viewer, person_id)
    version, from_header = expected_version(request, body_version)
    policy.require(viewer, policy.PEOPLE_MANAGE, person)
    with stale_check("person", version, from_header):
        person = person_deactivate(person=person, expected_version=version)
    set_etag(response, person)
    return _person_out(person.pk)


@router.delete(
    "/{org}/people/{person_id}",
    response={200: PersonOut, **WRITE_ERRORS},
    summary="Deactivate a person",
    description="People are never deleted: this deactivates the membership, ends the "
    "person's sessions and tokens, and clears them as anyone's manager.",
)
@org_operation
def delete_person(
    request,
    org: str,
    person_id: int,
    response: HttpResponse,
    payload: VersionOnly | None = None,
):
    return _deactivate(request, person_id, payload.version if payload else None, response)


@router.post(
    "/{org}/people/{person_id}/deactivate",
    response={200: PersonOut, **WRITE_ERRORS},
    summary="Deactivate a person",
)
@org_operation
def deactivate_person(
    request,
    org: str,
    person_id: int,
    response: HttpResponse,
    payload: VersionOnly | None = None,
):
    return _deactivate(request, person_id, payload.version if payload else None, response)


@router.post(
    "/{org}/people/{person_id}/reactivate",
    response={200: PersonOut, **WRITE_ERRORS},
    summary="Reactivate a person",
)
@org_operation
def reactivate_person(
    request,
    org: str,
    person_id: int,
    response: HttpResponse,
    payload: VersionOnly | None = None,
):
    viewer = request.viewer
    person = get_person_for(viewer, person_id)
    version, from_header = expected_version(request, payload.version if payload else None)
    policy.require(viewer, policy.PEOPLE_MANAGE, person)
    with stale_check("person", version, from_header):
        person = person_reactivate(person=person, expected_version=version)
    set_etag(response, person)
    return _person_out(person.pk)
