"""Applying an import: everything through the services, all or nothing, idempotent."""

from __future__ import annotations

import pytest
from django.urls import reverse

from leados.core import services
from leados.core.models import Edge, HistoryEntry, Level, Person, RoleAssignment, Unit, User
from tests.transfer.conftest import make_file

ROOT = "Leadership team"

ROWS = [
    ["", "", "", "", f"{ROOT}/Sales/EMEA", "functional_team", "", ""],
    [
        "ada@x.test",
        "Ada Lovelace",
        "VP EMEA",
        "member@acme.test",
        f"{ROOT}/Sales/EMEA",
        "",
        "lead",
        "",
    ],
    ["ada@x.test", "", "", "", f"{ROOT}/Sales", "", "member", ""],
    [
        "bob@x.test",
        "Bob Byte",
        "Account exec",
        "ada@x.test",
        f"{ROOT}/Sales/EMEA/DACH",
        "",
        "",
        "viewer",
    ],
    ["cy@x.test", "Cy Cole", "SDR", "bob@x.test", f"{ROOT}/Sales/EMEA/DACH", "", "manage", ""],
    ["coach@acme.test", "", "Leadership coach", "", f"{ROOT}/Billing", "process", "member", ""],
]


def _snapshot(in_org):
    with in_org():
        return {
            "people": sorted(
                Person.objects.values_list("id", "version", "name", "title", "role", "manager_id")
            ),
            "units": sorted(
                Unit.objects.values_list("id", "version", "name", "parent_id", "level")
            ),
            "roles": sorted(
                RoleAssignment.objects.values_list("id", "unit_id", "person_id", "role")
            ),
            "history": HistoryEntry.objects.count(),
            "users": User.objects.count(),
        }


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_apply_creates_people_units_and_roles(kind, flow, world, in_org):
    data, name = make_file(kind, ROWS)
    response = flow.run(data, name)

    assert response.status_code == 302
    assert response["Location"] == reverse("web:transfer_result", args=["acme"])
    result = flow.client.get(response["Location"])
    assert result.context["counts"]["people_created"] == 3
    with in_org():
        ada = Person.objects.get(user__email="ada@x.test")
        bob = Person.objects.get(user__email="bob@x.test")
        cy = Person.objects.get(user__email="cy@x.test")
        assert (ada.name, ada.title, ada.manager, ada.role) == (
            "Ada Lovelace",
            "VP EMEA",
            world.member,
            "member",
        )
        assert (bob.manager, bob.role) == (ada, "viewer")
        assert cy.manager == bob
        emea = Unit.objects.get(name="EMEA", parent=world.sales)
        dach = Unit.objects.get(name="DACH", parent=emea)
        billing = Unit.objects.get(name="Billing", parent=world.root)
        assert (emea.level, dach.level, billing.level) == (
            Level.FUNCTIONAL_TEAM,
            Level.FUNCTIONAL_TEAM,
            Level.PROCESS,
        )
        assert set(
            RoleAssignment.objects.filter(person__in=[ada, bob, cy, world.coach]).values_list(
                "person__user__email", "unit__name", "role"
            )
        ) == {
            ("ada@x.test", "EMEA", "lead"),
            ("ada@x.test", "Sales", "member"),
            ("bob@x.test", "DACH", "member"),
            ("cy@x.test", "DACH", "manage"),
            ("coach@acme.test", "Billing", "member"),
        }
        world.coach.refresh_from_db()
        assert world.coach.title == "Leadership coach"
        assert world.coach.version == 2
    new_user = User.objects.get(email="ada@x.test")
    assert not new_user.has_usable_password()


def test_every_change_is_recorded_with_edge_import_and_the_importer(flow, world, in_org):
    with in_org():
        before = HistoryEntry.objects.order_by("-id").values_list("id", flat=True).first()
    flow.run(*make_file("csv", ROWS))
    with in_org():
        entries = list(HistoryEntry.objects.filter(id__gt=before))
    kinds = sorted({(e.object_type, e.action) for e in entries})
    assert kinds == [
        ("person", "create"),
        ("person", "update"),
        ("roleassignment", "create"),
        ("unit", "create"),
    ]
    assert {e.edge for e in entries} == {Edge.IMPORT}
    assert {e.actor_id for e in entries} == {world.admin_user.pk}
    update = next(e for e in entries if e.action == "update")
    assert update.changes == {"title": ["Coach", "Leadership coach"]}
    created = next(e for e in entries if e.object_repr == "Cy Cole")
    assert created.snapshot["manager_id"] is not None
    # 3 people + 1 update + 3 units + 5 roles, each recorded once.
    assert len(entries) == 12


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_importing_the_same_file_twice_changes_nothing_the_second_time(kind, flow, world, in_org):
    data, name = make_file(kind, ROWS)
    flow.run(data, name)
    after_first = _snapshot(in_org)

    assert flow.upload(data, name).status_code == 302
    preview = flow.preview()
    assert preview.context["plan"].is_noop
    assert preview.context["counts"]["people_unchanged"] == 4
    assert preview.context["counts"]["roles_unchanged"] == 5
    assert b"Apply these changes" not in preview.content
    assert flow.apply().status_code == 302

    assert _snapshot(in_org) == after_first


