"""The demo organization's alignment and accountability data (``leados.operate.demo``).

The demo is built once for the module on a fixed day in the middle of a quarter and
rolled back afterwards; each test reads it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

import pytest
from django.db import transaction
from django_scopes import scopes_disabled

from leados.core.demo import PEOPLE, demo_create
from leados.core.models import Level, PeriodKind, Person, Unit
from leados.core.periods import period_for
from leados.core.tenancy import org_scope
from leados.operate import progress as calc
from leados.operate.models import (
    Agreement,
    BudgetLine,
    CheckIn,
    Commitment,
    CommitmentAction,
    CommitmentState,
    Evaluation,
    Goal,
    GoalKind,
    GoalLink,
    Plan,
)
from leados.operate.rollup import recompute

TODAY = datetime.date(2026, 11, 18)


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo organization, built once and rolled back after the module."""
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                org, _owner, _password = demo_create(slug="larkspur-test", today=TODAY)
                yield org
                raise _Rollback
        except _Rollback:
            pass


@pytest.fixture
def larkspur(demo, db):
    with org_scope(demo):
        yield demo


def ceo() -> Person:
    return Person.objects.get(title=PEOPLE[0][2])


def stale(goal: Goal, org) -> bool:
    days = org.check_in_rhythm()[goal.level]
    if goal.last_check_in_at is None:
        return True
    return (TODAY - goal.last_check_in_at.date()).days > days


# ---------------------------------------------------------------------------- cascade


def test_about_five_strategy_goals_mix_metric_milestones_and_done(larkspur):
    strategy = Goal.objects.at_level(Level.STRATEGY)
    assert strategy.count() == 5
    assert set(strategy.values_list("kind", flat=True)) == set(GoalKind.values)
    assert strategy.filter(parent__isnull=True, aligned=True).count() == 5
    assert len(set(strategy.values_list("weight", flat=True))) == 5


def test_every_functional_team_aligns_a_goal_to_a_strategy_goal(larkspur):
    for team in Unit.objects.filter(level=Level.FUNCTIONAL_TEAM):
        assert Goal.objects.filter(unit=team, parent__level=Level.STRATEGY).exists(), team.name


def test_every_process_and_project_has_goals_below_the_teams(larkspur):
    for unit in Unit.objects.filter(level__in=[Level.PROCESS, Level.PROJECT]):
        goals = Goal.objects.filter(unit=unit)
        assert goals.exists(), unit.name
        assert goals.filter(aligned=True, depth__gte=2).exists(), unit.name


def test_every_person_has_a_self_goal_they_own_aligned_up_to_the_vision(larkspur):
    people = Person.objects.all()
    assert people.count() == len(PEOPLE)
    for person in people:
        goal = Goal.objects.get(level=Level.SELF, person=person)
        assert goal.owner_id == person.pk
        assert goal.parent_id is not None and goal.aligned, person.name


def test_goals_are_in_the_current_quarter_with_one_ongoing_process_goal(larkspur):
    quarter = period_for(larkspur, TODAY, PeriodKind.QUARTER)
    dated = Goal.objects.filter(period__isnull=False)
    assert set(dated.values_list("period", flat=True)) == {quarter.pk}
    ongoing = Goal.objects.filter(period__isnull=True)
    assert ongoing.count() == 1
    assert ongoing.get().level == Level.PROCESS


def test_weights_differ_among_siblings(larkspur):
    weights = defaultdict(set)
    for parent_id, weight in Goal.objects.exclude(parent=None).values_list("parent", "weight"):
        weights[parent_id].add(weight)
    assert sum(len(w) > 1 for w in weights.values()) >= 5


def test_there_is_exactly_one_orphan_a_project_goal_without_a_parent(larkspur):
    orphan = Goal.objects.orphans().get()
    assert orphan.level == Level.PROJECT
    assert orphan.parent_id is None


# ---------------------------------------------------------------------------- check-ins


