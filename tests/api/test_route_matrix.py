"""Every organization route × persona: the status code and what the database holds after."""

import re

import pytest
from django.db import transaction
from django_scopes import scopes_disabled

from leados.api.api import api
from leados.core.models import HistoryEntry, OrgRole, Person, RoleAssignment, Unit
from tests.api.helpers import Api, assert_error_shape, fingerprint, if_match
from tests.support.scorecards import scorecard_samples
from tests.support.sops import sop_samples

PERSONAS = ["owner", "admin", "member", "coach", "viewer", "outsider"]


def _person(pk):
    with scopes_disabled():
        return Person.objects.get(pk=pk)


def _unit(pk):
    with scopes_disabled():
        return Unit.objects.get(pk=pk)


def _unit_history_entry(world):
    with scopes_disabled():
        return HistoryEntry.objects.filter(object_type="unit", object_id=world.sales.pk).first()


# name: (request builder, expected status per persona, check of the database on success)
WRITES = {
    "create person": (
        lambda w: ("POST", "orgs/acme/people", {"email": "new@acme.test", "name": "Nia New"}, {}),
        {"owner": 201, "admin": 201},
        lambda w, r: _person(r.json()["id"]).user.email == "new@acme.test",
    ),
    "rename a member": (
        lambda w: (
            "PATCH",
            f"orgs/acme/people/{w.member.pk}",
            {"name": "Mia M."},
            if_match(w.member),
        ),
        {"owner": 200, "admin": 200, "member": 200},
        lambda w, r: _person(w.member.pk).name == "Mia M.",
    ),
    "change a member's org role": (
        lambda w: (
            "PATCH",
            f"orgs/acme/people/{w.member.pk}",
            {"role": "viewer"},
            if_match(w.member),
        ),
        {"owner": 200, "admin": 200},
        lambda w, r: _person(w.member.pk).role == OrgRole.VIEWER,
    ),
    "retitle the admin": (
        lambda w: ("PATCH", f"orgs/acme/people/{w.admin.pk}", {"title": "CFO"}, if_match(w.admin)),
        {"owner": 200, "admin": 200},
        lambda w, r: _person(w.admin.pk).title == "CFO",
    ),
    "deactivate the viewer": (
        lambda w: ("DELETE", f"orgs/acme/people/{w.viewer.pk}", None, if_match(w.viewer)),
        {"owner": 200, "admin": 200},
        lambda w, r: _person(w.viewer.pk).is_active is False,
    ),
    "create a unit": (
        lambda w: (
            "POST",
            "orgs/acme/units",
            {"parent": w.sales.pk, "level": "process", "name": "Lead qualification"},
            {},
        ),
        {"owner": 201, "admin": 201},
        lambda w, r: _unit(r.json()["id"]).parent_id == w.sales.pk,
    ),
    "rename Sales (the member leads it)": (
        lambda w: ("PATCH", f"orgs/acme/units/{w.sales.pk}", {"name": "Sales EU"}, if_match(1)),
        {"owner": 200, "admin": 200, "member": 200},
        lambda w, r: _unit(w.sales.pk).name == "Sales EU",
    ),
    "rename Operations": (
        lambda w: ("PATCH", f"orgs/acme/units/{w.ops.pk}", {"name": "Ops"}, if_match(1)),
        {"owner": 200, "admin": 200},
        lambda w, r: _unit(w.ops.pk).name == "Ops",
    ),
    "move Sales below Operations": (
        lambda w: ("PATCH", f"orgs/acme/units/{w.sales.pk}", {"parent": w.ops.pk}, if_match(1)),
        {"owner": 200, "admin": 200},
        lambda w, r: _unit(w.sales.pk).parent_id == w.ops.pk,
    ),
    "archive Operations (DELETE)": (
        lambda w: ("DELETE", f"orgs/acme/units/{w.ops.pk}", None, if_match(1)),
        {"owner": 200, "admin": 200},
        lambda w, r: _unit(w.ops.pk).archived_at is not None,
    ),
    "archive Sales (POST archive)": (
        lambda w: ("POST", f"orgs/acme/units/{w.sales.pk}/archive", {"version": 1}, {}),
        {"owner": 200, "admin": 200},
        lambda w, r: _unit(w.sales.pk).archived_at is not None,
    ),
    "add a member to Sales": (
        lambda w: (
            "POST",
            "orgs/acme/role-assignments",
            {"person": w.viewer.pk, "unit": w.sales.pk, "role": "member"},
            {},
        ),
        {"owner": 201, "admin": 201, "member": 201},
        lambda w, r: _role_exists(w.viewer, w.sales, "member"),
    ),
    "add a member to Operations": (
        lambda w: (
            "POST",
            "orgs/acme/role-assignments",
            {"person": w.viewer.pk, "unit": w.ops.pk, "role": "member"},
            {},
        ),
        {"owner": 201, "admin": 201},
        lambda w, r: _role_exists(w.viewer, w.ops, "member"),
    ),
    "make someone manager of Sales": (
        lambda w: (
            "POST",
            "orgs/acme/role-assignments",
            {"person": w.admin.pk, "unit": w.sales.pk, "role": "manage"},
            {},
        ),
        {"owner": 201, "admin": 201},
        lambda w, r: _role_exists(w.admin, w.sales, "manage"),
    ),
    "remove the lead of Sales": (
        lambda w: ("DELETE", f"orgs/acme/role-assignments/{_sales_lead(w).pk}", None, if_match(1)),
        {"owner": 204, "admin": 204},
        lambda w, r: not _role_exists(w.member, w.sales, "lead"),
    ),
    "restore Sales from history": (
        lambda w: (
            "POST",
            f"orgs/acme/history/{_unit_history_entry(w).pk}/restore",
            None,
            if_match(1),
        ),
        {"owner": 200, "admin": 200},
        lambda w, r: _last_history(w.sales).action == "restore",
    ),
    "change organization settings": (
        lambda w: ("PATCH", "orgs/acme", {"time_zone": "Europe/Berlin"}, if_match(1)),
        {"owner": 200, "admin": 200},
        lambda w, r: _org_time_zone(w) == "Europe/Berlin",
    ),
}


