"""Statuses move as days pass: the refresh service, the daily job per organization, and a
real ``leados worker --burst`` run that queues and runs it."""

from __future__ import annotations

import datetime
import signal

import pytest
import time_machine
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from leados import cli
from leados.core.models import PeriodicRun, PeriodKind
from leados.core.periods import period_for
from leados.core.schedule import JOBS, enqueue_due
from leados.core.tenancy import org_scope, scopes_disabled
from leados.operate.models import Goal
from leados.operate.rollup import status_refresh
from leados.operate.services.check_ins import check_in_create
from leados.operate.services.goals import goal_archive, goal_create
from leados.operate.tasks import goal_status_refresh

EARLY = datetime.date(2026, 4, 10)  # early in Q2: nothing is behind yet
LATE = datetime.date(2026, 6, 25)  # late in Q2: a goal at 20 % is off track
AFTER = datetime.date(2026, 7, 2)  # Q2 is over


def noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


@pytest.fixture
def goals(world, in_org):
    with in_org():
        quarter = period_for(world.org, EARLY, PeriodKind.QUARTER)

        def make(title, value, **fields):
            goal = goal_create(
                organization=world.org,
                actor=world.owner,
                title=title,
                unit=world.root,
                period=quarter,
                start_value=0,
                target_value=100,
                today=EARLY,
                **fields,
            )
            check_in_create(goal=goal, author=world.owner, value=value, today=EARLY)
            return goal.pk

        ids = {"slow": make("Slow", 20), "fine": make("Fine", 95), "done": make("Done", 100)}
        archived = make("Shelved", 10)
        goal_archive(goal=Goal.objects.get(pk=archived), expected_version=None)
        ids["archived"] = archived
    return ids


def statuses(in_org, ids):
    with in_org():
        found = dict(Goal.objects.filter(pk__in=ids.values()).values_list("pk", "status"))
    return {name: found[pk] for name, pk in ids.items()}


def test_statuses_follow_the_date_and_only_changed_ones_are_written(world, in_org, goals):
    assert statuses(in_org, goals) == {
        "slow": "on_track", "fine": "on_track", "done": "done", "archived": "on_track",
    }  # fmt: skip
    assert status_refresh(world.org, today=EARLY) == 0
    assert status_refresh(world.org, today=LATE) == 1
    assert statuses(in_org, goals)["slow"] == "off_track"
    assert status_refresh(world.org, today=LATE) == 0  # idempotent
    assert status_refresh(world.org, today=AFTER) == 2
    assert statuses(in_org, goals) == {
        "slow": "missed", "fine": "missed", "done": "done", "archived": "on_track",
    }  # fmt: skip


def test_the_refresh_leaves_the_version_and_other_organizations_alone(world, in_org, goals):
    with in_org():
        version = Goal.objects.get(pk=goals["slow"]).version
    with org_scope(world.other_org):
        theirs = goal_create(
            organization=world.other_org,
            actor=world.outsider,
            title="Theirs",
            unit=world.other_root,
            period=period_for(world.other_org, EARLY, PeriodKind.QUARTER),
            start_value=0,
            target_value=10,
            today=EARLY,
        )
    status_refresh(world.org, today=AFTER)
    with in_org():
        assert Goal.objects.get(pk=goals["slow"]).version == version
    with org_scope(world.other_org):
        assert Goal.objects.get(pk=theirs.pk).status == "on_track"


def test_the_task_takes_an_id_and_a_missing_organization_is_no_error(world, in_org, goals):
    with time_machine.travel(noon(LATE), tick=False):
        assert goal_status_refresh.call(world.org.pk) == 1
        assert goal_status_refresh.call(world.org.pk) == 0
    assert goal_status_refresh.call(987654) == 0


def test_the_daily_job_is_registered():
    assert JOBS["operate.goal_status_refresh"].task is goal_status_refresh


def test_the_scheduler_queues_each_job_once_per_organization_and_local_day(world, in_org, goals):
    with time_machine.travel(noon(LATE), tick=False):
        queued = enqueue_due()
        # Globex has no goals: nothing to refresh there, nothing queued.
        assert queued == [("operate.goal_status_refresh", world.org.pk, LATE)]
        assert enqueue_due() == []  # a second worker (or a second look) finds nothing due
    assert statuses(in_org, goals)["slow"] == "off_track"  # run at once by the test backend
    with scopes_disabled():
        assert PeriodicRun.objects.filter(day=LATE, job="operate.goal_status_refresh").count() == 1

    # A day in Tokyo starts before a day in UTC.
    world.org.time_zone = "Asia/Tokyo"
    world.org.save()
    tokyo_morning = datetime.datetime.combine(LATE, datetime.time(20), tzinfo=datetime.UTC)
    with time_machine.travel(tokyo_morning, tick=False):
        queued = enqueue_due()
    assert queued == [("operate.goal_status_refresh", world.org.pk, LATE + datetime.timedelta(1))]


def test_a_day_already_claimed_by_another_worker_is_skipped(world, in_org, goals):
    with in_org():
        PeriodicRun.objects.create(
            organization=world.org, job="operate.goal_status_refresh", day=LATE
        )
    with time_machine.travel(noon(LATE), tick=False):
        assert enqueue_due() == []
    assert statuses(in_org, goals)["slow"] == "on_track"  # nobody ran it here


@pytest.fixture
def database_queue():
    """Tasks queued in the database, as in production, instead of run at once; the worker's
    signal handlers put back afterwards."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        yield
    for signum, handler in handlers.items():
        signal.signal(signum, handler)


def test_a_worker_run_each_day_moves_the_statuses(
    transactional_db, world, in_org, goals, database_queue
):
    # transactional_db: the worker commits and closes connections as it does in production.
    with time_machine.travel(noon(EARLY), tick=False):
        assert cli.main(["worker", "--burst", "--verbosity", "0"]) == 0
    assert statuses(in_org, goals)["slow"] == "on_track"
    assert (
        DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1
    )  # Acme: Globex has no goals

    with time_machine.travel(noon(LATE), tick=False):
        assert cli.main(["worker", "--burst", "--verbosity", "0"]) == 0
        assert statuses(in_org, goals)["slow"] == "off_track"
        assert cli.main(["worker", "--burst", "--verbosity", "0"]) == 0  # nothing new is due
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2

    with time_machine.travel(noon(AFTER), tick=False):
        assert cli.main(["worker", "--burst", "--verbosity", "0"]) == 0
    assert statuses(in_org, goals) == {
        "slow": "missed", "fine": "missed", "done": "done", "archived": "on_track",
    }  # fmt: skip
    assert DBTaskResult.objects.exclude(status="SUCCESSFUL").count() == 0
