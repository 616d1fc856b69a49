"""Recompute every goal's stored alignment figures from scratch, and refresh statuses.

The services keep ``path``, ``depth``, ``aligned``, ``rolls_up``, ``progress`` and
``status`` up to date change by change (``services.goals.rollup_ancestors``). This module
derives all of them for a whole organization from the facts they rest on — the parent
links, each goal's level, kind, weight, own progress, confidence and time window, and
today's date — reports every stored value that differs, and writes only those.

100,000 goals take a fraction of a second: one query returns each column of the goals as
one long text (reading a value costs far more in Python than in the database), NumPy
turns those into arrays, the tree is walked and rolled up a level at a time over the
arrays, statuses are worked out for all goals at once, and Python objects are made only
for the paths and for the values that differ. ``derive`` is the same core for plain
lists, used by ``leados synth`` to write correct figures in the first place.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
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
CHECKED = ("path", "depth", "aligned", "rolls_up", "progress", "status")

# Text columns as small numbers. A kind is only ever asked "metric?" and "binary?"; a
# stored status that is none of these (STRANGE) differs from any computed one.
METRIC, BINARY, OTHER_KIND = 0, 1, 2
STATUSES = ("on_track", "at_risk", "off_track", "done", "missed")
ON_TRACK, AT_RISK, OFF_TRACK, DONE, MISSED = range(len(STATUSES))
STRANGE = 7
NO_STATUS = -1  # an archived goal's status is left as it was
NO_DATE = 0  # dates travel as ordinals (1 January of year 1 is 1)


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


@dataclass
class Facts:
    """What the derived figures rest on, one array entry per goal."""

    ids: np.ndarray  # int64
    parents: np.ndarray  # int64 id, 0 for none
    strategy: np.ndarray  # bool: a strategy goal
    kinds: np.ndarray  # METRIC, BINARY or OTHER_KIND
    weights: np.ndarray  # int64
    own: np.ndarray  # float64
    confidence: np.ndarray  # int64, -1 for none
    starts: np.ndarray  # ordinal of the window's first day, NO_DATE for none
    ends: np.ndarray  # ordinal of its last day, NO_DATE for none
    live: np.ndarray  # bool: not archived


@dataclass
class Figures:
    """Derived figures as arrays; meaningful where ``reached`` (not in a loop of parents)."""

    reached: np.ndarray
    parent_at: np.ndarray  # position of the parent, -1 for a root
    levels: list[np.ndarray]  # positions at depth 0, 1, 2, … (reached goals only)
    depth: np.ndarray
    aligned: np.ndarray
    rolls_up: np.ndarray
    progress: np.ndarray
    status: np.ndarray  # NO_STATUS for archived and unreached goals


# ---------------------------------------------------------------------------- status


def statuses(
    *,
    progress: np.ndarray,
    kinds: np.ndarray,
    rolls_up: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    confidence: np.ndarray,
    today: datetime.date,
) -> np.ndarray:
    """The status code of each goal: the same answer as ``progress.status_of`` for the
    window ``starts``–``ends`` (ordinals, NO_DATE for an open end), for all goals at once."""
    day = today.toordinal()
    has_start, has_end = starts != NO_DATE, ends != NO_DATE
    windowed = has_start & has_end
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(
            windowed, np.clip((day - starts + 1) / (ends - starts + 1), 0.0, 1.0), np.nan
        )
    result = np.select(
        [
            ~windowed | (has_start & (day < starts)),
            (kinds == BINARY) & ~rolls_up,
            (share < calc.GRACE_SHARE) | (progress >= share - calc.ON_TRACK_GAP),
            progress >= share - calc.AT_RISK_GAP,
        ],
        [
            ON_TRACK,
            np.where(share >= calc.BINARY_AT_RISK_SHARE, AT_RISK, ON_TRACK),
            ON_TRACK,
            AT_RISK,
        ],
        OFF_TRACK,
    )
    low = (confidence >= 0) & (confidence <= calc.LOW_CONFIDENCE)
    middling = (confidence > calc.LOW_CONFIDENCE) & (confidence <= calc.MIDDLING_CONFIDENCE)
    result = np.where(low, np.where(result == ON_TRACK, AT_RISK, OFF_TRACK), result)
    result = np.where(middling & (result == ON_TRACK), AT_RISK, result)
    result = np.where(has_end & (day > ends), MISSED, result)
    return np.where(progress >= calc.DONE_AT, DONE, result)


def status_function(today: datetime.date) -> Callable[..., str]:
    """``status(progress, kind, rolls_up, start, end, confidence)`` for one goal, through
    ``statuses``: for tests and callers with a single goal."""

    def status(progress, kind, rolls_up, start, end, confidence) -> str:
        code = statuses(
            progress=np.array([progress], dtype=np.float64),
            kinds=_kind_codes([kind]),
            rolls_up=np.array([rolls_up], dtype=bool),
            starts=_ordinals([start]),
            ends=_ordinals([end]),
            confidence=np.array([-1 if confidence is None else confidence], dtype=np.int64),
            today=today,
        )[0]
        return STATUSES[code]

    return status


def _kind_codes(kinds: Sequence[str]) -> np.ndarray:
    codes = {"metric": METRIC, "binary": BINARY}
    return np.array([codes.get(kind, OTHER_KIND) for kind in kinds], dtype=np.int64)


def _ordinals(days: Sequence[datetime.date | None]) -> np.ndarray:
    return np.array([NO_DATE if d is None else d.toordinal() for d in days], dtype=np.int64)


# ---------------------------------------------------------------------------- derive


def _parent_positions(ids: np.ndarray, parents: np.ndarray) -> np.ndarray:
    """Each goal's parent as a position in ``ids``; -1 for none or one not among them."""
    n = len(ids)
    if not n:
        return np.zeros(0, dtype=np.int64)
    order = np.arange(n) if np.all(ids[1:] > ids[:-1]) else np.argsort(ids, kind="stable")
    at = np.minimum(np.searchsorted(ids[order], parents), n - 1)
    found = (parents != 0) & (ids[order][at] == parents)
    return np.where(found, order[at], -1)


