"""Synthetic leadership routines for benchmarks: ``leados synth --sops N [--sop-weeks W]``.

About N SOPs spread round-robin over the leaders (everyone who leads or manages a unit),
taken from the 44 library routines so that all 16 dimensions are covered, each with a
cadence of every kind (daily, working days, weekly on one or two days, every two to four
weeks, monthly on a day or an nth weekday, quarterly, yearly), its version 1, and W weeks
of runs (104 by default: 50,000 SOPs make about five million runs): mostly done, on the
due date or a day or two late, some skipped with a reason, some missed, the current ones
open. Runs exist up to the generation horizon (``runs_through``), as the worker leaves
them, so the next day's generation makes only the next day's runs. Each leader has a
weekly leading-vs-doing check-in for the same weeks.

Rows are written in bulk, without history entries, like the rest of the synthetic
organization: runs and check-ins with ``COPY`` on PostgreSQL and one prepared ``INSERT``
run for many rows on SQLite, a few thousand SOPs at a time so memory stays flat, with the
runs' plain indexes built once after the load.
"""

from __future__ import annotations

import datetime
import json
import random
import time
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from leados.core.models import Person, RoleAssignment, UnitRole
from leados.core.periods import organization_today
from leados.sops.cadence import WEEKDAY_KEYS, next_occurrence, occurrences
from leados.sops.library import LIBRARY
from leados.sops.models import MAX_WINDOW_DAYS, Sop, SopRun, SopVersion, TimeCheckin
from leados.sops.services.runs import HORIZON_DAYS

SYNTH_TABLES = ("sops_sop", "sops_sopversion", "sops_soprun", "sops_timecheckin")
CHUNK = 2000  # SOPs whose runs are made and written together
LEVEL_RANK = {"strategy": 0, "functional_team": 1, "process": 2, "project": 3}
# Cadence kinds and how often each is chosen (per cent).
KINDS = [
    ("daily", 2), ("weekdays", 4), ("weekly", 40), ("weekly2", 8), ("every_n_weeks", 16),
    ("monthly_day", 12), ("monthly_weekday", 10), ("quarterly", 6), ("yearly", 2),
]  # fmt: skip
SKIP_REASONS = ["On holiday.", "Off sick.", "Covered a shift.", "Offsite with the team."]
RUN_COLUMNS = [
    "organization_id", "version", "created_at", "updated_at", "sop_id", "sop_version_id",
    "owner_id", "due_on", "window_ends_on", "state", "steps_done", "step_notes", "note",
    "minutes_spent", "skip_reason", "completed_on", "closed_at", "reminded_at",
]  # fmt: skip
CHECKIN_COLUMNS = [
    "organization_id", "version", "created_at", "updated_at", "person_id", "week_start",
    "structure_pct", "operate_pct", "perfect_pct", "doing_pct", "other_pct", "note",
]  # fmt: skip


@dataclass
class SopSynthResult:
    sops: int = 0
    leaders: int = 0
    runs: int = 0
    states: dict = field(default_factory=dict)
    checkins: int = 0
    dimensions: int = 0
    seconds: float = 0.0


def _rrule(kind: str, rng: random.Random) -> str:
    day = rng.choice(WEEKDAY_KEYS[:5])
    if kind == "daily":
        return "FREQ=DAILY"
    if kind == "weekdays":
        return "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"
    if kind == "weekly":
        return f"FREQ=WEEKLY;BYDAY={day}"
    if kind == "weekly2":
        first, second = sorted(rng.sample(range(5), 2))
        return f"FREQ=WEEKLY;BYDAY={WEEKDAY_KEYS[first]},{WEEKDAY_KEYS[second]}"
    if kind == "every_n_weeks":
        return f"FREQ=WEEKLY;INTERVAL={rng.choice([2, 2, 3, 4])};BYDAY={day}"
    if kind == "monthly_day":
        return f"FREQ=MONTHLY;BYMONTHDAY={rng.choice([1, 5, 10, 15, 20, 25, -1])}"
    if kind == "monthly_weekday":
        return f"FREQ=MONTHLY;BYDAY={rng.choice([1, 2, 3, 4, -1])}{day}"
    if kind == "quarterly":
        return f"FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY={rng.choice([1, 10, 15, 25])}"
    return f"FREQ=YEARLY;BYMONTH={rng.randint(1, 12)};BYMONTHDAY={rng.choice([1, 15])}"


