"""Database upkeep that the ORM does not cover."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.db import DEFAULT_DB_ALIAS, connections, models

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


def db_value(connection, field) -> Callable[[object], object]:
    """How a value of ``field`` goes to the database in a hand-written statement: through
    the field, except on PostgreSQL, whose driver adapts every plain Python value itself
    (only JSON needs its field's wrapper); for work that prepares thousands of values."""
    if connection.vendor == "postgresql" and not isinstance(field, models.JSONField):
        return _unchanged
    return partial(field.get_db_prep_save, connection=connection)


def _unchanged(value):
    return value


def execute_many(sql: str, rows: list[list], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Run the one-row statement ``sql`` (``%s`` placeholders) for every row of parameters
    in ``rows``, as fast as the database allows.

    On PostgreSQL, Django's cursors bind parameters on the client: every row becomes a
    statement text of its own, parsed and planned apart. Here a server-binding cursor on
    the same connection (so in the same transaction, and seen by Django's execute wrappers
    and query log) prepares the statement once and sends the rows in one pipeline.
    Elsewhere, Django's ``executemany``.
    """
    if not rows:
        return
    connection = connections[using]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        return
    import psycopg

    connection.ensure_connection()
    raw = connection.connection
    threshold, raw.prepare_threshold = raw.prepare_threshold, 0  # Django turns preparing off
    try:  # _prepare_cursor: Django's own wrapping of a cursor (execute wrappers, query log)
        with connection._prepare_cursor(psycopg.Cursor(raw)) as cursor:
            cursor.executemany(sql, rows)
    finally:
        raw.prepare_threshold = threshold


def insert_rows(
    table: str, columns: list[str], rows: list[list], *, using: str = DEFAULT_DB_ALIAS
) -> None:
    """Insert ``rows`` (values ready for the database, in ``columns`` order) into
    ``table``: PostgreSQL's ``COPY`` on the connection's transaction, which takes thousands
    of rows in the time of a few INSERTs; elsewhere a one-row INSERT run for every row.
    A COPY does not pass through Django's execute wrappers, so query counts (and the
    debug query log) on PostgreSQL do not include it."""
    if not rows:
        return
    connection = connections[using]
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    # Only table and column names (quoted) go into the text; values are parameters.
    if connection.vendor != "postgresql":
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"  # noqa: S608
        execute_many(sql, rows, using=using)
        return
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
