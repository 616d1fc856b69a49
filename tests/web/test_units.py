"""The units tree, adding, renaming in place, moving, archiving, and staffing units."""

from __future__ import annotations

import datetime

import pytest

from leados.core import services
from leados.core.models import Level, RoleAssignment, Unit
from tests.web.helpers import history_count, text

HX = {"HTTP_HX_REQUEST": "true"}


def test_tree_shows_every_unit_with_its_level_lead_and_manager(world, client_for, in_org):
    with in_org():
        services.role_assignment_create(unit=world.sales, person=world.admin, role="manage")
    response = client_for("viewer").get("/o/acme/units/")
    assert response.status_code == 200
    page = text(response)
    assert "Leadership team" in page and "Sales" in page and "Operations" in page
    assert "Functional team" in page and "Strategy" in page
    sales_row = page[page.index(">Sales<") :]
    assert "Mia Member" in sales_row[:1500] and "Admin" in sales_row[:1500]


def test_archived_units_are_hidden_unless_asked_for(world, client_for, in_org):
    with in_org():
        services.unit_archive(unit=world.ops, expected_version=None)
    client = client_for("owner")
    assert ">Operations<" not in text(client.get("/o/acme/units/"))
    shown = text(client.get("/o/acme/units/?archived=1"))
    assert ">Operations<" in shown and "Archived" in shown


@pytest.mark.parametrize("persona", ["owner", "admin"])
def test_admins_add_a_project_below_a_team(persona, world, client_for, in_org):
    response = client_for(persona).post(
        "/o/acme/units/new/",
        {
            "parent": world.sales.pk,
            "level": "project",
            "name": "  New CRM ",
            "description": "Replace the spreadsheet",
            "start_date": "2025-01-01",
            "end_date": "2025-06-30",
        },
    )
    with in_org():
        unit = Unit.objects.get(name="New CRM")
    assert response.status_code == 302
    assert response["Location"] == f"/o/acme/units/{unit.pk}/"
    assert unit.parent_id == world.sales.pk and unit.level == Level.PROJECT
    assert unit.end_date == datetime.date(2025, 6, 30)


def test_a_project_without_an_end_date_is_refused_with_a_message(world, client_for, in_org):
    before = history_count()
    response = client_for("owner").post(
        "/o/acme/units/new/", {"parent": world.sales.pk, "level": "project", "name": "Endless"}
    )
    assert response.status_code == 422
    assert "give it an end date" in text(response)
    assert history_count() == before
    with in_org():
        assert not Unit.objects.filter(name="Endless").exists()


@pytest.mark.parametrize("persona", ["member", "coach", "viewer"])
def test_only_admins_add_units(persona, world, client_for, in_org):
    response = client_for(persona).post(
        "/o/acme/units/new/",
        {"parent": world.root.pk, "level": "functional_team", "name": "Shadow team"},
    )
    assert response.status_code == 403
    with in_org():
        assert not Unit.objects.filter(name="Shadow team").exists()


def test_member_renames_the_unit_they_lead_in_place(world, client_for, in_org):
    client = client_for("member")
    form = client.get(f"/o/acme/units/{world.sales.pk}/rename/", **HX)
    assert form.status_code == 200
    assert 'name="version" value="1"' in text(form)
    response = client.post(
        f"/o/acme/units/{world.sales.pk}/rename/", {"name": "Sales & Success", "version": 1}, **HX
    )
    assert response.status_code == 200
    assert "Sales &amp; Success" in text(response) and "<html" not in text(response)
    with in_org():
        unit = Unit.objects.get(pk=world.sales.pk)
    assert unit.name == "Sales & Success" and unit.version == 2


def test_member_cannot_rename_a_unit_they_do_not_lead(world, client_for, in_org):
    client = client_for("member")
    assert client.get(f"/o/acme/units/{world.ops.pk}/rename/", **HX).status_code == 403
    response = client.post(
        f"/o/acme/units/{world.ops.pk}/rename/", {"name": "Mine now", "version": 1}, **HX
    )
    assert response.status_code == 403
    with in_org():
        assert Unit.objects.get(pk=world.ops.pk).name == "Operations"


