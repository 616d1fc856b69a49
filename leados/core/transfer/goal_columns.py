"""The columns of a goals file, their accepted spellings, and the milestones cell."""

from __future__ import annotations

from leados.core.transfer.columns import normalize_header

COLUMNS = [
    "key",
    "title",
    "description",
    "unit",
    "person",
    "owner",
    "period",
    "parent",
    "kind",
    "weight",
    "start",
    "target",
    "current",
    "unit_of_measure",
    "direction",
    "start_date",
    "due_date",
    "milestones",
    "status_override",
    "status_override_reason",
]

ALIASES = {
    "key": {"key", "goal_key", "external_key", "goal_id", "id", "ref", "reference"},
    "title": {"title", "goal", "goal_title", "name", "objective"},
    "description": {"description", "details", "notes"},
    "unit": {"unit", "unit_path", "unit_name", "team", "team_path"},
    "person": {"person", "person_email", "self", "self_of", "self_goal_of"},
    "owner": {"owner", "owner_email", "owned_by"},
    "period": {"period", "quarter", "timeframe", "time_frame"},
    "parent": {"parent", "parent_key", "aligned_to", "aligns_to", "parent_goal"},
    "kind": {"kind", "type", "goal_kind", "goal_type"},
    "weight": {"weight"},
    "start": {"start", "start_value", "baseline", "from"},
    "target": {"target", "target_value", "to"},
    "current": {"current", "current_value", "value", "actual"},
    "unit_of_measure": {"unit_of_measure", "metric_unit", "measure_unit", "uom", "units"},
    "direction": {"direction"},
    "start_date": {"start_date", "starts", "starts_on"},
    "due_date": {"due_date", "due", "end_date", "deadline"},
    "milestones": {"milestones", "milestone", "steps"},
    "status_override": {"status_override", "override", "status"},
    "status_override_reason": {"status_override_reason", "override_reason", "reason"},
}
_BY_ALIAS = {alias: column for column, aliases in ALIASES.items() for alias in aliases}

MILESTONE_SEPARATOR = ";"
DONE_MARK = "[x] "


def column_for(header: str) -> str | None:
    return _BY_ALIAS.get(normalize_header(header))


def check_header(positions: dict[str, int]) -> None:
    from leados.core.transfer.reader import ImportFileError

    if "title" not in positions:
        raise ImportFileError(
            "The first row must name the columns, e.g. key, title, unit, person, owner, "
            "period, parent, kind, start, target. No title column was found."
        )


def join_milestones(items: list[tuple[str, bool]]) -> str:
    """ "Plan; [x] Build; Ship": done milestones marked, ";" inside a title escaped."""
    return "; ".join(
        (DONE_MARK if done else "") + title.replace("\\", "\\\\").replace(";", "\\;")
        for title, done in items
    )


def split_milestones(text: str) -> list[tuple[str, bool]]:
    """The inverse of ``join_milestones``; empty entries are dropped."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            current.append(next(chars, "\\"))
        elif char == MILESTONE_SEPARATOR:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    items = []
    for part in parts:
        part = part.strip()
        done = part.lower().startswith(DONE_MARK.strip())
        if done:
            part = part[len(DONE_MARK.strip()) :].strip()
        if part:
            items.append((part, done))
    return items