def _tree(parent_at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each goal's root (position), depth, and whether its chain of parents reaches a root
    at all (it does not in a loop of parents): by pointer jumping, each round doubling how
    far up every goal looks, so a few rounds cover any depth."""
    n = len(parent_at)
    positions = np.arange(n)
    is_root = parent_at < 0
    up = np.where(is_root, positions, parent_at)
    depth = (~is_root).astype(np.int64)
    for _ in range(max(n, 1).bit_length() + 1):
        further = up[up]
        if np.array_equal(further, up):
            break
        depth += depth[up]
        up = further
    return up, depth, is_root[up]


def _derive(facts: Facts, today: datetime.date) -> Figures:
    n = len(facts.ids)
    parent_at = _parent_positions(facts.ids, facts.parents)
    root, depth, reached = _tree(parent_at)
    aligned = facts.strategy[root]
    if reached.any():
        by_depth = np.argsort(np.where(reached, depth, -1), kind="stable")
        counts = np.bincount(depth[reached])
        by_depth = by_depth[n - int(reached.sum()) :]
        levels = np.split(by_depth, np.cumsum(counts)[:-1])
    else:
        levels = []

    # Sums over each goal's live children: total weight, weighted progress, progress, count.
    total_w = np.zeros(n)
    sum_wp = np.zeros(n)
    sum_p = np.zeros(n)
    count = np.zeros(n)
    rolls_up = np.zeros(n, dtype=bool)
    progress = facts.own.astype(np.float64, copy=True)
    for d in range(len(levels) - 1, -1, -1):
        level = levels[d]
        kids, weights = count[level], total_w[level]
        rolls = (kids > 0) & (facts.kinds[level] != METRIC)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = np.where(weights > 0, sum_wp[level] / weights, sum_p[level] / kids)
        mean = np.clip(np.nan_to_num(mean, nan=0.0), 0.0, 1.0)
        progress[level] = np.where(rolls, mean, facts.own[level])
        rolls_up[level] = rolls
        if d:
            live = level[facts.live[level]]
            parents = parent_at[live]
            value, weight = progress[live], facts.weights[live]
            total_w += np.bincount(parents, weights=weight, minlength=n)
            sum_wp += np.bincount(parents, weights=weight * value, minlength=n)
            sum_p += np.bincount(parents, weights=value, minlength=n)
            count += np.bincount(parents, minlength=n)

    status = statuses(
        progress=progress,
        kinds=facts.kinds,
        rolls_up=rolls_up,
        starts=facts.starts,
        ends=facts.ends,
        confidence=facts.confidence,
        today=today,
    )
    status = np.where(reached & facts.live, status, NO_STATUS)
    return Figures(reached, parent_at, levels, depth, aligned, rolls_up, progress, status)


def _paths(ids: list[int], figures: Figures) -> list[str | None]:
    """Each goal's materialized path, ``None`` in a loop of parents: built top down, each
    from its parent's."""
    path: list[str | None] = [None] * len(ids)
    if not figures.levels:
        return path
    for i in figures.levels[0].tolist():
        path[i] = f"/{ids[i]}/"
    for level in figures.levels[1:]:
        for i, parent in zip(level.tolist(), figures.parent_at[level].tolist(), strict=True):
            path[i] = f"{path[parent]}{ids[i]}/"
    return path


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
    facts = Facts(
        ids=np.array(ids, dtype=np.int64),
        parents=np.array([p or 0 for p in parents], dtype=np.int64),
        strategy=np.array([level == STRATEGY for level in levels], dtype=bool),
        kinds=_kind_codes(kinds),
        weights=np.array(weights, dtype=np.int64),
        own=np.array(own, dtype=np.float64),
        confidence=np.array([-1 if c is None else c for c in confidence], dtype=np.int64),
        starts=_ordinals(starts),
        ends=_ordinals(ends),
        live=np.array(live, dtype=bool),
    )
    figures = _derive(facts, today)
    reached = figures.reached.tolist()

    def where_reached(values: np.ndarray) -> list:
        return [v if r else None for v, r in zip(values.tolist(), reached, strict=True)]

    return Derived(
        path=_paths(list(ids), figures),
        depth=where_reached(figures.depth),
        aligned=where_reached(figures.aligned),
        rolls_up=where_reached(figures.rolls_up),
        progress=where_reached(figures.progress),
        status=[None if code == NO_STATUS else STATUSES[code] for code in figures.status.tolist()],
        cycles=[pk for pk, r in zip(ids, reached, strict=True) if not r],
    )


# ---------------------------------------------------------------------------- read

# How the goals' columns travel. Each becomes one long text of whole numbers (one
# aggregate per column over the same rows, so they line up), which NumPy parses in C.
# Building and parsing a text costs more than computing its numbers, so small numbers
# share one: the two dates of a goal's own window travel as one, and so do its weight,
# confidence, depth and flags.
#
# A float in [0, 1] (the progress columns, so constrained) travels as the whole number
# of its first 62 bits after the binary point: decimal digits would need 17 of them and
# a parse that costs more than the whole query. That is exact for every value from 2**-10
# up (a double has 53 significant bits); the few smaller than that, but not zero, are
# named by one more aggregate and read again exactly.
SCALE = "4611686018427387904.0"  # 2 ** 62
TINY = "0.0009765625"  # 2 ** -10
FLAG_ALIGNED, FLAG_ROLLS_UP, FLAG_LIVE, FLAG_STRATEGY = 1, 2, 4, 8
KIND_SHIFT, STATUS_SHIFT = 4, 6
# (name, bits) from the lowest bits up; each field's values fit its bits (a
# PositiveSmallIntegerField holds at most 32,767; a date's ordinal at most 3,652,059).
PACKED = {
    "window": (("due", 22), ("start", 22)),
    "numbers": (("flags", 10), ("depth", 16), ("confidence", 16), ("weight", 16)),
}
PACKED_OFFSET = {"confidence": 1}  # stored as value + 1, so "none" (-1) packs as 0
FLOATS = ("own_progress", "progress")


def _sql_flags(vendor: str) -> str:
    """aligned, rolls_up, live, strategy, kind and stored status packed into one number."""
    as_int = "({})::int" if vendor == "postgresql" else "({})"
    strategy = f"level = '{STRATEGY}'"
    kind = " ".join(
        f"WHEN '{k}' THEN {code}" for k, code in (("metric", METRIC), ("binary", BINARY))
    )
    status = " ".join(f"WHEN '{s}' THEN {code}" for code, s in enumerate(STATUSES))
    return (
        f"{as_int.format('aligned')} * {FLAG_ALIGNED}"
        f" + {as_int.format('rolls_up')} * {FLAG_ROLLS_UP}"
        f" + {as_int.format('archived_at IS NULL')} * {FLAG_LIVE}"
        f" + {as_int.format(strategy)} * {FLAG_STRATEGY}"
        f" + (CASE kind {kind} ELSE {OTHER_KIND} END) * {2**KIND_SHIFT}"
        f" + (CASE status {status} ELSE {STRANGE} END) * {2**STATUS_SHIFT}"
    )


def _sql_columns(vendor: str, names: Sequence[str]) -> tuple[list[str], list[str]]:
    """(SQL aggregates, what each text holds: a column name, a ``PACKED`` name, "path"
    or "tiny") for the columns ``names``."""
    postgres = vendor == "postgresql"

    def ordinal(column: str) -> str:
        if postgres:
            return f"COALESCE({column} - DATE '0001-01-01' + 1, {NO_DATE})"
        return f"COALESCE(CAST(julianday({column}) - 1721424.5 AS INTEGER), {NO_DATE})"

    def whole(expression: str) -> str:
        return f"floor({expression})::int8" if postgres else f"CAST({expression} AS INTEGER)"

    def packed(fields: Sequence[tuple[str, int]]) -> str:
        terms, shift = [], 0
        for name, bits in fields:
            value = fields_sql[name]
            if PACKED_OFFSET.get(name):
                value = f"({value} + {PACKED_OFFSET[name]})"
            if postgres:  # a smallint or integer times 2**26 overflows its type
                value = f"({value})::int8"
            terms.append(f"{value} * {2**shift}" if shift else value)
            shift += bits
        return " + ".join(terms)

    fields_sql = {
        "start": ordinal("start_date"),
        "due": ordinal("due_date"),
        "weight": "weight",
        "confidence": "COALESCE(confidence, -1)",
        "depth": "depth",
        "flags": _sql_flags(vendor),
    }
    sql = {
        "id": "id",
        "parent": "COALESCE(parent_id, 0)",
        "period": "COALESCE(period_id, 0)",
        # Most goals take their period's window: no date arithmetic for those.
        "window": "CASE WHEN start_date IS NULL AND due_date IS NULL THEN 0"
        f" ELSE {packed(PACKED['window'])} END",
        "numbers": packed(PACKED["numbers"]),
        "path": "path",  # digits and slashes: a comma parts them
    }
    texts: list[str] = []
    for name in names:
        text = next((key for key, fields in PACKED.items() if name in dict(fields)), name)
        if text in FLOATS:
            sql[text] = whole(f"{text} * {SCALE}")
        elif text not in sql:
            raise ValueError(f"no column {name!r} to read")
        if text not in texts:
            texts.append(text)
    floats = [name for name in texts if name in FLOATS]
    if floats:
        if "id" not in texts:  # to put the values read again in place
            texts.insert(0, "id")
        tiny = " OR ".join(f"({name} > 0 AND {name} < {TINY})" for name in floats)
        sql["tiny"] = f"CASE WHEN {tiny} THEN id END"
        texts.append("tiny")
    agg = "string_agg(({})::text, ',')" if postgres else "group_concat({}, ',')"
    return [agg.format(sql[text]) for text in texts], texts


def _read_columns(
    organization: Organization, names: Sequence[str], *, live_only: bool = False, using: str
) -> dict[str, np.ndarray | str]:
    """The goals of ``organization`` as arrays by ``names`` (the path stays one string,
    comma separated), all in the same order, from one query (two when a progress value
    below 2**-10 is read)."""
    connection = connections[using]
    aggregates, texts = _sql_columns(connection.vendor, names)
    table = connection.ops.quote_name(Goal._meta.db_table)
    where = "organization_id = %s" + (" AND archived_at IS NULL" if live_only else "")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(aggregates)} FROM {table} WHERE {where}",  # noqa: S608
            [organization.pk],
        )
        read = dict(zip(texts, cursor.fetchone(), strict=True))
    columns: dict[str, np.ndarray | str] = {}
    for text, value in read.items():
        if text == "path":
            columns[text] = value or ""
        elif text in PACKED:
            whole, shift = _parse(value), 0
            for name, bits in PACKED[text]:
                columns[name] = ((whole >> shift) & (2**bits - 1)) - PACKED_OFFSET.get(name, 0)
                shift += bits
        elif text in FLOATS:
            columns[text] = _parse(value) * 2.0**-62
        elif text != "tiny":
            columns[text] = _parse(value)
    floats = [name for name in FLOATS if name in read]
    if read.get("tiny"):
        _read_exactly(connection, table, _parse(read["tiny"]), columns["id"], floats, columns)
    return {name: columns[name] for name in names}


