"""Renaming a unit in place on the units tree, and two people renaming it at once."""

from __future__ import annotations

from playwright.sync_api import expect

from leados.core.models import HistoryEntry, Unit
from tests.browser.conftest import htmx_settled


def _open_units(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Units").click()
    expect(page.get_by_role("heading", name="Units", level=1)).to_be_visible()
    # Marks this document: it survives an in-place swap, not a page load.
    page.evaluate("window.__sameDocument = true")


def test_a_lead_renames_their_unit_in_place_and_a_stale_page_gets_a_conflict(
    world, browsing, live_server, in_org
):
    lead = browsing.as_("member@acme.test")
    admin = browsing.as_("admin@acme.test")
    _open_units(lead)
    _open_units(admin)
    # The admin starts renaming Sales too, from the same version.
    admin.get_by_role("link", name="Rename Sales").click()
    expect(admin.get_by_label("New name for Sales")).to_be_visible()
    htmx_settled(admin)

    lead.get_by_role("link", name="Rename Sales").click()
    field = lead.get_by_label("New name for Sales")
    expect(field).to_be_focused()
    expect(field).to_have_value("Sales")
    htmx_settled(lead)
    field.fill("Sales & Success")
    lead.get_by_role("button", name="Save").click()
    tree = lead.get_by_role("list", name="Organization chart")
    expect(tree.get_by_role("link", name="Sales & Success", exact=True)).to_be_visible()
    expect(lead.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    expect(lead.get_by_label("New name for Sales")).to_have_count(0)
    assert lead.evaluate("window.__sameDocument") is True
    assert lead.url == f"{live_server.url}/o/acme/units/"
    with in_org():
        assert Unit.objects.get(pk=world.sales.pk).name == "Sales & Success"
        entries = list(
            HistoryEntry.objects.filter(
                object_type="unit", object_id=world.sales.pk, action="update"
            )
        )
        assert [(e.edge, e.actor_id, e.changes) for e in entries] == [
            ("web", world.member_user.pk, {"name": ["Sales", "Sales & Success"]})
        ]

    browsing.watch.allow(r"status of 409 \(Conflict\)")
    admin.get_by_label("New name for Sales").fill("Sales EMEA")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_role("alert")).to_contain_text("Someone else changed this")
    assert admin.evaluate("window.__sameDocument") is True
    with in_org():
        unit = Unit.objects.get(pk=world.sales.pk)
        assert (unit.name, unit.version) == ("Sales & Success", 2)
        assert HistoryEntry.objects.filter(object_id=unit.pk, object_type="unit").count() == 2

    # Cancelling the edit shows the admin the name that won.
    htmx_settled(admin)
    admin.get_by_role("link", name="Cancel").click()
    expect(admin.get_by_role("link", name="Sales & Success", exact=True)).to_be_visible()
    expect(admin.get_by_label("New name for Sales")).to_have_count(0)
    assert admin.evaluate("window.__sameDocument") is True

    # The lead finds the rename in the unit's history, attributed to them and the web.
    tree.get_by_role("link", name="Sales & Success", exact=True).click()
    recent = lead.get_by_role("region", name="Recent history")
    latest = recent.get_by_role("listitem").first
    expect(latest).to_contain_text("Changed")
    expect(latest).to_contain_text("Mia Member · Web")
    expect(latest).to_contain_text("Sales → Sales & Success")


def test_escape_cancels_an_in_place_rename(world, signed_in, live_server):
    page = signed_in("owner@acme.test")
    page.goto(f"{live_server.url}/o/acme/units/")
    page.get_by_role("link", name="Rename Operations").click()
    page.get_by_label("New name for Operations").press("Escape")
    expect(page.get_by_role("link", name="Operations", exact=True)).to_be_visible()
    expect(page.get_by_label("New name for Operations")).to_have_count(0)
