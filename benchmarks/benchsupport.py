"""What the benchmark scripts share.

``QueryCount`` counts the queries of a timed block without slowing it down. Django's
``CaptureQueriesContext`` switches on the debug cursor, which renders every statement
with its parameters (on PostgreSQL through the driver's ``mogrify``): about 60 µs a
query there, 15 µs on SQLite, that a real request does not spend. An execute wrapper
only counts.
"""

from __future__ import annotations


class QueryCount:
    """``with QueryCount(connection) as queries: …`` then ``queries.count``."""

    def __init__(self, connection):
        self.connection = connection
        self.count = 0
        self._wrapper = None

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> QueryCount:
        self.count = 0
        self._wrapper = self.connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._wrapper.__exit__(*exc)


def vacuum_analyze(url: str) -> None:
    """``VACUUM (ANALYZE)`` a PostgreSQL database just filled by ``leados synth``, as
    autovacuum would have done in a running database: planner statistics, and the
    visibility map that lets index-only scans skip the table."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