def _read_exactly(connection, table, tiny: np.ndarray, ids, floats, columns) -> None:
    """Read the float columns ``floats`` of the goals ``tiny`` again as they are stored
    and put them in place in ``columns`` (by their position in ``ids``)."""
    order = np.argsort(ids, kind="stable")
    with connection.cursor() as cursor:
        for start in range(0, len(tiny), BATCH):
            batch = tiny[start : start + BATCH].tolist()
            cursor.execute(
                f"SELECT id, {', '.join(floats)} FROM {table}"  # noqa: S608
                f" WHERE id IN ({', '.join(['%s'] * len(batch))})",
                batch,
            )
            for pk, *values in cursor.fetchall():
                at = order[np.searchsorted(ids, pk, sorter=order)]
                for name, value in zip(floats, values, strict=True):
                    columns[name][at] = value


def _parse(text: str | None) -> np.ndarray:
    if not text:
        return np.zeros(0, dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",")


def _windows(organization: Organization, columns: dict) -> tuple[np.ndarray, np.ndarray]:
    """Each goal's window as ordinals: its own dates, else its period's."""
    periods = list(
        Period.objects.filter(organization=organization).values_list("id", "start", "end")
    )
    period_ids = np.array([0] + [pk for pk, _, _ in periods], dtype=np.int64)
    period_starts = np.array([NO_DATE] + [s.toordinal() for _, s, _ in periods], dtype=np.int64)
    period_ends = np.array([NO_DATE] + [e.toordinal() for _, _, e in periods], dtype=np.int64)
    order = np.argsort(period_ids)
    at = np.minimum(np.searchsorted(period_ids[order], columns["period"]), len(order) - 1)
    at = np.where(period_ids[order][at] == columns["period"], order[at], 0)
    starts = np.where(columns["start"] != NO_DATE, columns["start"], period_starts[at])
    ends = np.where(columns["due"] != NO_DATE, columns["due"], period_ends[at])
    return starts, ends