def test_tree_offers_rename_only_where_allowed(world, client_for):
    page = text(client_for("member").get("/o/acme/units/"))
    assert f"/o/acme/units/{world.sales.pk}/rename/" in page
    assert f"/o/acme/units/{world.ops.pk}/rename/" not in page
    viewer_page = text(client_for("viewer").get("/o/acme/units/"))
    assert "/rename/" not in viewer_page and "Add unit" not in viewer_page


def test_a_stale_rename_is_refused_and_changes_nothing(world, client_for, in_org):
    with in_org():
        services.unit_update(unit=world.sales, expected_version=1, name="Sales EMEA")
    before = history_count()
    response = client_for("owner").post(
        f"/o/acme/units/{world.sales.pk}/rename/", {"name": "Sales (mine)", "version": 1}, **HX
    )
    assert response.status_code == 409
    assert "Someone else changed this in the meantime" in text(response)
    assert history_count() == before
    with in_org():
        assert Unit.objects.get(pk=world.sales.pk).name == "Sales EMEA"


def test_an_empty_name_is_refused_in_place(world, client_for, in_org):
    response = client_for("owner").post(
        f"/o/acme/units/{world.sales.pk}/rename/", {"name": "   ", "version": 1}, **HX
    )
    assert response.status_code == 422
    assert 'role="alert"' in text(response)
    with in_org():
        assert Unit.objects.get(pk=world.sales.pk).name == "Sales"


def test_rename_without_htmx_falls_back_to_a_page(world, client_for, in_org):
    client = client_for("owner")
    assert client.get(f"/o/acme/units/{world.sales.pk}/rename/").status_code == 302
    response = client.post(
        f"/o/acme/units/{world.sales.pk}/rename/", {"name": "Revenue", "version": 1}
    )
    assert response.status_code == 302
    with in_org():
        assert Unit.objects.get(pk=world.sales.pk).name == "Revenue"


def test_edit_page_changes_description_with_version(world, client_for, in_org):
    client = client_for("member")
    response = client.post(
        f"/o/acme/units/{world.sales.pk}/edit/",
        {"name": "Sales", "description": "We sell.", "version": 1},
    )
    assert response.status_code == 302
    stale = client.post(
        f"/o/acme/units/{world.sales.pk}/edit/",
        {"name": "Sales", "description": "Overwrite", "version": 1},
    )
    assert stale.status_code == 409
    with in_org():
        assert Unit.objects.get(pk=world.sales.pk).description == "We sell."


def test_admin_moves_a_unit_and_cannot_move_it_inside_itself(world, client_for, in_org):
    with in_org():
        inner = services.unit_create(parent=world.sales, level="process", name="Pipeline review")
    client = client_for("admin")
    refused = client.post(
        f"/o/acme/units/{world.sales.pk}/move/", {"parent": inner.pk, "version": 1}
    )
    assert refused.status_code == 422
    moved = client.post(f"/o/acme/units/{inner.pk}/move/", {"parent": world.ops.pk, "version": 1})
    assert moved.status_code == 302
    with in_org():
        assert Unit.objects.get(pk=inner.pk).parent_id == world.ops.pk
        assert Unit.objects.get(pk=world.sales.pk).parent_id == world.root.pk


@pytest.mark.parametrize("persona", ["member", "coach", "viewer"])
def test_only_admins_move_and_archive(persona, world, client_for, in_org):
    client = client_for(persona)
    before = history_count()
    url = f"/o/acme/units/{world.sales.pk}/"
    assert client.post(url + "move/", {"parent": world.ops.pk, "version": 1}).status_code == 403
    assert client.post(url + "archive/", {"version": 1}).status_code == 403
    assert history_count() == before


def test_archive_and_unarchive_with_version(world, client_for, in_org):
    client = client_for("owner")
    url = f"/o/acme/units/{world.ops.pk}/"
    assert client.post(url + "archive/", {"version": 1}).status_code == 302
    with in_org():
        assert Unit.objects.get(pk=world.ops.pk).is_archived
    stale = client.post(url + "unarchive/", {"version": 1})
    assert stale.status_code == 409
    with in_org():
        assert Unit.objects.get(pk=world.ops.pk).is_archived
    assert client.post(url + "unarchive/", {"version": 2}).status_code == 302
    with in_org():
        assert not Unit.objects.get(pk=world.ops.pk).is_archived


