"""Helpers to run the real ``leados`` command in a subprocess against its own database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

LEADOS = [sys.executable, "-m", "leados"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_database():
    """A fresh, empty PostgreSQL database when the suite runs on PostgreSQL, else None."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None, None
    import psycopg

    name = f"leados_cli_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    base, _, _ = url.rpartition("/")
    return f"{base}/{name}", drop


@pytest.fixture
def cli_env(tmp_path: Path):
    """Environment for a ``leados`` subprocess: its own data directory and its own database
    (SQLite in that directory, or a new PostgreSQL database when the suite uses PostgreSQL)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LEADOS_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env["DJANGO_SETTINGS_MODULE"] = "leados.settings"
    env["LEADOS_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONUNBUFFERED"] = "1"
    url, drop = _postgres_database()
    if url:
        env["DATABASE_URL"] = url
    yield env
    if drop:
        drop()


def run(args: list[str], env: dict, *, input: str | None = None, timeout: float = 180):
    return subprocess.run(
        [*LEADOS, *args],
        env=env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
