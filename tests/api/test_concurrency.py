"""No lost updates: every change names the version it is based on (If-Match or body)."""

import pytest
from django_scopes import scopes_disabled

from leados.core.models import Organization, Person, RoleAssignment, Unit
from tests.api.helpers import assert_error_shape, fingerprint, if_match


def _unit(world):
    with scopes_disabled():
        return Unit.objects.get(pk=world.sales.pk)


def test_responses_carry_the_version_as_etag_and_field(world, api_for):
    response = api_for("admin").get(f"orgs/acme/units/{world.sales.pk}")

    assert response["ETag"] == 'W/"1"'
    assert response.json()["version"] == 1


def test_an_update_returns_the_new_etag(world, api_for):
    response = api_for("admin").patch(
        f"orgs/acme/units/{world.sales.pk}", {"name": "Sales EU"}, headers=if_match(1)
    )

    assert response.status_code == 200
    assert response["ETag"] == 'W/"2"'
    assert response.json()["version"] == 2


def test_the_second_of_two_updates_from_the_same_etag_is_refused_with_412(world, api_for):
    alice, bob = api_for("admin"), api_for("owner")
    etag = alice.get(f"orgs/acme/units/{world.sales.pk}")["ETag"]

    first = alice.patch(
        f"orgs/acme/units/{world.sales.pk}", {"name": "A"}, headers={"If-Match": etag}
    )
    second = bob.patch(
        f"orgs/acme/units/{world.sales.pk}", {"name": "B"}, headers={"If-Match": etag}
    )

    assert first.status_code == 200
    body = assert_error_shape(second, 412)
    assert "version 1" in body["detail"] and "version 2" in body["detail"]
    assert _unit(world).name == "A"


def test_a_stale_version_in_the_body_is_refused_with_409(world, api_for):
    api = api_for("admin")
    api.patch(f"orgs/acme/units/{world.sales.pk}", {"name": "A", "version": 1})

    response = api.patch(f"orgs/acme/units/{world.sales.pk}", {"name": "B", "version": 1})

    body = assert_error_shape(response, 409)
    assert "now at version 2" in body["detail"]
    assert _unit(world).name == "A"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "orgs/acme/units/{sales}", {"name": "X"}),
        ("DELETE", "orgs/acme/units/{sales}", None),
        ("POST", "orgs/acme/units/{sales}/archive", None),
        ("PATCH", "orgs/acme/people/{member}", {"title": "X"}),
        ("DELETE", "orgs/acme/people/{member}", None),
        ("DELETE", "orgs/acme/role-assignments/{lead}", None),
        ("PATCH", "orgs/acme", {"name": "X"}),
        ("POST", "orgs/acme/history/{entry}/restore", None),
    ],
)
def test_a_change_without_a_version_is_refused_with_428(world, api_for, method, path, body):
    with scopes_disabled():
        ids = {
            "sales": world.sales.pk,
            "member": world.member.pk,
            "lead": RoleAssignment.objects.get(unit=world.sales, role="lead").pk,
            "entry": _first_unit_entry(world),
        }
    api = api_for("admin")
    before = fingerprint()

    response = api.request(method, path.format(**ids), body)

    body = assert_error_shape(response, 428)
    assert "If-Match" in body["detail"]
    assert fingerprint() == before


def _first_unit_entry(world):
    from leados.core.models import HistoryEntry

    return HistoryEntry.objects.filter(object_type="unit", object_id=world.sales.pk).last().pk


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("DELETE", "orgs/acme/units/{sales}", None),
        ("DELETE", "orgs/acme/people/{member}", None),
        ("DELETE", "orgs/acme/role-assignments/{lead}", None),
        ("PATCH", "orgs/acme/people/{member}", {"role": "viewer"}),
        ("PATCH", "orgs/acme", {"name": "X"}),
    ],
)
def test_a_stale_if_match_refuses_every_kind_of_change(world, api_for, method, path, body):
    with scopes_disabled():
        ids = {
            "sales": world.sales.pk,
            "member": world.member.pk,
            "lead": RoleAssignment.objects.get(unit=world.sales, role="lead").pk,
        }
    api = api_for("admin")
    before = fingerprint()

    response = api.request(method, path.format(**ids), body, headers=if_match(7))

    assert_error_shape(response, 412)
    assert fingerprint() == before


@pytest.mark.parametrize("header", ["*", "1", "W/1", '"abc"', 'W/"1", W/"2"', " "])
def test_an_if_match_that_names_no_single_version_is_refused(world, api_for, header):
    api = api_for("admin")
    before = fingerprint()

    response = api.patch(
        f"orgs/acme/units/{world.sales.pk}", {"name": "X"}, headers={"If-Match": header}
    )

    assert_error_shape(response, 412)
    assert fingerprint() == before


def test_a_strong_etag_is_accepted_too(world, api_for):
    response = api_for("admin").patch(
        f"orgs/acme/units/{world.sales.pk}", {"name": "X"}, headers={"If-Match": '"1"'}
    )

    assert response.status_code == 200


def test_if_match_and_body_version_must_agree(world, api_for):
    api = api_for("admin")
    before = fingerprint()

    response = api.patch(
        f"orgs/acme/units/{world.sales.pk}", {"name": "X", "version": 2}, headers=if_match(1)
    )

    body = assert_error_shape(response, 422)
    assert body["errors"][0]["field"] == "version"
    assert fingerprint() == before


def test_person_and_organization_versions_move_on_with_each_change(world, api_for):
    api = api_for("admin")

    api.patch(f"orgs/acme/people/{world.member.pk}", {"title": "A"}, headers=if_match(1))
    second = api.patch(f"orgs/acme/people/{world.member.pk}", {"title": "B"}, headers=if_match(1))
    org = api.patch("orgs/acme", {"name": "Acme Inc."}, headers=if_match(1))

    assert_error_shape(second, 412)
    with scopes_disabled():
        assert Person.objects.get(pk=world.member.pk).title == "A"
    assert org.status_code == 200 and org["ETag"] == 'W/"2"'
    assert Organization.objects.get(pk=world.org.pk).name == "Acme Inc."
