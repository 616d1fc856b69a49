"""The columns of a measurable values file and their accepted spellings."""

from __future__ import annotations

from leados.core.transfer.columns import normalize_header

COLUMNS = ["measurable", "name", "unit", "period_start", "value", "note"]

ALIASES = {
    "measurable": {"measurable", "measurable_id", "measurable_key", "kpi", "metric", "key"},
    "name": {"name", "measurable_name", "kpi_name", "metric_name"},
    "unit": {"unit", "unit_path", "unit_name", "team"},
    "period_start": {
        "period_start", "period", "start", "date", "week", "week_start", "month",
        "quarter_start", "week_of",
    },
    "value": {"value", "actual", "amount", "figure", "number"},
    "note": {"note", "notes", "comment", "comments"},
}  # fmt: skip
_BY_ALIAS = {alias: column for column, aliases in ALIASES.items() for alias in aliases}


def column_for(header: str) -> str | None:
    return _BY_ALIAS.get(normalize_header(header))


def check_header(positions: dict[str, int]) -> None:
    from leados.core.transfer.reader import ImportFileError

    missing = [c for c in ("period_start", "value") if c not in positions]
    if "measurable" not in positions and "name" not in positions:
        missing.insert(0, "measurable")
    if missing:
        raise ImportFileError(
            "The first row must name the columns: measurable (#id, key or name), unit, "
            f"period_start, value, note. Missing: {', '.join(missing)}."
        )
