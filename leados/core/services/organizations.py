from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from leados.core.history import diff, history_record, snapshot
from leados.core.models import (
    HistoryAction,
    Level,
    Organization,
    OrgRole,
    Person,
    RoleAssignment,
    Unit,
    UnitRole,
    User,
)
from leados.core.services._common import check_version
from leados.core.tenancy import org_scope

ORG_FIELDS = {
    "name",
    "time_zone",
    "fiscal_year_start_month",
    "week_start_day",
    "terminology",
    "check_in_days",
    "leading_targets",
    "mfa_required",
}


@transaction.atomic
def organization_create(
    *,
    name: str,
    slug: str,
    owner: User,
    time_zone: str = "UTC",
    root_unit_name: str = "Leadership team",
) -> Organization:
    """Create an organization with ``owner`` as its owner and its strategy-level root unit."""
    slug = (slug or "").strip().lower()
    org = Organization(name=(name or "").strip(), slug=slug, time_zone=time_zone)
    org.full_clean()
    org.save()
    with org_scope(org):
        person = Person(
            organization=org,
            user=owner,
            name=owner.name or owner.email.split("@")[0],
            role=OrgRole.OWNER,
        )
        person.full_clean()
        person.save()
        history_record(person, action=HistoryAction.CREATE)
        root = Unit(organization=org, level=Level.STRATEGY, name=root_unit_name)
        root.full_clean()
        root.save()
        history_record(root, action=HistoryAction.CREATE)
        for role in (UnitRole.LEAD, UnitRole.MANAGE):
            assignment = RoleAssignment.objects.create(
                organization=org, person=person, unit=root, role=role
            )
            history_record(assignment, action=HistoryAction.CREATE)
    return org


@transaction.atomic
def organization_update(
    *, organization: Organization, expected_version: int | None, **fields
) -> Organization:
    """Change an organization's settings; a stale ``expected_version`` is refused."""
    unknown = set(fields) - ORG_FIELDS
    if unknown:
        raise ValidationError({name: ["This setting does not exist."] for name in sorted(unknown)})
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    check_version(org, expected_version)
    before = snapshot(org)
    for key, value in fields.items():
        setattr(org, key, value)
    org.full_clean()
    changes = diff(before, snapshot(org))
    if changes:
        org.version += 1
        org.save()
        with org_scope(org):
            history_record(org, action=HistoryAction.UPDATE, changes=changes)
    return org
