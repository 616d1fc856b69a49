"""My week: roles at the five levels and what needs the person now."""

from __future__ import annotations

from leados.core import services
from leados.core.models import Level
from leados.web import my_week
from tests.web.helpers import text


def test_member_sees_their_roles_at_the_five_levels(world, client_for):
    page = text(client_for("member").get("/o/acme/"))
    for level in ["Strategy", "Functional team", "Process", "Project", "Self"]:
        assert f"<h3>{level}</h3>" in page
    assert "Sales" in page and "leads" in page and "Yourself" in page
    assert "Pending invitations" not in page and "People without a manager" not in page


def test_admin_sees_what_needs_attention(world, client_for, in_org):
    with in_org():
        services.invitation_create(organization=world.org, email="pending@acme.test")
    page = text(client_for("admin").get("/o/acme/"))
    assert "Pending invitations" in page and "pending@acme.test" in page
    without_manager = page[page.index("People without a manager") :]
    assert "Cora Coach" in without_manager
    # Whoever leads the organization's top needs no manager.
    assert "Olivia Owner" not in without_manager.split("</section>")[0]
    units = page[page.index("Units without a lead or manager") :].split("</section>")[0]
    assert "Operations" in units and "no lead and no manager" in units
    assert "Sales" in units and "no manager" in units


def test_a_capability_adds_its_own_section(world, client_for):
    @my_week.section(order=50)
    def stakeholder_reminders(person):
        return my_week.Section(
            key="reminders", title="Stakeholders to call", items=[my_week.Item(text="Call Bob")]
        )

    try:
        page = text(client_for("viewer").get("/o/acme/"))
        assert "Stakeholders to call" in page and "Call Bob" in page
    finally:
        my_week._providers[:] = [p for p in my_week._providers if p[2] is not stakeholder_reminders]


def test_a_section_can_stay_away(world, client_for):
    @my_week.section(order=60)
    def nothing(person):
        return None

    try:
        assert client_for("viewer").get("/o/acme/").status_code == 200
        assert any(p[2] is nothing for p in my_week._providers)
    finally:
        my_week._providers[:] = [p for p in my_week._providers if p[2] is not nothing]


def test_project_roles_show_under_project(world, client_for, in_org):
    import datetime

    with in_org():
        project = services.unit_create(
            parent=world.sales,
            level=Level.PROJECT,
            name="Launch",
            end_date=datetime.date(2030, 1, 1),
        )
        services.role_assignment_create(unit=project, person=world.viewer, role="manage")
    page = text(client_for("viewer").get("/o/acme/"))
    project_card = page[page.index("<h3>Project</h3>") :].split("</li>\n    \n    <li")[0]
    assert "Launch" in project_card and "manages" in project_card
