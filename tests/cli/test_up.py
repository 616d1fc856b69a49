"""``leados up`` for real: migrate, demo, gunicorn + worker, sign in over HTTP, stop."""

from __future__ import annotations

import http.cookiejar
import os
import re
import stat
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

from tests.support.cli import LEADOS, free_port, read_until, start_up, stop


def _wait_healthy(base: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base + "healthz", timeout=30) as response:  # noqa: S310
                return {"status": response.status, "body": response.read().decode()}
        except OSError:  # refused, reset or timed out while starting
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _sign_in(base: str, email: str, password: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "accounts/login/", timeout=60) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "login": email, "password": password}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - a loopback http URL
        base + "accounts/login/", data=form, headers={"Referer": base + "accounts/login/"}
    )
    with opener.open(request, timeout=60) as response:
        return response.status, response.geturl(), response.read().decode(), jar


def test_up_serves_the_demo_and_signs_in_with_the_printed_login(cli_env):
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    proc = start_up(cli_env, port)
    try:
        output = read_until(proc, "Press Ctrl-C to stop.")
        assert f"LeadOS is running at {base}" in output
        login = re.search(r"Demo sign-in: (\S+) / (\S+)", output)
        assert login, output
        email, password = login.groups()
        pids = [
            int(p) for p in re.search(r"Web server pid (\d+), worker pid (\d+)", output).groups()
        ]
        assert _wait_healthy(base) == {"status": 200, "body": '{"status": "ok"}'}
        with urllib.request.urlopen(base + "readyz", timeout=30) as response:  # noqa: S310
            assert response.status == 200

        status, final_url, page, jar = _sign_in(base, email, password)
        assert status == 200
        assert "/accounts/login/" not in final_url
        assert any(c.name == "sessionid" for c in jar)
        assert "Larkspur" in page or "Maya" in page
    finally:
        rest = stop(proc)
    assert proc.returncode == 0, rest
    assert "LeadOS stopped." in rest
    assert not any(_alive(pid) for pid in pids)

    login_file = Path(cli_env["LEADOS_DATA_DIR"]) / "demo-login.json"
    assert stat.S_IMODE(login_file.stat().st_mode) == 0o600

    # A second start keeps the data, creates no second demo, and prints the same sign-in.
    proc = start_up(cli_env, port)
    try:
        output = read_until(proc, "Press Ctrl-C to stop.")
        assert f"Demo sign-in: {email} / {password}" in output
        _wait_healthy(base)
    finally:
        rest = stop(proc)
    assert proc.returncode == 0, rest


def test_up_without_demo_creates_no_organization_and_prints_no_sign_in(cli_env):
    port = free_port()
    proc = start_up(cli_env, port, "--no-demo")
    try:
        output = read_until(proc, "Press Ctrl-C to stop.")
        _wait_healthy(f"http://127.0.0.1:{port}/")
    finally:
        rest = stop(proc)
    assert proc.returncode == 0, rest
    assert "Demo sign-in" not in output
    assert not (Path(cli_env["LEADOS_DATA_DIR"]) / "demo-login.json").exists()


def test_up_refuses_a_port_in_use_with_a_clear_message(cli_env):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [*LEADOS, "up", "--port", str(port), "--no-demo"],
            env=cli_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
