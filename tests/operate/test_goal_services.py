"""Goal rules, check-ins and the stored roll-up, through the services."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from leados.core import services as core_services
from leados.core.errors import Conflict
from leados.core.models import Level, PeriodKind
from leados.core.periods import period_for
from leados.operate import progress as calc
from leados.operate.models import Agreement, AgreementState, Goal, GoalStatus, LinkState
from leados.operate.services.agreements import (
    agreement_accept,
    agreement_accept_change,
    agreement_decline,
    agreement_propose_change,
)
from leados.operate.services.check_ins import check_in_create
from leados.operate.services.goals import (
    goal_archive,
    goal_create,
    goal_delete,
    goal_link_create,
    goal_move,
    goal_update,
    status_for,
)

TODAY = datetime.date(2026, 5, 15)


@pytest.fixture
def quarter(world, in_org):
    with in_org():
        return period_for(world.org, TODAY, PeriodKind.QUARTER)


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
                today=TODAY,
                **fields,
            )

    return make


def fresh(goal):
    return Goal.objects.get(pk=goal.pk)


def test_a_check_in_moves_the_roll_up_at_every_level_above(world, in_org, make):
    strategy = make("Grow", kind="binary")
    team = make("Sales grows", unit=world.sales, parent=strategy, kind="binary")
    mine = make("Call 100 customers", person=world.member, parent=team)
    sibling = make("Write the playbook", person=world.member, parent=team, kind="binary")
    with in_org():
        assert fresh(strategy).rolls_up and fresh(team).rolls_up
        check_in_create(goal=mine, author=world.member, value=50, today=TODAY)
        assert fresh(mine).progress == pytest.approx(0.5)
        assert fresh(team).progress == pytest.approx(0.25)
        assert fresh(strategy).progress == pytest.approx(0.25)
        check_in_create(goal=sibling, author=world.member, is_done=True, today=TODAY)
        assert fresh(team).progress == pytest.approx(0.75)
        assert fresh(strategy).progress == pytest.approx(0.75)


def test_weights_count_in_the_roll_up(world, in_org, make):
    parent = make("Parent", kind="binary")
    heavy = make("Heavy", parent=parent, weight=3)
    make("Light", parent=parent, weight=1)
    with in_org():
        check_in_create(goal=heavy, author=world.owner, value=100, today=TODAY)
        assert fresh(parent).progress == pytest.approx(0.75)


def test_a_metric_parent_keeps_its_own_progress(world, in_org, make):
    parent = make("Revenue")
    child = make("Child", parent=parent)
    with in_org():
        check_in_create(goal=child, author=world.owner, value=100, today=TODAY)
        assert fresh(parent).progress == 0
        assert not fresh(parent).rolls_up


def test_it_refuses_a_parent_at_a_lower_level(world, in_org, make):
    team_goal = make("Team", unit=world.sales)
    with pytest.raises(ValidationError) as error:
        make("Strategy", parent=team_goal)
    assert "higher level" in str(error.value)


def test_it_refuses_a_cycle(world, in_org, make):
    top = make("Top")
    middle = make("Middle", parent=top)
    bottom = make("Bottom", parent=middle)
    with in_org(), pytest.raises(ValidationError) as error:
        goal_move(goal=top, parent=bottom, expected_version=None)
    assert "beneath itself" in str(error.value)


def test_it_refuses_a_parent_of_another_organization(world, in_org, make, unscoped):
    from leados.core.tenancy import org_scope

    with org_scope(world.other_org):
        other_period = period_for(world.other_org, TODAY, PeriodKind.QUARTER)
        foreign = goal_create(
            organization=world.other_org,
            actor=world.outsider,
            title="Theirs",
            unit=world.other_root,
            period=other_period,
            kind="binary",
            today=TODAY,
        )
    with pytest.raises(ValidationError):
        make("Ours", parent=foreign)
    with in_org():
        assert not Goal.objects.filter(title="Ours").exists()


def test_dates_must_lie_inside_the_period(world, make, quarter):
    with pytest.raises(ValidationError) as error:
        make("Late", due_date=quarter.end + datetime.timedelta(days=1))
    assert "inside" in str(error.value)


def test_only_process_goals_may_be_ongoing(world, in_org, make):
    with in_org():
        process = core_services.unit_create(parent=world.sales, level=Level.PROCESS, name="Leads")
    with pytest.raises(ValidationError):
        make("No period", period=None)
    goal = make("Always answer within a day", unit=process, period=None, kind="binary")
    assert goal.period_id is None


def test_moving_a_goal_moves_its_subtree_and_alignment(world, in_org, make):
    strategy = make("Strategy")
    loose = make("Loose", unit=world.sales)
    below = make("Below", person=world.member, parent=loose)
    with in_org():
        assert not fresh(below).aligned
        goal_move(goal=loose, parent=strategy, expected_version=None, today=TODAY)
        moved = fresh(below)
        assert moved.aligned
        assert moved.path == f"/{strategy.pk}/{loose.pk}/{below.pk}/"
        assert moved.depth == 2
        assert list(Goal.objects.orphans()) == []


def test_status_override_needs_a_reason(world, in_org, make):
    goal = make("Goal")
    with in_org():
        with pytest.raises(ValidationError):
            goal_update(goal=goal, actor=world.owner, expected_version=1, status_override="done")
        goal = goal_update(
            goal=goal,
            actor=world.owner,
            expected_version=1,
            status_override="at_risk",
            status_override_reason="The supplier is late.",
        )
        assert goal.effective_status == GoalStatus.AT_RISK


def test_a_stale_update_is_refused(world, in_org, make):
    goal = make("Goal")
    with in_org():
        goal_update(goal=goal, actor=world.owner, expected_version=1, title="New")
        with pytest.raises(Conflict):
            goal_update(goal=goal, actor=world.owner, expected_version=1, title="Other")
        assert fresh(goal).title == "New"


def test_archiving_a_parent_with_live_children_is_refused(world, in_org, make):
    parent = make("Parent", kind="binary")
    child = make("Child", parent=parent)
    with in_org():
        with pytest.raises(ValidationError):
            goal_archive(goal=parent, expected_version=None)
        check_in_create(goal=child, author=world.owner, value=40, today=TODAY)
        goal_archive(goal=child, expected_version=None)
        assert not fresh(parent).rolls_up
        with pytest.raises(Conflict):
            goal_delete(goal=child, expected_version=None)


def test_a_goal_for_someone_else_waits_for_their_yes(world, in_org, make):
    goal = make("Sales grows", unit=world.sales)  # owner defaults to the unit's lead
    with in_org():
        assert fresh(goal).owner == world.member
        agreement = Agreement.objects.get(goal=goal)
        assert agreement.state == AgreementState.PROPOSED
        assert list(Agreement.objects.awaiting(world.member)) == [agreement]
        agreement_propose_change(agreement=agreement, change={"target_value": 80})
        assert list(Agreement.objects.awaiting(world.owner)) == [agreement]
        agreement_accept_change(agreement=agreement)
        assert fresh(goal).target_value == 80
        assert Agreement.objects.get(pk=agreement.pk).state == AgreementState.ACCEPTED


def test_declining_needs_a_reason(world, in_org, make):
    goal = make("Sales grows", unit=world.sales)
    with in_org():
        agreement = Agreement.objects.get(goal=goal)
        with pytest.raises(ValidationError):
            agreement_decline(agreement=agreement, reason="  ")
        agreement_decline(agreement=agreement, reason="We have no budget for it.")
        assert Agreement.objects.get(pk=agreement.pk).state == AgreementState.DECLINED


def test_a_contributes_to_link_needs_the_other_leads_yes(world, in_org, make):
    theirs = make("Sales grows", unit=world.sales, actor=world.member)
    ours = make("Ops ships faster", unit=world.ops, actor=world.owner)
    with in_org():
        link = goal_link_create(source=ours, target=theirs, actor=world.owner)
        assert link.state == LinkState.PROPOSED
        agreement = Agreement.objects.get(link=link)
        assert agreement.responder == world.member
        agreement_accept(agreement=agreement)
        link.refresh_from_db()
        assert link.state == LinkState.ACCEPTED


def test_a_check_in_stores_each_ancestors_roll_up_exactly_as_the_arithmetic_gives_it(
    world, in_org, make
):
    top = make("Top", kind="binary")
    middle = make("Middle", kind="binary", parent=top, weight=7)
    make("Beside the middle", kind="binary", parent=top, weight=3)
    leaf = make("Leaf", parent=middle, weight=2)
    other = make("Other leaf", parent=middle, weight=1)
    with in_org():
        check_in_create(goal=other, author=world.owner, value=10, today=TODAY)
        check_in_create(goal=leaf, author=world.owner, value=100 / 3, today=TODAY)
        expected_middle = calc.rolled_up([(1, 0.1), (2, fresh(leaf).progress)])
        assert fresh(middle).progress == expected_middle  # to the last bit
        assert fresh(top).progress == calc.rolled_up([(7, expected_middle), (3, 0.0)])
        assert (fresh(middle).status, fresh(top).status) == (
            status_for(fresh(middle), TODAY),
            status_for(fresh(top), TODAY),
        )


def test_a_check_in_nine_deep_reads_the_chain_in_a_fixed_number_of_queries(
    world, in_org, make, django_assert_num_queries
):
    goal = make("Level 0", kind="binary")
    chain = [goal]
    for depth in range(1, 10):
        chain.append(make(f"Level {depth}", parent=chain[-1], kind="binary"))
    leaf = make("Leaf", parent=chain[-1])
    with in_org():
        # The savepoint and its release around: lock (with the period), check-in, goal
        # save, both history entries in one insert, then the chain: one read of the
        # ancestors and their other children, one write of all ten.
        with django_assert_num_queries(8):
            check_in_create(goal=leaf, author=world.owner, value=50, today=TODAY)
        assert all(fresh(g).progress == pytest.approx(0.5) for g in chain)
        assert [fresh(g).rolls_up for g in chain] == [True] * len(chain)