def test_leaf_goals_have_weekly_check_ins_dated_in_the_past(larkspur):
    ongoing = Goal.objects.get(period__isnull=True)
    moments = list(
        ongoing.check_ins.order_by("checked_in_at").values_list("checked_in_at", flat=True)
    )
    assert len(moments) == 12
    gaps = {(b.date() - a.date()).days for a, b in zip(moments, moments[1:], strict=False)}
    assert gaps == {7}
    assert CheckIn.objects.filter(checked_in_at__date__gte=TODAY).count() == 0
    leaves = Goal.objects.filter(children__isnull=True)
    checked = leaves.filter(check_ins__isnull=False).distinct().count()
    assert checked >= leaves.count() - 3  # the goals just proposed have none yet
    quarter = period_for(larkspur, TODAY, PeriodKind.QUARTER)
    weeks_in = (TODAY - quarter.start).days // 7
    self_goal = Goal.objects.filter(level=Level.SELF).order_by("-last_check_in_at").first()
    assert self_goal.check_ins.count() >= weeks_in - 3
    assert set(CheckIn.objects.values_list("confidence", flat=True)) >= {3, 4, 5, 7, 8, 9}
    assert CheckIn.objects.exclude(comment="").count() > CheckIn.objects.count() // 3


def test_quarter_goals_carried_over_show_twelve_weeks_of_check_ins(larkspur):
    quarter = period_for(larkspur, TODAY, PeriodKind.QUARTER)
    twelve_weeks_ago = TODAY - datetime.timedelta(weeks=12)
    moments = defaultdict(list)
    for goal_id, at in CheckIn.objects.filter(goal__period=quarter).values_list(
        "goal_id", "checked_in_at"
    ):
        moments[goal_id].append(at.date())
    spans = {pk: (min(days), max(days)) for pk, days in moments.items()}
    assert all(first >= twelve_weeks_ago for first, _ in spans.values())
    carried = [pk for pk, (first, _) in spans.items() if first < quarter.start]
    assert len(carried) >= Goal.objects.filter(period=quarter).count() // 2
    # A quarter goal checked in on weekly: from about twelve weeks back up to last week.
    goal = Goal.objects.get(title="Two-day shipping rate at 98%")
    first, last = spans[goal.pk]
    assert goal.period_id == quarter.pk and first < quarter.start
    assert (last - first).days >= 10 * 7 and (TODAY - last).days <= 7
    # Before the quarter the number climbed toward where this quarter starts it.
    values = list(goal.check_ins.order_by("checked_in_at").values_list("value", flat=True))
    assert values[0] < goal.start_value < values[-1]


def test_metric_values_move_between_start_and_target(larkspur):
    goal = Goal.objects.get(period__isnull=True)
    values = list(goal.check_ins.order_by("checked_in_at").values_list("value", flat=True))
    assert len(set(values)) > 3
    assert all(goal.start_value <= v <= goal.target_value for v in values)
    assert goal.current_value == values[-1]


def test_some_goals_drift_one_with_an_override_and_some_go_stale(larkspur):
    live = Goal.objects.live()
    assert live.filter(status="off_track").count() >= 3
    assert live.filter(status="at_risk").count() >= 3
    overridden = live.exclude(status_override="").get()
    assert overridden.status_override_reason
    quiet = [g for g in live.filter(last_check_in_at__isnull=False) if stale(g, larkspur)]
    assert len(quiet) >= 3


def test_stored_roll_ups_equal_a_recompute_from_scratch(larkspur):
    result = recompute(larkspur, today=TODAY, fix=False)
    assert result.values == 0, result.summary()
    # And by hand, bottom-up: a goal with live children and no metric is their weighted mean.
    goals = {g.pk: g for g in Goal.objects.live()}
    children = defaultdict(list)
    for goal in goals.values():
        if goal.parent_id:
            children[goal.parent_id].append(goal)
    expected: dict[int, float] = {}

    def progress_of(goal: Goal) -> float:
        if goal.pk not in expected:
            below = children[goal.pk]
            if below and goal.kind != GoalKind.METRIC:
                pairs = [(c.weight, progress_of(c)) for c in below]
                expected[goal.pk] = calc.rolled_up(pairs)
            else:
                expected[goal.pk] = goal.own_progress
        return expected[goal.pk]

    rolled = 0
    for goal in goals.values():
        assert goal.progress == pytest.approx(progress_of(goal)), goal.title
        rolled += goal.rolls_up
    assert rolled >= 8


