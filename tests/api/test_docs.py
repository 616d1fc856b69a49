"""The interactive API docs and the OpenAPI document, served by the app under its CSP."""

import re

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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


@pytest.mark.browser
def test_swagger_ui_renders_under_the_content_security_policy(live_server):
    from playwright.sync_api import sync_playwright

    violations: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda message: (
                    violations.append(message.text)
                    if "Content Security Policy" in message.text
                    else None
                ),
            )
            page.goto(f"{live_server.url}/api/v1/docs")
            page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
            title = page.inner_text(".swagger-ui .info .title")
            page.wait_for_selector('[data-path="/api/v1/orgs/{org}/people"]', timeout=15000)
            authorize = page.locator("button.authorize").count()
        finally:
            browser.close()

    assert "LeadOS API" in title
    assert authorize == 1
    assert violations == []
