"""The feed page: set up a feed, see its last run, issue a token once, run it now, remove it.
Each step checked in the database, and the refusals change nothing."""

from __future__ import annotations

import pytest
import time_machine
from django_scopes import scopes_disabled

from leados.core.models import HistoryEntry
from leados.operate.models import Feed, MeasurableValue
from leados.operate.services.feeds import feed_configure, feed_for_token
from tests.scorecards.feeds_support import MONDAY, NOW, weekly


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def measurable(world, in_org):
    with in_org():
        return weekly(world)


def url(m, tail=""):
    return f"/o/acme/measurables/{m.pk}/feed/{tail}"


def feed_of(m):
    with scopes_disabled():
        return Feed.objects.filter(measurable=m).first()


def stored(m):
    with scopes_disabled():
        rows = MeasurableValue.objects.filter(measurable=m)
        return dict(rows.values_list("period_start", "value"))


def form(**fields):
    base = dict.fromkeys(("url", "format", "json_path", "csv_column", "database_url", "query"), "")
    base.update(version=0, kind="pull", interval_minutes=60, enabled="on")
    return {**base, **fields}


def test_the_lead_sets_up_a_pull_feed_and_runs_it(world, measurable, client_for, httpserver):
    httpserver.expect_request("/kpi.csv").respond_with_data("week,orders\n2027-01-04,33\n")
    client = client_for("member")  # leads Sales
    assert client.get(url(measurable)).status_code == 200

    saved = client.post(url(measurable), form(url=httpserver.url_for("/kpi.csv"), format="csv",
                                             csv_column="orders", interval_minutes=30))  # fmt: skip

    assert saved.status_code == 302
    feed = feed_of(measurable)
    assert (feed.kind, feed.format, feed.interval_minutes) == ("pull", "csv", 30)
    assert feed.status == "new"
    ran = client.post(url(measurable, "run/"), follow=True)
    assert "Recorded 1 value" in ran.content.decode()
    assert stored(measurable) == {MONDAY: 33.0}
    page = client.get(url(measurable)).content.decode()
    assert 'data-feed-status="ok"' in page


def test_a_failed_run_shows_its_message_and_records_nothing(
    world, measurable, client_for, httpserver
):
    httpserver.expect_request("/kpi.json").respond_with_data("nope", status=500)
    client = client_for("owner")
    client.post(url(measurable), form(url=httpserver.url_for("/kpi.json"), format="json",
                                      json_path="$.n"))  # fmt: skip

    ran = client.post(url(measurable, "run/"), follow=True)

    page = ran.content.decode()
    assert "The run failed and recorded nothing" in page and "HTTP 500" in page
    assert 'data-feed-status="failing"' in page
    assert stored(measurable) == {}
    assert feed_of(measurable).failures == 1


def test_bad_settings_show_the_message_and_change_nothing(world, measurable, client_for):
    client = client_for("owner")

    response = client.post(url(measurable), form(url="ftp://example.com/x.csv", format="csv"))

    assert response.status_code == 422
    assert "Use an http:// or https:// URL" in response.content.decode()
    assert feed_of(measurable) is None


def test_a_stale_form_is_refused(world, in_org, measurable, client_for):
    with in_org():
        feed_configure(measurable=measurable, expected_version=None, kind="push")
        feed_configure(measurable=measurable, expected_version=1, kind="push", enabled=False)

    response = client_for("owner").post(url(measurable), form(version=1, kind="push"))

    assert response.status_code == 409
    assert "Someone else changed this feed" in response.content.decode()
    assert feed_of(measurable).enabled is False


def test_the_push_token_is_shown_once_with_a_curl_example(world, measurable, client_for):
    client = client_for("owner")
    client.post(url(measurable), form(kind="push"))

    shown = client.post(url(measurable, "token/"), {"version": 1})

    page = shown.content.decode()
    assert shown.status_code == 200
    token = page.split('id="new-token" class="mono" readonly value="')[1].split('"')[0]
    assert feed_for_token(token).measurable_id == measurable.pk
    assert f"Authorization: Bearer {token}" in page
    assert token not in client.get(url(measurable)).content.decode()


def test_the_database_password_never_comes_back(world, measurable, client_for):
    client = client_for("owner")
    secret = "postgres://r:pa55-word@db.test:5432/crm"
    client.post(url(measurable), form(kind="sql", query="SELECT 1", database_url=secret))
    client.post(url(measurable), form(version=1, kind="sql", query="SELECT 2"))

    page = client.get(url(measurable)).content.decode()
    history = client.get("/o/acme/history/").content.decode()

    assert "db.test:5432/crm" in page
    assert "pa55-word" not in page and "pa55-word" not in history
    assert feed_of(measurable).query == "SELECT 2"
    assert feed_of(measurable).database_url.endswith("pa55-word@db.test:5432/crm")


def test_removing_keeps_the_values(world, in_org, measurable, client_for):
    with in_org():
        feed_configure(measurable=measurable, expected_version=None, kind="push")
    client = client_for("owner")

    stale = client.post(url(measurable, "delete/"), {"version": 5})
    assert feed_of(measurable) is not None
    client.post(url(measurable, "delete/"), {"version": 1})

    assert stale.status_code == 302
    assert feed_of(measurable) is None
    with scopes_disabled():
        assert HistoryEntry.objects.filter(object_type="feed", action="delete").exists()


@pytest.mark.parametrize("persona", ["viewer", "coach"])
def test_read_only_people_get_403_and_change_nothing(world, measurable, client_for, persona):
    client = client_for(persona)

    assert client.get(url(measurable)).status_code == 403
    assert client.post(url(measurable), form(kind="push")).status_code == 403
    assert feed_of(measurable) is None
