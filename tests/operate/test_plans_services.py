"""Plan and budget line services: defaults, every transition, amounts, periods, history."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from leados.core.errors import Conflict
from leados.core.models import HistoryEntry, PeriodKind
from leados.core.periods import period_for
from leados.operate.models import BudgetLine, Goal, Plan, PlanStatus
from leados.operate.selectors.plans import budget_summary, plans_list
from leados.operate.services.goals import goal_create
from leados.operate.services.plans import (
    allowed_transitions,
    budget_line_create,
    budget_line_delete,
    budget_line_update,
    plan_create,
    plan_delete,
    plan_goal_add,
    plan_goal_remove,
    plan_transition,
    plan_update,
)

DAY = datetime.date(2027, 1, 15)


@pytest.fixture
def periods(world, in_org):
    with in_org():
        quarter = period_for(world.org, DAY, PeriodKind.QUARTER)
        return {
            "year": period_for(world.org, DAY, PeriodKind.YEAR),
            "quarter": quarter,
            "month": period_for(world.org, DAY, PeriodKind.MONTH),
            "next_quarter": period_for(
                world.org, quarter.end + datetime.timedelta(days=1), PeriodKind.QUARTER
            ),
        }


@pytest.fixture
def budget(world, in_org, periods):
    with in_org():
        return plan_create(
            organization=world.org,
            actor=world.admin,
            unit=world.sales,
            period=periods["quarter"],
            kind="financial",
            title="Sales budget",
            currency="eur",
        )


def _errors(exc) -> dict:
    return exc.value.message_dict


def _history(in_org, obj) -> list[str]:
    with in_org():
        return list(
            HistoryEntry.objects.filter(object_type=obj._meta.model_name, object_id=obj.pk)
            .order_by("id")
            .values_list("action", flat=True)
        )


# --- plans ------------------------------------------------------------------------------


def test_a_new_plan_is_a_draft_owned_by_the_units_lead(world, in_org, budget):
    assert budget.status == PlanStatus.DRAFT
    assert budget.owner == world.member  # Mia leads Sales
    assert budget.currency == "EUR"
    assert budget.version == 1
    assert _history(in_org, budget) == ["create"]


def test_a_unit_without_a_lead_gives_the_plan_to_whoever_creates_it(world, in_org, periods):
    with in_org():
        plan = plan_create(
            organization=world.org, actor=world.admin, unit=world.ops,
            period=periods["quarter"], kind="strategic", title="Ops direction",
        )  # fmt: skip
    assert plan.owner == world.admin
    assert plan.currency == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "financial", "currency": ""}, "currency"),
        ({"kind": "financial", "currency": "EURO"}, "currency"),
        ({"kind": "financial", "currency": "€€€"}, "currency"),
        ({"kind": "budget"}, "kind"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"summary": "x" * 8001}, "summary"),
    ],
)
def test_it_refuses_a_bad_plan(changes, field, world, in_org, periods):
    arguments = {"kind": "operational", "title": "Plan", **changes}
    with in_org(), pytest.raises(ValidationError) as exc:
        plan_create(
            organization=world.org,
            actor=world.admin,
            unit=world.sales,
            period=periods["quarter"],
            **arguments,
        )
    assert field in _errors(exc)
    with in_org():
        assert not Plan.objects.exists()


def test_it_refuses_another_organizations_unit_and_an_archived_unit(world, in_org, periods):
    from leados.core import services as core_services

    with in_org(), pytest.raises(ValidationError) as exc:
        plan_create(
            organization=world.org, actor=world.admin, unit=world.other_unit,
            period=periods["quarter"], kind="strategic", title="Theirs",
        )  # fmt: skip
    assert "unit" in _errors(exc)
    with in_org():
        core_services.unit_archive(unit=world.ops, expected_version=None)
        world.ops.refresh_from_db()
        with pytest.raises(ValidationError) as exc:
            plan_create(
                organization=world.org, actor=world.admin, unit=world.ops,
                period=periods["quarter"], kind="strategic", title="Gone",
            )  # fmt: skip
    assert "archived" in _errors(exc)["unit"][0]


def test_update_checks_the_version_and_records_what_changed(world, in_org, budget):
    with in_org():
        plan = plan_update(plan=budget, expected_version=1, title="Sales budget Q1")
        assert plan.version == 2
        with pytest.raises(Conflict):
            plan_update(plan=budget, expected_version=1, title="Lost update")
        assert Plan.objects.get().title == "Sales budget Q1"
        entry = HistoryEntry.objects.filter(object_type="plan", action="update").get()
    assert entry.changes["title"] == ["Sales budget", "Sales budget Q1"]


def test_update_refuses_fields_it_does_not_own(world, in_org, budget):
    with in_org(), pytest.raises(ValidationError) as exc:
        plan_update(plan=budget, expected_version=1, status="active")
    assert "status" in _errors(exc)


def test_a_new_period_must_still_hold_every_budget_line(world, in_org, budget, periods):
    with in_org():
        budget_line_create(plan=budget, category="Travel", period=periods["month"], planned="100")
        with pytest.raises(ValidationError) as exc:
            plan_update(plan=budget, expected_version=1, period=periods["next_quarter"])
        assert "period" in _errors(exc)
        plan_update(plan=budget, expected_version=1, period=periods["year"])
        assert Plan.objects.get().period == periods["year"]


def test_a_plan_with_budget_lines_stays_financial(world, in_org, budget, periods):
    with in_org():
        budget_line_create(plan=budget, category="Travel", period=periods["month"], planned="1")
        with pytest.raises(ValidationError) as exc:
            plan_update(plan=budget, expected_version=1, kind="strategic")
    assert "kind" in _errors(exc)


# --- transitions ------------------------------------------------------------------------


def test_the_whole_life_of_a_plan(world, in_org, budget):
    with in_org():
        assert allowed_transitions(budget) == ["approved"]
        plan = plan_transition(plan=budget, to="approved", actor=world.owner, expected_version=1)
        assert (plan.status, plan.approved_by, plan.version) == ("approved", world.owner, 2)
        assert plan.approved_at is not None
        assert allowed_transitions(plan) == ["draft", "active"]
        plan = plan_transition(plan=plan, to="draft", actor=world.member, expected_version=2)
        assert (plan.status, plan.approved_by, plan.approved_at) == ("draft", None, None)
        plan = plan_transition(plan=plan, to="approved", actor=world.admin, expected_version=3)
        plan = plan_transition(plan=plan, to="active", actor=world.member, expected_version=4)
        assert plan.approved_by == world.admin  # activating keeps who approved it
        plan = plan_transition(plan=plan, to="closed", actor=world.member, expected_version=5)
        assert allowed_transitions(plan) == []
        stored = Plan.objects.get()
    assert (stored.status, stored.version) == ("closed", 6)
    actions = _history(in_org, budget)
    assert actions == ["create"] + ["update"] * 5


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], "active"),
        ([], "closed"),
        ([], "draft"),
        (["approved"], "closed"),
        (["approved"], "approved"),
        (["approved", "active"], "draft"),
        (["approved", "active"], "approved"),
        (["approved", "active", "closed"], "active"),
        (["approved", "active", "closed"], "draft"),
        ([], "archived"),
    ],
)
def test_it_refuses_every_other_transition_with_a_clear_message(
    path, refused, world, in_org, budget
):
    with in_org():
        plan = budget
        for step in path:
            plan = plan_transition(plan=plan, to=step, actor=world.owner, expected_version=None)
        with pytest.raises(ValidationError) as exc:
            plan_transition(plan=plan, to=refused, actor=world.owner, expected_version=None)
        assert Plan.objects.get().status == plan.status
    message = _errors(exc)["to"][0]
    assert refused in message or "Choose one of" in message


def test_a_stale_transition_is_a_conflict(world, in_org, budget):
    with in_org():
        plan_update(plan=budget, expected_version=1, summary="More")
        with pytest.raises(Conflict):
            plan_transition(plan=budget, to="approved", actor=world.owner, expected_version=1)
        assert Plan.objects.get().status == "draft"


def test_a_closed_plan_is_read_only(world, in_org, budget, periods):
    with in_org():
        line = budget_line_create(
            plan=budget, category="Travel", period=periods["month"], planned="5"
        )
        for step in ("approved", "active", "closed"):
            budget = plan_transition(plan=budget, to=step, actor=world.owner, expected_version=None)
        attempts = [
            lambda: plan_update(plan=budget, expected_version=None, title="Again"),
            lambda: budget_line_create(
                plan=budget, category="More", period=periods["month"], planned="1"
            ),
            lambda: budget_line_update(line=line, expected_version=None, actual="4"),
            lambda: budget_line_delete(line=line, expected_version=None),
        ]
        for attempt in attempts:
            with pytest.raises(ValidationError) as exc:
                attempt()
            assert "closed" in str(exc.value)
        assert BudgetLine.objects.get().actual is None


# --- delete -----------------------------------------------------------------------------


def test_deleting_a_draft_keeps_its_goals_outside_any_plan(world, in_org, budget, periods):
    with in_org():
        goal = goal_create(
            organization=world.org, actor=world.member, title="Win ten deals", unit=world.sales,
            period=periods["quarter"], kind="binary", today=DAY,
        )  # fmt: skip
        plan_goal_add(plan=budget, goal=goal, actor=world.member, today=DAY)
        line = budget_line_create(
            plan=budget, category="Travel", period=periods["month"], planned="5"
        )
        plan_delete(plan=budget, expected_version=1)
        assert not Plan.objects.exists()
        assert not BudgetLine.objects.exists()
        goal = Goal.objects.get(pk=goal.pk)
        assert goal.plan_id is None
    assert _history(in_org, budget)[-1] == "delete"
    assert _history(in_org, line)[-1] == "delete"
    assert _history(in_org, goal)[-1] == "update"


@pytest.mark.parametrize("path", [["approved"], ["approved", "active"]])
def test_only_drafts_can_be_deleted(path, world, in_org, budget):
    with in_org():
        for step in path:
            budget = plan_transition(plan=budget, to=step, actor=world.owner, expected_version=None)
        with pytest.raises(Conflict) as exc:
            plan_delete(plan=budget, expected_version=None)
        assert Plan.objects.exists()
    assert "draft" in exc.value.message


# --- goals ------------------------------------------------------------------------------


def test_goals_join_and_leave_a_plan_of_their_own_unit_only(world, in_org, budget, periods):
    with in_org():
        mine = goal_create(
            organization=world.org, actor=world.member, title="Win ten deals", unit=world.sales,
            period=periods["quarter"], kind="binary", today=DAY,
        )  # fmt: skip
        theirs = goal_create(
            organization=world.org, actor=world.admin, title="Ship faster", unit=world.ops,
            period=periods["quarter"], kind="binary", today=DAY,
        )  # fmt: skip
        plan_goal_add(plan=budget, goal=mine, actor=world.member, today=DAY)
        assert Goal.objects.get(pk=mine.pk).plan_id == budget.pk
        with pytest.raises(ValidationError) as exc:
            plan_goal_add(plan=budget, goal=theirs, actor=world.member, today=DAY)
        assert "plan" in _errors(exc)
        with pytest.raises(ValidationError):
            plan_goal_remove(plan=budget, goal=theirs, actor=world.member, today=DAY)
        plan_goal_remove(
            plan=budget, goal=Goal.objects.get(pk=mine.pk), actor=world.member, today=DAY
        )
        assert Goal.objects.get(pk=mine.pk).plan_id is None


# --- budget lines -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    ["NaN", "Infinity", "-inf", "1e13", "-10000000000000", "12.345", "0.001", "abc", "", "1,5"],
)
def test_it_refuses_a_bad_planned_amount(bad, world, in_org, budget, periods):
    with in_org(), pytest.raises(ValidationError) as exc:
        budget_line_create(plan=budget, category="Travel", period=periods["month"], planned=bad)
    assert "planned" in _errors(exc)
    with in_org():
        assert not BudgetLine.objects.exists()


@pytest.mark.parametrize("bad", ["NaN", "inf", "99999999999999", "0.005", True])
def test_it_refuses_a_bad_actual_amount(bad, world, in_org, budget, periods):
    with in_org():
        line = budget_line_create(
            plan=budget, category="Travel", period=periods["month"], planned="10"
        )
        with pytest.raises(ValidationError) as exc:
            budget_line_update(line=line, expected_version=1, actual=bad)
        assert "actual" in _errors(exc)
        assert BudgetLine.objects.get().version == 1


def test_amounts_keep_two_places_up_to_the_limit(world, in_org, budget, periods):
    with in_org():
        line = budget_line_create(
            plan=budget,
            category="Capital",
            period=periods["quarter"],
            planned="9999999999999.99",
            actual=Decimal("-9999999999999.99"),
        )
        stored = BudgetLine.objects.get(pk=line.pk)
    assert stored.planned == Decimal("9999999999999.99")
    assert stored.actual == Decimal("-9999999999999.99")
    assert stored.variance == Decimal("-19999999999999.98")


@pytest.mark.parametrize("which", ["next_quarter", "year"])
def test_a_line_period_must_lie_inside_the_plans(which, world, in_org, budget, periods):
    with in_org(), pytest.raises(ValidationError) as exc:
        budget_line_create(plan=budget, category="Travel", period=periods[which], planned="1")
    assert "inside the plan" in _errors(exc)["period"][0]


def test_only_financial_plans_have_budget_lines(world, in_org, periods):
    with in_org():
        plan = plan_create(
            organization=world.org, actor=world.admin, unit=world.sales,
            period=periods["quarter"], kind="operational", title="How we sell",
        )  # fmt: skip
        with pytest.raises(ValidationError) as exc:
            budget_line_create(plan=plan, category="Travel", period=periods["month"], planned="1")
    assert "plan" in _errors(exc)


def test_line_updates_check_the_version_and_actual_may_be_cleared(world, in_org, budget, periods):
    with in_org():
        line = budget_line_create(
            plan=budget, category="Travel", period=periods["month"], planned="100", actual="90"
        )
        line = budget_line_update(line=line, expected_version=1, actual=None, note="Not in yet")
        assert (line.actual, line.version) == (None, 2)
        with pytest.raises(Conflict):
            budget_line_update(line=line, expected_version=1, planned="5")
        with pytest.raises(Conflict):
            budget_line_delete(line=line, expected_version=1)
        budget_line_delete(line=line, expected_version=2)
        assert not BudgetLine.objects.exists()
    assert _history(in_org, line) == ["create", "update", "delete"]


def test_budget_summary_totals_per_category_and_period(world, in_org, budget, periods):
    with in_org():
        month = periods["month"]
        quarter = periods["quarter"]
        for category, period, planned, actual in [
            ("Travel", month, "100.00", "120.50"),
            ("Travel", quarter, "300.00", None),
            ("Events", month, "50.00", "40.00"),
        ]:
            budget_line_create(
                plan=budget, category=category, period=period, planned=planned, actual=actual
            )
        summary = budget_summary(budget)
    assert summary.total.as_dict() == {
        "planned": Decimal("450.00"),
        "actual": Decimal("160.50"),
        "variance": Decimal("10.50"),  # +20.50 − 10.00; the line without an actual counts not
        "lines": 3,
        "lines_with_actual": 2,
    }
    categories = {row["category"]: row for row in summary.categories()}
    assert categories["Travel"]["planned"] == Decimal("400.00")
    assert categories["Travel"]["variance"] == Decimal("20.50")
    assert categories["Events"]["variance"] == Decimal("-10.00")
    by_period = summary.periods()
    assert [row["period"] for row in by_period] == [quarter.pk, month.pk]
    assert by_period[1]["actual"] == Decimal("160.50")


def test_plans_list_filters(world, in_org, budget, periods):
    with in_org():
        other = plan_create(
            organization=world.org, actor=world.admin, unit=world.ops,
            period=periods["next_quarter"], kind="strategic", title="Ops",
        )  # fmt: skip
        assert list(plans_list(unit=world.sales)) == [budget]
        assert list(plans_list(period=periods["next_quarter"])) == [other]
        assert list(plans_list(kind="financial")) == [budget]
        assert list(plans_list(status="approved")) == []
        assert set(plans_list()) == {budget, other}
