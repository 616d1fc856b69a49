"""What each collection does: pages, filters, creating, changing, and the rules it keeps."""

import pytest
from django_scopes import scopes_disabled

from leados.core import services
from leados.core.models import OrgRole, Person, RoleAssignment, Unit, User
from leados.core.tenancy import org_scope
from tests.api.helpers import assert_error_shape, field_errors, fingerprint, if_match


def _names(response) -> list[str]:
    return [item["name"] for item in response.json()["items"]]


def test_people_page_in_a_stable_order_with_the_total_count(world, api_for):
    api = api_for("viewer")

    first = api.get("orgs/acme/people", {"limit": 2})
    rest = api.get("orgs/acme/people", {"limit": 2, "offset": 2})
    everyone = api.get("orgs/acme/people")

    assert first.json()["count"] == rest.json()["count"] == 5
    ids = [p["id"] for p in first.json()["items"] + rest.json()["items"]]
    assert ids == sorted(ids) == [p["id"] for p in everyone.json()["items"]][:4]


def test_people_filters(world, api_for):
    api = api_for("viewer")

    assert _names(api.get("orgs/acme/people", {"q": "mia"})) == ["Mia Member"]
    assert _names(api.get("orgs/acme/people", {"q": "coo"})) == ["Adam Admin"]
    assert _names(api.get("orgs/acme/people", {"role": "coach"})) == ["Cora Coach"]
    assert _names(api.get("orgs/acme/people", {"manager": world.admin.pk})) == ["Mia Member"]
    assert api.get("orgs/acme/people", {"is_active": "false"}).json()["count"] == 0
    by_name = _names(api.get("orgs/acme/people", {"order": "name"}))
    assert by_name == sorted(by_name)


def test_a_person_shows_every_role_they_hold(world, api_for):
    body = api_for("viewer").get(f"orgs/acme/people/{world.member.pk}").json()

    assert body["email"] == "member@acme.test"
    assert body["manager"] == {"id": world.admin.pk, "name": "Adam Admin"}
    assert [(r["role"], r["unit"]["name"]) for r in body["roles"]] == [("lead", "Sales")]


def test_adding_a_person_creates_the_user_when_there_is_none(world, api_for):
    response = api_for("admin").post(
        "orgs/acme/people",
        {
            "email": "Nia@Acme.test",
            "name": "Nia New",
            "title": "Analyst",
            "manager": world.admin.pk,
        },
    )

    assert response.status_code == 201, response.content
    assert response["ETag"] == 'W/"1"'
    user = User.objects.get(email="nia@acme.test")
    assert not user.has_usable_password()
    with org_scope(world.org):
        person = Person.objects.get(user=user)
    assert (person.name, person.title, person.manager_id) == ("Nia New", "Analyst", world.admin.pk)


def test_adding_an_existing_user_from_another_organization_reuses_them(world, api_for):
    response = api_for("admin").post("orgs/acme/people", {"email": "outsider@globex.test"})

    assert response.status_code == 201
    assert response.json()["name"] == "Otto Outsider"
    assert User.objects.filter(email="outsider@globex.test").count() == 1


def test_adding_someone_who_is_already_a_member_is_refused(world, api_for):
    api = api_for("admin")
    before = fingerprint()
    response = api.post("orgs/acme/people", {"email": "member@acme.test"})

    assert_error_shape(response, 422)
    assert "email" in field_errors(response)
    assert fingerprint() == before


def test_only_an_owner_adds_an_owner(world, api_for):
    denied = api_for("admin").post("orgs/acme/people", {"email": "x@acme.test", "role": "owner"})
    allowed = api_for("owner").post("orgs/acme/people", {"email": "y@acme.test", "role": "owner"})

    assert_error_shape(denied, 403)
    assert allowed.status_code == 201


def test_a_member_renames_themselves_but_cannot_change_their_own_role_or_manager(world, api_for):
    api = api_for("member")
    path = f"orgs/acme/people/{world.member.pk}"

    assert_error_shape(api.patch(path, {"role": "admin"}, headers=if_match(1)), 403)
    assert_error_shape(api.patch(path, {"manager": None}, headers=if_match(1)), 403)
    assert api.patch(path, {"name": "Mia M.", "title": "Head of Sales"}, headers=if_match(1))
    with org_scope(world.org):
        member = Person.objects.get(pk=world.member.pk)
    assert (member.name, member.title, member.role, member.manager_id) == (
        "Mia M.",
        "Head of Sales",
        OrgRole.MEMBER,
        world.admin.pk,
    )


