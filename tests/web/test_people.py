"""The people directory, a person's page, editing people, org roles, deactivation."""

from __future__ import annotations

import pytest

from leados.core import services
from leados.core.models import OrgRole, Person
from tests.web.helpers import history_count, text


def _add_people(world, count: int, prefix: str = "extra"):
    people = []
    for i in range(count):
        user = services.user_create(email=f"{prefix}{i}@acme.test", name=f"Zed {prefix} {i}")
        people.append(
            services.person_add(
                organization=world.org, user=user, title="Engineer", manager=world.admin
            )
        )
    return people


def test_directory_lists_active_people_with_title_role_and_manager(world, client_for):
    page = text(client_for("viewer").get("/o/acme/people/"))
    for name in ["Olivia Owner", "Adam Admin", "Mia Member", "Cora Coach", "Vic Viewer"]:
        assert name in page
    assert "Sales lead" in page and "member@acme.test" in page
    assert "Otto Outsider" not in page


@pytest.mark.parametrize(
    ("query", "found", "missing"),
    [
        ("q=mia", "Mia Member", "Vic Viewer"),
        ("q=admin%40acme", "Adam Admin", "Mia Member"),
        ("q=advisor", "Vic Viewer", "Mia Member"),
        ("role=coach", "Cora Coach", "Vic Viewer"),
        ("manager=none", "Cora Coach", "Sales lead"),
    ],
)
def test_directory_searches_name_email_title_and_filters_role(
    query, found, missing, world, client_for
):
    page = text(client_for("member").get(f"/o/acme/people/?{query}"))
    assert found in page and missing not in page


def test_directory_filters_deactivated_people(world, client_for, in_org):
    with in_org():
        services.person_deactivate(person=world.viewer)
    client = client_for("admin")
    assert "Vic Viewer" not in text(client.get("/o/acme/people/"))
    deactivated = text(client.get("/o/acme/people/?status=deactivated"))
    assert "Vic Viewer" in deactivated and "Mia Member" not in deactivated
    assert "Vic Viewer" in text(client.get("/o/acme/people/?status=all"))


def test_directory_is_paginated(world, client_for, in_org):
    with in_org():
        _add_people(world, 55)
    client = client_for("owner")
    first = text(client.get("/o/acme/people/"))
    assert "Page 1 of 2" in first and "Zed extra 9" not in first
    second = text(client.get("/o/acme/people/?page=2"))
    assert "Zed extra 9" in second


def test_person_page_shows_roles_at_every_level_and_self(world, client_for, in_org):
    with in_org():
        services.role_assignment_create(unit=world.ops, person=world.member, role="member")
    page = text(client_for("coach").get(f"/o/acme/people/{world.member.pk}/"))
    assert "Sales lead" in page and "Adam Admin" in page
    assert "Functional team" in page and "Operations" in page
    assert "Self" in page and "Mia Member (Self)" in page
    assert "Leads" in page and "Manages" in page


def test_person_page_lists_direct_reports(world, client_for):
    page = text(client_for("viewer").get(f"/o/acme/people/{world.admin.pk}/"))
    assert "Direct reports (1)" in page and "Mia Member" in page


def test_member_edits_their_own_name_and_title(world, client_for, in_org):
    client = client_for("member")
    form = text(client.get(f"/o/acme/people/{world.member.pk}/edit/"))
    assert 'name="manager"' not in form
    response = client.post(
        f"/o/acme/people/{world.member.pk}/edit/",
        {"name": "Mia M. Member", "title": "Head of Sales", "version": 1, "manager": ""},
    )
    assert response.status_code == 302
    with in_org():
        person = Person.objects.get(pk=world.member.pk)
    assert (person.name, person.title, person.manager_id) == (
        "Mia M. Member",
        "Head of Sales",
        world.admin.pk,
    )


@pytest.mark.parametrize("persona", ["member", "coach", "viewer"])
def test_non_admins_cannot_edit_someone_else(persona, world, client_for, in_org):
    response = client_for(persona).post(
        f"/o/acme/people/{world.admin.pk}/edit/", {"name": "Hacked", "version": 1}
    )
    assert response.status_code == 403
    with in_org():
        assert Person.objects.get(pk=world.admin.pk).name == "Adam Admin"


