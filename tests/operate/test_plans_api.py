"""The plans API: list and filters, create, detail, If-Match, transitions, lines, 4xx."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scopes_disabled

from leados.core.models import HistoryEntry, PeriodKind
from leados.core.periods import period_for
from leados.operate.models import BudgetLine, Goal, Plan
from leados.operate.services.goals import goal_create
from leados.operate.services.plans import budget_line_create, plan_create
from tests.api.helpers import Api, assert_error_shape, field_errors, if_match

DAY = datetime.date(2027, 1, 15)
BASE = "orgs/acme/plans"


@pytest.fixture
def api_for(token_for):
    return lambda persona: Api(token_for(persona))


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
            actual="1100.50",
        )  # fmt: skip
        return plan


def _history() -> int:
    with scopes_disabled():
        return HistoryEntry.objects.count()


def _plan(in_org, pk) -> Plan:
    with in_org():
        return Plan.objects.get(pk=pk)


# --- reading ----------------------------------------------------------------------------


def test_list_filters_by_unit_period_kind_and_status(world, in_org, periods, budget, api_for):
    with in_org():
        other = plan_create(
            organization=world.org, actor=world.admin, unit=world.ops,
            period=periods["next_quarter"], kind="strategic", title="Ops direction",
        )  # fmt: skip
    api = api_for("viewer")
    everything = api.get(BASE).json()
    assert everything["count"] == 2
    assert {p["id"] for p in everything["items"]} == {budget.pk, other.pk}
    for params, expected in [
        ({"unit": world.sales.pk}, [budget.pk]),
        ({"period": periods["next_quarter"].pk}, [other.pk]),
        ({"kind": "strategic"}, [other.pk]),
        ({"status": "draft", "kind": "financial"}, [budget.pk]),
        ({"status": "active"}, []),
    ]:
        body = api.get(BASE, params).json()
        assert [p["id"] for p in body["items"]] == expected, params
        assert body["count"] == len(expected)
    assert_error_shape(api.get(BASE, {"kind": "budget"}), 422)
    assert_error_shape(api.get(BASE, {"unit": "x"}), 422)


def test_list_reads_a_fixed_number_of_queries(
    world, in_org, periods, api_for, django_assert_max_num_queries
):
    with in_org():
        for n in range(12):
            plan_create(
                organization=world.org, actor=world.admin, unit=world.sales,
                period=periods["quarter"], kind="strategic", title=f"Plan {n}",
            )  # fmt: skip
    api = api_for("member")
    with django_assert_max_num_queries(8):
        response = api.get(BASE)
    assert response.json()["count"] == 12


def test_detail_has_goals_lines_and_totals(world, in_org, periods, budget, api_for):
    with in_org():
        goal = goal_create(
            organization=world.org, actor=world.member, title="Win ten deals", unit=world.sales,
            period=periods["quarter"], kind="metric", start_value=0, target_value=10,
            plan=budget, today=DAY,
        )  # fmt: skip
    response = api_for("coach").get(f"{BASE}/{budget.pk}")
    assert response.status_code == 200
    assert response["ETag"] == 'W/"1"'
    body = response.json()
    assert body["status"] == "draft" and body["next_statuses"] == ["approved"]
    assert body["owner"] == {"id": world.member.pk, "name": world.member.name}
    assert body["goals"] == [
        {
            "id": goal.pk,
            "title": "Win ten deals",
            "level": "functional_team",
            "progress": 0.0,
            "status": goal.status,
            "owner": {"id": world.member.pk, "name": world.member.name},
        }
    ]
    [line] = body["lines"]
    assert (line["planned"], line["actual"], line["variance"]) == ("1000.00", "1100.50", "100.50")
    assert body["totals"] == {
        "planned": "1000.00",
        "actual": "1100.50",
        "variance": "100.50",
        "lines": 1,
        "lines_with_actual": 1,
    }
    assert body["by_category"][0]["category"] == "Travel"
    assert body["by_period"][0]["period_label"] == periods["month"].label


def test_another_organizations_plan_is_404(world, in_org, api_for):
    with in_org(world.other_org):
        quarter = period_for(world.other_org, DAY, PeriodKind.QUARTER)
        theirs = plan_create(
            organization=world.other_org, actor=world.outsider, unit=world.other_unit,
            period=quarter, kind="financial", title="Theirs", currency="USD",
        )  # fmt: skip
        line = budget_line_create(plan=theirs, category="X", period=quarter, planned="1")
    api = api_for("owner")
    before = _history()
    assert_error_shape(api.get(f"{BASE}/{theirs.pk}"), 404)
    assert_error_shape(
        api.patch(f"{BASE}/{theirs.pk}", {"title": "Mine"}, headers=if_match(1)), 404
    )
    assert_error_shape(api.post(f"{BASE}/{theirs.pk}/lines", {"category": "x"}), 404)
    assert_error_shape(api.get(f"{BASE}/{theirs.pk}/lines/{line.pk}"), 404)
    assert_error_shape(api.post(f"{BASE}/{theirs.pk}/transition", {}), 404)
    assert _history() == before


def test_a_line_of_another_plan_is_404(world, in_org, periods, budget, api_for):
    with in_org():
        other = plan_create(
            organization=world.org, actor=world.admin, unit=world.sales,
            period=periods["quarter"], kind="financial", title="Other", currency="EUR",
        )  # fmt: skip
        line = BudgetLine.objects.get(plan=budget)
    assert_error_shape(api_for("owner").get(f"{BASE}/{other.pk}/lines/{line.pk}"), 404)


# --- writing plans ----------------------------------------------------------------------


def test_a_lead_creates_a_plan_for_their_unit(world, in_org, periods, api_for):
    response = api_for("member").post(
        BASE,
        {
            "unit": world.sales.pk,
            "period": periods["quarter"].pk,
            "kind": "financial",
            "title": "Sales budget",
            "currency": "usd",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["currency"], body["owner"]["id"]) == (
        "draft", "USD", world.member.pk,
    )  # fmt: skip
    assert response["ETag"] == 'W/"1"'
    assert _plan(in_org, body["id"]).title == "Sales budget"


def test_a_member_cannot_plan_for_a_unit_they_do_not_lead(world, in_org, periods, api_for):
    before = _history()
    response = api_for("member").post(
        BASE,
        {"unit": world.ops.pk, "period": periods["quarter"].pk, "kind": "strategic", "title": "X"},
    )
    assert_error_shape(response, 403)
    assert _history() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "financial"}, "currency"),
        ({"kind": "budget"}, "kind"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"unit": 987654321}, "unit"),
        ({"period": 987654321}, "period"),
        ({"owner": 987654321}, "owner"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_input_on_create_is_422_and_changes_nothing(
    change, field, world, in_org, periods, api_for
):
    body = {
        "unit": world.sales.pk,
        "period": periods["quarter"].pk,
        "kind": "strategic",
        "title": "T",
    }
    before = _history()
    response = api_for("admin").post(BASE, {**body, **change})
    assert_error_shape(response, 422)
    assert field in field_errors(response)
    assert _history() == before


def test_patch_needs_the_version_and_refuses_a_stale_one(world, in_org, budget, api_for):
    api = api_for("member")
    url = f"{BASE}/{budget.pk}"
    assert_error_shape(api.patch(url, {"title": "No version"}), 428)
    response = api.patch(url, {"title": "Sales budget Q1"}, headers=if_match(1))
    assert response.status_code == 200, response.content
    assert response["ETag"] == 'W/"2"'
    stale = api.patch(url, {"title": "Lost"}, headers=if_match(1))
    assert_error_shape(stale, 412)
    stale_body = api.patch(url, {"title": "Lost", "version": 1})
    assert_error_shape(stale_body, 409)
    assert_error_shape(api.patch(url, {"title": "x"}, headers={"If-Match": "nonsense"}), 412)
    assert _plan(in_org, budget.pk).title == "Sales budget Q1"


def test_transitions_through_the_api(world, in_org, budget, api_for):
    url = f"{BASE}/{budget.pk}/transition"
    member, owner = api_for("member"), api_for("owner")
    # Mia leads Sales: she plans it but does not approve her own plan.
    assert_error_shape(member.post(url, {"to": "approved"}, headers=if_match(1)), 403)
    response = owner.post(url, {"to": "approved"}, headers=if_match(1))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "approved"
    assert body["approved_by"]["id"] == world.owner.pk
    assert body["next_statuses"] == ["draft", "active"]
    refused = member.post(url, {"to": "closed"}, headers=if_match(2))
    assert_error_shape(refused, 422)
    assert "approved plan cannot become closed" in field_errors(refused)["to"]
    assert_error_shape(member.post(url, {"to": "active"}, headers=if_match(1)), 412)
    assert member.post(url, {"to": "active"}, headers=if_match(2)).status_code == 200
    assert _plan(in_org, budget.pk).status == "active"
    assert_error_shape(member.delete(f"{BASE}/{budget.pk}", headers=if_match(3)), 409)


def test_read_only_personas_cannot_change_plans(world, budget, api_for):
    before = _history()
    for persona in ("coach", "viewer"):
        api = api_for(persona)
        assert_error_shape(
            api.patch(f"{BASE}/{budget.pk}", {"title": "X"}, headers=if_match(1)), 403
        )
        assert_error_shape(api.delete(f"{BASE}/{budget.pk}", headers=if_match(1)), 403)
    assert _history() == before


def test_deleting_a_draft(world, in_org, budget, api_for):
    api = api_for("member")
    assert_error_shape(api.delete(f"{BASE}/{budget.pk}", headers=if_match(7)), 412)
    assert api.delete(f"{BASE}/{budget.pk}", headers=if_match(1)).status_code == 204
    with in_org():
        assert not Plan.objects.exists()
    assert_error_shape(api.get(f"{BASE}/{budget.pk}"), 404)


def test_goals_join_and_leave_through_the_api(world, in_org, periods, budget, api_for):
    with in_org():
        goal = goal_create(
            organization=world.org, actor=world.member, title="Win ten deals", unit=world.sales,
            period=periods["quarter"], kind="binary", today=DAY,
        )  # fmt: skip
        elsewhere = goal_create(
            organization=world.org, actor=world.admin, title="Ship", unit=world.ops,
            period=periods["quarter"], kind="binary", today=DAY,
        )  # fmt: skip
    api = api_for("member")
    response = api.post(f"{BASE}/{budget.pk}/goals", {"goal": goal.pk})
    assert response.status_code == 200, response.content
    assert [g["id"] for g in response.json()["goals"]] == [goal.pk]
    refused = api_for("admin").post(f"{BASE}/{budget.pk}/goals", {"goal": elsewhere.pk})
    assert_error_shape(refused, 422)
    assert "own unit" in field_errors(refused)["plan"]
    assert_error_shape(api.post(f"{BASE}/{budget.pk}/goals", {"goal": 987654321}), 422)
    response = api.delete(f"{BASE}/{budget.pk}/goals/{goal.pk}")
    assert response.status_code == 200
    assert response.json()["goals"] == []
    with in_org():
        assert Goal.objects.get(pk=goal.pk).plan_id is None


# --- budget lines -----------------------------------------------------------------------


def test_budget_lines_add_change_and_remove(world, in_org, periods, budget, api_for):
    api = api_for("member")
    lines = f"{BASE}/{budget.pk}/lines"
    response = api.post(
        lines, {"category": "Events", "period": periods["month"].pk, "planned": "250.5"}
    )
    assert response.status_code == 201, response.content
    line = response.json()
    assert (line["planned"], line["actual"], line["variance"]) == ("250.50", None, None)
    url = f"{lines}/{line['id']}"
    assert api.get(url).json()["category"] == "Events"
    assert api.get(lines).json()["count"] == 2
    changed = api.patch(url, {"actual": "300"}, headers=if_match(1))
    assert changed.status_code == 200, changed.content
    assert changed.json()["variance"] == "49.50"
    assert changed["ETag"] == 'W/"2"'
    assert_error_shape(api.patch(url, {"actual": "1"}, headers=if_match(1)), 412)
    assert_error_shape(api.delete(url, headers=if_match(1)), 412)
    assert api.delete(url, headers=if_match(2)).status_code == 204
    with in_org():
        assert BudgetLine.objects.filter(plan=budget).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"planned": "NaN"}, "planned"),
        ({"planned": "Infinity"}, "planned"),
        ({"planned": "1.005"}, "planned"),
        ({"planned": "10000000000000"}, "planned"),
        ({"planned": "lots"}, "planned"),
        ({"actual": "-1e14"}, "actual"),
        ({"category": ""}, "category"),
        ({"category": "x" * 81}, "category"),
        ({"period": "next_quarter"}, "period"),
        ({"period": 987654321}, "period"),
    ],
)
def test_bad_budget_lines_are_422_and_change_nothing(
    body, field, world, in_org, periods, budget, api_for
):
    valid = {"category": "Travel", "period": periods["month"].pk, "planned": "10"}
    if body.get("period") == "next_quarter":
        body = {"period": periods["next_quarter"].pk}
    before = _history()
    response = api_for("member").post(f"{BASE}/{budget.pk}/lines", {**valid, **body})
    assert_error_shape(response, 422)
    assert field in field_errors(response), response.content
    assert _history() == before


def test_lines_of_a_strategic_plan_are_refused(world, in_org, periods, api_for):
    with in_org():
        plan = plan_create(
            organization=world.org, actor=world.admin, unit=world.sales,
            period=periods["quarter"], kind="strategic", title="Direction",
        )  # fmt: skip
    response = api_for("member").post(
        f"{BASE}/{plan.pk}/lines",
        {"category": "Travel", "period": periods["month"].pk, "planned": "10"},
    )
    assert_error_shape(response, 422)
    assert "financial" in field_errors(response)["plan"]
