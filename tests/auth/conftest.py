"""Real stand-ins for the outside world in sign-in tests: an SMTP server and an OIDC provider."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings

from tests.support.cli import free_port
from tests.support.smtp import smtp  # noqa: F401 - a fixture


@pytest.fixture
def smtp_inbox(request):
    """A real SMTP server on a local port; Django's SMTP backend sends to it."""
    controller, inbox = request.getfixturevalue("smtp")
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=controller.port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
    ):
        yield inbox


def first_link(text: str) -> str:
    match = re.search(r"https?://\S+", text)
    assert match, f"no link in:\n{text}"
    return match.group(0)


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238 code (30 s steps, 6 digits, SHA-1), as an authenticator app computes it."""
    counter = int((time.time() if at is None else at) // 30)
    key = base64.b32decode(secret.encode(), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class OidcProvider:
    """A small OpenID provider: discovery, token and userinfo endpoints.

    ``userinfo`` is what it says about whoever signs in next.
    """

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.requests: list[tuple[str, str]] = []
        self.userinfo: dict = {}

    @property
    def authorization_endpoint(self) -> str:
        return f"{self.base_url}/authorize"

    def discovery(self) -> dict:
        return {
            "issuer": self.base_url,
            "authorization_endpoint": self.authorization_endpoint,
            "token_endpoint": f"{self.base_url}/token",
            "userinfo_endpoint": f"{self.base_url}/userinfo",
            "jwks_uri": f"{self.base_url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
        }

    def respond(self, method: str, path: str) -> dict | None:
        self.requests.append((method, path))
        if method == "GET" and path == "/.well-known/openid-configuration":
            return self.discovery()
        if method == "POST" and path == "/token":
            return {"access_token": "stand-in-access-token", "token_type": "Bearer"}
        if method == "GET" and path == "/userinfo":
            return self.userinfo
        return None


@pytest.fixture
def oidc_provider():
    port = free_port()
    provider = OidcProvider(f"http://127.0.0.1:{port}")

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            payload = provider.respond(method, self.path)
            if payload is None:
                self.send_error(404)
                return
            body = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - http.server's hook name
            self._answer("GET")

        def do_POST(self):  # noqa: N802 - http.server's hook name
            self._answer("POST")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