def test_admin_sets_a_manager_by_email(world, client_for, in_org):
    response = client_for("admin").post(
        f"/o/acme/people/{world.viewer.pk}/edit/",
        {"name": "Vic Viewer", "title": "Advisor", "manager": "member@acme.test", "version": 1},
    )
    assert response.status_code == 302
    with in_org():
        assert Person.objects.get(pk=world.viewer.pk).manager_id == world.member.pk


def test_a_reporting_loop_is_refused_with_a_message(world, client_for, in_org):
    before = history_count()
    response = client_for("owner").post(
        f"/o/acme/people/{world.admin.pk}/edit/",
        {"name": "Adam Admin", "title": "COO", "manager": "member@acme.test", "version": 1},
    )
    assert response.status_code == 422
    assert "reports to Adam Admin" in text(response)
    assert history_count() == before


def test_a_stale_person_edit_is_refused(world, client_for, in_org):
    with in_org():
        services.person_update(person=world.member, expected_version=1, title="VP Sales")
    response = client_for("admin").post(
        f"/o/acme/people/{world.member.pk}/edit/",
        {"name": "Mia Member", "title": "Intern", "manager": "", "version": 1},
    )
    assert response.status_code == 409
    assert "Someone else changed this" in text(response)
    with in_org():
        assert Person.objects.get(pk=world.member.pk).title == "VP Sales"


def test_owner_grants_ownership_but_an_admin_cannot(world, client_for, in_org):
    refused = client_for("admin").post(
        f"/o/acme/people/{world.member.pk}/role/", {"role": "owner", "version": 1}
    )
    assert refused.status_code == 403
    assert "Only an owner can grant or remove ownership" in text(refused)
    with in_org():
        assert Person.objects.get(pk=world.member.pk).role == OrgRole.MEMBER
    granted = client_for("owner").post(
        f"/o/acme/people/{world.member.pk}/role/", {"role": "owner", "version": 1}
    )
    assert granted.status_code == 302
    with in_org():
        assert Person.objects.get(pk=world.member.pk).role == OrgRole.OWNER


def test_the_last_owner_keeps_ownership(world, client_for, in_org):
    response = client_for("owner").post(
        f"/o/acme/people/{world.owner.pk}/role/", {"role": "admin", "version": 1}
    )
    assert response.status_code == 422
    assert "at least one owner" in text(response)
    with in_org():
        assert Person.objects.get(pk=world.owner.pk).role == OrgRole.OWNER


def test_admin_deactivates_and_reactivates_a_person(world, client_for, in_org):
    client = client_for("admin")
    assert (
        client.post(f"/o/acme/people/{world.viewer.pk}/deactivate/", {"version": 1}).status_code
        == 302
    )
    with in_org():
        assert not Person.objects.get(pk=world.viewer.pk).is_active
    assert client_for("viewer").get("/o/acme/").status_code in (302, 404)
    assert (
        client.post(f"/o/acme/people/{world.viewer.pk}/reactivate/", {"version": 2}).status_code
        == 302
    )
    with in_org():
        assert Person.objects.get(pk=world.viewer.pk).is_active


@pytest.mark.parametrize("persona", ["member", "coach", "viewer"])
def test_non_admins_cannot_deactivate(persona, world, client_for, in_org):
    response = client_for(persona).post(
        f"/o/acme/people/{world.admin.pk}/deactivate/", {"version": 1}
    )
    assert response.status_code == 403
    with in_org():
        assert Person.objects.get(pk=world.admin.pk).is_active


def test_people_suggestions_match_active_people(world, client_for):
    page = text(client_for("member").get("/o/acme/people/suggest/?q=adam"))
    assert '<option value="admin@acme.test">' in page and "member@acme.test" not in page


def test_another_organizations_person_is_404(world, client_for):
    assert client_for("owner").get(f"/o/acme/people/{world.outsider.pk}/").status_code == 404
