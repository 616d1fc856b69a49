"""The agreements API: the party who must answer accepts, declines or proposes a change."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from leados.operate.models import Agreement, AgreementState, Goal, GoalLink, LinkState
from leados.operate.services.goals import goal_link_create
from tests.api.goal_fixtures import *  # noqa: F403 - fixtures
from tests.api.helpers import assert_error_shape, field_errors


@pytest.fixture
def proposed(world, make):
    """A Sales goal the admin set for the member (who leads Sales) to own."""
    goal = make("Open two new regions", unit=world.sales, actor=world.admin, kind="binary")
    with scopes_disabled():
        return Agreement.objects.get(goal=goal)


def _agreement(pk):
    with scopes_disabled():
        return Agreement.objects.get(pk=pk)


def _path(agreement, action=""):
    return f"orgs/acme/agreements/{agreement.pk}" + (f"/{action}" if action else "")


def test_awaiting_me_lists_what_the_person_must_answer(world, api_for, proposed):
    mine = api_for("member").get("orgs/acme/agreements", {"awaiting": "me"}).json()
    admins = api_for("admin").get("orgs/acme/agreements", {"awaiting": "me"}).json()
    everyone = api_for("viewer").get("orgs/acme/agreements", {"state": "proposed"}).json()

    assert [i["id"] for i in mine["items"]] == [proposed.pk]
    assert mine["items"][0]["subject"] == "Open two new regions"
    assert mine["items"][0]["awaiting"] == world.member.pk
    assert admins["count"] == 0
    assert everyone["count"] == 1
    assert api_for("viewer").get("orgs/acme/agreements", {"kind": "link"}).json()["count"] == 0


def test_an_agreement_is_read_with_its_etag(world, api_for, proposed):
    response = api_for("coach").get(_path(proposed))

    assert response.status_code == 200
    assert response["ETag"] == f'W/"{proposed.version}"'
    assert (response.json()["requester"], response.json()["responder"]) == (
        world.admin.pk,
        world.member.pk,
    )


def test_the_responder_accepts(world, api_for, proposed):
    response = api_for("member").post(_path(proposed, "accept"))

    assert response.status_code == 200, response.content
    assert _agreement(proposed.pk).state == AgreementState.ACCEPTED
    assert response.json()["awaiting"] is None


def test_answering_a_settled_agreement_is_a_conflict(world, api_for, proposed):
    api_for("member").post(_path(proposed, "accept"))

    again = api_for("member").post(_path(proposed, "decline"), {"reason": "Changed my mind"})

    assert_error_shape(again, 409)
    assert _agreement(proposed.pk).state == AgreementState.ACCEPTED


@pytest.mark.parametrize("persona", ["admin", "coach", "viewer", "owner"])
def test_nobody_answers_on_someone_elses_behalf(world, api_for, proposed, persona):
    response = api_for(persona).post(_path(proposed, "accept"))

    assert_error_shape(response, 403)
    assert _agreement(proposed.pk).state == AgreementState.PROPOSED


def test_declining_needs_a_reason(world, api_for, proposed):
    api = api_for("member")

    bare = api.post(_path(proposed, "decline"), {})
    declined = api.post(_path(proposed, "decline"), {"reason": "No budget for travel"})

    assert "reason" in field_errors(bare)
    assert declined.status_code == 200
    saved = _agreement(proposed.pk)
    assert (saved.state, saved.reason) == (AgreementState.DECLINED, "No budget for travel")


def test_a_proposed_change_is_applied_when_the_requester_accepts_it(world, api_for, proposed):
    proposed_change = api_for("member").post(
        _path(proposed, "propose-change"),
        {"change": {"title": "Open one new region"}, "reason": "Two is too many this quarter"},
    )
    assert proposed_change.status_code == 200, proposed_change.content
    assert proposed_change.json()["awaiting"] == world.admin.pk
    assert_error_shape(api_for("member").post(_path(proposed, "accept-change")), 403)

    accepted = api_for("admin").post(
        _path(proposed, "accept-change"), {"version": proposed_change.json()["version"]}
    )

    assert accepted.status_code == 200, accepted.content
    assert _agreement(proposed.pk).state == AgreementState.ACCEPTED
    with scopes_disabled():
        assert Goal.objects.get(pk=proposed.goal_id).title == "Open one new region"


def test_a_rejected_change_asks_the_responder_again(world, api_for, proposed):
    api_for("member").post(_path(proposed, "propose-change"), {"change": {"weight": 3}})

    response = api_for("admin").post(_path(proposed, "reject-change"), {"reason": "Weight stays"})

    assert response.status_code == 200
    saved = _agreement(proposed.pk)
    assert (saved.state, saved.proposed_change) == (AgreementState.PROPOSED, {})


def test_a_change_to_something_that_cannot_change_is_refused(world, api_for, proposed):
    response = api_for("member").post(
        _path(proposed, "propose-change"), {"change": {"owner": world.admin.pk}}
    )

    assert "proposed_change" in field_errors(response)
    assert _agreement(proposed.pk).state == AgreementState.PROPOSED


def test_a_stale_version_is_refused(world, api_for, proposed):
    response = api_for("member").post(
        _path(proposed, "accept"), headers={"If-Match": f'W/"{proposed.version + 3}"'}
    )

    assert_error_shape(response, 412)
    assert _agreement(proposed.pk).state == AgreementState.PROPOSED


def test_accepting_a_link_makes_it_count(world, api_for, make, in_org):
    ops_goal = make("Faster deliveries", unit=world.ops, kind="binary")
    sales_goal = make("Happier customers", unit=world.sales, kind="binary", owner=world.member)
    with in_org():
        link = goal_link_create(source=ops_goal, target=sales_goal, actor=world.owner)
    with scopes_disabled():
        agreement = Agreement.objects.get(link=link)

    response = api_for("member").post(_path(agreement, "accept"))

    assert response.status_code == 200, response.content
    assert response.json()["kind"] == "link"
    with scopes_disabled():
        assert GoalLink.objects.get(pk=link.pk).state == LinkState.ACCEPTED


def test_another_organizations_agreement_is_404(world, api_for, proposed):
    assert_error_shape(api_for("outsider").get(_path(proposed)), 404)
    assert_error_shape(api_for("outsider").post(_path(proposed, "accept")), 404)
    assert _agreement(proposed.pk).state == AgreementState.PROPOSED


def test_the_list_reads_a_fixed_number_of_queries(
    world, api_for, make, proposed, django_assert_max_num_queries
):
    api = api_for("viewer")
    api.get("orgs/acme/agreements")
    with django_assert_max_num_queries(6):
        assert api.get("orgs/acme/agreements").json()["count"] == 1
    for n in range(8):
        make(f"Sales goal {n}", unit=world.sales, actor=world.admin, kind="binary")
    with django_assert_max_num_queries(6):
        assert api.get("orgs/acme/agreements").json()["count"] == 9