# ---------------------------------------------------------------------------- write


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


# ---------------------------------------------------------------------------- recompute

READ = ("id", "parent", "period", "start", "due", "weight", "confidence", "own_progress")
STORED = ("depth", "flags", "progress", "path")


def _compare(columns: dict, figures: Figures, paths: list) -> dict[str, np.ndarray]:
    """Where each checked figure differs from the stored one (goals in a loop excluded)."""
    flags, reached = columns["flags"], figures.reached
    stored_progress = columns["progress"]
    if reached.all() and ",".join(paths) == columns["path"]:
        path = np.zeros(len(paths), dtype=bool)
    else:
        stored_paths = columns["path"].split(",") if columns["path"] else []
        if len(stored_paths) != len(paths):  # a comma inside a (broken) path
            by_id = dict(Goal.objects.values_list("id", "path"))  # in the organization's scope
            stored_paths = [by_id[pk] for pk in columns["id"].tolist()]
        path = np.array([p != s for p, s in zip(paths, stored_paths, strict=True)], dtype=bool)
    return {
        "path": path & reached,
        "depth": reached & (figures.depth != columns["depth"]),
        "aligned": reached & (figures.aligned != ((flags & FLAG_ALIGNED) > 0)),
        "rolls_up": reached & (figures.rolls_up != ((flags & FLAG_ROLLS_UP) > 0)),
        "progress": reached
        & (stored_progress != figures.progress)
        & ~(np.abs(stored_progress - figures.progress) <= TOLERANCE),
        "status": (figures.status != NO_STATUS) & (figures.status != flags >> STATUS_SHIFT),
    }


