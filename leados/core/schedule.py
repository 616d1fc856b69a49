"""Periodic jobs, run by the worker without cron: a registry and a scheduler.

A job is a task that takes an organization id and is queued once a day per organization,
as soon as the organization's local date has moved on. ``leados worker`` calls
``enqueue_due`` when it starts and then every ``INTERVAL`` seconds from a thread.

Any number of workers may run the scheduler: a job counts as queued for a day only once
its ``PeriodicRun`` row (unique per job, organization and day) is inserted, and only the
worker whose insert succeeds queues the task, in the same transaction.

Register a job where its task is defined::

    @periodic("operate.goal_status_refresh")
    @task()
    def goal_status_refresh(organization_id: int) -> int: ...

Work due more often than daily (a feed that runs every few minutes) registers a *tick*: a
function called with the time at every look (``run_ticks``), which claims what is due in
the database and queues it; the claim, not the tick, keeps two workers from doing the
same work::

    @every_tick("operate.feeds")
    def feeds_enqueue_due(now: datetime.datetime) -> list[int]: ...
"""

from __future__ import annotations

import datetime
import logging
import threading
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from leados.core.models import Organization
from leados.core.tenancy import scopes_disabled

logger = logging.getLogger(__name__)

INTERVAL = 60.0  # seconds between two looks for due jobs


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    task: object  # a django-tasks Task taking (organization_id: int)
    # The ids of the organizations the job has work in (None: all), asked only when some
    # organization's day is not yet claimed; an organization left out is not queued.
    only: Callable[[list[int]], set[int]] | None = None


JOBS: dict[str, PeriodicJob] = {}


def periodic(name: str, *, only: Callable[[list[int]], set[int]] | None = None):
    """Register a task as a daily job per organization under a stable ``name``; ``only``
    picks, from the organization ids it is given, those the job has work in."""

    def register(task):
        if name in JOBS and JOBS[name].task is not task:
            raise ValueError(f"A periodic job named {name!r} is already registered.")
        JOBS[name] = PeriodicJob(name=name, task=task, only=only)
        return task

    return register


TICKS: dict[str, Callable[[datetime.datetime], list]] = {}


def every_tick(name: str):
    """Register ``func(now)`` to be called at every scheduler look under a stable ``name``;
    it queues what is due and returns what it queued."""

    def register(func):
        if name in TICKS and TICKS[name] is not func:
            raise ValueError(f"A tick named {name!r} is already registered.")
        TICKS[name] = func
        return func

    return register


def run_ticks(*, now: datetime.datetime | None = None) -> dict[str, list]:
    """Call every registered tick once; one that fails is logged and the others still run."""
    discover()
    now = now or timezone.now()
    done = {}
    for name, func in TICKS.items():
        try:
            done[name] = func(now)
        except Exception:
            logger.exception("The scheduler tick %s failed; trying again at the next look.", name)
            continue
        if done[name]:
            logger.info("Tick %s queued %d item(s).", name, len(done[name]))
    return done


def discover() -> dict[str, PeriodicJob]:
    """Import every app's ``tasks`` module, where jobs register themselves."""
    autodiscover_modules("tasks")
    return JOBS


def _local_day(now: datetime.datetime, zone: str, zones: dict) -> datetime.date:
    tz = zones.get(zone)
    if tz is None:
        tz = zones[zone] = zoneinfo.ZoneInfo(zone)
    return now.astimezone(tz).date()


def enqueue_due(*, now: datetime.datetime | None = None) -> list[tuple[str, int, datetime.date]]:
    """Queue every job not yet queued for its organization's current local day.

    Returns what this call queued as ``(job, organization id, day)``; a job another worker
    queued first is skipped, so calling it any number of times queues each once a day.
    """
    jobs = discover()
    if not jobs:
        return []
    from leados.core.models import PeriodicRun

    now = now or timezone.now()
    zones: dict = {}
    queued = []
    with scopes_disabled():
        organizations = [
            (pk, _local_day(now, zone, zones))
            for pk, zone in Organization.objects.order_by("pk").values_list("pk", "time_zone")
        ]
        if not organizations:
            return []
        earliest = min(day for _, day in organizations)
        done = set(
            PeriodicRun.objects.filter(day__gte=earliest, job__in=list(jobs)).values_list(
                "job", "organization_id", "day"
            )
        )
        for job in jobs.values():
            due = [(o, day) for o, day in organizations if (job.name, o, day) not in done]
            if due and job.only is not None:
                wanted = job.only([o for o, _ in due])
                due = [(o, day) for o, day in due if o in wanted]
            for org_id, day in due:
                try:
                    with transaction.atomic():
                        PeriodicRun.objects.create(organization_id=org_id, job=job.name, day=day)
                        # Queued inside the transaction that claims the day: with the database
                        # queue both happen or neither; with Redis a failed commit can at worst
                        # run an idempotent job twice, never skip a day.
                        job.task.enqueue(org_id)
                except IntegrityError:
                    continue  # another worker claimed it first
                queued.append((job.name, org_id, day))
    for name, org_id, day in queued:
        logger.info("Queued periodic job %s for organization %s (%s).", name, org_id, day)
    return queued


def start_scheduler(interval: float = INTERVAL) -> threading.Event:
    """Look for due jobs every ``interval`` seconds from a daemon thread until the returned
    event is set (or the process exits)."""
    stop = threading.Event()

    def loop():
        while not stop.wait(interval):
            try:
                enqueue_due()
            except Exception:  # a database hiccup must not end the scheduler
                logger.exception("Looking for due periodic jobs failed; trying again later.")
            try:
                run_ticks()
            except Exception:
                logger.exception("Running the scheduler ticks failed; trying again later.")
            finally:
                close_old_connections()

    threading.Thread(target=loop, name="leados-scheduler", daemon=True).start()
    return stop