def test_one_bad_row_means_nothing_is_applied(flow, world, in_org):
    before = _snapshot(in_org)
    rows = [*ROWS, ["dan@x.test", "Dan", "", "nobody@x.test", "", "", "", ""]]
    data, name = make_file("csv", rows)
    assert flow.upload(data, name).status_code == 302
    preview = flow.preview()
    assert [(e.row, e.column) for e in preview.context["plan"].errors] == [(8, "manager_email")]
    assert b"Apply these changes" not in preview.content

    response = flow.apply(preview.context["digest"])

    assert response.status_code == 400
    assert _snapshot(in_org) == before


def test_apply_validates_again_and_refuses_what_became_invalid(flow, world, in_org):
    data, name = make_file(
        "csv", [*ROWS, ["bob@x.test", "", "", "", f"{ROOT}/Operations", "", "lead", ""]]
    )
    assert flow.upload(data, name).status_code == 302
    preview = flow.preview()
    assert preview.context["plan"].errors == []
    with in_org():  # someone else gives Operations a lead meanwhile
        services.role_assignment_create(unit=world.ops, person=world.viewer, role="lead")
    before = _snapshot(in_org)

    response = flow.apply(preview.context["digest"])

    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["plan"].errors] == [(8, "role")]
    assert _snapshot(in_org) == before


def test_apply_refuses_a_preview_of_another_upload(flow, world, in_org):
    data, name = make_file("csv", ROWS)
    assert flow.upload(data, name).status_code == 302
    old_digest = flow.preview().context["digest"]
    other, _ = make_file("csv", [["zed@x.test", "Zed", "", "", "", "", "", ""]])
    assert flow.upload(other).status_code == 302
    before = _snapshot(in_org)

    response = flow.apply(old_digest)

    assert response.status_code == 302
    assert response["Location"] == reverse("web:transfer_preview", args=["acme"])
    assert _snapshot(in_org) == before


def test_an_import_updates_and_reactivates_existing_people(owner_flow, world, in_org):
    with in_org():
        services.person_deactivate(person=world.viewer)
    rows = [
        ["viewer@acme.test", "Vic Viewer", "Board advisor", "owner@acme.test", "", "", "", "coach"],
        ["member@acme.test", "Mia M.", "", "", "", "", "", "admin"],
    ]
    owner_flow.run(*make_file("csv", rows))
    with in_org():
        viewer = Person.objects.get(pk=world.viewer.pk)
        member = Person.objects.get(pk=world.member.pk)
    assert (viewer.is_active, viewer.title, viewer.role, viewer.manager_id) == (
        True,
        "Board advisor",
        "coach",
        world.owner.pk,
    )
    assert (member.name, member.title, member.role, member.manager_id) == (
        "Mia M.",
        "Sales lead",
        "admin",
        world.admin.pk,
    )


def test_a_user_of_another_organization_joins_with_their_account(flow, world, in_org):
    flow.run(*make_file("csv", [["outsider@globex.test", "", "Advisor", "", "", "", "", ""]]))
    with in_org():
        person = Person.objects.get(user=world.outsider_user)
    assert (person.name, person.title, person.role) == ("Otto Outsider", "Advisor", "member")
    assert User.objects.filter(email__iexact="outsider@globex.test").count() == 1


def test_headers_are_matched_case_insensitively_with_aliases(flow, world, in_org):
    header = [
        "E-Mail",
        "Full Name",
        "Job Title",
        "Reports To",
        "Unit",
        "Unit Level",
        "Role on unit",
        "Access",
    ]
    flow.run(
        *make_file(
            "csv",
            [
                [
                    "eve@x.test",
                    "Eve",
                    "CFO",
                    "owner@acme.test",
                    f"{ROOT}/Finance",
                    "Functional team",
                    "Leads",
                    "Admin",
                ]
            ],
            header,
        )
    )
    with in_org():
        eve = Person.objects.get(user__email="eve@x.test")
        assert (eve.name, eve.title, eve.manager_id, eve.role) == (
            "Eve",
            "CFO",
            world.owner.pk,
            "admin",
        )
        assert RoleAssignment.objects.filter(person=eve, unit__name="Finance", role="lead").exists()


def test_a_name_containing_a_slash_is_escaped_in_paths(flow, world, in_org):
    flow.run(*make_file("csv", [["", "", "", "", f"{ROOT}/R\\/D/Lab", "", "", ""]]))
    with in_org():
        rd = Unit.objects.get(name="R/D")
        assert Unit.objects.get(name="Lab").parent == rd
    assert rd.parent_id == world.root.pk