def _leaders() -> list[tuple[int, int, str]]:
    """(person id, unit id, level) of everyone who leads or manages a unit, at their
    highest level; everyone active when nobody does."""
    best: dict[int, tuple[int, int, str]] = {}
    rows = RoleAssignment.objects.filter(
        role__in=[UnitRole.LEAD, UnitRole.MANAGE], person__is_active=True
    ).values_list("person_id", "unit_id", "unit__level", "role")
    for person_id, unit_id, level, role in rows.order_by("person_id", "pk"):
        rank = LEVEL_RANK.get(level, 9) * 2 + (role != UnitRole.LEAD)
        if person_id not in best or rank < best[person_id][0]:
            best[person_id] = (rank, unit_id, level)
    if best:
        return [(pid, unit, level) for pid, (_r, unit, level) in sorted(best.items())]
    people = Person.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    return [(pk, None, "self") for pk in people]


class _Schedules:
    """Due dates and windows per (rule, start), worked out once: SOPs share a few hundred."""

    def __init__(self, last: datetime.date):
        self.last = last
        self.cache: dict[tuple[str, datetime.date], list] = {}

    def get(self, rule: str, starts_on: datetime.date) -> list[tuple[datetime.date, ...]]:
        key = (rule, starts_on)
        if key not in self.cache:
            dues = occurrences(rule, starts_on, starts_on, self.last)
            nexts = dues[1:] + [next_occurrence(rule, starts_on, self.last)] if dues else []
            cap = datetime.timedelta(days=MAX_WINDOW_DAYS)
            self.cache[key] = [
                (due, due + cap if nxt is None else min(due + cap, max(due, nxt - _DAY)))
                for due, nxt in zip(dues, nexts, strict=True)
            ]
        return self.cache[key]


_DAY = datetime.timedelta(days=1)


class _Writer:
    """Many rows into one table: COPY on PostgreSQL, a prepared INSERT on SQLite."""

    def __init__(self, model, columns: list[str]):
        self.table = model._meta.db_table
        self.columns = columns
        self.postgres = connection.vendor == "postgresql"
        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in columns)
        self.copy_sql = f"COPY {quote(self.table)} ({names}) FROM STDIN"
        marks = ", ".join(["%s"] * len(columns))
        self.insert_sql = f"INSERT INTO {quote(self.table)} ({names}) VALUES ({marks})"  # noqa: S608

    def write(self, rows: list[tuple]) -> int:
        if not rows:
            return 0
        with connection.cursor() as cursor:
            if self.postgres:
                # COPY's text format written directly (psycopg's row-by-row writer costs
                # more than making the rows); the values here never hold a tab, a newline
                # or a backslash, so nothing needs escaping.
                text = "\n".join(
                    "\t".join("\\N" if value is None else str(value) for value in row)
                    for row in rows
                )
                with cursor.cursor.copy(self.copy_sql) as copy:
                    copy.write(text + "\n")
            else:
                cursor.executemany(self.insert_sql, rows)
        return len(rows)


class _IndexesLater:
    """A table's plain (not unique) indexes dropped for a bulk load and built again after
    it: one sort each instead of millions of B-tree inserts. DDL is transactional on both
    databases, so a failure leaves them as they were. (On PostgreSQL the table is locked
    meanwhile: fine for the synthetic organizations of a benchmark database.)"""

    def __init__(self, model):
        self.table = model._meta.db_table
        self.indexes: list[str] = []

    def __enter__(self):
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                    "AND indexdef NOT LIKE 'CREATE UNIQUE%%'",
                    [self.table],
                )
            else:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name = %s AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
                    [self.table],
                )
            for name, sql in cursor.fetchall():
                cursor.execute(f"DROP INDEX {quote(name)}")
                self.indexes.append(sql)
        return self

    def __exit__(self, *exc):
        if exc[0] is None and self.indexes:
            with connection.cursor() as cursor:
                postgres = connection.vendor == "postgresql"
                if postgres:
                    # The deferred foreign-key checks of the new rows run now: PostgreSQL
                    # builds no index on a table with checks pending.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for sql in self.indexes:
                    cursor.execute(sql)
                if postgres:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return False


