"""The interactive API docs and the OpenAPI document, served by the app under its CSP."""

import re

import pytest


@pytest.mark.django_db
def test_openapi_document_lists_every_organization_collection(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for collection in ("people", "units", "role-assignments", "history"):
        assert f"/api/v1/orgs/{{org}}/{collection}" in paths
    assert "/api/v1/orgs/{org}/history/{entry_id}/restore" in paths
    assert response.json()["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_docs_page_loads_only_same_origin_scripts_and_styles(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    executable = re.findall(r"<script(?![^>]*application/json)([^>]*)>", html)
    assert executable, "the docs page runs Swagger UI"
    for attributes in executable:
        src = re.search(r'src="([^"]+)"', attributes)
        assert src is not None, f"inline script without src: {attributes!r}"
        assert src.group(1).startswith("/static/"), src.group(1)
    for href in re.findall(r'<link[^>]*href="([^"]+)"', html):
        assert href.startswith("/static/"), href
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset
