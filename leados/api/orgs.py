"""Organizations the token reaches, and an organization's settings."""

import datetime
from typing import Annotated, Literal

from django.http import HttpResponse
from django_scopes import scopes_disabled
from ninja import Field, Router, Schema

from leados.api.common import (
    ERRORS,
    WRITE_ERRORS,
    Input,
    Text,
    expected_version,
    org_operation,
    set_etag,
    stale_check,
)
from leados.core import policy
from leados.core.models import Organization, OrgRole, Person
from leados.core.models.organizations import (
    CHECK_IN_DAYS,
    CHECK_IN_DAYS_MAX,
    LEADING_TARGETS,
    TERMS,
)
from leados.core.services import organization_update

router = Router(tags=["organizations"])

Term = Literal[tuple(TERMS)]  # type: ignore[valid-type]
Words = Annotated[list[Text(40)], Field(min_length=2, max_length=2)]
LevelKey = Literal[tuple(CHECK_IN_DAYS)]  # type: ignore[valid-type]
Days = Annotated[int, Field(ge=1, le=CHECK_IN_DAYS_MAX, strict=True)]
LeaderLevelKey = Literal[tuple(LEADING_TARGETS)]  # type: ignore[valid-type]
Percent = Annotated[int, Field(ge=0, le=100, strict=True)]


class OrganizationOut(Schema):
    slug: str
    name: str
    time_zone: str
    fiscal_year_start_month: int
    week_start_day: int = Field(description="0 = Monday … 6 = Sunday.")
    terminology: dict[str, list[str]]
    mfa_required: bool
    check_in_days: dict[str, int] = Field(
        description="Days between expected goal check-ins, for every level (standard or set)."
    )
    leading_targets: dict[str, int] = Field(
        description="Per cent of a leader's week meant for leading, by the highest level they "
        "lead or manage, for every leader level (standard or set)."
    )
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_check_in_days(obj) -> dict[str, int]:
        return obj.check_in_rhythm()

    @staticmethod
    def resolve_leading_targets(obj) -> dict[str, int]:
        return obj.leading_target()


class MembershipOut(Schema):
    slug: str
    name: str
    person_id: int
    role: OrgRole


class OrganizationPatch(Input):
    name: Text(120) = None
    time_zone: Text(64) = Field(None, description="An IANA time zone, e.g. Europe/Berlin.")
    fiscal_year_start_month: int = Field(None, ge=1, le=12)
    week_start_day: int = Field(None, ge=0, le=6, description="0 = Monday … 6 = Sunday.")
    terminology: dict[Term, Words] = Field(
        None, description='Display words, e.g. {"goal": ["Rock", "Rocks"]}.'
    )
    mfa_required: bool = None
    check_in_days: dict[LevelKey, Days] = Field(
        None,
        description='Check-in rhythm in days per level, e.g. {"strategy": 21}; it replaces the '
        "rhythm set before, and a level left out follows the standard "
        f"({', '.join(f'{k} {v}' for k, v in CHECK_IN_DAYS.items())}).",
    )
    leading_targets: dict[LeaderLevelKey, Percent] = Field(
        None,
        description='Leading targets in per cent per leader level, e.g. {"project": 40}; it '
        "replaces the targets set before, and a level left out follows the standard "
        f"({', '.join(f'{k} {v}' for k, v in LEADING_TARGETS.items())}).",
    )
    version: int | None = Field(None, description="Instead of If-Match.")


@router.get("", response={200: list[MembershipOut], **ERRORS}, summary="Organizations I reach")
def list_organizations(request):
    token = request.auth
    with scopes_disabled():
        people = (
            Person.objects.filter(user=token.user, is_active=True)
            .select_related("organization")
            .order_by("organization__slug")
        )
        if token.organization_id is not None:
            people = people.filter(organization_id=token.organization_id)
        return [
            MembershipOut(
                slug=p.organization.slug, name=p.organization.name, person_id=p.pk, role=p.role
            )
            for p in people
        ]


@router.get("/{org}", response={200: OrganizationOut, **ERRORS}, summary="An organization")
@org_operation
def get_organization(request, org: str, response: HttpResponse):
    set_etag(response, request.org)
    return request.org


@router.patch(
    "/{org}",
    response={200: OrganizationOut, **WRITE_ERRORS},
    summary="Change an organization's settings (admins)",
)
@org_operation
def update_organization(request, org: str, payload: OrganizationPatch, response: HttpResponse):
    fields = payload.dict(exclude_unset=True)
    version, from_header = expected_version(request, fields.pop("version", None))
    policy.require(request.viewer, policy.ORG_CHANGE)
    with stale_check("organization", version, from_header):
        updated: Organization = organization_update(
            organization=request.org, expected_version=version, **fields
        )
    set_etag(response, updated)
    return updated
