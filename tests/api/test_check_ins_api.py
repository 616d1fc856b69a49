"""The check-ins API: reporting progress moves the roll-up at every level above."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scopes_disabled

from leados.operate.models import CheckIn, Goal, Milestone
from leados.operate.services.check_ins import check_in_create
from tests.api.goal_fixtures import *  # noqa: F403 - fixtures
from tests.api.goal_fixtures import DAY
from tests.api.helpers import assert_error_shape, field_errors, if_match


def _goal(pk):
    with scopes_disabled():
        return Goal.objects.get(pk=pk)


def test_a_check_in_answers_the_roll_up_it_moved_at_every_level(world, api_for, tree, make):
    top = tree["top"]  # done / not done, with the metric Sales goal (at 0) beneath
    pipeline = make(
        "Fill the pipeline", unit=world.sales, parent=top, kind="binary", owner=world.member
    )
    mine = make("Book 20 demos", person=world.member, parent=pipeline, actor=world.member)

    response = api_for("member").post(
        "orgs/acme/check-ins", {"goal": mine.pk, "value": 50, "confidence": 7, "comment": "Half"}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"/api/v1/orgs/acme/check-ins/{body['id']}"
    assert (body["goal"], body["author"], body["value"]) == (mine.pk, world.member.pk, 50)
    assert [item["id"] for item in body["rollup"]] == [mine.pk, pipeline.pk, top.pk]
    expected = {mine.pk: 0.5, pipeline.pk: 0.5, top.pk: 0.25}  # top: mean of 0.5 and 0
    for item in body["rollup"]:
        stored = _goal(item["id"])
        assert stored.progress == pytest.approx(expected[stored.pk]), stored.title
        assert item["progress"] == pytest.approx(stored.progress)
        assert item["version"] == stored.version
    assert _goal(mine.pk).confidence == 7
    with scopes_disabled():
        assert CheckIn.objects.get(pk=body["id"]).comment == "Half"


def test_a_milestones_goal_checks_in_the_milestones_done(world, api_for, make):
    goal = make("Launch", kind="milestones", milestones=["Plan", "Build", "Ship", "Tell"])
    with scopes_disabled():
        first = Milestone.objects.filter(goal=goal).first()

    response = api_for("owner").post(
        "orgs/acme/check-ins", {"goal": goal.pk, "milestones_done": [first.pk]}
    )

    assert response.status_code == 201, response.content
    assert response.json()["progress"] == pytest.approx(0.25)
    with scopes_disabled():
        assert Milestone.objects.get(pk=first.pk).done is True


def test_a_value_for_a_done_goal_and_an_empty_check_in_are_refused(world, api_for, tree):
    api = api_for("owner")

    wrong = api.post("orgs/acme/check-ins", {"goal": tree["top"].pk, "value": 3})
    empty = api.post("orgs/acme/check-ins", {"goal": tree["sales"].pk})
    too_sure = api.post("orgs/acme/check-ins", {"goal": tree["sales"].pk, "confidence": 11})

    assert "value" in field_errors(wrong)
    assert_error_shape(empty, 422)
    assert_error_shape(too_sure, 422)
    with scopes_disabled():
        assert not CheckIn.objects.exists()


def test_a_stale_goal_version_refuses_the_check_in(world, api_for, tree):
    goal = tree["sales"]
    api = api_for("member")

    stale = api.post(
        "orgs/acme/check-ins",
        {"goal": goal.pk, "value": 5},
        headers=if_match(goal.version + 1),
    )
    fresh = api.post("orgs/acme/check-ins", {"goal": goal.pk, "value": 5, "version": goal.version})

    assert_error_shape(stale, 412)
    assert fresh.status_code == 201
    with scopes_disabled():
        assert CheckIn.objects.count() == 1


@pytest.mark.parametrize("persona", ["coach", "viewer"])
def test_read_only_personas_cannot_check_in(world, api_for, tree, persona):
    response = api_for(persona).post(
        "orgs/acme/check-ins", {"goal": tree["top"].pk, "comment": "Looks good"}
    )

    assert_error_shape(response, 403)
    with scopes_disabled():
        assert not CheckIn.objects.exists()


def test_a_member_cannot_check_in_on_a_goal_that_is_not_theirs(world, api_for, tree):
    response = api_for("member").post(
        "orgs/acme/check-ins", {"goal": tree["orphan"].pk, "is_done": True}
    )

    assert_error_shape(response, 403)
    assert _goal(tree["orphan"].pk).is_done is False


def test_check_ins_are_listed_latest_first_with_filters(world, api_for, tree, in_org):
    early = datetime.datetime(2027, 1, 5, 9, tzinfo=datetime.UTC)
    late = datetime.datetime(2027, 1, 12, 9, tzinfo=datetime.UTC)
    with in_org():
        first = check_in_create(
            goal=tree["sales"], author=world.member, value=10, at=early, today=DAY
        )
        second = check_in_create(
            goal=tree["top"], author=world.owner, is_done=True, at=late, today=DAY
        )
    api = api_for("viewer")

    everything = api.get("orgs/acme/check-ins").json()
    assert [i["id"] for i in everything["items"]] == [second.pk, first.pk]
    assert everything["count"] == 2
    by_goal = api.get("orgs/acme/check-ins", {"goal": tree["sales"].pk}).json()["items"]
    assert [i["id"] for i in by_goal] == [first.pk]
    by_author = api.get("orgs/acme/check-ins", {"author": world.owner.pk}).json()["items"]
    assert [i["id"] for i in by_author] == [second.pk]
    since = api.get("orgs/acme/check-ins", {"since": "2027-01-10T00:00:00Z"}).json()["items"]
    assert [i["id"] for i in since] == [second.pk]
    assert_error_shape(api.get("orgs/acme/check-ins", {"since": "last week"}), 422)


def test_a_check_in_is_read_by_id_and_is_404_elsewhere(world, api_for, tree, in_org):
    with in_org():
        check_in = check_in_create(goal=tree["sales"], author=world.member, value=1, today=DAY)

    response = api_for("coach").get(f"orgs/acme/check-ins/{check_in.pk}")

    assert response.status_code == 200
    assert response.json()["goal_title"] == "Win 40 accounts"
    assert_error_shape(api_for("outsider").get(f"orgs/acme/check-ins/{check_in.pk}"), 404)
    assert_error_shape(api_for("owner").get("orgs/acme/check-ins/987654321"), 404)


def test_the_list_reads_a_fixed_number_of_queries(
    world, api_for, tree, in_org, django_assert_max_num_queries
):
    api = api_for("viewer")
    with in_org():
        check_in_create(goal=tree["sales"], author=world.member, value=1, today=DAY)
    api.get("orgs/acme/check-ins")
    with django_assert_max_num_queries(6):
        assert api.get("orgs/acme/check-ins").json()["count"] == 1
    with in_org():
        for value in range(2, 12):
            check_in_create(goal=tree["mine"], author=world.member, value=value, today=DAY)
    with django_assert_max_num_queries(6):
        assert api.get("orgs/acme/check-ins").json()["count"] == 11