def _last_history(obj):
    with scopes_disabled():
        return HistoryEntry.objects.filter(object_type="unit", object_id=obj.pk).first()


def _role_exists(person, unit, role) -> bool:
    with scopes_disabled():
        return RoleAssignment.objects.filter(person=person, unit=unit, role=role).exists()


def _sales_lead(world):
    with scopes_disabled():
        return RoleAssignment.objects.get(unit=world.sales, role="lead")


def _org_time_zone(world):
    world.org.refresh_from_db()
    return world.org.time_zone


@pytest.mark.parametrize("route", list(WRITES))
def test_write_route_answers_each_persona(world, api_for, route):
    """Each persona's attempt runs from the same starting point (rolled back after)."""
    build, allowed, check = WRITES[route]
    clients = {persona: api_for(persona) for persona in PERSONAS}

    for persona in PERSONAS:
        with transaction.atomic():
            method, path, body, headers = build(world)
            before = fingerprint()

            response = clients[persona].request(method, path, body, headers=headers)

            expected = allowed.get(persona, 404 if persona == "outsider" else 403)
            assert response.status_code == expected, (persona, response.content)
            if expected < 300:
                assert check(world, response), persona
            else:
                assert_error_shape(response)
                assert fingerprint() == before, persona
            transaction.set_rollback(True)


READS = [
    "orgs/acme",
    "orgs/acme/people",
    "orgs/acme/people/{member}",
    "orgs/acme/units",
    "orgs/acme/units/{sales}",
    "orgs/acme/role-assignments",
    "orgs/acme/role-assignments/{assignment}",
    "orgs/acme/history",
    "orgs/acme/history/{entry}",
]