class _Values:
    """Dates and moments as the database takes them in bulk (SQLite: ISO text in UTC)."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.moments: dict = {}

    def date(self, day: datetime.date):
        return day if self.postgres else day.isoformat()

    def moment(self, day: datetime.date, hour: int):
        key = (day, hour)
        value = self.moments.get(key)
        if value is None:
            moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)
            value = moment if self.postgres else moment.strftime("%Y-%m-%d %H:%M:%S")
            self.moments[key] = value
        return value


def synth_sops(
    organization,
    *,
    sops: int,
    weeks: int = 104,
    seed: int = 1,
    today: datetime.date | None = None,
) -> SopSynthResult:
    """Add about ``sops`` SOPs with ``weeks`` weeks of runs and the leaders' weekly
    check-ins. Call inside a transaction and the organization's scope."""
    from leados.operate.synth import _reserve_ids

    started = time.perf_counter()
    rng = random.Random(f"{seed}:sops:{organization.slug}")  # noqa: S311 - synthetic data
    today = today or organization_today(organization)
    result = SopSynthResult()
    leaders = _leaders()
    if not leaders or sops <= 0:
        return result
    org_id = organization.pk
    now = timezone.now()
    first_day = today - datetime.timedelta(weeks=weeks)
    horizon = today + datetime.timedelta(days=HORIZON_DAYS)
    kinds = [kind for kind, weight in KINDS for _ in range(weight)]
    templates = list(LIBRARY)

    if connection.vendor == "sqlite":
        # Seven indexes on the runs: a page cache this size keeps them in memory while
        # millions of rows go in (the default 2 MB makes each insert a disk read).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")
    sop_ids = _reserve_ids(Sop, sops)
    version_ids = _reserve_ids(SopVersion, sops)
    schedules = _Schedules(horizon)
    values = _Values()
    runs_out = _Writer(SopRun, RUN_COLUMNS)
    now_value = now if values.postgres else now.strftime("%Y-%m-%d %H:%M:%S.%f")
    states = {"done": 0, "skipped": 0, "missed": 0, "due": 0}
    # Per template: the steps ticked and the notes a completed run keeps.
    done_json = {}
    for template in templates:
        steps = template.steps
        done_json[template.slug] = (
            json.dumps([True] * len(steps)),
            json.dumps(["Notes in the team folder." if s.evidence else "" for s in steps]),
        )
    empty = "[]"
    dimensions = set()

    with _IndexesLater(SopRun):
        for chunk_start in range(0, sops, CHUNK):
            chunk = range(chunk_start, min(chunk_start + CHUNK, sops))
            sop_rows, version_rows, run_rows = [], [], []
            for i in chunk:
                person_id, unit_id, level = leaders[i % len(leaders)]
                # Rotate the library per leader, so that each leader's routines differ.
                template = templates[(i + i // len(leaders)) % len(templates)]
                dimensions.add(template.dimension)
                rule = _rrule(rng.choice(kinds), rng)
                # Most started two years ago; some later, on a Monday.
                starts_on = first_day
                if rng.random() < 0.2:
                    starts_on = first_day + datetime.timedelta(weeks=rng.randrange(weeks))
                at = datetime.time(rng.randint(7, 17), rng.choice([0, 30]))
                content = {
                    "title": template.title,
                    "purpose": template.purpose,
                    "steps": [{"text": s.text, "link": s.link, "evidence": s.evidence}
                              for s in template.steps],
                    "duration_minutes": template.duration_minutes,
                }  # fmt: skip
                sop_id, version_id = sop_ids[i], version_ids[i]
                sop_rows.append(
                    Sop(
                        pk=sop_id, organization_id=org_id, owner_id=person_id, unit_id=unit_id,
                        domain=template.domain, dimension=template.dimension,
                        levels=[level] if level in template.levels else list(template.levels),
                        rrule=rule, starts_on=starts_on, time_of_day=at,
                        visibility=rng.choice(["private", "unit", "unit", "organization"]),
                        template_slug=template.slug, version_number=1, runs_through=horizon,
                        created_at=now, updated_at=now, **content,
                    )
                )  # fmt: skip
                version_rows.append(
                    SopVersion(
                        pk=version_id, organization_id=org_id, sop_id=sop_id, number=1,
                        made_by_id=person_id, change_note="First version.", created_at=now,
                        updated_at=now, **content,
                    )
                )  # fmt: skip
                reliable = rng.uniform(0.7, 0.97)
                ticked, notes = done_json[template.slug]
                duration = template.duration_minutes
                for due, window in schedules.get(rule, starts_on):
                    state, completed, closed, minutes, reason = "due", None, None, None, ""
                    steps_done = step_notes = empty
                    roll = rng.random()
                    if window < today or due <= today:
                        if roll < reliable:
                            late = (
                                0 if roll < reliable * 0.8 else (1 if roll < reliable * 0.93 else 2)
                            )
                            done_on = min(due + datetime.timedelta(days=late), window, today)
                            state, completed = "done", values.date(done_on)
                            closed = values.moment(done_on, 16)
                            minutes = duration
                            steps_done, step_notes = ticked, notes
                        elif window >= today:
                            pass  # still open
                        elif roll < reliable + (1 - reliable) * 0.3:
                            state, reason = "skipped", SKIP_REASONS[int(roll * 1000) % 4]
                            closed = values.moment(due, 7)
                        else:
                            state, closed = "missed", values.moment(window + _DAY, 1)
                    states[state] += 1
                    run_rows.append(
                        (
                            org_id, 1, now_value, now_value, sop_id, version_id, person_id,
                            values.date(due), values.date(window), state, steps_done, step_notes,
                            "", minutes, reason, completed, closed, None,
                        )
                    )  # fmt: skip
            Sop.objects.bulk_create(sop_rows, batch_size=1000)
            SopVersion.objects.bulk_create(version_rows, batch_size=1000)
            result.runs += runs_out.write(run_rows)
            result.sops += len(sop_rows)

    result.checkins = _checkins(organization, leaders, first_day, today, rng, values, now_value)
    result.leaders = len({leaders[i % len(leaders)][0] for i in range(min(sops, len(leaders)))})
    result.states = states
    result.dimensions = len(dimensions)
    result.seconds = time.perf_counter() - started
    return result


def _checkins(organization, leaders, first_day, today, rng, values, now_value) -> int:
    """A weekly check-in per leader for the weeks of runs, near their level's target."""
    targets = organization.leading_target()
    week_day = organization.week_start_day
    this_week = today - datetime.timedelta(days=(today.weekday() - week_day) % 7)
    weeks = []
    week = this_week - datetime.timedelta(weeks=1)
    while week >= first_day:
        weeks.append(values.date(week))
        week -= datetime.timedelta(weeks=1)
    writer = _Writer(TimeCheckin, CHECKIN_COLUMNS)
    org_id, written, rows = organization.pk, 0, []
    for person_id, _unit, level in leaders:
        target = targets.get(level, 60)
        bias = rng.uniform(-15, 5)
        for week_value in weeks:
            leading = max(5, min(95, round(target + bias + rng.gauss(0, 6))))
            structure = leading * 35 // 100
            operate = leading * 45 // 100
            doing = (100 - leading) * 3 // 4
            rows.append(
                (
                    org_id, 1, now_value, now_value, person_id, week_value, structure, operate,
                    leading - structure - operate, doing, 100 - leading - doing, "",
                )
            )  # fmt: skip
        if len(rows) >= 20_000:
            written += writer.write(rows)
            rows = []
    return written + writer.write(rows)
