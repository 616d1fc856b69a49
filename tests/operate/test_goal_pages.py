"""Goal pages: the goal, check-ins and roll-up, create, edit, move, owner, status, archive,
milestones, links, history, and the goal panels on unit and person pages."""

from __future__ import annotations

import pytest

from leados.core.models import PeriodKind
from leados.core.periods import organization_today, period_for
from leados.operate.models import Agreement, CheckIn, Goal, GoalLink, Milestone
from leados.operate.services.check_ins import check_in_create
from leados.operate.services.goals import goal_create, goal_link_create
from tests.web.helpers import history_count, text


@pytest.fixture
def quarter(world, in_org):
    with in_org():
        return period_for(world.org, organization_today(world.org), PeriodKind.QUARTER)


@pytest.fixture
def make(world, in_org, quarter):
    def make(title, *, unit=None, person=None, parent=None, actor=None, **fields):
        fields.setdefault("period", quarter)
        if fields.get("kind", "metric") == "metric":
            fields.setdefault("start_value", 0)
            fields.setdefault("target_value", 100)
        with in_org():
            return goal_create(
                organization=world.org,
                actor=actor or world.owner,
                title=title,
                unit=unit if unit is not None or person is not None else world.root,
                person=person,
                parent=parent,
                **fields,
            )

    return make


@pytest.fixture
def cascade(world, make):
    """Strategy → Sales team → the member's Self goal, all rolling up."""
    strategy = make("Grow the business", kind="binary")
    team = make("Sales grows", unit=world.sales, parent=strategy, kind="binary", actor=world.member)
    mine = make("Call 100 customers", person=world.member, parent=team, actor=world.member)
    return strategy, team, mine


def url(goal, tail=""):
    return f"/o/acme/goals/{goal.pk}/{tail}"


def fresh(in_org, goal):
    with in_org():
        return Goal.objects.get(pk=goal.pk)


# --- the goal page ---------------------------------------------------------------------


def test_the_goal_page_shows_the_chain_up_to_the_vision_and_everything_about_the_goal(
    world, client_for, cascade, make, in_org
):
    strategy, team, mine = cascade
    other = make("Ship the ops playbook", unit=world.ops, kind="binary")
    with in_org():
        check_in_create(
            goal=mine, author=world.member, value=20, confidence=7, comment="Slow start"
        )
        check_in_create(goal=mine, author=world.member, value=45, comment="Picking up")
    client_for("member").post(url(mine, "links/"), {"target": other.pk})
    page = text(client_for("member").get(url(team)))
    assert 'href="/o/acme/vision/"' in page
    assert "Grow the business" in page and "Call 100 customers" in page
    assert "Sales" in page and "Mia Member" in page
    mine_page = text(client_for("member").get(url(mine)))
    assert "<svg" in mine_page and "<polyline" in mine_page
    assert mine_page.count("<circle") == 2
    assert "45%" in mine_page and "Picking up" in mine_page and "confidence 7/10" in mine_page
    assert "Ship the ops playbook" in mine_page and "Proposed" in mine_page
    assert f'href="/o/acme/goals/{mine.pk}/history/"' in mine_page
    assert " style=" not in mine_page and "<script>" not in mine_page


def test_readers_see_the_goal_without_any_form_to_change_it(world, client_for, cascade):
    _strategy, team, _mine = cascade
    for persona in ("coach", "viewer"):
        page = text(client_for(persona).get(url(team)))
        assert "Sales grows" in page
        assert "check-in/" not in page and "/edit/" not in page and "/archive/" not in page


def test_another_organizations_goal_is_not_found(world, client_for, cascade):
    _strategy, team, _mine = cascade
    assert client_for("outsider").get(url(team)).status_code == 404
    assert client_for("member").get("/o/acme/goals/987654/").status_code == 404


def test_the_goal_page_reads_a_fixed_number_of_queries(
    world, client_for, cascade, make, in_org, django_assert_max_num_queries
):
    strategy, team, mine = cascade
    client = client_for("owner")
    client.get(url(team))

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url(team)).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(6):
        child = make(f"Self goal {i}", person=world.member, parent=team, actor=world.member)
        with in_org():
            check_in_create(goal=child, author=world.member, value=10 * i)
            check_in_create(goal=team, author=world.owner, comment=f"Week {i}")
        helper = make(f"Ops helps {i}", unit=world.ops, kind="binary")
        with in_org():
            goal_link_create(source=helper, target=team, actor=world.owner)
    assert count() <= before
    with django_assert_max_num_queries(before):
        client.get(url(team))


