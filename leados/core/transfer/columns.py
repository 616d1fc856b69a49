"""The columns of a people-and-units file, their accepted spellings, and cell safety."""

from __future__ import annotations

import re

COLUMNS = [
    "email",
    "name",
    "title",
    "manager_email",
    "unit_path",
    "level",
    "role",
    "org_role",
    "start_date",
    "end_date",
]

# Header spellings people use for the same column (compared after normalize_header).
ALIASES = {
    "email": {"email", "e_mail", "email_address", "e_mail_address", "mail", "work_email"},
    "name": {"name", "full_name", "display_name", "person", "person_name"},
    "title": {"title", "job_title", "position"},
    "manager_email": {
        "manager_email",
        "manager_e_mail",
        "manager",
        "managers_email",
        "reports_to",
        "reports_to_email",
    },
    "unit_path": {"unit_path", "unit", "path", "team", "team_path", "unit_name"},
    "level": {"level", "unit_level"},
    "role": {"role", "unit_role", "role_on_unit"},
    "org_role": {"org_role", "organization_role", "organisation_role", "access", "access_role"},
    "start_date": {"start_date", "start", "starts", "project_start"},
    "end_date": {"end_date", "end", "ends", "due", "project_end"},
}
_BY_ALIAS = {alias: column for column, aliases in ALIASES.items() for alias in aliases}

PATH_SEPARATOR = "/"

# A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def normalize_header(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", (text or "").strip().lower()).strip("_")


def column_for(header: str) -> str | None:
    """The canonical column a header names, or None for a column the import ignores."""
    return _BY_ALIAS.get(normalize_header(header))


def neutralize(value: str) -> str:
    """Make a text cell inert in a spreadsheet: a leading formula character gets a quote."""
    if value and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def unneutralize(value: str) -> str:
    """Undo ``neutralize`` so that an exported file imports back to the same values."""
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def join_path(names: list[str]) -> str:
    """A unit path from names; a "/" or "\\" inside a name is escaped with a backslash."""
    return PATH_SEPARATOR.join(n.replace("\\", "\\\\").replace("/", "\\/") for n in names)


def split_path(text: str) -> list[str]:
    """The names in a unit path (the inverse of ``join_path``), each stripped."""
    if "\\" not in text:
        return [name.strip() for name in text.split(PATH_SEPARATOR)]
    names: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            current.append(next(chars, "\\"))
        elif char == PATH_SEPARATOR:
            names.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    names.append("".join(current).strip())
    return names
