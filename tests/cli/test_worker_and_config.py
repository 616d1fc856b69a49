"""``leados worker`` runs queued tasks for real; bad configuration stops start-up clearly."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from tests.support.cli import INVITE, LEADOS, run


def test_worker_delivers_an_invitation_email_queued_in_the_database(cli_env, smtp):
    controller, inbox = smtp
    env = {
        **cli_env,
        "LEADOS_EMAIL_HOST": "127.0.0.1",
        "LEADOS_EMAIL_PORT": str(controller.port),
        "LEADOS_BASE_URL": "https://leados.example.com",
    }
    password = ["--password", "a long enough passphrase"]
    assert run(["user", "create", "--email", "boss@acme.test", *password], env).returncode == 0
    assert (
        run(
            ["org", "create", "--slug", "acme", "--name", "Acme", "--owner", "boss@acme.test"], env
        ).returncode
        == 0
    )
    queued = run(["manage", "shell", "-c", INVITE], env)
    assert queued.returncode == 0, queued.stderr
    assert inbox.messages == []  # queued, not sent: only a worker sends it

    worker = subprocess.Popen(
        [*LEADOS, "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not inbox.messages and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.1)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
    assert len(inbox.messages) == 1, output
    message = inbox.envelopes[0]
    assert message.rcpt_tos == ["newcomer@acme.test"]
    body = message.content.decode()
    assert "Join Acme on LeadOS" in body
    assert "https://leados.example.com/" in body


def test_worker_refuses_an_unmigrated_database(cli_env):
    result = run(["worker"], cli_env, timeout=60)
    assert result.returncode == 1
    assert "migration(s) to apply" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("LEADOS_DEBUG", "maybe", "LEADOS_DEBUG must be true or false (got 'maybe')."),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL must be a postgres:// URL."),
        ("LEADOS_SECRET_KEY", "short", "LEADOS_SECRET_KEY must be at least 32 characters long."),
        ("LEADOS_EMAIL_PORT", "smtp", "LEADOS_EMAIL_PORT must be a whole number (got 'smtp')."),
        ("REDIS_URL", "http://cache", "REDIS_URL must start with redis://"),
        ("LEADOS_SESSION_IDLE_MINUTES", "1", "LEADOS_SESSION_IDLE_MINUTES must be at least 5"),
        (
            "LEADOS_OIDC_SERVER_URL",
            "https://id.example.com",
            "LEADOS_OIDC_SERVER_URL is set: LEADOS_OIDC_CLIENT_ID",
        ),
    ],
)
def test_a_bad_setting_stops_start_up_with_a_clear_message(cli_env, variable, value, message):
    env = {**cli_env, variable: value}
    result = run(["manage", "check"], env, timeout=60)
    assert result.returncode == 2
    assert f"leados: configuration error: {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_data_directory_that_cannot_be_created_is_a_clear_error(cli_env, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    env = {**cli_env, "LEADOS_DATA_DIR": str(blocker / "data")}
    result = run(["up", "--no-demo"], env, timeout=60)
    assert result.returncode == 2
    assert "LEADOS_DATA_DIR" in result.stderr and "cannot be created" in result.stderr


SHOW = (
    "from django.conf import settings as s; "
    "print(s.SECURE_PROXY_SSL_HEADER, s.ALLAUTH_TRUSTED_PROXY_COUNT, s.SESSION_COOKIE_SECURE, "
    "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"
)


def test_behind_a_proxy_over_https_trusts_the_forwarded_headers(cli_env):
    env = {
        **cli_env,
        "LEADOS_HTTPS": "true",
        "LEADOS_BEHIND_PROXY": "yes",
        "LEADOS_TRUSTED_PROXIES": "2",
    }
    result = run(["manage", "shell", "-c", SHOW], env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == (
        "('HTTP_X_FORWARDED_PROTO', 'https') 2 True True 31536000"
    )


def test_without_a_proxy_forwarded_headers_are_not_trusted(cli_env):
    show = (
        "from django.conf import settings as s; "
        "print(hasattr(s, 'ALLAUTH_TRUSTED_PROXY_COUNT'), s.SECURE_PROXY_SSL_HEADER)"
    )
    result = run(["manage", "shell", "-c", show], cli_env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == "False None"