def _computed(name: str, i: int, figures: Figures, paths: list) -> object:
    if name == "path":
        return paths[i]
    if name == "status":
        return STATUSES[int(figures.status[i])]
    return getattr(figures, name)[i].item()


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
            columns = _read_columns(organization, READ + STORED, using=using)
            flags = columns["flags"]
            starts, ends = _windows(organization, columns)
            facts = Facts(
                ids=columns["id"],
                parents=columns["parent"],
                strategy=(flags & FLAG_STRATEGY) > 0,
                kinds=(flags >> KIND_SHIFT) & 3,
                weights=columns["weight"],
                own=columns["own_progress"],
                confidence=columns["confidence"],
                starts=starts,
                ends=ends,
                live=(flags & FLAG_LIVE) > 0,
            )
            figures = _derive(facts, today)
            ids = facts.ids.tolist()
            paths = _paths(ids, figures)
            differs = _compare(columns, figures, paths)
            changes: dict[str, dict[int, object]] = {}
            for name in CHECKED:
                rows = np.flatnonzero(differs[name]).tolist()
                if rows:
                    changes[name] = {ids[i]: _computed(name, i, figures, paths) for i in rows}
            any_difference = np.logical_or.reduce(list(differs.values()))
            result.checked = len(ids)
            result.differed = int(any_difference.sum())
            result.by_field = {name: len(values) for name, values in changes.items()}
            result.values = sum(result.by_field.values())
            result.cycles = facts.ids[~figures.reached].tolist()
            result.examples = _examples(changes, np.flatnonzero(any_difference), ids, examples)
            if fix and result.values:
                _write(changes)
                result.fixed = True
        return result

    result = _retrying(work, using) if fix else work()
    result.seconds = time.perf_counter() - started
    return result


