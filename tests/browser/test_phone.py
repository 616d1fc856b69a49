"""On a phone-sized screen the everyday pages fit the width: nothing scrolls sideways."""

from __future__ import annotations

from playwright.sync_api import Page, expect

PHONE = {"width": 390, "height": 844}


def sideways_overflow(page: Page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def test_my_week_and_the_units_tree_fit_a_phone(world, browsing):
    page = browsing.as_("member@acme.test", viewport=PHONE)
    expect(page.get_by_role("heading", name="My week")).to_be_visible()
    assert sideways_overflow(page) <= 0

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Units").click()
    expect(page.get_by_role("list", name="Organization chart")).to_be_visible()
    assert sideways_overflow(page) <= 0

    page.get_by_role("link", name="Rename Sales").click()
    expect(page.get_by_label("New name for Sales")).to_be_visible()
    assert sideways_overflow(page) <= 0


def test_people_and_unit_pages_fit_a_phone(world, browsing):
    page = browsing.as_("admin@acme.test", viewport=PHONE)
    for path in [
        "/o/acme/people/",
        f"/o/acme/people/{world.member.pk}/",
        "/o/acme/people/invite/",
        f"/o/acme/units/{world.sales.pk}/",
        "/o/acme/history/",
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert sideways_overflow(page) <= 0, path
