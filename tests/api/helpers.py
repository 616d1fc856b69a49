"""Helpers for API tests: a JSON client with a bearer token, and database fingerprints."""

import json

from django.test import Client
from django_scopes import scopes_disabled

from leados.core.models import (
    ApiToken,
    HistoryEntry,
    Organization,
    Person,
    RoleAssignment,
    Unit,
    User,
)


class Api:
    """JSON requests with a bearer token against /api/v1/."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.token = token

    def _headers(self, headers: dict | None) -> dict:
        out = {}
        if self.token:
            out["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        for name, value in (headers or {}).items():
            out["HTTP_" + name.upper().replace("-", "_")] = value
        return out

    def request(self, method: str, path: str, body=None, *, raw: str | None = None, **kwargs):
        headers = self._headers(kwargs.pop("headers", None))
        url = path if path.startswith("/") else f"/api/v1/{path}"
        call = getattr(self.client, method.lower())
        if method.upper() == "GET":
            return call(url, body or {}, **headers)
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return call(url, data=data, content_type="application/json", **headers)

    def get(self, path, params=None, **kw):
        return self.request("GET", path, params, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body, **kw)

    def delete(self, path, body=None, **kw):
        return self.request("DELETE", path, body, **kw)


def if_match(obj_or_version) -> dict:
    version = getattr(obj_or_version, "version", obj_or_version)
    return {"If-Match": f'W/"{version}"'}


def fingerprint() -> dict:
    """Everything an API write could change, across organizations."""
    with scopes_disabled():
        return {
            "users": sorted(User.objects.values_list("id", "email", "name", "session_epoch")),
            "organizations": sorted(Organization.objects.values_list("id", "name", "version")),
            "people": sorted(Person.objects.values_list("id", "version", "is_active")),
            "units": sorted(Unit.objects.values_list("id", "version", "archived_at")),
            "roles": sorted(RoleAssignment.objects.values_list("id", "person_id", "unit_id")),
            "history": HistoryEntry.objects.count(),
            "tokens": sorted(ApiToken.objects.values_list("id", "revoked_at")),
        }


def assert_error_shape(response, status: int | None = None) -> dict:
    if status is not None:
        assert response.status_code == status, response.content
    assert 400 <= response.status_code < 500, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}, body
    assert isinstance(body["detail"], str) and body["detail"]
    for error in body["errors"]:
        assert set(error) == {"field", "message"}, error
    return body


def field_errors(response) -> dict:
    return {e["field"]: e["message"] for e in response.json()["errors"]}
