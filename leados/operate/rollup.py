"""Recompute every goal's stored alignment figures from scratch, and refresh statuses.

The services keep ``path``, ``depth``, ``aligned``, ``rolls_up``, ``progress`` and
``status`` up to date change by change (``services.goals.rollup_ancestors``). This module
derives all of them for a whole organization from the facts they rest on — the parent
links, each goal's level, kind, weight, own progress, confidence and time window, and
today's date — reports every stored value that differs, and writes only those.

It reads one row per goal as a tuple, computes in plain Python and writes in bulk, so
100,000 goals take a fraction of a second. ``derive`` is the pure core, also used by
``leados synth`` to write correct figures in the first place.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, transaction

from leados.core.models import Level, Organization, Period
from leados.core.periods import organization_today
from leados.core.tenancy import org_scope
from leados.operate import progress as calc
from leados.operate.models import Goal

# Floats summed in another order differ in the last bits; that is not a difference.
TOLERANCE = 1e-9
BATCH = 500
EXAMPLES = 20
RETRIES = 3

STRATEGY = Level.STRATEGY.value
COLUMNS = (
    "id", "parent_id", "level", "kind", "weight", "own_progress", "confidence",
    "start_date", "due_date", "period_id", "archived_at",
    "path", "depth", "aligned", "rolls_up", "progress", "status",
)  # fmt: skip
CHECKED = ("path", "depth", "aligned", "rolls_up", "progress", "status")


@dataclass(frozen=True)
class Difference:
    goal_id: int
    field: str
    stored: object
    computed: object

    def __str__(self) -> str:
        return (
            f"goal {self.goal_id} {self.field}: stored {self.stored!r}, computed {self.computed!r}"
        )


@dataclass
class RecomputeResult:
    organization: Organization
    checked: int = 0
    differed: int = 0  # goals with at least one differing value
    values: int = 0  # differing values in all
    by_field: dict[str, int] = field(default_factory=dict)
    examples: list[Difference] = field(default_factory=list)
    cycles: list[int] = field(default_factory=list)  # goals whose parents loop (left alone)
    fixed: bool = False
    seconds: float = 0.0

    def summary(self) -> str:
        text = f"checked {self.checked:,} goals in {self.seconds:.2f} s; {self.differed:,} differed"
        if self.differed:
            fields = ", ".join(f"{name} {count:,}" for name, count in self.by_field.items())
            text += f" ({fields})" + ("; fixed" if self.fixed else "; not fixed (dry run)")
        if self.cycles:
            text += f"; {len(self.cycles):,} goals sit in a loop of parents and were left alone"
        return text


@dataclass
class Derived:
    """Figures computed for the rows given to ``derive``, by position."""

    path: list
    depth: list
    aligned: list
    rolls_up: list
    progress: list
    status: list  # None for an archived goal: its status stays as it was when archived
    cycles: list[int]


# ---------------------------------------------------------------------------- status


def status_function(today: datetime.date) -> Callable[..., str]:
    """``status(progress, kind, rolls_up, start, end, confidence)``: the same answer as
    ``progress.status_of`` for a window ``start``–``end``, with each distinct window worked
    out once (an organization has few: its periods and a few own dates)."""
    windows: dict[tuple, tuple] = {}

    def window(start, end) -> tuple:
        key = (start, end)
        info = windows.get(key)
        if info is None:
            share = calc.Window(start, end).elapsed_share(today)
            ended = end is not None and today > end
            before = start is not None and today < start
            info = windows[key] = (ended, share, before)
        return info

    done_at, grace = calc.DONE_AT, calc.GRACE_SHARE
    on_gap, risk_gap, binary_share = calc.ON_TRACK_GAP, calc.AT_RISK_GAP, calc.BINARY_AT_RISK_SHARE
    low, middling = calc.LOW_CONFIDENCE, calc.MIDDLING_CONFIDENCE

    def status(progress, kind, rolls_up, start, end, confidence) -> str:
        if progress >= done_at:
            return "done"
        ended, share, before = window(start, end)
        if ended:
            return "missed"
        if share is None or before:
            result = "on_track"
        elif kind == "binary" and not rolls_up:
            result = "at_risk" if share >= binary_share else "on_track"
        elif share < grace or progress >= share - on_gap:
            result = "on_track"
        elif progress >= share - risk_gap:
            result = "at_risk"
        else:
            result = "off_track"
        if confidence is not None:
            if confidence <= low:
                result = "off_track" if result != "on_track" else "at_risk"
            elif confidence <= middling and result == "on_track":
                result = "at_risk"
        return result

    return status


# ---------------------------------------------------------------------------- derive


def derive(
    *,
    ids: Sequence[int],
    parents: Sequence[int | None],
    levels: Sequence[str],
    kinds: Sequence[str],
    weights: Sequence[int],
    own: Sequence[float],
    confidence: Sequence[int | None],
    starts: Sequence[datetime.date | None],
    ends: Sequence[datetime.date | None],
    live: Sequence[bool],
    today: datetime.date,
) -> Derived:
    """Every derived figure of one organization's goals, from the facts, by position.

    ``starts``/``ends`` are each goal's window (own dates, else its period's). Progress
    rolls up from live children only; a metric goal never rolls up. A goal whose parent
    chain loops is reported in ``cycles`` and given no figures (``None``).
    """
    n = len(ids)
    index = {pk: i for i, pk in enumerate(ids)}
    children: list[list[int]] = [[] for _ in range(n)]
    roots = []
    for i, parent in enumerate(parents):
        j = index.get(parent) if parent is not None else None
        if j is None:
            roots.append(i)
        else:
            children[j].append(i)

    path: list = [None] * n
    depth: list = [None] * n
    aligned: list = [None] * n
    order: list[int] = []
    for i in roots:
        path[i] = f"/{ids[i]}/"
        depth[i] = 0
        aligned[i] = levels[i] == STRATEGY
        order.append(i)
    # Breadth first: every parent comes before its children in ``order``.
    position = 0
    while position < len(order):
        i = order[position]
        position += 1
        kids = children[i]
        if kids:
            p, d, a = path[i], depth[i] + 1, aligned[i]
            for k in kids:
                path[k] = f"{p}{ids[k]}/"
                depth[k] = d
                aligned[k] = a
            order.extend(kids)
    cycles = [ids[i] for i in range(n) if path[i] is None] if len(order) < n else []

    rolls_up: list = [None] * n
    progress: list = [None] * n
    status: list = [None] * n
    # Sums over each goal's live children: total weight, weighted progress, progress, count.
    total_w = [0] * n
    sum_wp = [0.0] * n
    sum_p = [0.0] * n
    count = [0] * n
    status_of = status_function(today)
    for i in reversed(order):
        if count[i] and kinds[i] != "metric":
            rolls_up[i] = True
            if total_w[i]:
                value = sum_wp[i] / total_w[i]
            else:
                value = sum_p[i] / count[i]
            value = 0.0 if value != value else (0.0 if value < 0 else (1.0 if value > 1 else value))
        else:
            rolls_up[i] = False
            value = own[i]
        progress[i] = value
        if live[i]:
            status[i] = status_of(value, kinds[i], rolls_up[i], starts[i], ends[i], confidence[i])
            parent = parents[i]
            if parent is not None:
                j = index[parent]
                w = weights[i]
                total_w[j] += w
                sum_wp[j] += w * value
                sum_p[j] += value
                count[j] += 1
    return Derived(path, depth, aligned, rolls_up, progress, status, cycles)


# ---------------------------------------------------------------------------- read, write


def _read(organization: Organization) -> tuple[list[tuple], dict[int, tuple]]:
    periods = {
        pk: (start, end)
        for pk, start, end in Period.objects.filter(organization=organization).values_list(
            "id", "start", "end"
        )
    }
    rows = _fetch(Goal.objects.filter(organization=organization).order_by().values_list(*COLUMNS))
    return rows, periods


def _fetch(queryset) -> list[tuple]:
    """The rows of a ``values_list`` query as the database driver returns them, without the
    ORM's per-value converters (a third of the time at 100,000 rows); the drivers already
    return dates and booleans as such (Django registers SQLite's converters by type)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _windows(rows, periods) -> tuple[list, list]:
    starts, ends = [], []
    nowhere = (None, None)
    for row in rows:
        period = periods.get(row[9], nowhere) if row[9] is not None else nowhere
        starts.append(row[7] or period[0])
        ends.append(row[8] or period[1])
    return starts, ends


def _derive_rows(rows, periods, today) -> Derived:
    starts, ends = _windows(rows, periods)
    return derive(
        ids=[r[0] for r in rows],
        parents=[r[1] for r in rows],
        levels=[r[2] for r in rows],
        kinds=[r[3] for r in rows],
        weights=[r[4] for r in rows],
        own=[r[5] for r in rows],
        confidence=[r[6] for r in rows],
        starts=starts,
        ends=ends,
        live=[r[10] is None for r in rows],
        today=today,
    )


def _same(name: str, stored, computed) -> bool:
    if name == "progress":
        return abs(stored - computed) <= TOLERANCE
    return stored == computed


def _write(changes: dict[str, dict[int, object]]) -> None:
    """Write ``field → {goal id: value}``: values with few distinct values as one UPDATE
    per value, the rest with ``bulk_update``."""
    for name, values in changes.items():
        if not values:
            continue
        if name in ("status", "aligned", "rolls_up", "depth"):
            by_value: dict[object, list[int]] = {}
            for pk, value in values.items():
                by_value.setdefault(value, []).append(pk)
            for value, pks in by_value.items():
                for start in range(0, len(pks), BATCH):
                    Goal.objects.filter(pk__in=pks[start : start + BATCH]).update(**{name: value})
        else:
            objs = []
            for pk, value in values.items():
                goal = Goal(pk=pk)
                setattr(goal, name, value)
                objs.append(goal)
            Goal.objects.bulk_update(objs, [name], batch_size=BATCH)


@contextmanager
def _snapshot_transaction(using: str) -> Iterator[None]:
    """One transaction that reads a consistent snapshot and fails, rather than overwrites,
    when a row it writes changed after the read (a check-in meanwhile): SQLite's IMMEDIATE
    transactions already serialize writers; PostgreSQL needs REPEATABLE READ for it."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _retrying(work: Callable[[], object], using: str):
    for attempt in range(RETRIES):
        try:
            with _snapshot_transaction(using):
                return work()
        except OperationalError as exc:
            serialization = "SerializationFailure" in type(exc.__cause__).__name__
            if not serialization or attempt == RETRIES - 1 or connections[using].in_atomic_block:
                raise
    raise AssertionError("unreachable")


def recompute(
    organization: Organization,
    *,
    today: datetime.date | None = None,
    fix: bool = True,
    examples: int = EXAMPLES,
    using: str = DEFAULT_DB_ALIAS,
) -> RecomputeResult:
    """Derive every goal's path, depth, aligned flag, roll-up and status of
    ``organization`` from scratch; report each stored value that differs (a count and the
    first ``examples``), and with ``fix`` write the derived values, only where they differ.

    Archived goals keep the status they had when archived; everything else is checked.
    """
    started = time.perf_counter()
    today = today or organization_today(organization)

    def work() -> RecomputeResult:
        result = RecomputeResult(organization=organization)
        with org_scope(organization):
            rows, periods = _read(organization)
            derived = _derive_rows(rows, periods, today)
            changes: dict[str, dict[int, object]] = {name: {} for name in CHECKED}
            columns = [(name, COLUMNS.index(name), getattr(derived, name)) for name in CHECKED]
            differing_goals = 0
            for i, row in enumerate(rows):
                if derived.path[i] is None:
                    continue
                differs = False
                for name, column, computed in columns:
                    value = computed[i]
                    if value is None:  # the status of an archived goal
                        continue
                    stored = row[column]
                    if stored != value and not _same(name, stored, value):
                        changes[name][row[0]] = value
                        differs = True
                        if len(result.examples) < examples:
                            result.examples.append(Difference(row[0], name, stored, value))
                differing_goals += differs
            result.checked = len(rows)
            result.differed = differing_goals
            result.by_field = {name: len(v) for name, v in changes.items() if v}
            result.values = sum(result.by_field.values())
            result.cycles = derived.cycles
            if fix and result.values:
                _write(changes)
                result.fixed = True
        return result

    result = _retrying(work, using) if fix else work()
    result.seconds = time.perf_counter() - started
    return result


def status_refresh(
    organization: Organization,
    *,
    today: datetime.date | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> int:
    """Bring the stored status of every live goal of ``organization`` up to ``today``
    (statuses move as time passes without any change to the goal); writes only the
    statuses that changed and returns how many did. Safe to run any number of times."""
    today = today or organization_today(organization)
    status_of = status_function(today)

    def work() -> int:
        with org_scope(organization):
            periods = {
                pk: (start, end)
                for pk, start, end in Period.objects.filter(organization=organization).values_list(
                    "id", "start", "end"
                )
            }
            nowhere = (None, None)
            changed: dict[int, str] = {}
            for pk, kind, rolls_up, progress, confidence, start, due, period_id, stored in _fetch(
                Goal.objects.filter(organization=organization, archived_at__isnull=True)
                .order_by()
                .values_list(
                    "id",
                    "kind",
                    "rolls_up",
                    "progress",
                    "confidence",
                    "start_date",
                    "due_date",
                    "period_id",
                    "status",
                )  # fmt: skip
            ):
                period = periods.get(period_id, nowhere) if period_id is not None else nowhere
                status = status_of(
                    progress, kind, rolls_up, start or period[0], due or period[1], confidence
                )
                if status != stored:
                    changed[pk] = status
            _write({"status": changed})
            return len(changed)

    return _retrying(work, using)
