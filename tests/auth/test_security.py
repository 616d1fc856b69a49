"""Security headers: CSP with nonces everywhere, HSTS and secure cookies over HTTPS,
and Django's deployment checks clean with production settings."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def csp_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_scripts_carry_the_nonce(response) -> None:
    policy = csp_of(response)
    nonces = [v for v in policy["script-src"] if v.startswith("'nonce-")]
    assert len(nonces) == 1
    nonce = nonces[0][len("'nonce-") : -1]
    html = response.content.decode()
    for tag in SCRIPT_TAG.findall(html):
        if 'src="' in tag and f'nonce="{nonce}"' not in tag:
            # External scripts from our own origin are allowed by 'self'.
            assert re.search(r'src="/static/', tag), tag
        elif 'src="' not in tag:
            assert f'nonce="{nonce}"' in tag, f"inline script without the nonce: {tag}"
    assert not INLINE_HANDLER.search(html), "inline event handlers cannot run under the CSP"
    assert ' style="' not in html, "inline style attributes are blocked by the CSP"


def test_the_policy_forbids_plugins_base_tags_and_framing(world):
    policy = csp_of(Client().get("/accounts/login/"))
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]


def test_every_nonce_is_fresh(world):
    first = csp_of(Client().get("/accounts/login/"))["script-src"]
    second = csp_of(Client().get("/accounts/login/"))["script-src"]
    assert first != second


@pytest.mark.parametrize(
    "url",
    ["/accounts/login/", "/accounts/password/reset/", "/accounts/signup/", "/invite/nope/"],
)
def test_sign_in_pages_run_no_script_without_the_nonce(world, url):
    assert_scripts_carry_the_nonce(Client().get(url))


@pytest.mark.parametrize(
    "url",
    [
        "/account/",
        "/accounts/password/change/",
        "/accounts/2fa/",
        "/accounts/logout/",
        "/o/acme/",
    ],
)
def test_account_pages_run_no_script_without_the_nonce(world, client_for, url):
    response = client_for("member").get(url)
    assert response.status_code == 200
    assert_scripts_carry_the_nonce(response)


def production_env(tmp_path, **extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("LEADOS_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env.update(
        {
            "LEADOS_DATA_DIR": str(tmp_path),
            "LEADOS_HTTPS": "true",
            "LEADOS_SECRET_KEY": secrets.token_urlsafe(64),
            "LEADOS_ALLOWED_HOSTS": "leados.example.com",
        }
    )
    env.update(extra)
    return env


def deploy_check(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "leados", "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deployment_checks_pass_with_production_settings(tmp_path):
    result = deploy_check(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deployment_checks_catch_a_site_served_without_https(tmp_path):
    result = deploy_check(production_env(tmp_path, LEADOS_HTTPS="false"))
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout  # no HSTS


PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from django.test.utils import override_settings
# Static files are not collected here; everything else is the production configuration.
override_settings(STORAGES={
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}).enable()
client = Client(HTTP_HOST="leados.example.com")
insecure = client.get("/accounts/login/")
secure = client.get("/accounts/login/", secure=True)
print(json.dumps({
    "insecure_status": insecure.status_code,
    "insecure_location": insecure.get("Location", ""),
    "status": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security", ""),
    "csrf_cookie_secure": secure.cookies["csrftoken"]["secure"],
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
}))
"""


def test_over_https_the_site_sends_hsts_and_secure_cookies(tmp_path):
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="leados.settings")
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["insecure_status"] == 301
    assert probe["insecure_location"] == "https://leados.example.com/accounts/login/"
    assert probe["status"] == 200
    assert "max-age=31536000" in probe["hsts"]
    assert "includeSubDomains" in probe["hsts"]
    assert probe["csrf_cookie_secure"] is True
    assert probe["session_cookie_secure"] is True
    assert probe["session_cookie_httponly"] is True
