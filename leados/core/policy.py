"""The one place that answers "may this person do this action on this object?".

Every page, API route and command asks here. Organization roles:
owner and admin manage people, units and settings; members edit what they own
(the units they lead or manage); coaches read everything and comment; viewers
read. Everyone edits their own profile (name and title).
"""

from __future__ import annotations

from leados.core.models import OrgRole, Person, RoleAssignment, Unit, UnitRole

ADMINS = {OrgRole.OWNER, OrgRole.ADMIN}
COMMENTERS = {OrgRole.OWNER, OrgRole.ADMIN, OrgRole.MEMBER, OrgRole.COACH}

# Actions that need no object.
READ = "read"
COMMENT = "comment"
ORG_CHANGE = "org.change"
PEOPLE_MANAGE = "people.manage"  # invite, change roles, deactivate, import
UNIT_CREATE = "unit.create"
# Actions on an object.
PERSON_CHANGE = "person.change"
UNIT_CHANGE = "unit.change"  # rename, describe, dates
UNIT_RESTRUCTURE = "unit.restructure"  # move, archive, lead/manage assignments
UNIT_STAFF = "unit.staff"  # add or remove members of the unit
HISTORY_RESTORE = "history.restore"
OWNERSHIP_TRANSFER = "ownership.transfer"

ACTIONS = {
    READ,
    COMMENT,
    ORG_CHANGE,
    PEOPLE_MANAGE,
    UNIT_CREATE,
    PERSON_CHANGE,
    UNIT_CHANGE,
    UNIT_RESTRUCTURE,
    UNIT_STAFF,
    HISTORY_RESTORE,
    OWNERSHIP_TRANSFER,
}


def preload_unit_roles(person: Person) -> Person:
    """Load once which units ``person`` leads or manages, so that a page checking many
    units asks the database once; a role change later in the same request is not seen."""
    person._lead_manage_unit_ids = set(
        RoleAssignment.objects.filter(
            person=person, role__in=[UnitRole.LEAD, UnitRole.MANAGE]
        ).values_list("unit_id", flat=True)
    )
    return person


def _leads_or_manages(person: Person, unit: Unit) -> bool:
    preloaded = getattr(person, "_lead_manage_unit_ids", None)
    if preloaded is not None:
        return unit.pk in preloaded
    return RoleAssignment.objects.filter(
        person=person, unit=unit, role__in=[UnitRole.LEAD, UnitRole.MANAGE]
    ).exists()


def can(person: Person | None, action: str, obj=None) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}.")
    if person is None or not person.is_active or not person.user.is_active:
        return False
    if obj is not None and getattr(obj, "organization_id", person.organization_id) != (
        person.organization_id
    ):
        return False
    role = person.role
    if action == READ:
        return True
    if action == COMMENT:
        return role in COMMENTERS
    if role in ADMINS:
        if action == OWNERSHIP_TRANSFER:
            return role == OrgRole.OWNER
        return True
    if action == PERSON_CHANGE:
        # Everyone keeps their own name and title up to date.
        return isinstance(obj, Person) and obj.pk == person.pk
    if role != OrgRole.MEMBER:
        return False
    if action in (UNIT_CHANGE, UNIT_STAFF):
        return isinstance(obj, Unit) and not obj.is_archived and _leads_or_manages(person, obj)
    return False


def require(person: Person | None, action: str, obj=None) -> None:
    """Raise ``Forbidden`` unless ``can(person, action, obj)``."""
    from leados.core.errors import Forbidden

    if not can(person, action, obj):
        raise Forbidden()
