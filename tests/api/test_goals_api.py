"""The goals API: list and filters, create, change with versions, move, reassign, archive,
delete, milestones, links, the chain up to the root and the children."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from leados.core.models import PeriodKind
from leados.core.periods import period_for
from leados.operate.models import Agreement, AgreementState, Goal, GoalLink, Milestone
from leados.operate.services.check_ins import check_in_create
from tests.api.goal_fixtures import *  # noqa: F403 - fixtures
from tests.api.goal_fixtures import DAY
from tests.api.helpers import assert_error_shape, field_errors, if_match

MEMBERS = ["owner", "admin", "member", "coach", "viewer"]


def _goal(pk):
    with scopes_disabled():
        return Goal.objects.get(pk=pk)


def _ids(response):
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --------------------------------------------------------------------------- reading


def test_every_member_persona_lists_goals_and_the_outsider_gets_404(world, api_for, tree):
    for persona in MEMBERS:
        response = api_for(persona).get("orgs/acme/goals")
        assert response.status_code == 200, persona
        assert response.json()["count"] == 4
    assert_error_shape(api_for("outsider").get("orgs/acme/goals"), 404)


def test_a_listed_goal_carries_its_place_measure_and_status(world, api_for, tree):
    items = api_for("viewer").get("orgs/acme/goals", {"q": "accounts"}).json()["items"]

    (item,) = items
    assert item["id"] == tree["sales"].pk
    assert item["level"] == "functional_team"
    assert item["unit"] == world.sales.pk
    assert item["owner"] == world.member.pk
    assert item["parent"] == tree["top"].pk
    assert item["path"] == [tree["top"].pk]
    assert item["aligned"] is True
    assert item["kind"] == "metric"
    assert (item["start_value"], item["target_value"]) == (0, 100)
    assert item["effective_status"] == item["status"]
    assert item["version"] == tree["sales"].version
    assert item["period_label"] == "2027 Q1"


def test_filters_narrow_the_list(world, api_for, tree, make):
    api = api_for("member")
    t = tree

    assert _ids(api.get("orgs/acme/goals", {"level": "self"})) == [t["mine"].pk]
    assert _ids(api.get("orgs/acme/goals", {"parent": "none"})) == [t["top"].pk, t["orphan"].pk]
    assert _ids(api.get("orgs/acme/goals", {"parent": t["sales"].pk})) == [t["mine"].pk]
    assert _ids(api.get("orgs/acme/goals", {"orphans": "true"})) == [t["orphan"].pk]
    assert _ids(api.get("orgs/acme/goals", {"person": world.member.pk})) == [t["mine"].pk]
    assert _ids(api.get("orgs/acme/goals", {"owner": world.member.pk})) == [
        t["sales"].pk,
        t["mine"].pk,
    ]
    assert _ids(api.get("orgs/acme/goals", {"unit": world.sales.pk})) == [t["sales"].pk]
    assert _ids(api.get("orgs/acme/goals", {"unit": world.root.pk, "subtree": "true"})) == [
        t["top"].pk,
        t["sales"].pk,
        t["orphan"].pk,
    ]
    assert _ids(api.get("orgs/acme/goals", {"period": t["top"].period_id})) == sorted(
        g.pk for g in t.values()
    )


def test_the_status_filter_uses_the_effective_status(world, api_for, tree):
    with scopes_disabled():
        Goal.objects.filter(pk=tree["orphan"].pk).update(
            status_override="off_track", status_override_reason="Nobody on it"
        )
    assert tree["orphan"].pk in _ids(
        api_for("owner").get("orgs/acme/goals", {"status": "off_track"})
    )
    assert tree["orphan"].pk not in _ids(
        api_for("owner").get("orgs/acme/goals", {"status": tree["orphan"].status})
    )


def test_archived_goals_are_listed_only_when_asked(world, api_for, tree):
    api = api_for("owner")
    orphan = tree["orphan"]
    api.post(f"orgs/acme/goals/{orphan.pk}/archive", headers=if_match(orphan))

    assert orphan.pk not in _ids(api.get("orgs/acme/goals"))
    assert _ids(api.get("orgs/acme/goals", {"archived": "true"})) == [orphan.pk]


def test_bad_filters_are_422_not_500(world, api_for):
    api = api_for("owner")
    for params in ({"level": "galaxy"}, {"parent": "root"}, {"status": "fine"}, {"unit": "x"}):
        assert_error_shape(api.get("orgs/acme/goals", params), 422)


def test_the_list_reads_a_fixed_number_of_queries(
    world, api_for, make, tree, django_assert_max_num_queries
):
    api = api_for("viewer")
    api.get("orgs/acme/goals")  # warm the token and membership caches
    with django_assert_max_num_queries(8):
        small = api.get("orgs/acme/goals", {"limit": 100})
    for n in range(12):
        make(f"Goal {n}", unit=world.ops, kind="binary")
    with django_assert_max_num_queries(8):
        large = api.get("orgs/acme/goals", {"limit": 100})
    assert small.json()["count"] == 4
    assert large.json()["count"] == 16


def test_a_goal_answers_with_its_milestones_and_etag(world, api_for, make):
    goal = make("Launch", kind="milestones", milestones=["Plan", "Build"])

    response = api_for("coach").get(f"orgs/acme/goals/{goal.pk}")

    assert response.status_code == 200
    assert response["ETag"] == f'W/"{goal.version}"'
    assert [m["title"] for m in response.json()["milestones"]] == ["Plan", "Build"]


def test_another_organizations_goal_is_exactly_like_a_missing_one(world, api_for, make, in_org):
    with in_org(world.other_org):
        their_quarter = period_for(world.other_org, DAY, PeriodKind.QUARTER)
    theirs = make(
        "Globex plan",
        unit=world.other_unit,
        actor=world.outsider,
        org=world.other_org,
        period=their_quarter,
        kind="binary",
    )
    api = api_for("owner")

    for path in (f"goals/{theirs.pk}", f"goals/{theirs.pk}/ancestors"):
        other = api.get(f"orgs/acme/{path}")
        missing = api.get(f"orgs/acme/{path.replace(str(theirs.pk), '987654321')}")
        assert_error_shape(other, 404)
        assert other.content == missing.content
    refused = api.post("orgs/acme/check-ins", {"goal": theirs.pk, "comment": "hi"})
    assert "goal" in field_errors(refused)


def test_ancestors_follow_a_goal_up_to_the_root(world, api_for, tree):
    response = api_for("viewer").get(f"orgs/acme/goals/{tree['mine'].pk}/ancestors")

    assert _ids(response) == [tree["top"].pk, tree["sales"].pk]
    assert response.json()["items"][0]["level"] == "strategy"


def test_children_are_the_goals_directly_beneath(world, api_for, tree):
    response = api_for("viewer").get(f"orgs/acme/goals/{tree['top'].pk}/children")

    assert _ids(response) == [tree["sales"].pk]
    assert response.json()["count"] == 1


# --------------------------------------------------------------------------- creating


def test_the_lead_of_a_unit_sets_a_goal_there(world, api_for, tree, quarter):
    response = api_for("member").post(
        "orgs/acme/goals",
        {
            "title": "Shorten the sales cycle",
            "unit": world.sales.pk,
            "period": quarter.pk,
            "parent": tree["top"].pk,
            "kind": "metric",
            "start_value": 60,
            "target_value": 45,
            "metric_unit": "days",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == f"/api/v1/orgs/acme/goals/{body['id']}"
    assert response["ETag"] == 'W/"1"'
    goal = _goal(body["id"])
    assert (goal.unit_id, goal.owner_id, goal.parent_id) == (
        world.sales.pk,
        world.member.pk,
        tree["top"].pk,
    )
    assert goal.direction == "down"
    assert goal.aligned is True


def test_a_goal_for_someone_else_waits_for_their_agreement(world, api_for, quarter):
    response = api_for("admin").post(
        "orgs/acme/goals",
        {
            "title": "Hire two reps",
            "unit": world.sales.pk,
            "period": quarter.pk,
            "kind": "binary",
        },
    )

    assert response.status_code == 201, response.content
    with scopes_disabled():
        agreement = Agreement.objects.get(goal_id=response.json()["id"])
    assert agreement.responder_id == world.member.pk
    assert agreement.state == AgreementState.PROPOSED


@pytest.mark.parametrize("persona", ["coach", "viewer"])
def test_read_only_personas_cannot_set_goals(world, api_for, quarter, persona):
    response = api_for(persona).post(
        "orgs/acme/goals",
        {"title": "Sneaky", "unit": world.root.pk, "period": quarter.pk, "kind": "binary"},
    )

    assert_error_shape(response, 403)
    with scopes_disabled():
        assert not Goal.objects.filter(title="Sneaky").exists()


def test_a_member_cannot_set_a_goal_for_a_unit_they_do_not_lead(world, api_for, quarter):
    response = api_for("member").post(
        "orgs/acme/goals",
        {"title": "Ops goal", "unit": world.ops.pk, "period": quarter.pk, "kind": "binary"},
    )

    assert_error_shape(response, 403)


def test_bad_goals_get_field_errors_and_nothing_is_saved(world, api_for, quarter, tree):
    api = api_for("owner")
    cases = [
        ({"title": "x", "period": quarter.pk, "kind": "binary"}, "unit"),
        ({"title": "x", "unit": world.other_unit.pk, "period": quarter.pk}, "unit"),
        ({"title": "x", "unit": world.root.pk, "kind": "binary"}, "period"),
        ({"title": "x", "unit": world.root.pk, "period": quarter.pk}, "start_value"),
        (
            {
                "title": "x",
                "unit": world.root.pk,
                "period": quarter.pk,
                "kind": "binary",
                "parent": tree["mine"].pk,
            },
            "parent",
        ),
        ({"title": "x", "unit": world.root.pk, "period": quarter.pk, "colour": "red"}, "colour"),
    ]
    with scopes_disabled():
        before = Goal.objects.count()
    for body, field in cases:
        response = api.post("orgs/acme/goals", body)
        assert_error_shape(response, 422)
        assert any(field in name for name in field_errors(response)), (field, response.json())
    with scopes_disabled():
        assert Goal.objects.count() == before


# --------------------------------------------------------------------------- changing


def test_a_change_based_on_the_current_version_is_saved(world, api_for, tree):
    goal = tree["sales"]

    response = api_for("member").patch(
        f"orgs/acme/goals/{goal.pk}",
        {"title": "Win 50 accounts", "target_value": 50},
        headers=if_match(goal),
    )

    assert response.status_code == 200, response.content
    assert response["ETag"] == f'W/"{goal.version + 1}"'
    saved = _goal(goal.pk)
    assert (saved.title, saved.target_value) == ("Win 50 accounts", 50)


def test_stale_and_missing_versions_are_refused(world, api_for, tree):
    goal, api = tree["sales"], api_for("member")
    path = f"orgs/acme/goals/{goal.pk}"

    assert_error_shape(api.patch(path, {"title": "A"}, headers=if_match(goal.version + 5)), 412)
    assert_error_shape(api.patch(path, {"title": "B", "version": goal.version + 5}), 409)
    assert_error_shape(api.patch(path, {"title": "C"}), 428)
    assert _goal(goal.pk).title == "Win 40 accounts"


def test_an_override_needs_a_reason(world, api_for, tree):
    goal, api = tree["sales"], api_for("member")
    path = f"orgs/acme/goals/{goal.pk}"

    refused = api.patch(path, {"status_override": "at_risk"}, headers=if_match(goal))
    accepted = api.patch(
        path,
        {"status_override": "at_risk", "status_override_reason": "Two reps left"},
        headers=if_match(goal),
    )

    assert "status_override_reason" in field_errors(refused)
    assert accepted.status_code == 200
    assert accepted.json()["effective_status"] == "at_risk"


@pytest.mark.parametrize("persona", ["coach", "viewer"])
def test_read_only_personas_cannot_change_a_goal(world, api_for, tree, persona):
    goal = tree["top"]

    response = api_for(persona).patch(
        f"orgs/acme/goals/{goal.pk}", {"title": "Mine now"}, headers=if_match(goal)
    )

    assert_error_shape(response, 403)
    assert _goal(goal.pk).title == "Grow revenue"


def test_a_member_cannot_change_a_goal_of_a_unit_they_do_not_lead(world, api_for, tree):
    goal = tree["orphan"]

    response = api_for("member").patch(
        f"orgs/acme/goals/{goal.pk}", {"title": "Mine now"}, headers=if_match(goal)
    )

    assert_error_shape(response, 403)


def test_moving_a_goal_aligns_it_and_its_subtree(world, api_for, tree):
    orphan = tree["orphan"]

    response = api_for("owner").post(
        f"orgs/acme/goals/{orphan.pk}/move", {"parent": tree["top"].pk}, headers=if_match(orphan)
    )

    assert response.status_code == 200, response.content
    moved = _goal(orphan.pk)
    assert (moved.parent_id, moved.aligned) == (tree["top"].pk, True)
    assert response.json()["path"] == [tree["top"].pk]


def test_a_move_that_would_make_a_cycle_is_refused(world, api_for, tree):
    top = tree["top"]

    response = api_for("owner").post(
        f"orgs/acme/goals/{top.pk}/move", {"parent": tree["sales"].pk}, headers=if_match(top)
    )

    assert "parent" in field_errors(response)
    assert _goal(top.pk).parent_id is None


def test_a_move_must_name_the_parent(world, api_for, tree):
    goal = tree["sales"]
    response = api_for("owner").post(f"orgs/acme/goals/{goal.pk}/move", {"version": 1})
    assert "parent" in field_errors(response)
    assert _goal(goal.pk).parent_id == tree["top"].pk


def test_moving_to_null_makes_a_root(world, api_for, tree):
    goal = tree["sales"]

    response = api_for("owner").post(
        f"orgs/acme/goals/{goal.pk}/move", {"parent": None}, headers=if_match(goal)
    )

    assert response.status_code == 200
    assert (_goal(goal.pk).parent_id, _goal(goal.pk).aligned) == (None, False)


def test_reassigning_proposes_the_goal_to_its_new_owner(world, api_for, tree):
    goal = tree["orphan"]

    response = api_for("owner").post(
        f"orgs/acme/goals/{goal.pk}/reassign", {"owner": world.admin.pk}, headers=if_match(goal)
    )

    assert response.status_code == 200, response.content
    assert _goal(goal.pk).owner_id == world.admin.pk
    with scopes_disabled():
        assert Agreement.objects.filter(goal=goal, responder=world.admin).pending().exists()


def test_archive_unarchive_and_delete(world, api_for, tree, make):
    api = api_for("owner")
    orphan = tree["orphan"]

    archived = api.post(f"orgs/acme/goals/{orphan.pk}/archive", {"version": orphan.version})
    assert archived.status_code == 200
    assert _goal(orphan.pk).archived_at is not None
    restored = api.post(
        f"orgs/acme/goals/{orphan.pk}/unarchive", headers={"If-Match": archived["ETag"]}
    )
    assert restored.status_code == 200
    assert _goal(orphan.pk).archived_at is None

    deleted = api.delete(f"orgs/acme/goals/{orphan.pk}", headers={"If-Match": restored["ETag"]})
    assert deleted.status_code == 204
    with scopes_disabled():
        assert not Goal.objects.filter(pk=orphan.pk).exists()


def test_a_goal_with_goals_beneath_is_neither_deleted_nor_archived(world, api_for, tree):
    top, api = tree["top"], api_for("owner")

    assert_error_shape(api.delete(f"orgs/acme/goals/{top.pk}", headers=if_match(top)), 409)
    assert_error_shape(api.post(f"orgs/acme/goals/{top.pk}/archive", headers=if_match(top)), 422)
    assert _goal(top.pk).archived_at is None


def test_a_goal_with_check_ins_is_archived_not_deleted(world, api_for, tree, in_org):
    goal = tree["sales"]
    with in_org():
        check_in_create(goal=goal, author=world.member, value=10, today=DAY)
    goal = _goal(goal.pk)

    response = api_for("owner").delete(f"orgs/acme/goals/{goal.pk}", headers=if_match(goal))

    assert_error_shape(response, 409)
    assert _goal(goal.pk).pk == goal.pk


def test_milestones_are_replaced_in_order_and_progress_follows(world, api_for, make):
    goal = make("Launch", kind="milestones", milestones=["Plan", "Build"])
    with scopes_disabled():
        plan, build = Milestone.objects.filter(goal=goal)

    response = api_for("owner").request(
        "PUT",
        f"orgs/acme/goals/{goal.pk}/milestones",
        {
            "milestones": [
                {"id": build.pk, "title": "Build it", "done": True},
                {"title": "Ship"},
            ]
        },
        headers=if_match(goal),
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert [(m["title"], m["done"]) for m in body["milestones"]] == [
        ("Build it", True),
        ("Ship", False),
    ]
    assert body["own_progress"] == pytest.approx(0.5)
    with scopes_disabled():
        assert not Milestone.objects.filter(pk=plan.pk).exists()


def test_milestones_of_another_goal_are_refused(world, api_for, make):
    goal = make("Launch", kind="milestones", milestones=["Plan"])
    other = make("Other", kind="milestones", milestones=["Theirs"])
    with scopes_disabled():
        theirs = Milestone.objects.get(goal=other)

    response = api_for("owner").request(
        "PUT",
        f"orgs/acme/goals/{goal.pk}/milestones",
        {"milestones": [{"id": theirs.pk, "title": "Stolen"}]},
        headers=if_match(goal),
    )

    assert "milestones" in field_errors(response)
    with scopes_disabled():
        assert Milestone.objects.get(pk=theirs.pk).title == "Theirs"


# --------------------------------------------------------------------------- links


def test_a_goal_contributes_to_another_units_goal_once_its_lead_agrees(world, api_for, tree):
    orphan, sales = tree["orphan"], tree["sales"]

    response = api_for("owner").post(f"orgs/acme/goals/{orphan.pk}/links", {"target": sales.pk})

    assert response.status_code == 201, response.content
    link_id = response.json()["id"]
    assert response.json()["state"] == "proposed"
    with scopes_disabled():
        assert Agreement.objects.get(link_id=link_id).responder_id == world.member.pk
    both_sides = [
        api_for("viewer").get(f"orgs/acme/goals/{pk}/links").json()["items"]
        for pk in (orphan.pk, sales.pk)
    ]
    assert [[i["id"] for i in items] for items in both_sides] == [[link_id], [link_id]]


def test_a_link_is_removed_by_either_side_but_not_by_a_viewer(world, api_for, tree, in_org):
    from leados.operate.services.goals import goal_link_create

    with in_org():
        link = goal_link_create(source=tree["orphan"], target=tree["sales"], actor=world.owner)
    path = f"orgs/acme/goals/{tree['sales'].pk}/links/{link.pk}"

    assert_error_shape(api_for("viewer").delete(path), 403)
    assert_error_shape(
        api_for("member").delete(f"orgs/acme/goals/{tree['top'].pk}/links/{link.pk}"), 404
    )
    assert api_for("member").delete(path).status_code == 204
    with scopes_disabled():
        assert not GoalLink.objects.filter(pk=link.pk).exists()


def test_a_link_to_the_same_unit_is_refused(world, api_for, tree, make):
    other_sales = make("Sales hygiene", unit=world.sales, kind="binary", owner=world.member)

    response = api_for("owner").post(
        f"orgs/acme/goals/{tree['sales'].pk}/links", {"target": other_sales.pk}
    )

    assert "target" in field_errors(response)
    with scopes_disabled():
        assert not GoalLink.objects.exists()