def _fill(path: str, world) -> str:
    with scopes_disabled():
        values = {
            "member": world.member.pk,
            "sales": world.sales.pk,
            "assignment": RoleAssignment.objects.filter(unit=world.sales).first().pk,
            "entry": HistoryEntry.objects.filter(organization=world.org).first().pk,
        }
    return path.format(**values)


@pytest.mark.parametrize("path", READS)
def test_read_route_answers_each_persona(world, api_for, path):
    for persona in PERSONAS:
        response = api_for(persona).get(_fill(path, world))

        if persona == "outsider":
            assert_error_shape(response, 404)
        else:
            assert response.status_code == 200, (persona, response.content)


@pytest.mark.parametrize("path", READS)
def test_a_token_limited_to_another_organization_gets_404(world, api_for, admin_in_both, path):
    scoped_elsewhere = api_for("admin", organization=world.other_org)
    scoped_here = api_for("admin", organization=world.org)

    assert_error_shape(scoped_elsewhere.get(_fill(path, world)), 404)
    assert scoped_here.get(_fill(path, world)).status_code == 200
    assert scoped_elsewhere.get("orgs/globex").status_code == 200


def test_missing_org_non_member_and_foreign_token_answer_identically(world, api_for, admin_in_both):
    answers = [
        api_for("admin").get("orgs/no-such-org/people"),
        api_for("outsider").get("orgs/acme/people"),
        api_for("admin", organization=world.other_org).get("orgs/acme/people"),
        api_for("admin").get("orgs/NOT%20A%20SLUG/people"),
    ]

    assert {r.status_code for r in answers} == {404}
    assert len({r.content for r in answers}) == 1


def test_a_deactivated_member_gets_404_while_their_other_organization_still_answers(
    world, api_for, admin_in_both
):
    everywhere = api_for("admin")
    api_for("owner").delete(f"orgs/acme/people/{world.admin.pk}", headers=if_match(1))

    assert_error_shape(everywhere.get("orgs/acme/people"), 404)
    assert everywhere.get("orgs/globex/people").status_code == 200


def test_deactivation_ends_the_persons_tokens_at_once(world, api_for):
    token = api_for("viewer")
    assert token.get("orgs/acme/people").status_code == 200

    api_for("admin").delete(f"orgs/acme/people/{world.viewer.pk}", headers=if_match(1))

    assert_error_shape(token.get("orgs/acme/people"), 401)


@pytest.mark.parametrize("token", [None, "lds_not-a-real-token", "Basic abc"])
def test_without_a_valid_token_every_route_answers_401(world, token):
    response = Api(token).get("orgs/acme/people")

    assert_error_shape(response, 401)


def _org_operations():
    """Every (method, path) of the organization routes, from the API itself."""
    schema = api.get_openapi_schema()
    for path, item in schema["paths"].items():
        if "{org}" not in path:
            continue
        for method in item:
            yield method.upper(), path


@pytest.mark.parametrize(("method", "path"), sorted(_org_operations()))
def test_every_org_route_hides_acme_from_the_outsider(world, api_for, method, path):
    """New routes are covered here without being listed: the outsider sees nothing."""
    with scopes_disabled():
        any_id = {
            "person_id": world.member.pk,
            "unit_id": world.sales.pk,
            "assignment_id": RoleAssignment.objects.filter(unit=world.sales).first().pk,
            "entry_id": HistoryEntry.objects.filter(organization=world.org).first().pk,
        }
    any_id.update(scorecard_samples(world.org, world))
    any_id.update(sop_samples(world.org, world))
    url = re.sub(r"\{(\w+)\}", lambda m: str(any_id.get(m.group(1), "acme")), path)
    client = api_for("outsider")
    before = fingerprint()

    response = client.request(method, url, {}, headers=if_match(1))

    assert_error_shape(response, 404)
    assert fingerprint() == before
