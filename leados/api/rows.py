"""What the API answers about people, units, role assignments and history, read as rows.

Each function takes a queryset (filtered, ordered and sliced by the caller, inside the
organization's scope) and returns plain dicts shaped like the output schemas. Rows are
read with ``values_list`` and related names come from joins or one extra query per kind,
keyed in Python, so a page costs a fixed number of queries and no model instances.

The extra queries start from the page's own people or units (scoped like every query) and
join their role assignments, which always share their organization. The page's ids are
given for both sides of the join, so SQLite and PostgreSQL look rows up by key even before
the tables have statistics, instead of walking every assignment of the organization.
"""

from __future__ import annotations

from django.db.models import QuerySet

from leados.core.models import Person, Unit, UnitRole

_PERSON_COLUMNS = (
    "id",
    "name",
    "user__email",
    "title",
    "role",
    "manager_id",
    "manager__name",
    "is_active",
    "deactivated_at",
    "version",
    "created_at",
    "updated_at",
)

_ROLE_COLUMNS = (
    "role_assignments__id",
    "role_assignments__role",
    "role_assignments__unit_id",
    "role_assignments__unit__name",
    "role_assignments__unit__level",
)
_ROLE_ORDER = ("role_assignments__unit_id", "role_assignments__role", "role_assignments__id")

_UNIT_COLUMNS = (
    "id",
    "name",
    "level",
    "parent_id",
    "description",
    "start_date",
    "end_date",
    "archived_at",
    "version",
    "created_at",
    "updated_at",
)

_ASSIGNMENT_COLUMNS = (
    "id",
    "role",
    "person_id",
    "person__name",
    "unit_id",
    "unit__name",
    "unit__level",
    "version",
    "created_at",
)

_HISTORY_COLUMNS = (
    "id",
    "object_type",
    "object_id",
    "object_repr",
    "object_version",
    "action",
    "actor_id",
    "actor_label",
    "edge",
    "changes",
    "snapshot",
    "created_at",
)


def person_rows(people: QuerySet) -> list[dict]:
    """People with their email, manager and every role they hold (ordered by unit, role)."""
    rows = list(people.values_list(*_PERSON_COLUMNS))
    roles: dict[int, list[dict]] = {}
    if rows:
        ids = [row[0] for row in rows]
        for person_id, pk, role, unit_id, unit_name, unit_level in (
            Person.objects.filter(pk__in=ids, role_assignments__person_id__in=ids)
            .order_by(*_ROLE_ORDER)
            .values_list("id", *_ROLE_COLUMNS)
        ):
            roles.setdefault(person_id, []).append(
                {
                    "id": pk,
                    "role": role,
                    "unit": {"id": unit_id, "name": unit_name, "level": unit_level},
                }
            )
    return [
        {
            "id": pk,
            "name": name,
            "email": email,
            "title": title,
            "role": role,
            "manager": None if manager_id is None else {"id": manager_id, "name": manager_name},
            "is_active": is_active,
            "deactivated_at": deactivated_at,
            "roles": roles.get(pk, []),
            "version": version,
            "created_at": created_at,
            "updated_at": updated_at,
        }
        for (
            pk,
            name,
            email,
            title,
            role,
            manager_id,
            manager_name,
            is_active,
            deactivated_at,
            version,
            created_at,
            updated_at,
        ) in rows
    ]


def unit_rows(units: QuerySet) -> list[dict]:
    """Units with their lead and manager."""
    rows = list(units.values_list(*_UNIT_COLUMNS))
    holders: dict[tuple[int, str], dict] = {}
    if rows:
        ids = [row[0] for row in rows]
        for unit_id, role, person_id, person_name in (
            Unit.objects.filter(
                pk__in=ids,
                role_assignments__unit_id__in=ids,
                role_assignments__role__in=[UnitRole.LEAD, UnitRole.MANAGE],
            )
            .order_by("role_assignments__id")
            .values_list(
                "id",
                "role_assignments__role",
                "role_assignments__person_id",
                "role_assignments__person__name",
            )
        ):
            holders.setdefault((unit_id, role), {"id": person_id, "name": person_name})
    return [
        {
            "id": pk,
            "name": name,
            "level": level,
            "parent": parent_id,
            "description": description,
            "start_date": start_date,
            "end_date": end_date,
            "archived_at": archived_at,
            "is_archived": archived_at is not None,
            "lead": holders.get((pk, UnitRole.LEAD)),
            "manager": holders.get((pk, UnitRole.MANAGE)),
            "version": version,
            "created_at": created_at,
            "updated_at": updated_at,
        }
        for (
            pk,
            name,
            level,
            parent_id,
            description,
            start_date,
            end_date,
            archived_at,
            version,
            created_at,
            updated_at,
        ) in rows
    ]


def role_assignment_rows(assignments: QuerySet) -> list[dict]:
    return [
        {
            "id": pk,
            "role": role,
            "person": {"id": person_id, "name": person_name},
            "unit": {"id": unit_id, "name": unit_name, "level": unit_level},
            "version": version,
            "created_at": created_at,
        }
        for (
            pk,
            role,
            person_id,
            person_name,
            unit_id,
            unit_name,
            unit_level,
            version,
            created_at,
        ) in assignments.values_list(*_ASSIGNMENT_COLUMNS)
    ]


def history_rows(entries: QuerySet) -> list[dict]:
    return [
        dict(zip(_HISTORY_KEYS, row, strict=True)) for row in entries.values_list(*_HISTORY_COLUMNS)
    ]


_HISTORY_KEYS = tuple("actor" if c == "actor_id" else c for c in _HISTORY_COLUMNS)


def one(rows_of, queryset: QuerySet) -> dict:
    """The single row of ``queryset`` (the caller has checked that it exists)."""
    (row,) = rows_of(queryset)
    return row
