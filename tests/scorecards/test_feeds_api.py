"""Feeds through the API: the push endpoint with an ingest token, and a measurable's feed
under the organization routes. Every answer is checked against the database."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from leados.core.models import HistoryEntry
from leados.core.tenancy import org_scope, scopes_disabled
from leados.operate.models import Feed, MeasurableValue
from leados.operate.services.feeds import feed_configure, feed_token_rotate
from tests.api.helpers import Api, assert_error_shape, if_match
from tests.scorecards.feeds_support import MONDAY, NOW, SOURCE_URL, weekly

WEEK = datetime.timedelta(days=7)
INGEST = "/api/v1/ingest/measurables"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def measurable(world, in_org):
    with in_org():
        return weekly(world)


@pytest.fixture
def pushed(world, in_org, measurable):
    """A push feed and its token."""
    with in_org():
        feed = feed_configure(measurable=measurable, expected_version=None, kind="push")
        _feed, token = feed_token_rotate(feed=feed, expected_version=1)
    return token


def stored(measurable) -> dict:
    with scopes_disabled():
        return dict(
            MeasurableValue.objects.filter(measurable=measurable).values_list(
                "period_start", "value"
            )
        )


def feed_of(measurable) -> Feed | None:
    with scopes_disabled():
        return Feed.objects.filter(measurable=measurable).first()


# ---------------------------------------------------------------------------- push


def test_a_pushed_value_lands_in_the_current_period(measurable, pushed):
    response = Api(pushed).post(INGEST, {"value": 42})

    assert response.status_code == 200, response.content
    assert response.json() == {"measurable": measurable.pk, "created": 1, "updated": 0,
                               "unchanged": 0}  # fmt: skip
    assert stored(measurable) == {MONDAY: 42.0}
    with scopes_disabled():
        value = MeasurableValue.objects.get()
        assert value.source == "push"
        entry = HistoryEntry.objects.get(object_type="measurablevalue")
        assert entry.edge == "api" and entry.actor_label.startswith("ingest token lfi_")
    assert feed_of(measurable).status == "ok"


def test_the_token_also_works_in_x_ingest_token(measurable, pushed):
    response = Api(None).post(
        INGEST, {"value": "7", "period_start": "2026-12-28", "note": "late"},
        headers={"X-Ingest-Token": pushed},
    )  # fmt: skip

    assert response.status_code == 200, response.content
    assert stored(measurable) == {MONDAY - WEEK: 7.0}


def test_many_values_at_once_are_all_or_nothing(measurable, pushed):
    good = {"items": [{"period_start": "2026-12-28", "value": 3}, {"value": 4}]}
    bad = {"items": [{"period_start": "2026-12-21", "value": 1}, {"value": "lots"},
                     {"period_start": "2026-12-30", "value": 2}]}  # fmt: skip

    refused = Api(pushed).post(INGEST, bad)

    body = assert_error_shape(refused, 422)
    assert {e["field"] for e in body["errors"]} == {"items.1.value", "items.2.period_start"}
    assert stored(measurable) == {}
    assert Api(pushed).post(INGEST, good).status_code == 200
    assert stored(measurable) == {MONDAY - WEEK: 3.0, MONDAY: 4.0}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": "n/a"}, "value"),
        ({"value": None}, "__all__"),
        ({}, "__all__"),
        ({"value": 1, "items": [{"value": 2}]}, "__all__"),
        ({"value": 1, "period_start": "2027-01-05"}, "period_start"),
        ({"value": 1, "period_start": "soon"}, "period_start"),
        ({"value": 1, "colour": "red"}, "colour"),
        ({"value": 1e300}, "value"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_written(measurable, pushed, body, field):
    response = Api(pushed).post(INGEST, body)

    errors = assert_error_shape(response, 422)["errors"]
    assert field in {e["field"] for e in errors}, errors
    assert stored(measurable) == {}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer lfi_wrong"}, {"X-Ingest-Token": "nonsense"},
     {"Authorization": "Basic abc"}],
)  # fmt: skip
def test_a_missing_or_wrong_token_is_401_and_nothing_is_written(measurable, pushed, headers):
    response = Api(None).post(INGEST, {"value": 5}, headers=headers)

    assert_error_shape(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert stored(measurable) == {}


def test_an_api_token_is_not_an_ingest_token(measurable, pushed, token_for):
    response = Api(token_for("owner")).post(INGEST, {"value": 5})

    assert_error_shape(response, 401)
    assert stored(measurable) == {}


def test_a_replaced_token_stops_working(world, in_org, measurable, pushed):
    with in_org():
        feed_token_rotate(feed=Feed.objects.get(), expected_version=None)

    assert_error_shape(Api(pushed).post(INGEST, {"value": 5}), 401)
    assert stored(measurable) == {}


def test_a_switched_off_feed_refuses_pushes(world, in_org, measurable, pushed):
    with in_org():
        feed_configure(measurable=measurable, expected_version=2, kind="push", enabled=False)

    assert_error_shape(Api(pushed).post(INGEST, {"value": 5}), 403)
    assert stored(measurable) == {}


def test_a_token_only_reaches_its_own_measurable(world, in_org, measurable, pushed):
    with org_scope(world.other_org):
        theirs = weekly_other(world)
        feed = feed_configure(measurable=theirs, expected_version=None, kind="push")
        _feed, their_token = feed_token_rotate(feed=feed, expected_version=1)

    Api(their_token).post(INGEST, {"value": 11})

    assert stored(measurable) == {}
    assert stored(theirs) == {MONDAY: 11.0}


def weekly_other(world):
    from leados.operate.services.measurables import measurable_create

    return measurable_create(
        organization=world.other_org, actor=world.outsider, unit=world.other_unit,
        name="Their orders",
    )  # fmt: skip


# ---------------------------------------------------------------------------- the feed route


def path(measurable, tail=""):
    return f"orgs/acme/measurables/{measurable.pk}/feed{tail}"


def test_setting_up_reading_changing_and_removing_a_feed(world, measurable, token_for, httpserver):
    httpserver.expect_request("/kpi.json").respond_with_json({"data": {"n": 12}})
    api = Api(token_for("member"))  # the Sales lead
    body = {"kind": "pull", "url": httpserver.url_for("/kpi.json"), "format": "json",
            "json_path": "$.data.n", "interval_minutes": 15}  # fmt: skip

    created = api.request("PUT", path(measurable), body)

    assert created.status_code == 201, created.content
    assert created["ETag"] == 'W/"1"'
    assert created.json()["next_run_at"] is not None
    assert feed_of(measurable).interval_minutes == 15

    ran = api.post(path(measurable, "/run"))
    assert ran.status_code == 200 and ran.json()["ok"] is True, ran.content
    assert ran.json()["feed"]["status"] == "ok"
    assert stored(measurable) == {MONDAY: 12.0}

    stale = api.request("PUT", path(measurable), {**body, "interval_minutes": 30},
                        headers=if_match(7))  # fmt: skip
    assert_error_shape(stale, 412)
    unversioned = api.request("PUT", path(measurable), {**body, "interval_minutes": 30})
    assert_error_shape(unversioned, 428)
    changed = api.request("PUT", path(measurable), {**body, "interval_minutes": 30},
                          headers=if_match(1))  # fmt: skip
    assert changed.status_code == 200 and changed.json()["version"] == 2
    assert feed_of(measurable).interval_minutes == 30

    assert api.get(path(measurable)).json()["interval_minutes"] == 30
    assert api.delete(path(measurable), headers=if_match(2)).status_code == 204
    assert feed_of(measurable) is None
    assert stored(measurable) == {MONDAY: 12.0}
    assert_error_shape(api.get(path(measurable)), 404)


def test_a_failed_run_answers_the_message_and_records_nothing(
    world, measurable, token_for, httpserver
):
    httpserver.expect_request("/kpi.json").respond_with_json({"other": 1})
    api = Api(token_for("owner"))
    api.request("PUT", path(measurable), {"kind": "pull", "url": httpserver.url_for("/kpi.json"),
                                          "format": "json", "json_path": "$.n"})  # fmt: skip

    ran = api.post(path(measurable, "/run"))

    assert ran.status_code == 200
    assert ran.json()["ok"] is False and "found nothing" in ran.json()["message"]
    assert ran.json()["feed"]["status"] == "failing"
    assert stored(measurable) == {}


def test_the_database_url_is_write_only(world, measurable, token_for):
    api = Api(token_for("owner"))
    url = "postgres://reader:hunter2-pw@db.example.com:5432/sales"

    put = api.request("PUT", path(measurable), {"kind": "sql", "database_url": url,
                                                "query": "SELECT 1"})  # fmt: skip
    again = api.request("PUT", path(measurable), {"kind": "sql", "query": "SELECT 2"},
                        headers=if_match(1))  # fmt: skip

    assert put.status_code == 201 and again.status_code == 200
    for response in (put, again, api.get(path(measurable)), api.get("orgs/acme/history")):
        assert b"hunter2-pw" not in response.content
        assert b"reader" not in response.content
    assert again.json()["database"] == "db.example.com:5432/sales"
    assert feed_of(measurable).database_url == url


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "pull", "url": "ftp://x.test/a.csv", "format": "csv"}, "url"),
        ({"kind": "pull", "url": "https://x.test/a", "format": "json", "json_path": "$[["},
         "json_path"),
        ({"kind": "sql", "database_url": SOURCE_URL, "query": "UPDATE t SET a = 1"}, "query"),
        ({"kind": "sql", "database_url": "sqlite:///x.db", "query": "SELECT 1"},
         "database_url"),
        ({"kind": "push", "interval_minutes": 0}, "interval_minutes"),
        ({"kind": "push", "token_hash": "abc"}, "token_hash"),
        ({"kind": "carrier pigeon"}, "kind"),
    ],
)  # fmt: skip
def test_bad_settings_are_422_and_change_nothing(world, measurable, token_for, body, field):
    response = Api(token_for("owner")).request("PUT", path(measurable), body)

    errors = assert_error_shape(response, 422)["errors"]
    assert field in {e["field"] for e in errors}, errors
    assert feed_of(measurable) is None


def test_rotating_shows_the_token_once(world, measurable, token_for):
    api = Api(token_for("owner"))
    api.request("PUT", path(measurable), {"kind": "push"})

    rotated = api.post(path(measurable, "/token"))

    assert rotated.status_code == 200
    token = rotated.json()["token"]
    assert token.startswith(rotated.json()["token_hint"])
    assert token not in api.get(path(measurable)).content.decode()
    assert Api(token).post(INGEST, {"value": 9}).status_code == 200
    assert stored(measurable) == {MONDAY: 9.0}


def test_a_pull_feed_has_no_token_and_a_push_feed_is_not_run(world, measurable, token_for):
    api = Api(token_for("owner"))
    api.request("PUT", path(measurable), {"kind": "push"})

    assert_error_shape(api.post(path(measurable, "/run")), 422)
    api.request("PUT", path(measurable), {"kind": "sql", "database_url": SOURCE_URL,
                                          "query": "SELECT 1"}, headers=if_match(1))  # fmt: skip
    assert_error_shape(api.post(path(measurable, "/token")), 422)
    assert feed_of(measurable).token_hash == ""


@pytest.mark.parametrize("persona", ["viewer", "coach", "admin"])
def test_who_may_change_a_feed(world, measurable, token_for, persona):
    response = Api(token_for(persona)).request("PUT", path(measurable), {"kind": "push"})

    expected = 201 if persona == "admin" else 403
    assert response.status_code == expected
    assert (feed_of(measurable) is not None) == (expected == 201)


def test_a_member_who_neither_owns_nor_leads_may_read_but_not_change(world, in_org, token_for):
    with in_org():
        ops = weekly(world, name="Tickets", unit=world.ops, owner=world.admin)
        feed_configure(measurable=ops, expected_version=None, kind="push")
    api = Api(token_for("member"))

    assert api.get(path(ops)).status_code == 200
    assert_error_shape(api.post(path(ops, "/token")), 403)
    assert_error_shape(api.delete(path(ops), headers=if_match(1)), 403)
    assert feed_of(ops).token_hash == ""
