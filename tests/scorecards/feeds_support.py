"""Stand-ins for feed sources: a socket that never answers, and a PostgreSQL source database
with a table of its own for each test."""

from __future__ import annotations

import datetime
import os
import socket
import uuid

import psycopg
import pytest
from psycopg import sql

from leados.operate.services.measurables import measurable_create
from tests.conftest import service_missing

MONDAY = datetime.date(2027, 1, 4)  # the week of "now" in these tests
NOW = datetime.datetime(2027, 1, 6, 12, 0, tzinfo=datetime.UTC)
# The database SQL feeds read from in tests (created when missing): not LeadOS's own.
SOURCE_URL = os.environ.get(
    "LEADOS_TEST_FEED_SOURCE_URL", "postgres://postgres@127.0.0.1:5432/leados_test_feed_source"
)


def weekly(world, name="Orders shipped", **fields):
    fields.setdefault("unit", world.sales)
    return measurable_create(
        organization=world.org, actor=world.owner, name=name, target=100, **fields
    )


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers: a fetch there times out."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield listener.getsockname()[1]
    listener.close()


def _ensure_database(url: str) -> None:
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    maintenance = psycopg.conninfo.make_conninfo(url, dbname="postgres")
    with psycopg.connect(maintenance, autocommit=True, connect_timeout=3) as conn:
        query = "SELECT 1 FROM pg_database WHERE datname = %s"
        if conn.execute(query, [name]).fetchone():
            return
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.Error:  # another test process created it at the same moment
            if not conn.execute(query, [name]).fetchone():
                raise


class Source:
    """A table ``name`` (day date, value numeric) in the source database."""

    def __init__(self, url: str):
        self.url = url
        self.table = f"kpi_{uuid.uuid4().hex[:10]}"
        self.conn = psycopg.connect(url, autocommit=True)
        self.conn.execute(
            sql.SQL("CREATE TABLE {} (day date PRIMARY KEY, value numeric)").format(
                sql.Identifier(self.table)
            )
        )

    def query(self, text: str) -> str:
        """``text`` with ``{table}`` naming this test's table."""
        return text.replace("{table}", self.table)

    def insert(self, *rows) -> None:
        for day, value in rows:
            self.conn.execute(
                sql.SQL("INSERT INTO {} VALUES (%s, %s)").format(sql.Identifier(self.table)),
                [day, value],
            )

    def rows(self) -> list:
        return self.conn.execute(
            sql.SQL("SELECT day, value FROM {} ORDER BY day").format(sql.Identifier(self.table))
        ).fetchall()

    def drop(self) -> None:
        self.conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(self.table)))
        self.conn.close()


@pytest.fixture
def source_db():
    try:
        _ensure_database(SOURCE_URL)
        source = Source(SOURCE_URL)
    except psycopg.OperationalError as exc:
        service_missing(f"The PostgreSQL source database for SQL feeds is not there: {exc}")
    yield source
    source.drop()