# ---------------------------------------------------------------------------- agreements


def test_links_across_units_some_accepted_one_pending(larkspur):
    links = GoalLink.objects.select_related("source", "target")
    assert links.filter(state="accepted").count() >= 3
    assert links.filter(state="proposed").count() == 1
    assert all(link.source.unit_id != link.target.unit_id for link in links)


def test_a_few_goal_agreements_wait_one_with_a_proposed_change(larkspur):
    pending = Agreement.objects.filter(kind="goal").pending()
    assert pending.count() >= 3
    changed = pending.get(state="change_proposed")
    assert changed.proposed_change == {"target_value": 30.0}
    assert changed.reason
    assert Agreement.objects.filter(kind="goal", state="accepted").count() >= 5


# ---------------------------------------------------------------------------- commitments


def test_commitments_in_every_state_evaluation_and_action(larkspur):
    commitments = Commitment.objects.all()
    assert set(commitments.values_list("state", flat=True)) == set(CommitmentState.values)
    assert set(commitments.exclude(evaluation="").values_list("evaluation", flat=True)) == set(
        Evaluation.values
    )
    assert set(commitments.exclude(action="").values_list("action", flat=True)) == set(
        CommitmentAction.values
    )
    assert commitments.overdue(TODAY).count() >= 3
    assert commitments.filter(renewed_from__isnull=False).count() >= 2
    assert commitments.filter(escalated_to__isnull=False).exists()


def test_follow_through_records_differ_between_people(larkspur):
    records = defaultdict(lambda: [0, 0])
    for c in Commitment.objects.exclude(evaluation="").select_related("owner"):
        records[c.owner.pk][0] += c.met_on_time
        records[c.owner.pk][1] += 1
    shares = {round(met / total, 2) for met, total in records.values() if total >= 2}
    assert len(shares) >= 3


def test_the_demo_sign_in_user_has_things_to_do_this_week(larkspur):
    maya = ceo()
    assert maya.user.email == "maya.okafor@larkspur.example"
    waiting = Agreement.objects.awaiting(maya).filter(kind="commitment")
    assert waiting.exists()
    to_evaluate = Commitment.objects.awaiting_evaluation().assigned_by(maya)
    assert to_evaluate.exists()
    assert any(stale(g, larkspur) for g in Goal.objects.live().for_owner(maya))


# ---------------------------------------------------------------------------- plans


def test_leadership_plans_strategic_operational_and_a_budget_in_euros(larkspur):
    root = Unit.objects.get(level=Level.STRATEGY)
    plans = Plan.objects.filter(unit=root)
    assert set(plans.values_list("kind", flat=True)) == {"strategic", "operational", "financial"}
    assert plans.get(kind="strategic").goals.count() == 5
    budget = plans.get(kind="financial")
    assert budget.currency == "EUR"
    lines = BudgetLine.objects.filter(plan=budget)
    assert lines.count() >= 10
    assert lines.filter(actual__isnull=False).count() >= 5
    assert any(line.variance and line.variance > 0 for line in lines)


# ---------------------------------------------------------------------------- deterministic


def test_a_second_demo_on_the_same_day_is_the_same_and_reuses_the_people(demo, db):
    def fingerprint(org):
        with org_scope(org):
            goals = list(
                Goal.objects.order_by("title", "level", "person__name").values_list(
                    "title", "weight", "progress", "status", "confidence"
                )
            )
            check_ins = list(
                CheckIn.objects.order_by("checked_in_at", "goal__title").values_list(
                    "goal__title", "checked_in_at", "value", "confidence", "comment"
                )
            )
            return goals, check_ins

    again, _owner, password = demo_create(slug="larkspur-again", today=TODAY)
    assert password is None  # the owner already existed
    assert fingerprint(again) == fingerprint(demo)
    with scopes_disabled():
        assert Person.objects.filter(organization=again).count() == len(PEOPLE)