# --- check-ins and the roll-up ----------------------------------------------------------


def test_a_check_in_moves_the_goal_and_every_goal_above_and_the_page_says_so(
    world, client_for, cascade, in_org
):
    strategy, team, mine = cascade
    client = client_for("member")
    before = history_count()
    response = client.post(
        url(mine, "check-in/"), {"version": 1, "value": "50", "confidence": "8", "comment": "Half"}
    )
    assert response.status_code == 302
    assert fresh(in_org, mine).progress == pytest.approx(0.5)
    assert fresh(in_org, team).progress == pytest.approx(0.5)
    assert fresh(in_org, strategy).progress == pytest.approx(0.5)
    assert fresh(in_org, mine).confidence == 8
    with in_org():
        check_in = CheckIn.objects.get(goal=mine)
    assert (check_in.value, check_in.comment, check_in.author_id) == (50, "Half", world.member.pk)
    assert history_count() > before
    page = text(client.get(response["Location"]))
    assert "the roll-up moved" in page
    for title in ("Call 100 customers", "Sales grows", "Grow the business"):
        assert title in page.split("rollup-list")[1].split("</ol>")[0]
    assert page.count('0%</span> → <strong class="new">50%</strong>') == 3
    # Shown once: a reload does not repeat it.
    assert "the roll-up moved" not in text(client.get(response["Location"]))


