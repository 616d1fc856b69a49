"""Working out what an import file would change, row by row, against the organization.

``build_plan`` is the single validator: the preview shows its plan and the apply step
builds it again (under row locks) and carries out exactly that plan, or nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower

from leados.core.models import (
    Level,
    Organization,
    OrgRole,
    Person,
    RoleAssignment,
    Unit,
    UnitRole,
    User,
)
from leados.core.services.units import ALLOWED_CHILD_LEVELS
from leados.core.transfer.columns import join_path, normalize_header, split_path
from leados.core.transfer.reader import ParsedFile

NAME_MAX = 150
TITLE_MAX = 120
UNIT_NAME_MAX = 120
EMAIL_MAX = 254
PERSON_COLUMNS = ("name", "title", "manager_email", "org_role")
# Chunk size for "IN (...)" lookups, below every backend's parameter limit.
_CHUNK = 900

LEVEL_WORDS = {
    "strategy": Level.STRATEGY,
    "leadership_team": Level.STRATEGY,
    "functional_team": Level.FUNCTIONAL_TEAM,
    "team": Level.FUNCTIONAL_TEAM,
    "function": Level.FUNCTIONAL_TEAM,
    "process": Level.PROCESS,
    "project": Level.PROJECT,
}
ROLE_WORDS = {
    "lead": UnitRole.LEAD,
    "leads": UnitRole.LEAD,
    "leader": UnitRole.LEAD,
    "manage": UnitRole.MANAGE,
    "manages": UnitRole.MANAGE,
    "manager": UnitRole.MANAGE,
    "member": UnitRole.MEMBER,
    "members": UnitRole.MEMBER,
}
ORG_ROLE_WORDS = {
    "owner": OrgRole.OWNER,
    "admin": OrgRole.ADMIN,
    "administrator": OrgRole.ADMIN,
    "member": OrgRole.MEMBER,
    "coach": OrgRole.COACH,
    "viewer": OrgRole.VIEWER,
    "read_only": OrgRole.VIEWER,
    "readonly": OrgRole.VIEWER,
}
ORG_ROLE_CHOICES = ", ".join(OrgRole.values)
ROLE_VERBS = {UnitRole.LEAD: "leads", UnitRole.MANAGE: "manages", UnitRole.MEMBER: "is a member of"}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class CleanRow:
    row: int
    email: str | None = None
    name: str | None = None
    title: str | None = None
    manager_email: str | None = None
    path: tuple[str, ...] | None = None  # display names, root first
    level: str | None = None
    role: str | None = None
    org_role: str | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None


@dataclass
class PlannedUnit:
    key: tuple[str, ...]
    names: tuple[str, ...]
    level: str
    start_date: datetime.date | None
    end_date: datetime.date | None

    @property
    def path(self) -> str:
        return join_path(list(self.names))


@dataclass
class PlannedPerson:
    email: str
    name: str
    title: str
    role: str
    manager_email: str | None
    user: User | None  # an existing user (a member of another organization), or None


@dataclass
class PlannedUpdate:
    person: Person
    fields: dict  # name/title/role/is_active/deactivated_at, and "manager_email"

    @property
    def reactivates(self) -> bool:
        return self.fields.get("is_active") is True


@dataclass
class PlannedRole:
    email: str
    unit_key: tuple[str, ...]
    unit_path: str
    role: str


@dataclass
class Plan:
    errors: list[RowError] = field(default_factory=list)
    units_create: list[PlannedUnit] = field(default_factory=list)
    people_create: list[PlannedPerson] = field(default_factory=list)
    people_update: list[PlannedUpdate] = field(default_factory=list)
    roles_create: list[PlannedRole] = field(default_factory=list)
    people_unchanged: int = 0
    roles_unchanged: int = 0
    rows: int = 0
    # Resolved state the apply step reuses.
    existing_units: dict[tuple[str, ...], Unit] = field(default_factory=dict)
    people_by_email: dict[str, Person] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def is_noop(self) -> bool:
        return not (
            self.units_create or self.people_create or self.people_update or self.roles_create
        )

    @property
    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "people_created": len(self.people_create),
            "people_updated": len(self.people_update),
            "people_reactivated": sum(1 for u in self.people_update if u.reactivates),
            "people_unchanged": self.people_unchanged,
            "users_created": sum(1 for p in self.people_create if p.user is None),
            "units_created": len(self.units_create),
            "roles_added": len(self.roles_create),
            "roles_unchanged": self.roles_unchanged,
            "errors": len(self.errors),
        }


def _key(names) -> tuple[str, ...]:
    return tuple(n.casefold() for n in names)


def _name(unit) -> str:
    return unit.name if isinstance(unit, Unit) else unit.names[-1]


def _chunks(items: list, size: int = _CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Planner:
    def __init__(self, organization: Organization, by: Person | None, lock: bool):
        self.org = organization
        self.by = by
        self.lock = lock
        self.plan = Plan()
        self.valid_emails: dict[str, bool] = {}

    # --- errors -----------------------------------------------------------------------
    def error(self, row: int, column: str, message: str) -> None:
        self.plan.errors.append(RowError(row, column, message))

    # --- loading the organization in a few queries -----------------------------------
    def load(self, emails: set[str]) -> None:
        people = Person.objects.select_related("user")
        units = Unit.objects.all()
        if self.lock:
            people = people.select_for_update(of=("self",))
            units = units.select_for_update()
        self.people_by_email: dict[str, Person] = {p.user.email.lower(): p for p in people}
        self.people_by_id = {p.pk: p for p in self.people_by_email.values()}
        self.plan.people_by_email = self.people_by_email
        self.units_by_id = {u.pk: u for u in units}
        self.children: dict[int, dict[str, list[Unit]]] = {}
        self.root: Unit | None = None
        for unit in self.units_by_id.values():
            if unit.parent_id is None:
                self.root = unit
            else:
                self.children.setdefault(unit.parent_id, {}).setdefault(
                    unit.name.casefold(), []
                ).append(unit)
        self.assignments: set[tuple[int, int, str]] = set()
        self.holders: dict[tuple[int, str], int] = {}
        for person_id, unit_id, role in RoleAssignment.objects.values_list(
            "person_id", "unit_id", "role"
        ):
            self.assignments.add((person_id, unit_id, role))
            if role != UnitRole.MEMBER:
                self.holders[(unit_id, role)] = person_id
        outside = sorted(emails - set(self.people_by_email))
        self.users_by_email: dict[str, User] = {}
        for chunk in _chunks(outside):
            for user in User.objects.annotate(email_lower=Lower("email")).filter(
                email_lower__in=chunk
            ):
                self.users_by_email[user.email.lower()] = user

    # --- one row at a time ------------------------------------------------------------
    def clean_row(self, raw: dict) -> CleanRow:
        number = raw["row"]
        row = CleanRow(row=number)
        get = lambda column: (raw.get(column) or "").strip()  # noqa: E731
        row.email = self.clean_email(number, "email", get("email"))
        row.manager_email = self.clean_email(number, "manager_email", get("manager_email"))
        for column, limit in (("name", NAME_MAX), ("title", TITLE_MAX)):
            value = get(column)
            if len(value) > limit:
                self.error(
                    number, column, f"Use at most {limit} characters (this has {len(value)})."
                )
            elif value:
                setattr(row, column, value)
        path_text = get("unit_path")
        if path_text:
            names = split_path(path_text)
            if any(not n for n in names):
                self.error(
                    number,
                    "unit_path",
                    f'"{path_text}" has an empty unit name; separate names with a single "/".',
                )
            elif any(len(n) > UNIT_NAME_MAX for n in names):
                self.error(
                    number, "unit_path", f"A unit name has at most {UNIT_NAME_MAX} characters."
                )
            else:
                row.path = tuple(names)
        row.level = self.clean_word(
            number, "level", get("level"), LEVEL_WORDS, "functional_team, process or project"
        )
        row.role = self.clean_word(
            number, "role", get("role"), ROLE_WORDS, "lead, manage or member"
        )
        row.org_role = self.clean_word(
            number, "org_role", get("org_role"), ORG_ROLE_WORDS, ORG_ROLE_CHOICES
        )
        row.start_date = self.clean_date(number, "start_date", get("start_date"))
        row.end_date = self.clean_date(number, "end_date", get("end_date"))
        if not row.email and not get("email"):
            given = [c for c in (*PERSON_COLUMNS, "role") if get(c)]
            if given:
                self.error(
                    number,
                    "email",
                    f"This row gives {', '.join(given)} but no email: say whose row it is.",
                )
            elif not path_text:
                self.error(number, "unit_path", "Give an email (a person) or a unit_path (a unit).")
        if not path_text:
            for column in ("role", "level", "start_date", "end_date"):
                if get(column):
                    self.error(
                        number,
                        column,
                        f"{column} applies to the unit in unit_path, which is empty.",
                    )
        return row

    def clean_email(self, number: int, column: str, value: str) -> str | None:
        if not value:
            return None
        email = value.lower()
        valid = self.valid_emails.get(email)
        if valid is None:
            try:
                if len(email) > EMAIL_MAX:
                    raise ValidationError("too long")
                validate_email(email)
                valid = True
            except ValidationError:
                valid = False
            self.valid_emails[email] = valid
        if not valid:
            self.error(number, column, f'"{value}" is not a valid email address.')
            return None
        return email

    def clean_word(self, number: int, column: str, value: str, words: dict, choices: str):
        if not value:
            return None
        word = words.get(normalize_header(value))
        if word is None:
            self.error(
                number,
                column,
                f'"{value}" is not a known {column.replace("_", " ")}; use {choices}.',
            )
        return word

    def clean_date(self, number: int, column: str, value: str) -> datetime.date | None:
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            self.error(number, column, f'"{value}" is not a date; write it as YYYY-MM-DD.')
            return None

    # --- people -----------------------------------------------------------------------
    def merge_people(self, rows: list[CleanRow]) -> dict[str, dict]:
        """One spec per email: values from all its rows, which must not contradict."""
        specs: dict[str, dict] = {}
        for row in rows:
            if not row.email:
                continue
            spec = specs.setdefault(row.email, {"row": row.row, "rows": [], "values": {}})
            spec["rows"].append(row.row)
            for column in PERSON_COLUMNS:
                value = getattr(row, column)
                if value is None:
                    continue
                seen = spec["values"].get(column)
                if seen is None:
                    spec["values"][column] = (value, row.row)
                elif seen[0] != value:
                    self.error(
                        row.row,
                        column,
                        f"{row.email} appears again with a different {column.replace('_', ' ')}: "
                        f'row {seen[1]} says "{seen[0]}", this row "{value}".',
                    )
        return specs

    def plan_people(self, specs: dict[str, dict]) -> None:
        by_role = self.by.role if self.by is not None else OrgRole.OWNER
        owners = {
            e for e, p in self.people_by_email.items() if p.is_active and p.role == OrgRole.OWNER
        }
        manager_of: dict[str, str | None] = {
            email: (
                self.people_by_id[p.manager_id].user.email.lower()
                if p.manager_id in self.people_by_id
                else None
            )
            for email, p in self.people_by_email.items()
            if p.is_active
        }
        set_by_file: dict[str, int] = {}
        for email, spec in specs.items():
            values = {c: v for c, (v, _r) in spec["values"].items()}
            rows_of = {c: r for c, (_v, r) in spec["values"].items()}
            manager_email = values.get("manager_email")
            if manager_email is not None:
                row = rows_of["manager_email"]
                manager = self.people_by_email.get(manager_email)
                if manager_email == email:
                    self.error(row, "manager_email", f"{email} cannot be their own manager.")
                    manager_email = None
                elif manager_email in specs:
                    pass
                elif manager is None:
                    self.error(
                        row,
                        "manager_email",
                        f"{manager_email} is neither in this file nor in {self.org.name}.",
                    )
                    manager_email = None
                elif not manager.is_active:
                    self.error(
                        row,
                        "manager_email",
                        f"{manager.name} ({manager_email}) is deactivated and cannot be a manager; "
                        "add them to the file to reactivate them.",
                    )
                    manager_email = None
            existing = self.people_by_email.get(email)
            role = values.get("org_role")
            if role is not None:
                was = existing.role if existing is not None and existing.is_active else None
                if OrgRole.OWNER in (role, was) and role != was and by_role != OrgRole.OWNER:
                    self.error(
                        rows_of["org_role"],
                        "org_role",
                        "Only an owner can grant or remove ownership.",
                    )
                if role == OrgRole.OWNER:
                    owners.add(email)
                else:
                    owners.discard(email)
            if existing is None:
                user = self.users_by_email.get(email)
                self.plan.people_create.append(
                    PlannedPerson(
                        email=email,
                        name=values.get("name")
                        or (user.name if user else "")
                        or email.split("@")[0],
                        title=values.get("title") or "",
                        role=role or OrgRole.MEMBER,
                        manager_email=manager_email,
                        user=user,
                    )
                )
            else:
                fields = {}
                if not existing.is_active:
                    fields.update(is_active=True, deactivated_at=None)
                for column, attr in (("name", "name"), ("title", "title"), ("org_role", "role")):
                    if column in values and values[column] != getattr(existing, attr):
                        fields[attr] = values[column]
                if manager_email is not None and manager_email != manager_of.get(email):
                    fields["manager_email"] = manager_email
                if fields:
                    self.plan.people_update.append(PlannedUpdate(person=existing, fields=fields))
                else:
                    self.plan.people_unchanged += 1
            if manager_email is not None:
                manager_of[email] = manager_email
                set_by_file[email] = spec["values"]["manager_email"][1]
        if specs and not owners:
            first = min(r for spec in specs.values() for r in spec["rows"])
            self.error(first, "org_role", f"{self.org.name} would be left without an owner.")
        self.find_loops(manager_of, set_by_file)

    def find_loops(self, manager_of: dict[str, str | None], set_by_file: dict[str, int]) -> None:
        state: dict[str, int] = {}  # 1: on the current walk, 2: known to end without a loop
        for start in set_by_file:
            walk: list[str] = []
            node: str | None = start
            while node is not None and node not in state:
                state[node] = 1
                walk.append(node)
                node = manager_of.get(node)
            if node is not None and state[node] == 1:
                loop = walk[walk.index(node) :]
                chain = " → ".join([*loop, node])
                for member in loop:
                    if member in set_by_file:
                        self.error(
                            set_by_file[member],
                            "manager_email",
                            f"Reporting lines would loop: {chain}.",
                        )
            for member in walk:
                state[member] = 2

    # --- units ------------------------------------------------------------------------
    def plan_units(self, rows: list[CleanRow]) -> dict[tuple[str, ...], Unit | PlannedUnit | None]:
        uses: dict[tuple[str, ...], list[CleanRow]] = {}
        names: dict[tuple[str, ...], tuple[str, ...]] = {}
        ends: dict[tuple[str, ...], list[CleanRow]] = {}
        for row in rows:
            if row.path is None:
                continue
            for depth in range(1, len(row.path) + 1):
                key = _key(row.path[:depth])
                uses.setdefault(key, []).append(row)
                names.setdefault(key, row.path[:depth])
            ends.setdefault(_key(row.path), []).append(row)
        resolved: dict[tuple[str, ...], Unit | PlannedUnit | None] = {}
        for key in sorted(uses, key=len):
            resolved[key] = self.resolve_unit(
                key, names[key], uses[key], ends.get(key, []), resolved
            )
        return resolved

    def declared(self, key, rows: list[CleanRow], attr: str, column: str):
        value, first = None, None
        for row in rows:
            given = getattr(row, attr)
            if given is None:
                continue
            if value is None:
                value, first = given, row.row
            elif given != value:
                self.error(
                    row.row,
                    column,
                    f"Row {first} gives this unit the {column.replace('_', ' ')} "
                    f'"{value}", this row "{given}".',
                )
        return value

    def resolve_unit(self, key, names, uses, ends, resolved):
        level = self.declared(key, ends, "level", "level")
        start = self.declared(key, ends, "start_date", "start_date")
        end = self.declared(key, ends, "end_date", "end_date")
        first_row = uses[0].row
        if len(key) == 1:
            if self.root is None or key[0] != self.root.name.casefold():
                root_name = self.root.name if self.root else "the top unit"
                for row in uses:
                    self.error(
                        row.row,
                        "unit_path",
                        f'Unit paths start with the top unit, "{root_name}" '
                        f'(e.g. "{root_name}/{names[-1]}").',
                    )
                return None
            self.check_existing(self.root, ends, level, start, end)
            self.plan.existing_units[key] = self.root
            return self.root
        parent = resolved.get(key[:-1])
        if parent is None:
            return None
        if isinstance(parent, Unit):
            siblings = self.children.get(parent.pk, {}).get(key[-1], [])
            live = [u for u in siblings if u.archived_at is None]
            if len(live) > 1:
                for row in uses:
                    self.error(
                        row.row,
                        "unit_path",
                        f'{len(live)} units below {parent.name} are called "{live[0].name}"; '
                        "rename one so the path is clear.",
                    )
                return None
            if live:
                self.check_existing(live[0], ends, level, start, end)
                self.plan.existing_units[key] = live[0]
                return live[0]
            if siblings:
                for row in uses:
                    self.error(
                        row.row,
                        "unit_path",
                        f"{siblings[0].name} (below {parent.name}) is archived; unarchive it first "
                        "or use another name.",
                    )
                return None
        parent_level = parent.level
        if level is None:
            allowed = ALLOWED_CHILD_LEVELS[Level(parent_level)]
            level = next(
                (lv for lv in (Level.FUNCTIONAL_TEAM, Level.PROCESS) if lv in allowed), None
            )
            if level is None:
                self.error(
                    first_row,
                    "level",
                    f'"{names[-1]}" is new and sits below a project; give its level (project) '
                    "and dates in a row of its own.",
                )
                return None
        rows_with_level = [r for r in ends if r.level is not None] or [uses[0]]
        if level == Level.STRATEGY:
            self.error(
                rows_with_level[0].row, "level", "Only the top unit is at the strategy level."
            )
            return None
        if level not in ALLOWED_CHILD_LEVELS[Level(parent_level)]:
            self.error(
                rows_with_level[0].row,
                "level",
                f"A {Level(level).label.lower()} cannot sit below a "
                f"{Level(parent_level).label.lower()} ({_name(parent)}).",
            )
            return None
        if not self.check_dates(level, start, end, ends or uses):
            return None
        planned = PlannedUnit(
            key=key, names=tuple(names), level=level, start_date=start, end_date=end
        )
        self.plan.units_create.append(planned)
        return planned

    def check_dates(self, level, start, end, rows: list[CleanRow]) -> bool:
        row = rows[0].row
        if level != Level.PROJECT and (start or end):
            self.error(
                row, "end_date" if end else "start_date", "Only projects have start and end dates."
            )
            return False
        if level == Level.PROJECT and not end:
            self.error(row, "end_date", "A new project needs an end date (end_date, YYYY-MM-DD).")
            return False
        if start and end and end < start:
            self.error(row, "end_date", "The end date is before the start date.")
            return False
        return True

    def check_existing(self, unit: Unit, ends: list[CleanRow], level, start, end) -> None:
        if level is not None and level != unit.level:
            row = next(r for r in ends if r.level is not None)
            self.error(
                row.row,
                "level",
                f"{unit.name} is a {Level(unit.level).label.lower()}; an import does not "
                "change the level of an existing unit.",
            )
        for attr, value in (("start_date", start), ("end_date", end)):
            if value is not None and value != getattr(unit, attr):
                row = next(r for r in ends if getattr(r, attr) is not None)
                self.error(
                    row.row,
                    attr,
                    f"{unit.name} has {attr.replace('_', ' ')} {getattr(unit, attr) or 'none'}; "
                    "change the dates of an existing unit on its page.",
                )

    # --- roles ------------------------------------------------------------------------
    def plan_roles(self, rows: list[CleanRow], units: dict, specs: dict) -> None:
        seen: dict[tuple, int] = {}
        file_holders: dict[tuple, tuple[str, int]] = {}
        for row in rows:
            if row.email is None or row.path is None:
                continue
            unit = units.get(_key(row.path))
            if unit is None:
                continue
            role = row.role or UnitRole.MEMBER
            key = (row.email, _key(row.path), role)
            if key in seen:
                self.error(
                    row.row,
                    "role",
                    f"Repeats row {seen[key]} ({row.email} {role} on the same unit).",
                )
                continue
            seen[key] = row.row
            person = self.people_by_email.get(row.email)
            unit_name = _name(unit)
            if (
                person is not None
                and isinstance(unit, Unit)
                and (person.pk, unit.pk, role) in self.assignments
            ):
                self.plan.roles_unchanged += 1
                continue
            if role != UnitRole.MEMBER:
                verb = ROLE_VERBS[role]
                other = file_holders.get((_key(row.path), role))
                if other is not None and other[0] != row.email:
                    self.error(
                        row.row,
                        "role",
                        f"Row {other[1]} already says {other[0]} {verb} {unit_name}; "
                        "a unit has one.",
                    )
                    continue
                file_holders[(_key(row.path), role)] = (row.email, row.row)
                holder_id = self.holders.get((unit.pk, role)) if isinstance(unit, Unit) else None
                if holder_id is not None and (person is None or holder_id != person.pk):
                    holder = self.people_by_id.get(holder_id)
                    self.error(
                        row.row,
                        "role",
                        f"{holder.name if holder else 'Someone'} already {verb} {unit_name}; "
                        "a unit has one. Change it on the unit's page first.",
                    )
                    continue
            self.plan.roles_create.append(
                PlannedRole(
                    email=row.email,
                    unit_key=_key(row.path),
                    unit_path=join_path(list(row.path)),
                    role=role,
                )
            )

    # --- everything -------------------------------------------------------------------
    def run(self, parsed: ParsedFile) -> Plan:
        self.plan.rows = len(parsed.rows)
        rows = [self.clean_row(raw) for raw in parsed.rows]
        emails = {r.email for r in rows if r.email} | {
            r.manager_email for r in rows if r.manager_email
        }
        self.load(emails)
        specs = self.merge_people(rows)
        self.plan_people(specs)
        units = self.plan_units(rows)
        self.plan_roles(rows, units, specs)
        self.plan.errors.sort(key=lambda e: (e.row, e.column))
        return self.plan


def build_plan(
    *, organization: Organization, by: Person | None, parsed: ParsedFile, lock: bool = False
) -> Plan:
    """What importing ``parsed`` into ``organization`` would change, and every row error.

    Reads the organization in a handful of queries whatever the file's size; with
    ``lock`` (inside the apply transaction) the people and units read are row-locked.
    Call inside the organization's scope.
    """
    return _Planner(organization, by, lock).run(parsed)
