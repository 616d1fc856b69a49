"""The interactive API docs render in a real browser under the content security policy."""

from playwright.sync_api import expect


def test_swagger_ui_renders_under_the_content_security_policy(db, page, live_server):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("LeadOS API")
    expect(page.locator('[data-path="/api/v1/orgs/{org}/people"]').first).to_be_visible()
    expect(page.locator("button.authorize")).to_have_count(1)
    assert violations == []
