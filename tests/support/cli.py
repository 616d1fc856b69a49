"""Helpers to run the real ``leados`` command in a subprocess against its own database."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
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


# For ``leados manage shell -c``: invites newcomer@acme.test to the organization "acme".
INVITE = """
from leados.core.models import Organization
from leados.core.services import invitation_create
from leados.core.tenancy import org_scope
org = Organization.objects.get(slug="acme")
with org_scope(org):
    invitation_create(organization=org, email="newcomer@acme.test", role="member")
"""


def start_up(env: dict, port: int, *extra: str) -> subprocess.Popen:
    """``leados up`` on a port, its output (stdout and stderr) readable line by line."""
    return subprocess.Popen(
        [*LEADOS, "up", "--port", str(port), "--workers", "1", *extra],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _line_queue(proc: subprocess.Popen) -> queue.Queue:
    """Lines of the process's output, read by a thread so no read can block a test."""
    lines = getattr(proc, "_line_queue", None)
    if lines is None:
        lines = proc._line_queue = queue.Queue()

        def pump():
            for line in iter(proc.stdout.readline, ""):
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
    return lines


def read_until(proc: subprocess.Popen, marker: str, timeout: float = 180) -> str:
    """The process's output up to and including the line containing ``marker``."""
    lines = []
    pending = _line_queue(proc)
    deadline = time.monotonic() + timeout
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            line = pending.get(timeout=min(remaining, 1.0))
        except queue.Empty:
            continue
        if line is None:
            break
        lines.append(line)
        if marker in line:
            return "".join(lines)
    proc.kill()
    raise AssertionError("leados did not print " + repr(marker) + ":\n" + "".join(lines))


def stop(proc: subprocess.Popen) -> str:
    """Sends SIGTERM and returns the rest of the output once the process has exited."""
    proc.send_signal(signal.SIGTERM)
    pending = getattr(proc, "_line_queue", None)
    if pending is None:
        rest, _ = proc.communicate(timeout=60)
        return rest
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
        raise AssertionError(
            "the process did not exit within 60 s of SIGTERM; its output after the signal:\n"
            + "".join(_drain(pending))
        ) from None
    rest = []
    # Output that does not end soon after the exit means a child still holds it open.
    while (line := pending.get(timeout=10)) is not None:
        rest.append(line)
    return "".join(rest)


def _drain(pending: queue.Queue) -> list[str]:
    """The lines left in a process's output queue, up to its end or 10 s of silence."""
    rest = []
    try:
        while (line := pending.get(timeout=10)) is not None:
            rest.append(line)
    except queue.Empty:
        pass
    return rest