def _examples(
    changes: dict[str, dict[int, object]], rows: np.ndarray, ids: list[int], limit: int
) -> list[Difference]:
    """The first ``limit`` differences in reading order, with the stored values as stored
    (read again for these few goals)."""
    wanted: list[tuple[int, str]] = []
    for i in rows.tolist():
        for name in CHECKED:
            if ids[i] in changes.get(name, ()):
                wanted.append((ids[i], name))
        if len(wanted) >= limit:
            break
    wanted = wanted[:limit]
    if not wanted:
        return []
    stored = {
        row[0]: dict(zip(CHECKED, row[1:], strict=True))
        for row in Goal.objects.filter(pk__in={pk for pk, _ in wanted}).values_list("id", *CHECKED)
    }
    return [Difference(pk, name, stored[pk][name], changes[name][pk]) for pk, name in wanted]


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

    def work() -> int:
        with org_scope(organization):
            columns = _read_columns(
                organization,
                ("id", "period", "start", "due", "confidence", "flags", "progress"),
                live_only=True,
                using=using,
            )
            flags = columns["flags"]
            starts, ends = _windows(organization, columns)
            computed = statuses(
                progress=columns["progress"],
                kinds=(flags >> KIND_SHIFT) & 3,
                rolls_up=(flags & FLAG_ROLLS_UP) > 0,
                starts=starts,
                ends=ends,
                confidence=columns["confidence"],
                today=today,
            )
            rows = np.flatnonzero(computed != flags >> STATUS_SHIFT)
            ids, codes = columns["id"][rows].tolist(), computed[rows].tolist()
            _write({"status": {pk: STATUSES[code] for pk, code in zip(ids, codes, strict=True)}})
            return len(rows)

    return _retrying(work, using)
