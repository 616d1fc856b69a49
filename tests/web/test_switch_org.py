"""The organization switcher in the top bar for people in several organizations."""

from __future__ import annotations

from leados.core import services
from tests.web.helpers import text


def test_switcher_appears_only_for_people_in_several_organizations(world, client_for, in_org):
    assert 'id="org-switch"' not in text(client_for("member").get("/o/acme/"))
    with in_org(world.other_org):
        services.person_add(organization=world.other_org, user=world.coach_user, role="coach")
    page = text(client_for("coach").get("/o/acme/"))
    assert 'id="org-switch"' in page and ">Globex</option>" in page


def test_switching_goes_to_my_week_of_the_other_organization(world, client_for, in_org):
    with in_org(world.other_org):
        services.person_add(organization=world.other_org, user=world.coach_user, role="coach")
    client = client_for("coach")
    response = client.get("/switch/?org=globex")
    assert response.status_code == 302 and response["Location"] == "/o/globex/"
    assert client.get("/o/globex/").status_code == 200
    assert client.get("/", follow=False)["Location"] == "/o/globex/"


def test_switching_to_an_organization_one_is_not_in_is_404(world, client_for):
    assert client_for("member").get("/switch/?org=globex").status_code == 404
    assert client_for("member").get("/switch/").status_code == 404
