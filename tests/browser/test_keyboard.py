"""Signing in and renaming a unit with the keyboard alone."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from leados.core.models import Unit
from tests.browser.conftest import htmx_settled
from tests.conftest import PASSWORD

FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  const label = el.labels && el.labels[0] ? el.labels[0].textContent : "";
  return (label || el.getAttribute("aria-label") || el.textContent || el.name || "").trim();
}"""


def tab_to(page: Page, locator, limit: int = 60) -> None:
    """Press Tab until ``locator`` has focus, as someone without a mouse would."""
    for _ in range(limit):
        if locator.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(
        f"Tab never reached {locator}; focus is on {page.evaluate(FOCUSED_NAME)!r}"
    )


def test_signing_in_with_the_keyboard_only(world, browsing, live_server):
    page = browsing.anonymous()
    page.goto("/accounts/login/")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type("member@acme.test")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORD)
    tab_to(page, page.get_by_role("button", name="Sign in"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
    expect(page.get_by_role("heading", name="My week")).to_be_visible()


def test_renaming_a_unit_with_the_keyboard_only(world, browsing, live_server, in_org):
    page = browsing.as_("member@acme.test")
    page.goto("/o/acme/units/")
    page.evaluate("window.__sameDocument = true")
    tab_to(page, page.get_by_role("link", name="Rename Sales"))
    page.keyboard.press("Enter")
    field = page.get_by_label("New name for Sales")
    expect(field).to_be_focused()
    htmx_settled(page)
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("Sales team")
    page.keyboard.press("Enter")
    renamed = page.get_by_role("link", name="Sales team", exact=True)
    expect(renamed).to_be_visible()
    # Focus stays where the person was working, not back at the top of the page.
    expect(renamed).to_be_focused()
    assert page.evaluate("window.__sameDocument") is True
    with in_org():
        assert Unit.objects.get(pk=world.sales.pk).name == "Sales team"
