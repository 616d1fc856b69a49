"""Browser flows of the web UI: renaming a unit in place, switching organization, phones."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from leados.core import services
from leados.core.models import Unit

pytestmark = pytest.mark.browser


def test_a_lead_renames_their_unit_in_place(world, signed_in, live_server, in_org):
    errors: list[str] = []
    page = signed_in("member@acme.test")
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/o/acme/units/")
    page.get_by_role("link", name="Rename Sales").click()
    field = page.get_by_label("New name for Sales")
    expect(field).to_be_focused()
    field.fill("Sales and Success")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Sales and Success", exact=True)).to_be_visible()
    expect(page.get_by_text("Saved")).to_be_visible()
    assert page.url == f"{live_server.url}/o/acme/units/"  # no page load: swapped in place
    with in_org():
        assert Unit.objects.get(pk=world.sales.pk).name == "Sales and Success"
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_a_stale_rename_shows_the_conflict_in_place(world, signed_in, live_server, in_org):
    page = signed_in("owner@acme.test")
    page.goto(f"{live_server.url}/o/acme/units/")
    page.get_by_role("link", name="Rename Operations").click()
    with in_org():
        services.unit_update(unit=world.ops, expected_version=1, name="Ops (elsewhere)")
    page.get_by_label("New name for Operations").fill("Ops (mine)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Someone else changed this")
    with in_org():
        assert Unit.objects.get(pk=world.ops.pk).name == "Ops (elsewhere)"


def test_escape_cancels_an_in_place_rename(world, signed_in, live_server):
    page = signed_in("owner@acme.test")
    page.goto(f"{live_server.url}/o/acme/units/")
    page.get_by_role("link", name="Rename Operations").click()
    page.get_by_label("New name for Operations").press("Escape")
    expect(page.get_by_role("link", name="Operations", exact=True)).to_be_visible()
    expect(page.get_by_label("New name for Operations")).to_have_count(0)


def test_switching_organization_from_the_top_bar(world, signed_in, live_server, in_org):
    with in_org(world.other_org):
        services.person_add(organization=world.other_org, user=world.coach_user, role="coach")
    page = signed_in("coach@acme.test")
    page.get_by_label("Organization").select_option(label="Globex")
    expect(page).to_have_url(f"{live_server.url}/o/globex/")
    expect(page.get_by_role("heading", name="My week")).to_be_visible()


def test_pages_fit_a_phone_screen(world, signed_in, live_server):
    page = signed_in("owner@acme.test")
    page.set_viewport_size({"width": 375, "height": 740})
    for path in [
        "/o/acme/",
        "/o/acme/units/",
        "/o/acme/people/",
        f"/o/acme/people/{world.member.pk}/",
    ]:
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert re.search(r"People", page.content())