def test_an_admin_cannot_take_ownership_away_but_an_owner_can_hand_it_on(world, api_for):
    path = f"orgs/acme/people/{world.owner.pk}"
    assert_error_shape(api_for("admin").patch(path, {"role": "admin"}, headers=if_match(1)), 403)

    api_for("owner").patch(
        f"orgs/acme/people/{world.admin.pk}", {"role": "owner"}, headers=if_match(1)
    )
    response = api_for("owner").patch(path, {"role": "admin"}, headers=if_match(1))

    assert response.status_code == 200
    with org_scope(world.org):
        assert Person.objects.get(pk=world.owner.pk).role == OrgRole.ADMIN


def test_a_reporting_loop_is_refused(world, api_for):
    response = api_for("admin").patch(
        f"orgs/acme/people/{world.admin.pk}", {"manager": world.member.pk}, headers=if_match(1)
    )

    assert_error_shape(response, 422)
    assert "manager" in field_errors(response)


def test_deactivating_and_reactivating_a_person(world, api_for):
    api = api_for("admin")
    gone = api.delete(f"orgs/acme/people/{world.member.pk}", headers=if_match(1))
    back = api.post(
        f"orgs/acme/people/{world.member.pk}/reactivate", headers={"If-Match": gone["ETag"]}
    )

    assert gone.json()["is_active"] is False
    assert back.status_code == 200 and back.json()["is_active"] is True
    with org_scope(world.org):
        assert Person.objects.get(pk=world.member.pk).is_active


def test_units_filters(world, api_for):
    api = api_for("viewer")
    with org_scope(world.org):
        services.unit_archive(unit=world.ops, expected_version=None)

    assert _names(api.get("orgs/acme/units", {"level": "strategy"})) == ["Leadership team"]
    assert _names(api.get("orgs/acme/units", {"parent": world.root.pk})) == ["Sales", "Operations"]
    assert _names(api.get("orgs/acme/units", {"archived": "true"})) == ["Operations"]
    assert "Operations" not in _names(api.get("orgs/acme/units", {"archived": "false"}))
    assert _names(api.get("orgs/acme/units", {"q": "sal"})) == ["Sales"]


def test_a_unit_shows_its_lead_and_manager(world, api_for):
    body = api_for("viewer").get(f"orgs/acme/units/{world.sales.pk}").json()

    assert body["lead"] == {"id": world.member.pk, "name": "Mia Member"}
    assert body["manager"] is None
    assert body["parent"] == world.root.pk


def test_a_project_needs_an_end_date_after_its_start(world, api_for):
    api = api_for("admin")
    before = fingerprint()

    no_end = api.post(
        "orgs/acme/units", {"parent": world.sales.pk, "level": "project", "name": "Launch"}
    )
    backwards = api.post(
        "orgs/acme/units",
        {
            "parent": world.sales.pk,
            "level": "project",
            "name": "Launch",
            "start_date": "2027-05-01",
            "end_date": "2027-04-01",
        },
    )

    assert field_errors(no_end).keys() == {"end_date"}
    assert field_errors(backwards).keys() == {"end_date"}
    assert fingerprint() == before


def test_moving_a_unit_inside_itself_is_refused(world, api_for):
    api = api_for("admin")
    child = api.post(
        "orgs/acme/units", {"parent": world.sales.pk, "level": "functional_team", "name": "SDR"}
    ).json()

    response = api.patch(
        f"orgs/acme/units/{world.sales.pk}", {"parent": child["id"]}, headers=if_match(1)
    )

    assert_error_shape(response, 422)
    assert "parent" in field_errors(response)


def test_rename_and_move_in_one_patch(world, api_for):
    response = api_for("admin").patch(
        f"orgs/acme/units/{world.sales.pk}",
        {"name": "Sales EU", "parent": world.ops.pk},
        headers=if_match(1),
    )

    assert response.status_code == 200
    with org_scope(world.org):
        sales = Unit.objects.get(pk=world.sales.pk)
    assert (sales.name, sales.parent_id) == ("Sales EU", world.ops.pk)
    assert response["ETag"] == f'W/"{sales.version}"'


