"""A metric goal fed by a measurable: its current value follows the numbers."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from leados.core.models import PeriodKind
from leados.core.periods import period_for
from leados.operate.models import CheckIn, Goal
from leados.operate.services.goal_feed import goal_link_measurable
from leados.operate.services.goals import goal_create
from leados.operate.services.measurables import (
    ValueInput,
    measurable_create,
    value_delete,
    values_set,
)

DAY = datetime.date(2027, 2, 10)
MONDAYS = [datetime.date(2027, 1, 4) + datetime.timedelta(weeks=n) for n in range(6)]


@pytest.fixture(autouse=True)
def _on_day():
    with time_machine.travel(datetime.datetime(2027, 2, 10, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def setup(world, in_org):
    with in_org():
        quarter = period_for(world.org, DAY, PeriodKind.QUARTER)
        goal = goal_create(
            organization=world.org, actor=world.member, title="Sell 120 bags this quarter",
            unit=world.sales, period=quarter, kind="metric", start_value=0, target_value=120,
            today=DAY,
        )  # fmt: skip
        bags = measurable_create(
            organization=world.org, actor=world.member, unit=world.sales, name="Bags sold",
            key="bags", target=10,
        )  # fmt: skip
        # A week of the previous quarter does not count towards this quarter's goal.
        values_set(
            measurable=bags,
            items=[ValueInput(datetime.date(2026, 12, 28), 99), ValueInput(MONDAYS[0], 8)],
            author=world.member,
        )
        yield goal, bags


def test_linking_takes_the_quarters_sum_so_far_as_a_check_in(world, in_org, setup):
    goal, bags = setup
    with in_org():
        goal = goal_link_measurable(
            goal=goal, measurable=bags, actor=world.member, expected_version=goal.version
        )
        assert goal.current_value == 8
        check_in = CheckIn.objects.get(goal=goal)
        assert check_in.value == 8 and "Bags sold" in check_in.comment


def test_new_and_removed_numbers_move_the_goal(world, in_org, setup):
    goal, bags = setup
    with in_org():
        goal_link_measurable(goal=goal, measurable=bags, actor=None, expected_version=None)
        values_set(
            measurable=bags,
            items=[ValueInput(MONDAYS[1], 12), ValueInput(MONDAYS[2], 10)],
            author=world.member,
        )
        goal.refresh_from_db()
        assert goal.current_value == 30 and goal.progress == pytest.approx(30 / 120)
        value_delete(value=bags.values.get(period_start=MONDAYS[2]), expected_version=None)
        goal.refresh_from_db()
        assert goal.current_value == 20
        assert CheckIn.objects.filter(goal=goal).count() == 3


def test_a_goal_follows_a_formula_built_on_the_measurable(world, in_org, setup):
    goal, bags = setup
    with in_org():
        double = measurable_create(
            organization=world.org, actor=world.member, unit=world.sales, name="Twice",
            formula="bags * 2", time_aggregation="last",
        )  # fmt: skip
        goal_link_measurable(goal=goal, measurable=double, actor=None, expected_version=None)
        values_set(measurable=bags, items=[ValueInput(MONDAYS[1], 5)], author=None)
        goal.refresh_from_db()
        assert goal.current_value == 10


def test_only_metric_goals_take_a_measurable(world, in_org, setup):
    _goal, bags = setup
    with in_org():
        binary = goal_create(
            organization=world.org, actor=world.member, title="Launch", unit=world.sales,
            period=period_for(world.org, DAY, PeriodKind.QUARTER), kind="binary", today=DAY,
        )  # fmt: skip
        with pytest.raises(ValidationError) as exc:
            goal_link_measurable(goal=binary, measurable=bags, actor=None, expected_version=None)
        assert "metric" in str(exc.value)
        assert Goal.objects.get(pk=binary.pk).measurable_id is None


def test_the_api_links_and_unlinks_a_goal(world, in_org, setup, token_for):
    from tests.api.helpers import Api

    goal, bags = setup
    api = Api(token_for("member"))
    answer = api.patch(f"orgs/acme/goals/{goal.pk}", {"measurable": bags.pk, "version": 1})
    assert answer.status_code == 200, answer.content
    assert answer.json()["measurable"] == bags.pk and answer.json()["current_value"] == 8
    other = api.patch(
        f"orgs/acme/goals/{goal.pk}", {"measurable": 10**9, "version": answer.json()["version"]}
    )
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "measurable"
    off = api.patch(
        f"orgs/acme/goals/{goal.pk}", {"measurable": None, "version": answer.json()["version"]}
    )
    assert off.status_code == 200 and off.json()["measurable"] is None
    with in_org():
        assert Goal.objects.get(pk=goal.pk).measurable_id is None


def test_the_edit_page_feeds_a_goal_and_refuses_it_for_a_binary_goal(
    world, in_org, setup, client_for
):
    goal, bags = setup
    client = client_for("member")
    url = f"/o/acme/goals/{goal.pk}/edit/"
    page = client.get(url).content.decode()
    assert "Fed by measurable" in page and f'value="{bags.pk}"' in page
    data = {
        "version": goal.version, "title": goal.title, "period": goal.period_id, "weight": 1,
        "kind": "metric", "start_value": 0, "target_value": 120, "measurable": bags.pk,
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    with in_org():
        fed = Goal.objects.get(pk=goal.pk)
    assert fed.measurable_id == bags.pk and fed.current_value == 8
    detail = client.get(f"/o/acme/goals/{goal.pk}/").content.decode()
    assert "Fed by" in detail and "Bags sold" in detail
    binary = {**data, "version": fed.version, "kind": "binary"}
    response = client.post(url, binary)
    assert response.status_code == 422
    assert "Only a metric goal can be fed by a measurable." in response.content.decode()
    with in_org():
        assert Goal.objects.get(pk=goal.pk).kind == "metric"


def test_a_push_of_many_measurables_moves_a_goal_once_with_every_value_in(world, in_org, setup):
    """A goal fed by a formula over two measurables pushed together takes one check-in,
    with both new values in it, not one per measurable with half of them."""
    from leados.operate.services.value_batches import values_push

    goal, bags = setup
    with in_org():
        cups = measurable_create(
            organization=world.org, actor=world.member, unit=world.sales, name="Cups sold",
            key="cups", target=10,
        )  # fmt: skip
        values_set(measurable=cups, items=[ValueInput(MONDAYS[1], 1)], author=None)
        total = measurable_create(
            organization=world.org, actor=world.member, unit=world.sales, name="Sold",
            formula="bags + cups", time_aggregation="last",
        )  # fmt: skip
        goal_link_measurable(goal=goal, measurable=total, actor=None, expected_version=None)
        before = CheckIn.objects.filter(goal=goal).count()
        values_push(
            items=[(bags, ValueInput(MONDAYS[1], 5)), (cups, ValueInput(MONDAYS[1], 2))],
            author=world.member,
        )
        goal.refresh_from_db()
        assert goal.current_value == 7
        assert CheckIn.objects.filter(goal=goal).count() == before + 1
