"""Exporting people and units in the import's columns, safe to open in a spreadsheet.

An export imports back into the same organization as a no-op: one row per role a
person holds (or one row without a unit for a person without roles), one row per
unit nobody holds a role on; deactivated people and archived units are left out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils import timezone

from leados.core.models import Organization, Person, RoleAssignment, Unit, UnitRole
from leados.core.transfer.columns import COLUMNS, join_path, neutralize

_ROLE_ORDER = {UnitRole.LEAD: 0, UnitRole.MANAGE: 1, UnitRole.MEMBER: 2}


def _date(value) -> str:
    return value.isoformat() if value else ""


def export_rows(*, organization: Organization) -> Iterator[list[str]]:
    """The header and every row, in four queries whatever the organization's size.

    Call inside the organization's scope. Values are raw; writers neutralize them.
    """
    yield list(COLUMNS)
    units = {
        u.pk: u
        for u in Unit.objects.only(
            "id", "parent_id", "name", "level", "archived_at", "start_date", "end_date"
        )
    }
    paths: dict[int, str] = {}

    def path_of(unit: Unit) -> str:
        if unit.pk not in paths:
            names, current = [], unit
            while current is not None:
                names.append(current.name)
                current = units.get(current.parent_id)
            paths[unit.pk] = join_path(names[::-1])
        return paths[unit.pk]

    people = list(
        Person.objects.active()
        .select_related("user")
        .only("id", "name", "title", "role", "manager_id", "user__email")
        .order_by("name", "id")
    )
    email_of = {p.pk: p.user.email for p in people}
    roles: dict[int, list[tuple[Unit, str]]] = {}
    held: set[int] = set()
    for person_id, unit_id, role in RoleAssignment.objects.filter(
        unit__archived_at__isnull=True, person__is_active=True
    ).values_list("person_id", "unit_id", "role"):
        roles.setdefault(person_id, []).append((units[unit_id], role))
        held.add(unit_id)
    for person in people:
        base = [
            person.user.email,
            person.name,
            person.title,
            email_of.get(person.manager_id, ""),
        ]
        mine = sorted(roles.get(person.pk, []), key=lambda ur: (path_of(ur[0]), _ROLE_ORDER[ur[1]]))
        if not mine:
            yield [*base, "", "", "", person.role, "", ""]
        for unit, role in mine:
            yield [
                *base,
                path_of(unit),
                unit.level,
                role,
                person.role,
                _date(unit.start_date),
                _date(unit.end_date),
            ]
    empty = [u for u in units.values() if u.archived_at is None and u.pk not in held]
    for unit in sorted(empty, key=path_of):
        yield [
            "",
            "",
            "",
            "",
            path_of(unit),
            unit.level,
            "",
            "",
            _date(unit.start_date),
            _date(unit.end_date),
        ]


def template_rows(*, organization: Organization) -> list[list[str]]:
    root = Unit.objects.filter(parent__isnull=True).values_list("name", flat=True).first()
    root = root or "Leadership team"
    return [
        list(COLUMNS),
        ["", "", "", "", f"{root}/Customer Success", "functional_team", "", "", "", ""],
        [
            "ada@example.com",
            "Ada Lovelace",
            "Head of Customer Success",
            "",
            f"{root}/Customer Success",
            "functional_team",
            "lead",
            "member",
            "",
            "",
        ],
        [
            "alan@example.com",
            "Alan Turing",
            "Customer success manager",
            "ada@example.com",
            f"{root}/Customer Success/EMEA",
            "functional_team",
            "member",
            "member",
            "",
            "",
        ],
        [
            "alan@example.com",
            "",
            "",
            "",
            f"{root}/Customer Success/Onboarding revamp",
            "project",
            "manage",
            "",
            "2025-01-06",
            "2025-06-30",
        ],
    ]


def export_filename(organization: Organization, extension: str) -> str:
    return f"{organization.slug}-people-and-units-{timezone.localdate().isoformat()}.{extension}"


def write_csv(rows) -> bytes:
    """CSV UTF-8 with a byte order mark (so spreadsheet programs read the accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralize(str(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(rows, *, sheet_title: str = "People and units") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", neutralize(str(v))) or None for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
