"""Applying an import: all of it in one transaction, or nothing.

Units are created through ``unit_create``. People, their sign-in accounts and their
roles can number in the tens of thousands, so they go through bulk services here that
keep the rules of ``user_create``, ``person_add``, ``person_update`` and
``role_assignment_create`` (checked for the whole file by ``build_plan``), validate
every object, and record every change with ``history_record_many``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from leados.core.context import edge_override
from leados.core.db import BULK_TABLES, statistics_refresh
from leados.core.errors import Conflict
from leados.core.history import diff, history_record_many, snapshot
from leados.core.models import (
    Edge,
    HistoryAction,
    Organization,
    Person,
    RoleAssignment,
    Unit,
    UnitRole,
    User,
)
from leados.core.services import unit_create
from leados.core.transfer.plan import Plan, PlannedPerson, PlannedUpdate, build_plan
from leados.core.transfer.reader import ParsedFile

# After an import this large, the planner's statistics are refreshed.
LARGE_IMPORT_ROWS = 1000

_BATCH = 500
_PERSON_UPDATE_FIELDS = [
    "name",
    "title",
    "role",
    "manager",
    "is_active",
    "deactivated_at",
    "version",
    "updated_at",
]


class ImportRejected(Exception):
    """The file has row errors; nothing was changed."""

    def __init__(self, plan: Plan):
        super().__init__(f"The import has {len(plan.errors)} error(s); nothing was changed.")
        self.plan = plan


def _invalid(obj, exclude: list[str]) -> None:
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


@transaction.atomic
def users_create_many(*, entries: Iterable[tuple[str, str]]) -> dict[str, User]:
    """Create sign-in accounts (without a password) for new ``(email, name)`` pairs.

    Refuses emails that already have an account, like ``user_create``.
    """
    users = []
    for email, name in entries:
        # Like set_unusable_password(), with a faster source of the random suffix.
        user = User(
            email=email.lower(),
            name=(name or "").strip()[:150],
            password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
        )
        _invalid(user, exclude=["password"])
        users.append(user)
    emails = [u.email for u in users]
    for start in range(0, len(emails), _BATCH):
        taken = (
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails[start : start + _BATCH])
            .values_list("email", flat=True)
            .first()
        )
        if taken:
            raise ValidationError({"email": [f"A user with the email {taken} already exists."]})
    User.objects.bulk_create(users, batch_size=_BATCH)
    if any(u.pk is None for u in users):
        by_email = {u.email: u for u in User.objects.filter(email__in=[u.email for u in users])}
        users = [by_email[u.email] for u in users]
    return {u.email: u for u in users}


@transaction.atomic
def people_add_many(
    *,
    organization: Organization,
    people: list[PlannedPerson],
    users: dict[str, User],
    existing: dict[str, Person],
) -> dict[str, Person]:
    """Make many users members at once, each with their manager set from the start.

    Managers are existing people (``existing``, by email) or people created in the same
    call; reporting lines must not loop (``build_plan`` checks).
    """
    created: dict[str, Person] = {}
    pending = list(people)
    while pending:
        waiting = {p.email for p in pending}
        ready = [p for p in pending if p.manager_email is None or p.manager_email not in waiting]
        if not ready:
            raise ValidationError({"manager_email": ["Reporting lines would loop."]})
        batch = []
        for spec in ready:
            manager = None
            if spec.manager_email is not None:
                manager = created.get(spec.manager_email) or existing[spec.manager_email]
            person = Person(
                organization=organization,
                user=users[spec.email],
                name=spec.name,
                title=spec.title,
                role=spec.role,
                manager=manager,
            )
            _invalid(person, exclude=["organization", "user", "manager"])
            batch.append(person)
        Person.objects.bulk_create(batch, batch_size=_BATCH)
        history_record_many(batch, action=HistoryAction.CREATE)
        created.update({spec.email: p for spec, p in zip(ready, batch, strict=True)})
        ready_emails = {p.email for p in ready}
        pending = [p for p in pending if p.email not in ready_emails]
    return created


@transaction.atomic
def people_update_many(*, updates: list[PlannedUpdate], people: dict[str, Person]) -> int:
    """Change many people at once: each gets a new version and a history entry with its
    changes. ``manager_email`` in an update names the new manager among ``people``."""
    if not updates:
        return 0
    now = timezone.now()
    objs, changes = [], []
    for update in updates:
        person = update.person
        before = snapshot(person)
        for name, value in update.fields.items():
            if name == "manager_email":
                person.manager = people[value]
            else:
                setattr(person, name, value)
        _invalid(person, exclude=["organization", "user", "manager"])
        person.version += 1
        person.updated_at = now
        objs.append(person)
        changes.append(diff(before, snapshot(person)))
    Person.objects.bulk_update(objs, _PERSON_UPDATE_FIELDS, batch_size=_BATCH)
    history_record_many(objs, action=HistoryAction.UPDATE, changes=changes)
    return len(objs)


@transaction.atomic
def role_assignments_create_many(
    *, organization: Organization, assignments: list[tuple[Unit, Person, str]]
) -> list[RoleAssignment]:
    """Give many roles at once. The database refuses a second lead or manager of a unit
    (``build_plan`` reports it first); a race with another change is a Conflict."""
    objs = []
    for unit, person, role in assignments:
        if role not in UnitRole.values:
            raise ValidationError({"role": [f"{role!r} is not a role."]})
        objs.append(
            RoleAssignment(organization_id=organization.pk, unit=unit, person=person, role=role)
        )
    try:
        with transaction.atomic():
            RoleAssignment.objects.bulk_create(objs, batch_size=_BATCH)
    except IntegrityError:
        raise Conflict(
            "Someone changed these roles at the same time; preview the file again."
        ) from None
    history_record_many(objs, action=HistoryAction.CREATE)
    return objs


def import_apply(*, organization: Organization, by: Person | None, parsed: ParsedFile) -> Plan:
    """Validate ``parsed`` again under row locks and apply it completely, or raise
    ``ImportRejected`` (row errors) or ``Conflict`` and change nothing.

    Every change is recorded with edge "import". Importing the same file again
    changes nothing: no history entries, no new versions.
    """
    with edge_override(Edge.IMPORT), transaction.atomic():
        plan = build_plan(organization=organization, by=by, parsed=parsed, lock=True)
        if plan.errors:
            raise ImportRejected(plan)
        if plan.is_noop:
            return plan
        try:
            with transaction.atomic():
                _execute(organization, plan)
            if len(parsed.rows) >= LARGE_IMPORT_ROWS:
                transaction.on_commit(lambda: statistics_refresh(tables=BULK_TABLES))
        except IntegrityError:
            raise Conflict(
                "Someone changed the organization while the file was being applied; preview "
                "it again."
            ) from None
    return plan


def _execute(organization: Organization, plan: Plan) -> None:
    units: dict[tuple[str, ...], Unit] = dict(plan.existing_units)
    for planned in plan.units_create:
        units[planned.key] = unit_create(
            parent=units[planned.key[:-1]],
            level=planned.level,
            name=planned.names[-1],
            start_date=planned.start_date,
            end_date=planned.end_date,
        )
    people = dict(plan.people_by_email)
    new_accounts = [(p.email, p.name) for p in plan.people_create if p.user is None]
    users = users_create_many(entries=new_accounts) if new_accounts else {}
    users.update({p.email: p.user for p in plan.people_create if p.user is not None})
    if plan.people_create:
        people.update(
            people_add_many(
                organization=organization,
                people=plan.people_create,
                users=users,
                existing=people,
            )
        )
    people_update_many(updates=plan.people_update, people=people)
    if plan.roles_create:
        role_assignments_create_many(
            organization=organization,
            assignments=[(units[r.unit_key], people[r.email], r.role) for r in plan.roles_create],
        )