def test_archiving_a_unit_archives_everything_below_and_unarchive_brings_it_back(world, api_for):
    api = api_for("admin")
    child = api.post(
        "orgs/acme/units", {"parent": world.ops.pk, "level": "process", "name": "Billing"}
    ).json()

    archived = api.post(f"orgs/acme/units/{world.ops.pk}/archive", headers=if_match(1))
    back = api.post(
        f"orgs/acme/units/{world.ops.pk}/unarchive", headers={"If-Match": archived["ETag"]}
    )

    assert archived.json()["is_archived"] is True
    assert back.json()["is_archived"] is False
    with org_scope(world.org):
        assert Unit.objects.get(pk=child["id"]).archived_at is not None


def test_the_leadership_team_cannot_be_archived(world, api_for):
    response = api_for("owner").delete(f"orgs/acme/units/{world.root.pk}", headers=if_match(1))

    assert_error_shape(response, 422)


def test_role_assignment_filters(world, api_for):
    api = api_for("viewer")

    by_unit = api.get("orgs/acme/role-assignments", {"unit": world.sales.pk}).json()
    by_person = api.get("orgs/acme/role-assignments", {"person": world.owner.pk}).json()
    by_role = api.get("orgs/acme/role-assignments", {"role": "manage"}).json()

    assert [(a["person"]["name"], a["role"]) for a in by_unit["items"]] == [("Mia Member", "lead")]
    assert by_person["count"] == 2
    assert [a["unit"]["name"] for a in by_role["items"]] == ["Leadership team"]


def test_a_second_lead_is_refused_unless_replacing(world, api_for):
    api = api_for("admin")
    body = {"person": world.admin.pk, "unit": world.sales.pk, "role": "lead"}

    refused = api.post("orgs/acme/role-assignments", body)
    replaced = api.post("orgs/acme/role-assignments", {**body, "replace": True})

    assert_error_shape(refused, 409)
    assert "already leads" in refused.json()["detail"]
    assert replaced.status_code == 201
    with scopes_disabled():
        leads = list(RoleAssignment.objects.filter(unit=world.sales, role="lead"))
    assert [a.person_id for a in leads] == [world.admin.pk]


def test_the_lead_of_a_unit_staffs_it_but_cannot_appoint_its_manager(world, api_for):
    api = api_for("member")

    added = api.post(
        "orgs/acme/role-assignments",
        {"person": world.viewer.pk, "unit": world.sales.pk, "role": "member"},
    )
    removed = api.delete(f"orgs/acme/role-assignments/{added.json()['id']}", headers=if_match(1))
    manager = api.post(
        "orgs/acme/role-assignments",
        {"person": world.viewer.pk, "unit": world.sales.pk, "role": "manage"},
    )

    assert (added.status_code, removed.status_code) == (201, 204)
    assert_error_shape(manager, 403)
    with scopes_disabled():
        assert not RoleAssignment.objects.filter(person=world.viewer).exists()


def test_organization_settings(world, api_for):
    api = api_for("admin")

    response = api.patch(
        "orgs/acme",
        {"terminology": {"goal": ["Rock", "Rocks"]}, "week_start_day": 6},
        headers=if_match(1),
    )
    bad_zone = api.patch("orgs/acme", {"time_zone": "Mars/Olympus"}, headers=if_match(2))

    assert response.status_code == 200
    assert response.json()["terminology"] == {"goal": ["Rock", "Rocks"]}
    assert_error_shape(bad_zone, 422)
    assert "time_zone" in field_errors(bad_zone)
    world.org.refresh_from_db()
    assert (world.org.week_start_day, world.org.time_zone) == (6, "UTC")


def test_the_organizations_a_token_reaches(world, api_for, admin_in_both):
    everywhere = api_for("admin").get("orgs").json()
    one = api_for("admin", organization=world.other_org).get("orgs").json()

    assert [(o["slug"], o["role"]) for o in everywhere] == [("acme", "admin"), ("globex", "member")]
    assert [o["slug"] for o in one] == ["globex"]


@pytest.mark.parametrize("limit", [1, 500])
def test_limit_bounds_are_accepted(world, api_for, limit):
    response = api_for("viewer").get("orgs/acme/units", {"limit": limit})

    assert response.status_code == 200
    assert len(response.json()["items"]) == min(limit, 3)
    assert response.json()["count"] == 3
