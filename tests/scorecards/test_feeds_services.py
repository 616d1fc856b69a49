"""Feeds against real stand-ins: an HTTP server serving CSV and JSON, files in the feed
folder, and a PostgreSQL source database. After every run the database says what was
recorded, and a failure never records anything (least of all a zero)."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import override_settings
from werkzeug import Response

from leados.core.errors import Conflict
from leados.core.models import HistoryEntry
from leados.operate.models import Feed, MeasurableValue
from leados.operate.services.feeds import (
    feed_configure,
    feed_delete,
    feed_for_token,
    feed_run,
    feed_token_rotate,
    retry_delay,
)
from tests.scorecards.feeds_support import MONDAY, NOW, SOURCE_URL, weekly

WEEK = datetime.timedelta(days=7)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def measurable(world, in_org):
    with in_org():
        return weekly(world)


def pull(measurable, url, **fields):
    fields.setdefault("format", "json")
    if fields["format"] == "json":
        fields.setdefault("json_path", "$.total")
    return feed_configure(measurable=measurable, expected_version=None, kind="pull", url=url,
                          **fields)  # fmt: skip


def values(measurable) -> dict:
    return dict(
        MeasurableValue.objects.filter(measurable=measurable).values_list("period_start", "value")
    )


def state(feed) -> Feed:
    feed.refresh_from_db()
    return feed


# ---------------------------------------------------------------------------- pull: JSON


def test_a_json_pull_records_the_number_at_the_path_for_the_current_period(
    world, in_org, measurable, httpserver
):
    httpserver.expect_request("/kpi.json").respond_with_json({"data": {"total": 87}})
    with in_org():
        feed = pull(measurable, httpserver.url_for("/kpi.json"), json_path="$.data.total")

        outcome = feed_run(feed=feed)

        assert outcome.ok, outcome.message
        assert values(measurable) == {MONDAY: 87.0}
        assert MeasurableValue.objects.get().source == "pull"
        feed = state(feed)
        assert (feed.status, feed.failures, feed.last_error) == ("ok", 0, "")
        assert feed.last_success_at == NOW
        assert feed.next_run_at == NOW + datetime.timedelta(minutes=60)


def test_a_json_list_of_periods_records_each_period(world, in_org, measurable, httpserver):
    rows = [{"period_start": "2026-12-28", "value": 70}, {"period_start": "2027-01-04", "value": 5}]
    httpserver.expect_request("/weeks").respond_with_json({"weeks": rows})
    with in_org():
        feed = pull(measurable, httpserver.url_for("/weeks"), json_path="$.weeks")

        assert feed_run(feed=feed).ok

        assert values(measurable) == {MONDAY - WEEK: 70.0, MONDAY: 5.0}


def test_running_twice_changes_nothing_the_second_time(world, in_org, measurable, httpserver):
    httpserver.expect_request("/kpi.json").respond_with_json({"total": 12})
    with in_org():
        feed = pull(measurable, httpserver.url_for("/kpi.json"))
        feed_run(feed=feed)
        second = feed_run(feed=feed)

        assert second.ok and second.written.unchanged == 1
        assert MeasurableValue.objects.get().version == 1


@pytest.mark.parametrize(
    ("respond", "message"),
    [
        (lambda s: s.respond_with_data("boom", status=500), "HTTP 500"),
        (
            lambda s: s.respond_with_data("{not json", content_type="application/json"),
            "not valid JSON",
        ),  # fmt: skip
        (lambda s: s.respond_with_json({"other": 1}), "found nothing"),
        (lambda s: s.respond_with_json({"total": "n/a"}), "not a number"),
        (lambda s: s.respond_with_json({"total": None}), "not a number"),
        (lambda s: s.respond_with_json({"total": [1, 2]}), "found 2 values"),
        (lambda s: s.respond_with_json({"total": [{"value": 3}]}), "needs both period_start"),
        (
            lambda s: s.respond_with_json({"total": [{"period_start": "2027-01-05", "value": 3}]}),
            "does not start a weekly period",
        ),  # fmt: skip
    ],
    ids=["500", "garbage", "missing-path", "text", "null", "many", "no-period", "bad-period"],
)
def test_a_bad_response_records_a_failure_and_no_value(
    world, in_org, measurable, httpserver, respond, message
):
    respond(httpserver.expect_request("/kpi.json"))
    with in_org():
        feed = pull(measurable, httpserver.url_for("/kpi.json"))

        outcome = feed_run(feed=feed)

        assert not outcome.ok
        assert message in outcome.message
        assert not MeasurableValue.objects.exists()  # never a zero, never anything
        feed = state(feed)
        assert feed.status == "failing"
        assert message in feed.last_error
        assert feed.failures == 1
        assert feed.next_run_at == NOW + datetime.timedelta(minutes=1)


def test_failures_back_off_and_a_success_resets_them(world, in_org, measurable, httpserver):
    httpserver.expect_request("/kpi.json").respond_with_data("down", status=503)
    with in_org():
        feed = pull(measurable, httpserver.url_for("/kpi.json"), interval_minutes=30)
        for _ in range(3):
            feed_run(feed=feed)
        feed = state(feed)
        assert feed.failures == 3
        assert feed.next_run_at == NOW + datetime.timedelta(minutes=4)

        httpserver.clear()
        httpserver.expect_request("/kpi.json").respond_with_json({"total": 40})
        assert feed_run(feed=feed).ok
        feed = state(feed)
        assert (feed.failures, feed.status, feed.last_error) == (0, "ok", "")
        assert values(measurable) == {MONDAY: 40.0}


def test_the_retry_pause_doubles_up_to_the_interval():
    assert [retry_delay(n, 60).seconds // 60 for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert retry_delay(500, 5) == datetime.timedelta(minutes=5)


@override_settings(LEADOS_FEED_TIMEOUT=0.5)
def test_a_server_that_never_answers_times_out(world, in_org, measurable, silent_port):
    with in_org():
        feed = pull(measurable, f"http://127.0.0.1:{silent_port}/kpi.json")

        outcome = feed_run(feed=feed)

        assert not outcome.ok
        assert "timeout" in outcome.message
        assert not MeasurableValue.objects.exists()
        assert state(feed).status == "failing"


@override_settings(LEADOS_FEED_MAX_BYTES=1024)
def test_a_response_over_the_size_cap_is_refused(world, in_org, measurable, httpserver):
    httpserver.expect_request("/big").respond_with_json({"total": 1, "pad": "x" * 5000})
    with in_org():
        feed = pull(measurable, httpserver.url_for("/big"))

        outcome = feed_run(feed=feed)

        assert "larger than 1,024 bytes" in outcome.message
        assert not MeasurableValue.objects.exists()


def test_a_redirect_to_a_file_url_is_refused(world, in_org, measurable, httpserver, tmp_path):
    (tmp_path / "secret.json").write_text('{"total": 9}')
    httpserver.expect_request("/moved").respond_with_response(
        Response(status=302, headers={"Location": f"file://{tmp_path}/secret.json"})
    )
    with in_org():
        feed = pull(measurable, httpserver.url_for("/moved"))

        outcome = feed_run(feed=feed)

        assert not outcome.ok and "is not allowed" in outcome.message
        assert not MeasurableValue.objects.exists()


# ---------------------------------------------------------------------------- pull: CSV

CSV = "week,orders,returns\n2026-12-28,70,3\n2027-01-04,81,2\n2027-01-11,99,1\n"


def test_a_csv_pull_takes_the_row_of_the_current_period(world, in_org, measurable, httpserver):
    httpserver.expect_request("/kpi.csv").respond_with_data(CSV, content_type="text/csv")
    with in_org():
        feed = pull(measurable, httpserver.url_for("/kpi.csv"), format="csv", csv_column="orders")

        assert feed_run(feed=feed).ok

        assert values(measurable) == {MONDAY: 81.0}


def test_without_a_row_for_the_period_the_last_row_is_taken_for_its_own_period(
    world, in_org, measurable, httpserver
):
    body = "week,orders\n2026-12-21,60\n2026-12-28,70\n"
    httpserver.expect_request("/kpi.csv").respond_with_data(body, content_type="text/csv")
    with in_org():
        feed = pull(measurable, httpserver.url_for("/kpi.csv"), format="csv", csv_column="orders")

        assert feed_run(feed=feed).ok

        assert values(measurable) == {MONDAY - WEEK: 70.0}


def test_an_undated_last_row_is_the_current_period(world, in_org, measurable, httpserver):
    httpserver.expect_request("/kpi.csv").respond_with_data('label,orders\ntotal,1\nnow,"1,250"\n')
    with in_org():
        feed = pull(measurable, httpserver.url_for("/kpi.csv"), format="csv", csv_column="orders")

        assert feed_run(feed=feed).ok

        assert values(measurable) == {MONDAY: 1250.0}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("week,orders\n2027-01-04,lots\n", "not a number: 'lots'"),
        ("week,orders\n2027-01-04,\n", "is empty"),
        ("week,sales\n2027-01-04,5\n", "no column 'orders'"),
        ("week,orders\n", "at least one row"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
    ],
    ids=["text", "empty", "no-column", "header-only", "binary"],
)
def test_a_bad_csv_records_a_failure_and_no_value(
    world, in_org, measurable, httpserver, body, message
):
    httpserver.expect_request("/kpi.csv").respond_with_data(body)
    with in_org():
        feed = pull(measurable, httpserver.url_for("/kpi.csv"), format="csv", csv_column="orders")

        outcome = feed_run(feed=feed)

        assert message in outcome.message
        assert not MeasurableValue.objects.exists()
        assert state(feed).failures == 1


# ---------------------------------------------------------------------------- pull: files


def test_a_file_inside_the_feed_folder_is_read(world, in_org, measurable, tmp_path):
    (tmp_path / "orders.csv").write_text(CSV)
    with override_settings(LEADOS_FEED_FILE_DIR=tmp_path), in_org():
        feed = pull(measurable, f"file://{tmp_path}/orders.csv", format="csv", csv_column="orders")

        assert feed_run(feed=feed).ok

        assert values(measurable) == {MONDAY: 81.0}


def test_a_missing_file_is_a_failure(world, in_org, measurable, tmp_path):
    with override_settings(LEADOS_FEED_FILE_DIR=tmp_path), in_org():
        feed = pull(measurable, f"file://{tmp_path}/later.json")

        outcome = feed_run(feed=feed)

        assert "no file later.json" in outcome.message
        assert not MeasurableValue.objects.exists()


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "file://{dir}/../outside.json", "ftp://example.com/x.csv",
     "gopher://example.com/", "javascript:alert(1)", "http:///nohost", "http://h:99999/"],
)  # fmt: skip
def test_urls_outside_http_and_the_feed_folder_are_refused(
    world, in_org, measurable, tmp_path, url
):
    feed_dir = tmp_path / "feeds"
    feed_dir.mkdir()
    (tmp_path / "outside.json").write_text('{"total": 1}')
    with override_settings(LEADOS_FEED_FILE_DIR=feed_dir), in_org():
        with pytest.raises(ValidationError) as exc:
            pull(measurable, url.format(dir=feed_dir))

        assert "url" in exc.value.message_dict
        assert not Feed.objects.exists()
        assert not HistoryEntry.objects.filter(object_type="feed").exists()


def test_a_file_moved_out_of_reach_after_configuring_is_not_read(
    world, in_org, measurable, tmp_path
):
    (tmp_path / "kpi.json").write_text('{"total": 5}')
    with override_settings(LEADOS_FEED_FILE_DIR=tmp_path), in_org():
        feed = pull(measurable, f"file://{tmp_path}/kpi.json")
    with override_settings(LEADOS_FEED_FILE_DIR=tmp_path / "elsewhere"), in_org():
        outcome = feed_run(feed=feed)

        assert "only name files inside" in outcome.message
        assert not MeasurableValue.objects.exists()


# ---------------------------------------------------------------------------- configuring


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "pull", "url": "https://x.test/k", "format": "json", "json_path": "$[["},
         "json_path"),
        ({"kind": "pull", "url": "https://x.test/k", "format": "json"}, "json_path"),
        ({"kind": "pull", "url": "https://x.test/k", "format": "xml"}, "format"),
        ({"kind": "pull", "url": "https://x.test/k", "format": "csv", "interval_minutes": 1},
         "interval_minutes"),
        ({"kind": "sql", "database_url": "mysql://h/db", "query": "SELECT 1"}, "database_url"),
        ({"kind": "sql", "database_url": "postgres://h", "query": "SELECT 1"}, "database_url"),
        ({"kind": "sql", "database_url": "postgres://h/db", "query": "DELETE FROM t"}, "query"),
        ({"kind": "sql", "database_url": "postgres://h/db", "query": "SELECT 1; DROP TABLE t"},
         "query"),
        ({"kind": "sql", "database_url": "postgres://h/db", "query": ""}, "query"),
        ({"kind": "fax"}, "kind"),
    ],
)  # fmt: skip
def test_bad_settings_are_refused_with_the_field_named(world, in_org, measurable, fields, field):
    with in_org():
        with pytest.raises(ValidationError) as exc:
            feed_configure(measurable=measurable, expected_version=None, **fields)

        assert field in exc.value.message_dict
        assert not Feed.objects.exists()


def test_a_formula_measurable_takes_no_feed(world, in_org):
    with in_org():
        weekly(world, name="Won", key="won")
        rate = weekly(world, name="Rate", formula="won * 2")
        with pytest.raises(ValidationError):
            feed_configure(measurable=rate, expected_version=None, kind="push")
        assert not Feed.objects.exists()


def test_changes_have_history_without_the_database_password(world, in_org, measurable):
    secret_url = "postgres://reader:s3cret-pw@db.example.com:5432/sales"
    with in_org():
        feed = feed_configure(
            measurable=measurable, expected_version=None, kind="sql",
            database_url=secret_url, query="SELECT 1",
        )  # fmt: skip
        feed = feed_configure(
            measurable=measurable, expected_version=1, kind="sql",
            database_url="postgres://reader:other-pw@db.example.com:5432/sales",
            query="SELECT 2",
        )  # fmt: skip
        # Left out, the stored URL stays.
        feed = feed_configure(
            measurable=measurable, expected_version=2, kind="sql", query="SELECT 3"
        )
        assert state(feed).database_url.endswith("other-pw@db.example.com:5432/sales")

        entries = list(HistoryEntry.objects.filter(object_type="feed").order_by("pk"))
        assert [e.action for e in entries] == ["create", "update", "update"]
        assert entries[1].changes["database_url"] == [
            "db.example.com:5432/sales", "db.example.com:5432/sales (new credentials)",
        ]  # fmt: skip
        assert entries[1].changes["query"] == ["SELECT 1", "SELECT 2"]
        stored = json.dumps([[e.changes, e.snapshot] for e in entries])
        assert "s3cret-pw" not in stored and "other-pw" not in stored and "reader" not in stored


def test_a_stale_change_is_refused(world, in_org, measurable):
    with in_org():
        feed_configure(measurable=measurable, expected_version=None, kind="push")
        feed_configure(measurable=measurable, expected_version=1, kind="push", enabled=False)
        with pytest.raises(Conflict):
            feed_configure(measurable=measurable, expected_version=1, kind="push")
        with pytest.raises(Conflict):  # "it had no feed" when it has one
            feed_configure(measurable=measurable, expected_version=0, kind="push")
        assert Feed.objects.get().enabled is False


def test_a_token_is_shown_once_kept_as_a_hash_and_rotating_ends_the_old_one(
    world, in_org, measurable
):
    with in_org():
        feed = feed_configure(measurable=measurable, expected_version=None, kind="push")
        feed, first = feed_token_rotate(feed=feed, expected_version=1)
        stored = state(feed)
        assert first not in (stored.token_hash, stored.token_hint)
        assert first.startswith(stored.token_hint)
        assert feed_for_token(first).pk == feed.pk

        feed, second = feed_token_rotate(feed=feed, expected_version=2)

        assert feed_for_token(first) is None
        assert feed_for_token(second).pk == feed.pk
        history = json.dumps(list(HistoryEntry.objects.values_list("changes", "snapshot")))
        assert first not in history and second not in history
        assert stored.token_hash not in history


def test_turning_a_push_feed_into_a_pull_feed_ends_its_token(world, in_org, measurable):
    with in_org():
        feed = feed_configure(measurable=measurable, expected_version=None, kind="push")
        feed, token = feed_token_rotate(feed=feed, expected_version=1)
        feed_configure(
            measurable=measurable, expected_version=2, kind="pull",
            url="https://example.com/k.json", format="json", json_path="$.v",
        )  # fmt: skip

        assert feed_for_token(token) is None
        assert state(feed).next_run_at == NOW  # due at once


def test_deleting_a_feed_keeps_its_values_and_history(world, in_org, measurable, httpserver):
    httpserver.expect_request("/kpi.json").respond_with_json({"total": 3})
    with in_org():
        feed = pull(measurable, httpserver.url_for("/kpi.json"))
        feed_run(feed=feed)

        feed_delete(feed=feed, expected_version=1)

        assert not Feed.objects.exists()
        assert values(measurable) == {MONDAY: 3.0}
        assert HistoryEntry.objects.filter(object_type="feed", action="delete").exists()


# ---------------------------------------------------------------------------- SQL


def sql_feed(measurable, query, url=SOURCE_URL):
    return feed_configure(
        measurable=measurable, expected_version=None, kind="sql", database_url=url, query=query
    )


def test_a_sql_feed_records_one_value(world, in_org, measurable, source_db):
    source_db.insert((MONDAY, 42), (MONDAY + datetime.timedelta(days=1), 8))
    with in_org():
        feed = sql_feed(measurable, source_db.query("SELECT sum(value) FROM {table};"))

        outcome = feed_run(feed=feed)

        assert outcome.ok, outcome.message
        assert values(measurable) == {MONDAY: 50.0}
        assert MeasurableValue.objects.get().source == "sql"
        assert state(feed).status == "ok"


def test_a_sql_feed_records_rows_of_periods(world, in_org, measurable, source_db):
    source_db.insert((MONDAY - WEEK, 30), (MONDAY - WEEK + datetime.timedelta(days=2), 5),
                     (MONDAY, 12))  # fmt: skip
    query = source_db.query(
        "SELECT date_trunc('week', day)::date, sum(value) FROM {table} GROUP BY 1 ORDER BY 1"
    )
    with in_org():
        feed = sql_feed(measurable, query)

        assert feed_run(feed=feed).ok

        assert values(measurable) == {MONDAY - WEEK: 35.0, MONDAY: 12.0}


def test_a_write_sneaked_into_a_select_is_refused_by_the_read_only_transaction(
    world, in_org, measurable, source_db
):
    source_db.insert((MONDAY, 1))
    query = source_db.query(
        "WITH gone AS (DELETE FROM {table} RETURNING value) SELECT count(*) FROM gone"
    )
    with in_org():
        feed = sql_feed(measurable, query)

        outcome = feed_run(feed=feed)

        assert not outcome.ok
        assert "tried to write" in outcome.message
        assert source_db.rows() == [(MONDAY, 1)]
        assert not MeasurableValue.objects.exists()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT value FROM no_such_table", 'relation "no_such_table" does not exist'),
        ("SELECT NULL", "NULL, not a number"),
        ("SELECT 'many'", "not a number"),
        ("SELECT 1 WHERE false", "no rows"),
        ("SELECT generate_series(1, 3)", "3 rows of one column"),
        ("SELECT 'yesterday', 4", "period's first day"),
        ("SELECT pg_sleep(5)", "timeout"),
    ],
    ids=["no-table", "null", "text", "empty", "many", "no-date", "slow"],
)
@override_settings(LEADOS_FEED_TIMEOUT=1)
def test_a_bad_query_gives_a_clear_message_and_no_value(
    world, in_org, measurable, source_db, query, message
):
    with in_org():
        feed = sql_feed(measurable, query)

        outcome = feed_run(feed=feed)

        assert not outcome.ok
        assert message in outcome.message
        assert not MeasurableValue.objects.exists()
        assert state(feed).last_error == outcome.message


def test_an_unreachable_database_is_a_failure_naming_host_and_database_only(
    world, in_org, measurable, silent_port
):
    url = f"postgres://reader:pw-123@127.0.0.1:{silent_port}/sales"
    with override_settings(LEADOS_FEED_TIMEOUT=1), in_org():
        feed = sql_feed(measurable, "SELECT 1", url=url)

        outcome = feed_run(feed=feed)

        assert outcome.message.startswith(f"Could not connect to 127.0.0.1:{silent_port}/sales")
        assert "pw-123" not in outcome.message
        assert not MeasurableValue.objects.exists()
