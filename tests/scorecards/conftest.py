"""Scorecard fixtures: a JSON client per persona, weeks relative to today, a measurable of
Sales (led by the member persona), and a Sales scorecard with weekly numbers frozen in
mid-January 2027."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from leados.operate import measures
from leados.operate.services.measurables import ValueInput, measurable_create, values_set
from leados.operate.services.scorecards import scorecard_create
from tests.api.helpers import Api
from tests.scorecards.feeds_support import silent_port, source_db  # noqa: F401 - fixtures

TODAY = datetime.datetime(2027, 1, 20, 12, tzinfo=datetime.UTC)  # a Wednesday, week 3
WEEK = datetime.timedelta(days=7)
LAST_MONDAY = datetime.date(2027, 1, 11)  # the last complete week


@pytest.fixture
def api_for(token_for):
    return lambda persona: Api(token_for(persona))


@pytest.fixture
def this_monday() -> datetime.date:
    return measures.period_of("weekly", timezone.localdate()).start


@pytest.fixture
def weeks(this_monday):
    """``weeks(n)``: the Monday ``n`` weeks before this week's (0 = this week)."""
    return lambda n: this_monday - n * WEEK


@pytest.fixture
def make(world, in_org):
    """``make(name=..., **settings)``: a measurable of Sales, owned by its lead (member)."""

    def build(**fields):
        base = {"organization": world.org, "actor": world.owner, "unit": world.sales}
        base.update(fields)
        base.setdefault("name", "Deals won")
        with in_org():
            return measurable_create(**base)

    return build


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def card(world, in_org, frozen):
    """Orders (member's, target 100, one red week), Returns (lower is better) and a formula
    row; the Sales unit's scorecard shows all three."""
    with in_org():
        orders = measurable_create(
            organization=world.org, actor=world.admin, name="Orders", unit=world.sales,
            owner=world.member, target=100, key="orders", category="sales",
        )  # fmt: skip
        returns = measurable_create(
            organization=world.org, actor=world.admin, name="Returns", unit=world.sales,
            owner=world.member, target=10, better="lower", key="returns",
        )  # fmt: skip
        rate = measurable_create(
            organization=world.org, actor=world.admin, name="Return rate", unit=world.sales,
            owner=world.member, formula="returns / orders * 100", kind="percent",
        )  # fmt: skip
        values_set(
            measurable=orders,
            items=[
                ValueInput(LAST_MONDAY - 2 * WEEK, 110),
                ValueInput(LAST_MONDAY - WEEK, 70),  # red: below 90 % of the target
            ],
            author=world.member,
        )
        values_set(
            measurable=returns,
            items=[ValueInput(LAST_MONDAY - 2 * WEEK, 8), ValueInput(LAST_MONDAY - WEEK, 9)],
            author=world.member,
        )
        scorecard = scorecard_create(
            organization=world.org, actor=world.admin, name="Sales numbers", kind="unit",
            unit=world.sales, measurables=[orders.pk, returns.pk, rate.pk],
        )  # fmt: skip
    return {"orders": orders, "returns": returns, "rate": rate, "scorecard": scorecard}
