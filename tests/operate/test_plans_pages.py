"""The plan pages: list and filters, create and edit, transitions, goals, budget lines inline."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine

from leados.core.models import PeriodKind
from leados.core.periods import period_for
from leados.operate.models import BudgetLine, Goal, Plan
from leados.operate.services.goals import goal_create
from leados.operate.services.plans import budget_line_create, plan_create, plan_transition
from tests.web.helpers import history_count, text

DAY = datetime.date(2027, 1, 15)
LIST = "/o/acme/plans/"


@pytest.fixture(autouse=True)
def _today():
    """The period pickers offer periods around today: keep today inside 2027 Q1."""
    with time_machine.travel(datetime.datetime(2027, 1, 15, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def periods(world, in_org):
    with in_org():
        quarter = period_for(world.org, DAY, PeriodKind.QUARTER)
        return {
            "quarter": quarter,
            "month": period_for(world.org, DAY, PeriodKind.MONTH),
            "next_quarter": period_for(
                world.org, quarter.end + datetime.timedelta(days=1), PeriodKind.QUARTER
            ),
        }


@pytest.fixture
def budget(world, in_org, periods):
    with in_org():
        plan = plan_create(
            organization=world.org, actor=world.admin, unit=world.sales,
            period=periods["quarter"], kind="financial", title="Sales budget", currency="EUR",
        )  # fmt: skip
        budget_line_create(
            plan=plan, category="Travel", period=periods["month"], planned="1000.00",
            actual="1250.50",
        )  # fmt: skip
        return plan


def _url(plan, tail="") -> str:
    return f"{LIST}{plan.pk}/{tail}"


def _plan(in_org, plan) -> Plan:
    with in_org():
        return Plan.objects.get(pk=plan.pk)


def _line(in_org, plan) -> BudgetLine:
    with in_org():
        return BudgetLine.objects.filter(plan=plan).order_by("id").first()


# --- list -------------------------------------------------------------------------------


def test_everyone_sees_the_list_and_filters_narrow_it(world, in_org, periods, budget, client_for):
    with in_org():
        plan_create(
            organization=world.org, actor=world.admin, unit=world.ops,
            period=periods["next_quarter"], kind="strategic", title="Ops direction",
        )  # fmt: skip
    viewer = client_for("viewer")
    page = text(viewer.get(LIST))
    assert "Sales budget" in page and "Ops direction" in page
    assert "New plan" not in page  # viewers do not plan
    only_sales = text(viewer.get(LIST, {"unit": world.sales.pk}))
    assert "Sales budget" in only_sales and "Ops direction" not in only_sales
    strategic = text(viewer.get(LIST, {"kind": "strategic"}))
    assert "Sales budget" not in strategic and "Ops direction" in strategic
    by_period = text(viewer.get(LIST, {"period": periods["next_quarter"].pk}))
    assert "Sales budget" not in by_period and "Ops direction" in by_period
    assert "No plans match" in text(viewer.get(LIST, {"status": "closed"}))
    # nonsense filters are ignored, not an error
    assert viewer.get(LIST, {"unit": "abc", "status": "gone"}).status_code == 200


def test_the_list_reads_a_fixed_number_of_queries(
    world, in_org, periods, client_for, django_assert_max_num_queries
):
    with in_org():
        for n in range(15):
            plan_create(
                organization=world.org, actor=world.admin, unit=world.sales,
                period=periods["quarter"], kind="operational", title=f"Plan {n}",
            )  # fmt: skip
    client = client_for("member")
    client.get(LIST)  # sessions and periods settle
    with django_assert_max_num_queries(20):
        response = client.get(LIST)
    assert text(response).count("Plan ") >= 15


# --- create and edit --------------------------------------------------------------------


def test_a_lead_creates_a_draft_for_their_unit(world, in_org, periods, client_for):
    client = client_for("member")
    form = client.get(f"{LIST}new/")
    assert form.status_code == 200
    assert "Operations" not in text(form)  # Mia plans only for Sales
    response = client.post(
        f"{LIST}new/",
        {
            "unit": world.sales.pk,
            "title": "Sales budget",
            "kind": "financial",
            "period": periods["quarter"].pk,
            "currency": "eur",
        },
    )
    assert response.status_code == 302, text(response)
    with in_org():
        plan = Plan.objects.get()
    assert (plan.status, plan.currency, plan.owner) == ("draft", "EUR", world.member)
    assert response["Location"] == _url(plan)


def test_create_shows_field_errors_and_changes_nothing(world, in_org, periods, client_for):
    before = history_count()
    response = client_for("admin").post(
        f"{LIST}new/",
        {
            "unit": world.sales.pk,
            "title": "Budget",
            "kind": "financial",
            "period": periods["quarter"].pk,
        },
    )
    assert response.status_code == 422
    assert "A financial plan needs a currency" in text(response)
    assert history_count() == before


def test_readers_cannot_create_plans(world, client_for):
    for persona in ("coach", "viewer"):
        assert client_for(persona).get(f"{LIST}new/").status_code == 403


def test_edit_with_a_stale_version_shows_a_conflict(world, in_org, periods, budget, client_for):
    client = client_for("member")
    data = {
        "version": 1,
        "title": "Sales budget Q1",
        "kind": "financial",
        "period": periods["quarter"].pk,
        "currency": "EUR",
        "owner": world.member_user.email,
        "summary": "Travel less, sell more.",
    }
    assert client.post(_url(budget, "edit/"), data).status_code == 302
    assert _plan(in_org, budget).title == "Sales budget Q1"
    stale = client.post(_url(budget, "edit/"), {**data, "title": "Lost"})
    assert stale.status_code == 409
    assert "Someone else changed this" in text(stale)
    assert _plan(in_org, budget).title == "Sales budget Q1"


def test_a_new_period_that_leaves_lines_outside_is_refused(
    world, in_org, periods, budget, client_for
):
    response = client_for("member").post(
        _url(budget, "edit/"),
        {
            "version": 1,
            "title": "Sales budget",
            "kind": "financial",
            "period": periods["next_quarter"].pk,
            "currency": "EUR",
            "owner": world.member_user.email,
        },
    )
    assert response.status_code == 422
    assert "would fall outside" in text(response)
    assert _plan(in_org, budget).period == periods["quarter"]


# --- the plan page ----------------------------------------------------------------------


def test_the_plan_page_shows_status_goals_and_budget(
    world, in_org, periods, budget, client_for, django_assert_max_num_queries
):
    with in_org():
        goal_create(
            organization=world.org, actor=world.member, title="Win ten deals", unit=world.sales,
            period=periods["quarter"], kind="metric", start_value=0, target_value=10,
            plan=budget, today=DAY,
        )  # fmt: skip
    response = client_for("coach").get(_url(budget))
    assert response.status_code == 200
    page = text(response)
    assert "Win ten deals" in page and "<progress" in page
    assert "1,000.00" in page and "1,250.50" in page and "+250.50" in page
    assert 'aria-current="step">Draft' in page
    assert ">Approve<" not in page and "Add a budget line" not in page  # coaches read


def test_buttons_show_only_the_transitions_the_viewer_may_make(world, in_org, budget, client_for):
    member_page = text(client_for("member").get(_url(budget)))
    assert ">Approve<" not in member_page  # Mia leads Sales; the leader above approves
    assert "Delete draft" in member_page
    owner_page = text(client_for("owner").get(_url(budget)))
    assert ">Approve</button>" in owner_page


def test_approve_activate_close_through_the_page(world, in_org, budget, client_for):
    owner = client_for("owner")
    member = client_for("member")
    url = _url(budget, "transition/")
    assert member.post(url, {"version": 1, "to": "approved"}).status_code == 403
    assert owner.post(url, {"version": 1, "to": "approved"}).status_code == 302
    plan = _plan(in_org, budget)
    assert (plan.status, plan.approved_by) == ("approved", world.owner)
    stale = member.post(url, {"version": 1, "to": "active"})
    assert stale.status_code == 409
    assert "Someone else changed this plan" in text(stale)
    refused = member.post(url, {"version": 2, "to": "closed"})
    assert refused.status_code == 422
    assert "cannot become closed" in text(refused)
    assert member.post(url, {"version": 2, "to": "active"}).status_code == 302
    assert member.post(url, {"version": 3, "to": "closed"}).status_code == 302
    closed = text(member.get(_url(budget)))
    assert "closed and read-only" in closed and "Add a budget line" not in closed
    assert _plan(in_org, budget).status == "closed"


def test_only_a_draft_is_deleted(world, in_org, budget, client_for):
    member = client_for("member")
    with in_org():
        plan_transition(plan=budget, to="approved", actor=world.owner, expected_version=1)
    refused = member.post(_url(budget, "delete/"), {"version": 2})
    assert refused.status_code == 409
    assert "Only a draft plan can be deleted" in text(refused)
    with in_org():
        plan_transition(plan=budget, to="draft", actor=world.owner, expected_version=2)
    assert member.post(_url(budget, "delete/"), {"version": 2}).status_code == 409  # stale
    assert member.post(_url(budget, "delete/"), {"version": 3}).status_code == 302
    with in_org():
        assert not Plan.objects.exists()


def test_goals_are_added_and_taken_out(world, in_org, periods, budget, client_for):
    with in_org():
        goal = goal_create(
            organization=world.org, actor=world.member, title="Win ten deals", unit=world.sales,
            period=periods["quarter"], kind="binary", today=DAY,
        )  # fmt: skip
        elsewhere = goal_create(
            organization=world.org, actor=world.admin, title="Ship faster", unit=world.ops,
            period=periods["quarter"], kind="binary", today=DAY,
        )  # fmt: skip
    member = client_for("member")
    page = text(member.get(_url(budget)))
    assert "Win ten deals" in page and "Ship faster" not in page  # only its own unit's
    refused = member.post(_url(budget, "goals/"), {"goal": elsewhere.pk})
    assert refused.status_code == 422
    assert member.post(_url(budget, "goals/"), {"goal": goal.pk}).status_code == 302
    with in_org():
        assert Goal.objects.get(pk=goal.pk).plan_id == budget.pk
    assert member.post(_url(budget, f"goals/{goal.pk}/remove/")).status_code == 302
    with in_org():
        assert Goal.objects.get(pk=goal.pk).plan_id is None


# --- budget lines -----------------------------------------------------------------------


def test_a_line_is_added_inline_with_htmx(world, in_org, periods, budget, client_for):
    response = client_for("member").post(
        _url(budget, "lines/"),
        {"new-category": "Events", "new-period": periods["month"].pk, "new-planned": "300"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    section = text(response)
    assert section.lstrip().startswith('<section class="card plan-budget" id="budget"')
    assert "Events" in section and "1,300.00" in section
    with in_org():
        assert BudgetLine.objects.filter(plan=budget, category="Events").exists()


@pytest.mark.parametrize(
    ("planned", "message"),
    [
        ("NaN", "Enter a finite amount"),
        ("12.345", "two decimal places"),
        ("1e14", "below 10,000,000,000,000"),
        ("lots", "Enter an amount"),
    ],
)
def test_a_bad_amount_shows_in_the_form(
    planned, message, world, in_org, periods, budget, client_for
):
    before = history_count()
    response = client_for("member").post(
        _url(budget, "lines/"),
        {"new-category": "Events", "new-period": periods["month"].pk, "new-planned": planned},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert message in text(response)
    assert history_count() == before


def test_a_line_outside_the_plan_period_is_refused(world, in_org, periods, budget, client_for):
    # The form offers only periods inside the plan; one outside is not a choice at all.
    response = client_for("member").post(
        _url(budget, "lines/"),
        {"new-category": "Events", "new-period": periods["next_quarter"].pk, "new-planned": "1"},
    )
    assert response.status_code == 422
    with in_org():
        assert BudgetLine.objects.count() == 1


def test_a_line_is_edited_and_a_stale_edit_is_a_conflict(
    world, in_org, periods, budget, client_for
):
    line = _line(in_org, budget)
    member = client_for("member")
    prefix = f"line-{line.pk}"
    data = {
        f"{prefix}-version": 1,
        f"{prefix}-category": "Travel",
        f"{prefix}-period": periods["month"].pk,
        f"{prefix}-planned": "1000.00",
        f"{prefix}-actual": "",
        f"{prefix}-note": "Invoices pending",
    }
    response = member.post(_url(budget, f"lines/{line.pk}/"), data)
    assert response.status_code == 302
    stored = _line(in_org, budget)
    assert (stored.actual, stored.note, stored.version) == (None, "Invoices pending", 2)
    stale = member.post(
        _url(budget, f"lines/{line.pk}/"), {**data, f"{prefix}-actual": "5"}, HTTP_HX_REQUEST="1"
    )
    assert stale.status_code == 409
    assert "Someone else changed this" in text(stale)
    assert _line(in_org, budget).actual is None


def test_a_line_is_removed(world, in_org, budget, client_for):
    line = _line(in_org, budget)
    member = client_for("member")
    assert member.post(_url(budget, f"lines/{line.pk}/delete/"), {"version": 9}).status_code == 409
    assert member.post(_url(budget, f"lines/{line.pk}/delete/"), {"version": 1}).status_code == 302
    with in_org():
        assert not BudgetLine.objects.exists()


def test_a_line_of_another_plan_is_404(world, in_org, periods, budget, client_for):
    with in_org():
        other = plan_create(
            organization=world.org, actor=world.admin, unit=world.sales,
            period=periods["quarter"], kind="financial", title="Other", currency="EUR",
        )  # fmt: skip
    line = _line(in_org, budget)
    response = client_for("owner").post(_url(other, f"lines/{line.pk}/delete/"), {"version": 1})
    assert response.status_code == 404
    assert _line(in_org, budget).planned == Decimal("1000.00")


def test_another_organizations_plan_is_404(world, in_org, client_for):
    with in_org(world.other_org):
        quarter = period_for(world.other_org, DAY, PeriodKind.QUARTER)
        theirs = plan_create(
            organization=world.other_org, actor=world.outsider, unit=world.other_unit,
            period=quarter, kind="strategic", title="Theirs",
        )  # fmt: skip
    owner = client_for("owner")
    before = history_count()
    assert owner.get(_url(theirs)).status_code == 404
    assert (
        owner.post(_url(theirs, "transition/"), {"version": 1, "to": "approved"}).status_code == 404
    )
    assert owner.post(_url(theirs, "delete/"), {"version": 1}).status_code == 404
    assert history_count() == before


def test_the_plan_page_reads_a_fixed_number_of_queries(
    world, in_org, periods, budget, client_for, django_assert_max_num_queries
):
    with in_org():
        for n in range(10):
            goal_create(
                organization=world.org, actor=world.member, title=f"Goal {n}", unit=world.sales,
                period=periods["quarter"], kind="binary", plan=budget, today=DAY,
            )  # fmt: skip
            budget_line_create(
                plan=budget, category=f"Category {n}", period=periods["month"], planned="10"
            )
    client = client_for("member")
    client.get(_url(budget))  # the months of the quarter are created on first use
    with django_assert_max_num_queries(18):
        response = client.get(_url(budget))
    assert text(response).count("Category ") >= 10