def test_unit_page_shows_lead_members_sub_units_and_history(world, client_for, in_org):
    with in_org():
        services.role_assignment_create(unit=world.sales, person=world.viewer, role="member")
        services.unit_create(parent=world.sales, level="process", name="Quoting")
    page = text(client_for("coach").get(f"/o/acme/units/{world.sales.pk}/"))
    assert "Mia Member" in page and "Vic Viewer" in page and "Quoting" in page
    assert "Recent history" in page and "Created" in page
    assert "Assign a role" not in page


def test_assigning_a_second_lead_asks_before_replacing(world, client_for, in_org):
    client = client_for("owner")
    url = f"/o/acme/units/{world.sales.pk}/roles/"
    asked = client.post(url, {"person": "admin@acme.test", "role": "lead"})
    assert asked.status_code == 409
    assert "Mia Member already leads Sales" in text(asked)
    assert 'name="replace"' in text(asked)
    with in_org():
        assert (
            RoleAssignment.objects.get(unit=world.sales, role="lead").person_id == world.member.pk
        )
    replaced = client.post(url, {"person": "admin@acme.test", "role": "lead", "replace": "on"})
    assert replaced.status_code == 302
    with in_org():
        assert RoleAssignment.objects.get(unit=world.sales, role="lead").person_id == world.admin.pk


def test_lead_adds_and_removes_members_but_cannot_appoint_a_manager(world, client_for, in_org):
    client = client_for("member")
    url = f"/o/acme/units/{world.sales.pk}/roles/"
    assert client.post(url, {"person": "viewer@acme.test", "role": "member"}).status_code == 302
    assert client.post(url, {"person": "viewer@acme.test", "role": "manage"}).status_code == 403
    with in_org():
        membership = RoleAssignment.objects.get(unit=world.sales, person=world.viewer)
        assert membership.role == "member"
    removed = client.post(f"/o/acme/units/{world.sales.pk}/roles/{membership.pk}/remove/")
    assert removed.status_code == 302
    with in_org():
        assert not RoleAssignment.objects.filter(pk=membership.pk).exists()


def test_assigning_an_unknown_email_shows_an_error(world, client_for, in_org):
    before = history_count()
    response = client_for("owner").post(
        f"/o/acme/units/{world.ops.pk}/roles/", {"person": "outsider@globex.test", "role": "lead"}
    )
    assert response.status_code == 422
    assert "Nobody active in this organization has the email" in text(response)
    assert history_count() == before


def test_removing_a_role_through_another_unit_is_404(world, client_for, in_org):
    with in_org():
        lead = RoleAssignment.objects.get(unit=world.sales, role="lead")
    response = client_for("owner").post(f"/o/acme/units/{world.ops.pk}/roles/{lead.pk}/remove/")
    assert response.status_code == 404
    with in_org():
        assert RoleAssignment.objects.filter(pk=lead.pk).exists()


def test_another_organizations_unit_is_404(world, client_for):
    client = client_for("owner")
    assert client.get(f"/o/acme/units/{world.other_unit.pk}/").status_code == 404
    assert (
        client.post(
            f"/o/acme/units/{world.other_unit.pk}/rename/", {"name": "x", "version": 1}, **HX
        ).status_code
        == 404
    )


def test_a_large_tree_opens_at_two_levels_and_unfolds_on_demand(
    world, client_for, in_org, monkeypatch
):
    from leados.web.views import units as unit_views

    monkeypatch.setattr(unit_views, "TREE_LIMIT", 3)
    with in_org():
        review = services.unit_create(parent=world.sales, level="process", name="Deal review")
        services.unit_create(
            parent=review, level="project", name="Q3 push", end_date=datetime.date(2030, 1, 1)
        )
    client = client_for("member")
    page = text(client.get("/o/acme/units/"))
    assert ">Sales<" in page and ">Operations<" in page
    assert "Deal review" not in page and "Show the 2 inside Sales" in page
    branch = client.get(f"/o/acme/units/{world.sales.pk}/subtree/", **HX)
    assert branch.status_code == 200
    assert "Deal review" in text(branch) and "Q3 push" in text(branch)
    assert "<html" not in text(branch)
    assert client.get(f"/o/acme/units/{world.sales.pk}/subtree/").status_code == 302
