from __future__ import annotations

from django_scopes import scopes_disabled
from ninja import Router, Schema

from leados.core.models import Person

router = Router(tags=["me"])


class MembershipOut(Schema):
    organization: str
    organization_name: str
    person_id: int
    role: str


class MeOut(Schema):
    id: int
    email: str
    name: str
    token_organization: str | None
    memberships: list[MembershipOut]


@router.get("", response=MeOut, summary="The user the token belongs to")
def me(request):
    token = request.auth
    with scopes_disabled():
        people = Person.objects.filter(user=request.user, is_active=True).select_related(
            "organization"
        )
        if token.organization_id:
            people = people.filter(organization_id=token.organization_id)
        memberships = [
            MembershipOut(
                organization=p.organization.slug,
                organization_name=p.organization.name,
                person_id=p.pk,
                role=p.role,
            )
            for p in people
        ]
    return MeOut(
        id=request.user.pk,
        email=request.user.email,
        name=request.user.name,
        token_organization=token.organization.slug if token.organization_id else None,
        memberships=memberships,
    )
