"""Page query counts stay flat as the organization grows: measure, add data, measure again."""

from __future__ import annotations

import datetime

import pytest

from leados.core import services
from leados.core.models import Level
from tests.web.helpers import queries_for


def _grow(world, in_org, n: int = 12):
    """Add people, teams, processes and projects with leads, managers and members."""
    with in_org():
        people = []
        for i in range(n):
            user = services.user_create(email=f"grow{i}@acme.test", name=f"Grow {i}")
            people.append(
                services.person_add(
                    organization=world.org,
                    user=user,
                    title="Specialist",
                    manager=world.member if i % 2 else None,
                )
            )
        for i in range(n):
            team = services.unit_create(
                parent=world.root, level=Level.FUNCTIONAL_TEAM, name=f"Team {i}"
            )
            process = services.unit_create(parent=team, level=Level.PROCESS, name=f"Process {i}")
            project = services.unit_create(
                parent=process,
                level=Level.PROJECT,
                name=f"Project {i}",
                end_date=datetime.date(2030, 1, 1),
            )
            services.role_assignment_create(unit=team, person=people[i], role="lead")
            services.role_assignment_create(unit=process, person=world.member, role="manage")
            services.role_assignment_create(unit=project, person=world.member, role="member")
            services.role_assignment_create(unit=project, person=people[i], role="lead")
            services.invitation_create(organization=world.org, email=f"invitee{i}@acme.test")
        services.unit_archive(unit=world.ops, expected_version=None)


def _measure(client, url):
    client.get(url)  # the first request of a session writes the session
    return queries_for(client, url)


@pytest.mark.parametrize("persona", ["owner", "member"])
@pytest.mark.parametrize(
    "url", ["/o/acme/units/", "/o/acme/units/?archived=1", "/o/acme/people/", "/o/acme/"]
)
def test_page_query_count_does_not_grow_with_the_organization(
    url, persona, world, client_for, in_org
):
    client = client_for(persona)
    before = _measure(client, url)
    _grow(world, in_org)
    after = _measure(client, url)
    assert after == before, f"{url}: {before} queries before, {after} after"


@pytest.mark.parametrize("persona", ["admin", "member"])
def test_person_page_query_count_does_not_grow_with_their_roles(persona, world, client_for, in_org):
    client = client_for(persona)
    url = f"/o/acme/people/{world.member.pk}/"
    before = _measure(client, url)
    _grow(world, in_org)
    after = _measure(client, url)
    assert after == before, f"{before} queries before, {after} after"


def test_people_search_query_count_does_not_grow(world, client_for, in_org):
    client = client_for("viewer")
    url = "/o/acme/people/?q=acme.test&role=member&status=all"
    before = _measure(client, url)
    _grow(world, in_org)
    assert _measure(client, url) == before


def test_unit_page_query_count_does_not_grow(world, client_for, in_org):
    client = client_for("owner")
    url = f"/o/acme/units/{world.root.pk}/"
    before = _measure(client, url)
    _grow(world, in_org)
    assert _measure(client, url) == before


def test_units_tree_is_a_handful_of_queries(
    world, client_for, in_org, django_assert_max_num_queries
):
    _grow(world, in_org)
    client = client_for("member")
    client.get("/o/acme/units/")
    with django_assert_max_num_queries(8):
        assert client.get("/o/acme/units/").status_code == 200
