"""Scheduled feeds: the claim that keeps two workers from running one feed twice, the
scheduler tick, the task, and a real ``leados worker --burst`` that pulls from a server."""

from __future__ import annotations

import datetime
import signal
import threading

import pytest
import time_machine
from django.db import connection, transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from leados import cli
from leados.core.schedule import TICKS, run_ticks
from leados.core.tenancy import scopes_disabled
from leados.operate.models import Feed, MeasurableValue
from leados.operate.services.feeds import CLAIM_LEASE, feed_configure, feeds_claim
from leados.operate.services.measurables import measurable_archive
from leados.operate.tasks import feed_run_due, feeds_enqueue_due
from tests.scorecards.feeds_support import MONDAY, NOW, weekly

LATER = NOW + datetime.timedelta(minutes=1)


def make_feeds(world, in_org, url, count=3, **fields):
    ids = []
    with in_org():
        for n in range(count):
            m = weekly(world, name=f"Orders {n}")
            feed = feed_configure(
                measurable=m, expected_version=None, kind="pull", url=url, format="json",
                json_path="$.total", **fields,
            )  # fmt: skip
            ids.append(feed.pk)
    return ids


def feeds(**filters):
    with scopes_disabled():
        return Feed.objects.filter(**filters)


def recorded():
    with scopes_disabled():
        return sorted(MeasurableValue.objects.values_list("measurable__name", "value"))


def test_two_claims_never_get_the_same_feed(world, in_org):
    with time_machine.travel(NOW, tick=False):
        ids = make_feeds(world, in_org, "https://example.com/k.json")
    with transaction.atomic():
        first = feeds_claim(now=LATER)
    with transaction.atomic():
        second = feeds_claim(now=LATER)

    assert sorted(first) == sorted(ids)
    assert second == []
    assert {f.next_run_at for f in feeds()} == {LATER + CLAIM_LEASE}
    with transaction.atomic():  # a run that never reported back is claimed again later
        assert sorted(feeds_claim(now=LATER + CLAIM_LEASE)) == sorted(ids)


def test_only_enabled_scheduled_due_feeds_of_live_measurables_are_claimed(world, in_org):
    with time_machine.travel(NOW, tick=False):
        due, disabled, archived = make_feeds(world, in_org, "https://example.com/k.json")
        with in_org():
            feed_configure(
                measurable=Feed.objects.get(pk=disabled).measurable, expected_version=1,
                kind="pull", url="https://example.com/k.json", format="json",
                json_path="$.total", enabled=False,
            )  # fmt: skip
            measurable_archive(
                measurable=Feed.objects.get(pk=archived).measurable, expected_version=None
            )
            push = weekly(world, name="Pushed")
            feed_configure(measurable=push, expected_version=None, kind="push")
    with transaction.atomic():
        assert feeds_claim(now=NOW - datetime.timedelta(seconds=1)) == []  # not yet due
        assert feeds_claim(now=LATER) == [due]


def test_concurrent_claims_split_the_due_feeds(transactional_db, world, in_org):
    """Two workers claiming at the same moment, each in its own connection and transaction.

    An in-memory SQLite database lives in one connection, so there the two claims take
    turns, as SQLite's write lock makes them do in production too."""
    with time_machine.travel(NOW, tick=False):
        ids = make_feeds(world, in_org, "https://example.com/k.json", count=6)
    start = threading.Barrier(2)
    claimed: list[list[int]] = []
    errors: list[BaseException] = []
    shared = not (connection.vendor == "sqlite" and connection.is_in_memory_db())

    def claim():
        try:
            if shared:
                start.wait()
            with transaction.atomic():
                claimed.append(feeds_claim(now=LATER))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            if shared:
                connection.close()

    if shared:
        threads = [threading.Thread(target=claim) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        claim()
        claim()

    assert errors == []
    assert len(claimed) == 2
    together = claimed[0] + claimed[1]
    assert sorted(together) == sorted(ids)  # every feed claimed once, none twice


def test_the_tick_is_registered_and_runs_what_is_due(world, in_org, httpserver):
    httpserver.expect_request("/k.json").respond_with_json({"total": 17})
    with time_machine.travel(NOW, tick=False):
        ids = make_feeds(world, in_org, httpserver.url_for("/k.json"), count=2)
    assert TICKS["operate.feeds"] is feeds_enqueue_due

    with time_machine.travel(LATER, tick=False):
        done = run_ticks()  # the test backend runs each queued task at once

        assert sorted(done["operate.feeds"]) == sorted(ids)
        assert recorded() == [("Orders 0", 17.0), ("Orders 1", 17.0)]
        assert {f.next_run_at for f in feeds()} == {LATER + datetime.timedelta(minutes=60)}
        assert run_ticks()["operate.feeds"] == []  # nothing due until the interval passes


def test_the_task_skips_a_feed_that_is_gone_or_disabled(world, in_org, httpserver):
    httpserver.expect_request("/k.json").respond_with_json({"total": 1})
    with time_machine.travel(NOW, tick=False):
        (feed_id,) = make_feeds(world, in_org, httpserver.url_for("/k.json"), count=1)
        feeds(pk=feed_id).update(enabled=False)

        assert feed_run_due.call(feed_id) == "skipped"
        assert feed_run_due.call(987654) == "skipped"
        assert recorded() == []

        feeds(pk=feed_id).update(enabled=True)
        assert feed_run_due.call(feed_id).startswith("Recorded 1 value")
        assert feed_run_due.call(feed_id).startswith("Recorded 1 value")  # safe to run twice
        assert recorded() == [("Orders 0", 1.0)]


def test_a_failing_feed_is_retried_by_the_tick_and_never_records_a_value(world, in_org, httpserver):
    httpserver.expect_request("/k.json").respond_with_data("down", status=502)
    with time_machine.travel(NOW, tick=False):
        (feed_id,) = make_feeds(world, in_org, httpserver.url_for("/k.json"), count=1)
    for minutes in (1, 2, 4):  # each retry comes due after a longer pause
        at = NOW + datetime.timedelta(minutes=minutes)
        with time_machine.travel(at, tick=False):
            assert run_ticks()["operate.feeds"] == [feed_id]
            assert run_ticks()["operate.feeds"] == []
    feed = feeds().get()
    assert (feed.status, feed.failures) == ("failing", 3)
    assert "HTTP 502" in feed.last_error
    assert recorded() == []


@pytest.fixture
def database_queue():
    """Tasks queued in the database, as in production, instead of run at once; the worker's
    signal handlers put back afterwards."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        yield
    for signum, handler in handlers.items():
        signal.signal(signum, handler)


def test_a_worker_run_pulls_due_feeds_into_the_database(
    transactional_db, world, in_org, httpserver, database_queue
):
    httpserver.expect_request("/k.json").respond_with_json({"total": 64})
    with time_machine.travel(NOW, tick=False):
        make_feeds(world, in_org, httpserver.url_for("/k.json"), count=2)
    with time_machine.travel(LATER, tick=False):
        assert cli.main(["worker", "--burst", "--verbosity", "0"]) == 0

    assert recorded() == [("Orders 0", 64.0), ("Orders 1", 64.0)]
    with scopes_disabled():
        assert set(MeasurableValue.objects.values_list("period_start", "source")) == {
            (MONDAY, "pull")
        }
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
    assert {f.status for f in feeds()} == {"ok"}
