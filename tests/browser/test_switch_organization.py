"""Someone in two organizations moves between them with the switcher in the top bar."""

from __future__ import annotations

from playwright.sync_api import expect

from leados.core import services


def test_the_switcher_takes_a_person_to_the_other_organizations_week(
    world, browsing, live_server, in_org
):
    with in_org(world.other_org):
        globex_self = services.person_add(
            organization=world.other_org, user=world.member_user, role="member", title="Scout"
        )
        services.role_assignment_create(unit=world.other_unit, person=globex_self, role="lead")

    page = browsing.as_("member@acme.test")
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
    week = page.get_by_role("main")
    expect(week.get_by_role("link", name="Sales", exact=True)).to_be_visible()
    switcher = page.get_by_role("banner").get_by_label("Organization")
    expect(switcher).to_have_value("acme")

    switcher.select_option(label="Globex")

    expect(page).to_have_url(f"{live_server.url}/o/globex/")
    expect(page.get_by_role("heading", name="My week")).to_be_visible()
    expect(switcher).to_have_value("globex")
    expect(week.get_by_role("link", name="Globex R&D", exact=True)).to_be_visible()
    expect(week.get_by_text("Sales")).to_have_count(0)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Units").click()
    expect(page).to_have_url(f"{live_server.url}/o/globex/units/")
    tree = page.get_by_role("list", name="Organization chart")
    expect(tree.get_by_role("link", name="Globex R&D", exact=True)).to_be_visible()
    expect(tree.get_by_role("link", name="Sales", exact=True)).to_have_count(0)
    expect(tree.get_by_role("link", name="Operations", exact=True)).to_have_count(0)

    # The app remembers where the person was last.
    page.get_by_role("link", name="LeadOS").click()
    expect(page).to_have_url(f"{live_server.url}/o/globex/")

    switcher.select_option(label="Acme")
    expect(page).to_have_url(f"{live_server.url}/o/acme/")
    expect(week.get_by_role("link", name="Sales", exact=True)).to_be_visible()


def test_a_person_in_one_organization_sees_its_name_and_no_switcher(world, browsing):
    page = browsing.as_("member@acme.test")
    bar = page.get_by_role("banner")
    expect(bar.get_by_text("Acme", exact=True)).to_be_visible()
    expect(bar.get_by_label("Organization")).to_have_count(0)
