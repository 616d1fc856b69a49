from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from leados.core.errors import Forbidden
from leados.core.history import history_record
from leados.core.models import ApiToken, HistoryAction, Organization, OrgRole, Person, User
from leados.core.services._common import apply_changes, bulk_set, check_version, field_error, lock

PERSON_FIELDS = {"name", "title", "role", "manager"}


def _owner_count(organization_id: int) -> int:
    return Person.objects.filter(role=OrgRole.OWNER, is_active=True).count()


def _check_manager(person: Person | None, manager: Person | None) -> None:
    if manager is None:
        return
    if not manager.is_active:
        raise field_error("manager", f"{manager.name} is deactivated and cannot be a manager.")
    if person is None or person.pk is None:
        return
    seen = set()
    current = manager
    while current is not None:
        if current.pk == person.pk:
            raise field_error(
                "manager",
                f"{manager.name} reports to {person.name}, so cannot also be their manager.",
            )
        if current.pk in seen:
            break
        seen.add(current.pk)
        current = (
            Person.objects.filter(pk=current.manager_id).first() if current.manager_id else None
        )


@transaction.atomic
def person_add(
    *,
    organization: Organization,
    user: User,
    role: str = OrgRole.MEMBER,
    name: str = "",
    title: str = "",
    manager: Person | None = None,
) -> Person:
    """Make ``user`` a member of ``organization`` (reactivating a former membership)."""
    if role not in OrgRole.values:
        raise field_error(
            "role", f"{role!r} is not a role; use one of {', '.join(OrgRole.values)}."
        )
    existing = Person.objects.filter(user=user).first()
    if existing is not None:
        if existing.is_active:
            raise field_error("email", f"{user.email} is already a member of {organization.name}.")
        person = person_reactivate(person=existing, role=role)
        fields: dict = {key: value for key, value in (("name", name), ("title", title)) if value}
        if manager is not None:
            fields["manager"] = manager
        if fields:
            person = person_update(person=person, expected_version=None, **fields)
        return person
    _check_manager(None, manager)
    person = Person(
        organization=organization,
        user=user,
        role=role,
        name=(name or user.name or user.email.split("@")[0]).strip(),
        title=(title or "").strip(),
        manager=manager,
    )
    person.full_clean()
    person.save()
    history_record(person, action=HistoryAction.CREATE)
    return person


@transaction.atomic
def person_update(
    *,
    person: Person,
    expected_version: int | None,
    by: Person | None = None,
    action: str = HistoryAction.UPDATE,
    **fields,
) -> Person:
    """Change a person's name, title, org role or manager.

    Guarantees the organization keeps an active owner, that only an owner grants or
    removes ownership, and that reporting lines never loop.
    """
    unknown = set(fields) - PERSON_FIELDS
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    person = lock(person)
    check_version(person, expected_version)
    if "role" in fields and fields["role"] != person.role:
        new_role = fields["role"]
        if new_role not in OrgRole.values:
            raise field_error("role", f"{new_role!r} is not a role.")
        touches_owner = OrgRole.OWNER in (new_role, person.role)
        if touches_owner and by is not None and by.role != OrgRole.OWNER:
            raise Forbidden("Only an owner can grant or remove ownership.")
        if person.role == OrgRole.OWNER and _owner_count(person.organization_id) <= 1:
            raise field_error("role", "The organization needs at least one owner.")
    if "manager" in fields:
        _check_manager(person, fields["manager"])
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    if "title" in fields:
        fields["title"] = (fields["title"] or "").strip()
    apply_changes(person, fields, expected_version=None, action=action)
    return person


@transaction.atomic
def person_deactivate(*, person: Person, expected_version: int | None = None) -> Person:
    """End a person's access to the organization at once: sessions and tokens included."""
    person = lock(person)
    check_version(person, expected_version)
    if not person.is_active:
        return person
    if person.role == OrgRole.OWNER and _owner_count(person.organization_id) <= 1:
        raise field_error(
            "role", "The last owner cannot be deactivated; make someone else owner first."
        )
    now = timezone.now()
    ApiToken.objects.filter(
        user_id=person.user_id, organization_id=person.organization_id, revoked_at__isnull=True
    ).update(revoked_at=now)
    still_member_elsewhere = (
        Person.objects.with_scopes_disabled()
        .filter(user_id=person.user_id, is_active=True)
        .exclude(pk=person.pk)
        .exists()
    )
    if not still_member_elsewhere:
        # Ends every session and every all-organization token of the user.
        User.objects.filter(pk=person.user_id).update(session_epoch=F("session_epoch") + 1)
    bulk_set(Person.objects.filter(manager=person), {"manager": None})
    apply_changes(
        person,
        {"is_active": False, "deactivated_at": now},
        expected_version=None,
        action=HistoryAction.UPDATE,
    )
    return person


@transaction.atomic
def person_reactivate(
    *, person: Person, role: str | None = None, expected_version: int | None = None
) -> Person:
    person = lock(person)
    check_version(person, expected_version)
    fields = {"is_active": True, "deactivated_at": None}
    if role:
        fields["role"] = role
    apply_changes(person, fields, expected_version=None)
    return person
