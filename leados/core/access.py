"""One access function per entity: every edge gets objects through these.

Each runs inside the organization's scope, so an object of another organization
is simply not found, exactly like one that does not exist.
"""

from __future__ import annotations

from django_scopes import scopes_disabled

from leados.core.errors import NotFound
from leados.core.models import (
    HistoryEntry,
    Invitation,
    Organization,
    Period,
    Person,
    RoleAssignment,
    Unit,
)


def as_id(value) -> int:
    """A path id as a positive 64-bit integer; anything else is simply not found."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
    if number <= 0 or number > 2**63 - 1:
        raise NotFound()
    return number


def get_membership(user, org_slug: str) -> Person:
    """The signed-in user's active membership in the organization ``org_slug``."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise NotFound()
    with scopes_disabled():
        person = next(
            iter(
                Person.objects.select_related("organization")
                .filter(user=user, organization__slug=org_slug, is_active=True)
                .order_by()[:1]
            ),
            None,
        )
    if person is None:
        raise NotFound()
    person.user = user  # the caller's own user: no second read
    return person


def get_person_for(viewer: Person, person_id) -> Person:
    person = Person.objects.with_user().filter(pk=as_id(person_id)).first()
    if person is None:
        raise NotFound()
    return person


def get_unit_for(viewer: Person, unit_id) -> Unit:
    unit = Unit.objects.select_related("parent").filter(pk=as_id(unit_id)).first()
    if unit is None:
        raise NotFound()
    return unit


def get_role_assignment_for(viewer: Person, assignment_id) -> RoleAssignment:
    assignment = (
        RoleAssignment.objects.select_related("person__user", "unit")
        .filter(pk=as_id(assignment_id))
        .first()
    )
    if assignment is None:
        raise NotFound()
    return assignment


def get_invitation_for(viewer: Person, invitation_id) -> Invitation:
    invitation = Invitation.objects.filter(pk=as_id(invitation_id)).first()
    if invitation is None:
        raise NotFound()
    return invitation


def get_history_entry_for(viewer: Person, entry_id) -> HistoryEntry:
    entry = HistoryEntry.objects.select_related("actor").filter(pk=as_id(entry_id)).first()
    if entry is None:
        raise NotFound()
    return entry


def get_organization_by_slug(slug: str) -> Organization:
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        raise NotFound()
    return org


def get_period_for(viewer: Person, period_id) -> Period:
    period = Period.objects.select_related("parent").filter(pk=as_id(period_id)).first()
    if period is None:
        raise NotFound()
    return period
