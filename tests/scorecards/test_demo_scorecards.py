"""The demo organization's scorecards (``leados.operate.demo_scorecards``): built once for
the module on a fixed day and rolled back afterwards."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from leados.core.demo import demo_create
from leados.core.tenancy import org_scope
from leados.operate.forecast import forecasts
from leados.operate.models import Measurable, MeasurableValue, Scorecard
from leados.operate.selectors.scorecards import grid, scorecard_measurables

TODAY = datetime.date(2026, 11, 18)


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                org, _owner, _password = demo_create(slug="larkspur-sc", today=TODAY)
                yield org
                raise _Rollback
        except _Rollback:
            pass


@pytest.fixture
def larkspur(demo, db):
    with org_scope(demo):
        yield demo


def test_the_leadership_team_and_every_functional_team_have_a_scorecard(larkspur):
    teams = set(
        Scorecard.objects.filter(kind="unit", unit__level="functional_team").values_list(
            "unit__name", flat=True
        )
    )
    assert (
        teams
        == {
            "Coffee & Roasting",
            "Operations & Logistics",
            "Cafés",
            "Wholesale",
            "Marketing",
            "Finance",
            "People & Culture",
        }
        or len(teams) == 7
    ), teams
    assert Scorecard.objects.filter(kind="unit", unit__level="strategy").count() == 1


def test_two_years_of_weekly_numbers_in_several_categories(larkspur):
    weekly = Measurable.objects.filter(frequency="weekly", formula="")
    categories = set(Measurable.objects.values_list("category", flat=True))
    assert {"financial", "sales", "customer_satisfaction", "operational_efficiency"} <= categories
    revenue = Measurable.objects.get(key="wholesale_revenue")
    starts = list(revenue.values.order_by("period_start").values_list("period_start", flat=True))
    assert len(starts) >= 104
    assert (starts[-1] - starts[0]).days >= 103 * 7
    assert weekly.count() >= 10


def test_a_formula_a_roll_up_and_a_few_numbers_off_track(larkspur):
    leadership = Scorecard.objects.get(kind="unit", unit__level="strategy")
    rows = scorecard_measurables(leadership)
    assert any(m.formula for m in rows) and any(m.key == "revenue" for m in rows)
    sections = grid(larkspur, rows, TODAY)
    cells = {r.measurable.key: r.cells for s in sections for r in s.rows}
    assert cells["revenue"][-1][1].computed and cells["revenue"][-1][1].value > 0
    # This week's deals are not in yet: no win rate this week, last week's computed.
    assert cells["win_rate"][-1][1] is None
    assert cells["win_rate"][-2][1].computed and 0 < cells["win_rate"][-2][1].value < 100
    found = forecasts(larkspur, rows, TODAY)
    statuses = [f.status for f in found.values()]
    assert "off_track" in statuses and "on_track" in statuses
    assert found[Measurable.objects.get(key="on_time").pk].status == "off_track"


def test_some_numbers_wait_for_this_week_and_red_values_carry_notes(larkspur):
    assert not MeasurableValue.objects.filter(
        measurable__key="deals_won", period_start__gte=TODAY - datetime.timedelta(days=6)
    ).exists()
    noted = MeasurableValue.objects.filter(measurable__key="on_time").exclude(note="")
    assert noted.exists()


def test_website_conversion_is_pulled_from_a_local_file_on_schedule(larkspur):
    from leados.operate.models import Feed
    from leados.operate.services.feeds import feed_run

    feed = Feed.objects.select_related("measurable").get(measurable__key="conversion")
    assert feed.kind == "pull" and feed.url.startswith("file:") and feed.next_run_at
    feed_run(feed=feed)
    feed.refresh_from_db()
    assert feed.status == "ok", feed.last_error
    assert feed.measurable.values.filter(source="pull", value=2.31).exists()
