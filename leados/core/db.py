"""Database upkeep that the ORM does not cover."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

# The tables a bulk load of people and units fills.
BULK_TABLES = (
    "core_user",
    "core_person",
    "core_unit",
    "core_roleassignment",
    "core_historyentry",
)


def statistics_refresh(*, tables: tuple[str, ...] = (), using: str = DEFAULT_DB_ALIAS) -> None:
    """Refresh the query planner's statistics (all tables, or ``tables``) after a bulk load,
    so that the next queries are planned for the data as it now is."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(connection.ops.quote_name(t) for t in tables)
            cursor.execute(f"ANALYZE {names}")
        elif connection.vendor == "sqlite":
            for table in tables or ("",):
                cursor.execute(
                    f"ANALYZE {connection.ops.quote_name(table)}" if table else "ANALYZE"
                )