def test_an_htmx_check_in_answers_with_the_form_the_roll_up_and_the_new_progress(
    world, client_for, cascade, in_org
):
    _strategy, team, mine = cascade
    response = client_for("member").post(
        url(mine, "check-in/"), {"version": 1, "value": "25"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    body = text(response)
    assert 'id="check-in"' in body and "<html" not in body
    assert 'hx-swap-oob="true"' in body and 'value="25"' in body
    assert "Sales grows" in body and "25%" in body
    assert 'id="goal-history"' in body and "<polyline" in body  # the chart gains the point
    assert fresh(in_org, team).progress == pytest.approx(0.25)


def test_a_milestones_check_in_ticks_the_milestones(world, client_for, make, in_org):
    goal = make(
        "Launch", unit=world.sales, kind="milestones", milestones=["Plan", "Build", "Ship"],
        actor=world.member,
    )  # fmt: skip
    with in_org():
        plan, build, _ship = Milestone.objects.filter(goal=goal).order_by("position")
    page = text(client_for("member").get(url(goal)))
    assert 'name="milestones_done"' in page
    response = client_for("member").post(
        url(goal, "check-in/"), {"version": 1, "milestones_done": [plan.pk, build.pk]}
    )
    assert response.status_code == 302
    assert fresh(in_org, goal).progress == pytest.approx(2 / 3)


def test_a_done_check_in_completes_a_binary_goal(world, client_for, cascade, in_org):
    strategy, team, _mine = cascade
    with in_org():
        lone = goal_create(
            organization=world.org, actor=world.member, title="Hire a rep", unit=world.sales,
            period=team.period, kind="binary",
        )  # fmt: skip
    response = client_for("member").post(url(lone, "check-in/"), {"version": 1, "is_done": "on"})
    assert response.status_code == 302
    assert fresh(in_org, lone).status == "done"


def test_a_bad_check_in_shows_the_error_by_the_field_and_saves_nothing(
    world, client_for, cascade, in_org
):
    _strategy, _team, mine = cascade
    before = history_count()
    response = client_for("member").post(url(mine, "check-in/"), {"version": 1, "confidence": "11"})
    assert response.status_code == 422
    assert "less than or equal to 10" in text(response)
    response = client_for("member").post(url(mine, "check-in/"), {"version": 1})
    assert response.status_code == 422
    assert "this check-in says nothing" in text(response)
    assert history_count() == before
    with in_org():
        assert not CheckIn.objects.filter(goal=mine).exists()


def test_a_check_in_on_a_stale_page_is_a_conflict(world, client_for, cascade, in_org):
    _strategy, _team, mine = cascade
    with in_org():
        check_in_create(goal=mine, author=world.member, value=10)
    response = client_for("member").post(url(mine, "check-in/"), {"version": 1, "value": "90"})
    assert response.status_code == 409
    assert "Someone else changed this" in text(response)
    assert fresh(in_org, mine).current_value == 10


@pytest.mark.parametrize("persona", ["coach", "viewer"])
def test_readers_cannot_check_in(persona, world, client_for, cascade, in_org):
    _strategy, _team, mine = cascade
    response = client_for(persona).post(url(mine, "check-in/"), {"version": 1, "value": "90"})
    assert response.status_code == 403
    with in_org():
        assert not CheckIn.objects.filter(goal=mine).exists()


# --- create and edit --------------------------------------------------------------------


def test_the_create_form_is_prefilled_from_the_query(world, client_for, cascade):
    _strategy, team, _mine = cascade
    page = text(
        client_for("member").get(f"/o/acme/goals/new/?unit={world.sales.pk}&parent={team.pk}")
    )
    assert f'<option value="{world.sales.pk}" selected>' in page
    assert f'<option value="{team.pk}" selected>' in page
    page = text(client_for("admin").get(f"/o/acme/goals/new/?person={world.member.pk}"))
    assert 'value="member@acme.test"' in page


def test_a_member_sets_a_unit_goal_aligned_under_a_parent(
    world, client_for, cascade, in_org, quarter
):
    _strategy, team, _mine = cascade
    response = client_for("member").post(
        "/o/acme/goals/new/",
        {
            "title": "Open the Nordics", "unit": world.sales.pk, "parent": team.pk,
            "period": quarter.pk, "weight": 2, "kind": "metric", "start_value": "0",
            "target_value": "12", "metric_unit": "deals",
        },
    )  # fmt: skip
    assert response.status_code == 302
    with in_org():
        goal = Goal.objects.get(title="Open the Nordics")
    assert response["Location"] == url(goal)
    assert (goal.unit_id, goal.parent_id, goal.owner_id) == (
        world.sales.pk,
        team.pk,
        world.member.pk,
    )
    assert goal.aligned and goal.weight == 2 and goal.metric_unit == "deals"


def test_a_self_goal_for_oneself_needs_no_unit(world, client_for, in_org, quarter):
    response = client_for("member").post(
        "/o/acme/goals/new/",
        {"title": "Learn SQL", "period": quarter.pk, "weight": 1, "kind": "milestones",
         "milestones": "Course\nProject\n"},
    )  # fmt: skip
    assert response.status_code == 302
    with in_org():
        goal = Goal.objects.get(title="Learn SQL")
        assert goal.level == "self" and goal.person_id == world.member.pk
        assert list(goal.milestones.values_list("title", flat=True)) == ["Course", "Project"]


def test_the_services_rules_show_by_their_fields(world, client_for, quarter, in_org):
    before = history_count()
    response = client_for("member").post(
        "/o/acme/goals/new/",
        {"title": "Grow", "unit": world.sales.pk, "period": quarter.pk, "weight": 1,
         "kind": "metric", "start_value": "5"},
    )  # fmt: skip
    assert response.status_code == 422
    body = text(response)
    assert "A metric goal needs a target value." in body
    assert 'id="id_target_value_error"' in body
    response = client_for("member").post(
        "/o/acme/goals/new/",
        {"title": "Grow", "unit": world.sales.pk, "period": "ongoing", "weight": 1,
         "kind": "binary"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "only process goals may be ongoing" in text(response)
    assert history_count() == before


def test_a_member_cannot_set_goals_for_a_unit_they_do_not_lead(world, client_for, quarter, in_org):
    assert client_for("member").get(f"/o/acme/goals/new/?unit={world.ops.pk}").status_code == 403
    response = client_for("member").post(
        "/o/acme/goals/new/",
        {"title": "X", "unit": world.ops.pk, "period": quarter.pk, "weight": 1, "kind": "binary"},
    )
    assert response.status_code == 403
    with in_org():
        assert not Goal.objects.exists()


def test_an_edit_saves_and_a_stale_edit_is_a_conflict(world, client_for, cascade, in_org, quarter):
    _strategy, team, _mine = cascade
    client = client_for("member")
    page = text(client.get(url(team, "edit/")))
    assert 'value="Sales grows"' in page
    data = {
        "version": 1,
        "title": "Sales doubles",
        "period": quarter.pk,
        "weight": 3,
        "kind": "binary",
    }
    assert client.post(url(team, "edit/"), data).status_code == 302
    goal = fresh(in_org, team)
    assert (goal.title, goal.weight, goal.version) == ("Sales doubles", 3, 2)
    response = client.post(url(team, "edit/"), {**data, "title": "Sales triples"})
    assert response.status_code == 409
    body = text(response)
    assert "Someone else changed this" in body and 'value="Sales triples"' in body
    assert fresh(in_org, team).title == "Sales doubles"


# --- move, owner, status ----------------------------------------------------------------


def test_moving_a_goal_searches_parents_and_keeps_the_rules(
    world, client_for, cascade, make, in_org
):
    strategy, team, mine = cascade
    other = make("Cut costs", kind="binary")
    client = client_for("owner")
    page = text(client.get(url(team, "move/") + "?q=cut"))
    assert "Cut costs" in page and "Call 100 customers" not in page
    response = client.post(url(team, "move/"), {"version": 1, "parent": other.pk})
    assert response.status_code == 302
    assert fresh(in_org, team).parent_id == other.pk
    assert fresh(in_org, mine).path.startswith(fresh(in_org, other).path)
    response = client.post(url(strategy, "move/"), {"version": 1, "parent": mine.pk})
    assert response.status_code == 422
    assert "can only align to a goal at the same or a higher level" in text(response)
    assert fresh(in_org, strategy).parent_id is None


def test_reassigning_a_goal_asks_the_new_owner(world, client_for, cascade, in_org):
    _strategy, team, _mine = cascade
    response = client_for("owner").post(
        url(team, "owner/"), {"owner-version": 1, "owner-owner": "admin@acme.test"}
    )
    assert response.status_code == 302
    assert fresh(in_org, team).owner_id == world.admin.pk
    with in_org():
        assert Agreement.objects.get(goal=team, state="proposed").responder_id == world.admin.pk
    response = client_for("owner").post(
        url(team, "owner/"), {"owner-version": 1, "owner-owner": "nobody@acme.test"}
    )
    assert response.status_code == 422
    assert "Nobody active in this organization" in text(response)


def test_a_status_override_needs_a_reason(world, client_for, cascade, in_org):
    _strategy, team, _mine = cascade
    client = client_for("member")
    response = client.post(
        url(team, "status/"), {"status-version": 1, "status-status_override": "at_risk"}
    )
    assert response.status_code == 422
    assert "Say why the status differs" in text(response)
    assert fresh(in_org, team).status_override == ""
    response = client.post(
        url(team, "status/"),
        {"status-version": 1, "status-status_override": "at_risk",
         "status-status_override_reason": "Two reps left"},
    )  # fmt: skip
    assert response.status_code == 302
    goal = fresh(in_org, team)
    assert (goal.status_override, goal.status_override_reason) == ("at_risk", "Two reps left")
    assert "Two reps left" in text(client.get(url(team)))


# --- archive, delete, milestones, links, history ----------------------------------------


def test_archive_unarchive_and_delete(world, client_for, cascade, in_org):
    _strategy, team, mine = cascade
    client = client_for("member")
    response = client.post(url(team, "archive/"), {"version": 1})
    assert response.status_code == 422
    assert "Move or archive the goals aligned beneath this one first." in text(response)
    assert client.post(url(mine, "archive/"), {"version": 1}).status_code == 302
    assert fresh(in_org, mine).is_archived
    assert client.post(url(mine, "unarchive/"), {"version": 2}).status_code == 302
    assert not fresh(in_org, mine).is_archived
    assert client.post(url(mine, "delete/"), {"version": 2}).status_code == 409
    assert client.post(url(mine, "delete/"), {"version": 3}).status_code == 302
    with in_org():
        assert not Goal.objects.filter(pk=mine.pk).exists()


def test_deleting_a_goal_with_check_ins_is_refused_with_a_reason(
    world, client_for, cascade, in_org
):
    _strategy, _team, mine = cascade
    with in_org():
        check_in_create(goal=mine, author=world.member, value=5)
    response = client_for("member").post(url(mine, "delete/"), {"version": 2})
    assert response.status_code == 409
    assert "archive it instead" in text(response)


def test_milestones_are_renamed_ticked_reordered_removed_and_added(world, client_for, make, in_org):
    goal = make(
        "Launch", unit=world.sales, kind="milestones", milestones=["Plan", "Build", "Ship"],
        actor=world.member,
    )  # fmt: skip
    with in_org():
        plan, build, ship = Milestone.objects.filter(goal=goal).order_by("position")
    response = client_for("member").post(
        url(goal, "milestones/"),
        {
            "version": 1,
            f"milestone-{plan.pk}-title": "Plan it", f"milestone-{plan.pk}-position": "2",
            f"milestone-{plan.pk}-done": "on",
            f"milestone-{build.pk}-title": "Build", f"milestone-{build.pk}-position": "1",
            f"milestone-{ship.pk}-title": "Ship", f"milestone-{ship.pk}-remove": "on",
            "new": "Celebrate\n",
        },
    )  # fmt: skip
    assert response.status_code == 302
    with in_org():
        rows = list(
            Milestone.objects.filter(goal=goal).order_by("position").values_list("title", "done")
        )
    assert rows == [("Build", False), ("Plan it", True), ("Celebrate", False)]
    assert fresh(in_org, goal).progress == pytest.approx(1 / 3)
    stale = client_for("member").post(url(goal, "milestones/"), {"version": 1, "new": "Late"})
    assert stale.status_code == 409


def test_a_link_to_another_units_goal_is_proposed_and_can_be_removed(
    world, client_for, cascade, make, in_org
):
    _strategy, team, _mine = cascade
    ops_goal = make("Faster delivery", unit=world.ops, kind="binary")
    client = client_for("member")
    page = text(client.get(url(team, "links/") + "?q=faster"))
    assert "Faster delivery" in page and "Contributes to this" in page
    assert client.post(url(team, "links/"), {"target": ops_goal.pk}).status_code == 302
    with in_org():
        link = GoalLink.objects.get(source=team, target=ops_goal)
    assert link.state == "proposed"  # Operations has no lead: its goal's owner answers
    response = client.post(url(team, "links/"), {"target": ops_goal.pk})
    assert response.status_code == 422
    assert "already contributes" in text(response)
    assert client.post(url(team, f"links/{link.pk}/remove/")).status_code == 302
    with in_org():
        assert not GoalLink.objects.filter(pk=link.pk).exists()


def test_the_history_page_lists_the_goals_changes(world, client_for, cascade, in_org):
    _strategy, team, _mine = cascade
    client_for("member").post(
        url(team, "status/"),
        {"status-version": 1, "status-status_override": "at_risk",
         "status-status_override_reason": "Hiring freeze"},
    )  # fmt: skip
    page = text(client_for("viewer").get(url(team, "history/")))
    assert "History of Sales grows" in page and "status_override" in page


# --- panels -----------------------------------------------------------------------------


def test_the_unit_page_shows_its_goals_with_the_aligned_share(world, client_for, cascade, make):
    make("Loose end", unit=world.sales, kind="binary", actor=world.member)
    page = text(client_for("member").get(f"/o/acme/units/{world.sales.pk}/"))
    assert "Sales grows" in page and "Loose end" in page
    assert "1 of 2 aligned up to the vision (50%)" in page
    assert f"/o/acme/goals/new/?unit={world.sales.pk}" in page
    assert f"/o/acme/goals/new/?unit={world.sales.pk}" not in text(
        client_for("viewer").get(f"/o/acme/units/{world.sales.pk}/")
    )


def test_the_person_page_shows_their_goals(world, client_for, cascade):
    page = text(client_for("member").get(f"/o/acme/people/{world.member.pk}/"))
    assert "Call 100 customers" in page and "Sales grows" in page
    assert f"/o/acme/goals/new/?person={world.member.pk}" in page
    assert "/o/acme/goals/new/" not in text(
        client_for("member").get(f"/o/acme/people/{world.admin.pk}/")
    )


@pytest.mark.parametrize("path", ["units/{sales}/", "people/{member}/"])
def test_the_goal_panels_read_a_fixed_number_of_queries(
    path, world, client_for, cascade, make, in_org
):
    from tests.web.helpers import queries_for

    client = client_for("member")
    page = "/o/acme/" + path.format(sales=world.sales.pk, member=world.member.pk)
    client.get(page)
    before = queries_for(client, page)
    for i in range(5):
        make(f"Extra {i}", unit=world.sales, kind="binary", actor=world.member)
        make(f"Self {i}", person=world.member, actor=world.member, kind="binary")
    assert queries_for(client, page) <= before
