"""Goals, check-ins and commitments for a synthetic organization (``leados synth``).

Builds a cascade on the organization's units and people: strategy goals on the
leadership team, goals at every unit aligned to a goal of the parent unit, self goals
for everyone (some nested under their own, down to depth 9), about 1 % orphans, a few
"contributes to" links, a few check-ins per goal, and commitments in every state.
Everything is computed in Python — ids reserved up front so paths are known — and
written with bulk inserts; the stored roll-ups and statuses come from the same
``rollup.derive`` that ``leados alignment recompute`` checks them with.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from leados.core.models import Level, PeriodKind, Person, RoleAssignment, Unit, UnitRole
from leados.core.periods import period_for
from leados.operate import progress as calc
from leados.operate.models import (
    CheckIn,
    Commitment,
    Goal,
    GoalLink,
    Milestone,
)
from leados.operate.rollup import derive

BATCH = 2000
SYNTH_TABLES = (
    "operate_goal",
    "operate_milestone",
    "operate_checkin",
    "operate_goallink",
    "operate_commitment",
    "core_period",
)
MAX_SYNTH_DEPTH = 9
STRATEGY_GOALS = 5
UNIT_SHARE = 0.3  # of all goals, set on units; the rest are self goals
ORPHAN_SHARE = 0.01
NEST_SHARE = 0.5  # a further self goal sits under the person's previous one
STRATEGY_TITLES = [
    "Double recurring revenue",
    "Best place to work in the region",
    "Net promoter score above 60",
    "Enter two new markets",
    "Operating margin of 20 %",
]
VERBS = ["Improve", "Reduce", "Launch", "Grow", "Automate", "Simplify", "Raise", "Deliver"]
OBJECTS = [
    "onboarding time", "release cadence", "pipeline coverage", "first-response time",
    "forecast accuracy", "defect rate", "renewal rate", "cost per order", "team skills",
    "handover quality", "customer adoption", "close time",
]  # fmt: skip
COMMITMENT_STATES = [
    ("proposed", 8), ("accepted", 12), ("in_progress", 25), ("at_risk", 8),
    ("evaluated", 12), ("closed", 35),
]  # fmt: skip


@dataclass
class AlignmentSynthResult:
    goals: int = 0
    check_ins: int = 0
    commitments: int = 0
    links: int = 0
    max_depth: int = 0
    orphans: int = 0


def _reserve_ids(model, count: int) -> list[int]:
    """``count`` fresh primary keys for ``model``. Call inside the transaction that inserts
    them (SQLite's write lock, PostgreSQL's sequence keep them ours)."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def synth_alignment(
    organization,
    *,
    goals: int,
    commitments: int,
    seed: int = 1,
    today: datetime.date | None = None,
) -> AlignmentSynthResult:
    """Add about ``goals`` goals and ``commitments`` commitments to ``organization``, which
    must have its units and people. Call inside a transaction and the organization's scope."""
    rng = random.Random(f"{seed}:alignment:{organization.slug}")  # noqa: S311 - synthetic data
    today = today or timezone.localdate()
    result = AlignmentSynthResult()
    year = period_for(organization, today, PeriodKind.YEAR)
    quarter = period_for(organization, today, PeriodKind.QUARTER)
    people = list(
        Person.objects.filter(is_active=True).order_by("pk").values_list("pk", "manager_id")
    )
    units = list(
        Unit.objects.filter(archived_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "parent_id", "level")
    )
    if goals > 0 and people and units:
        _goals(organization, rng, today, year, quarter, people, units, goals, result)
    if commitments > 0 and people:
        _commitments(organization, rng, today, people, commitments, result)
    return result


def _goals(organization, rng, today, year, quarter, people, units, budget, result) -> None:
    person_ids = [pk for pk, _ in people]
    leads: dict[int, int] = {}
    home: dict[int, int] = {}  # person → the unit whose goals their self goals align to
    for unit_id, person_id, role in RoleAssignment.objects.order_by("pk").values_list(
        "unit_id", "person_id", "role"
    ):
        if role == UnitRole.LEAD:
            leads.setdefault(unit_id, person_id)
        if role != UnitRole.LEAD or person_id not in home:
            home[person_id] = unit_id
    root = next(pk for pk, parent, level in units if parent is None and level == Level.STRATEGY)
    children: dict[int | None, list[tuple[int, str]]] = {}
    for pk, parent, level in units:
        children.setdefault(parent, []).append((pk, level))

    # Columns, by position.
    g_parent, g_level, g_unit, g_person, g_owner, g_kind, g_period = [], [], [], [], [], [], []
    unit_goals: dict[int, list[int]] = {}

    def add(parent, level, unit, person, owner, period) -> int:
        g_parent.append(parent)
        g_level.append(level)
        g_unit.append(unit)
        g_person.append(person)
        g_owner.append(owner)
        roll = rng.random()
        g_kind.append("metric" if roll < 0.6 else ("milestones" if roll < 0.72 else "binary"))
        g_period.append(period)
        return len(g_parent) - 1

    ceo = leads.get(root, person_ids[0])
    strategy = [
        add(None, Level.STRATEGY, root, None, ceo, year.pk)
        for _ in range(min(STRATEGY_GOALS, budget))
    ]
    unit_goals[root] = strategy
    other_units = [u for u in units if u[0] != root]
    per_unit = max(1, round(budget * UNIT_SHARE / max(1, len(other_units))))
    # Units breadth first, so a parent unit's goals exist before its children's.
    queue, position = [root], 0
    while position < len(queue) and len(g_parent) < budget:
        parent_unit = queue[position]
        position += 1
        for unit_id, level in children.get(parent_unit, []):
            queue.append(unit_id)
            above = unit_goals.get(parent_unit) or strategy
            mine = []
            for _ in range(per_unit):
                if len(g_parent) >= budget:
                    break
                parent = None if rng.random() < ORPHAN_SHARE else rng.choice(above)
                period = None if level == Level.PROCESS and rng.random() < 0.3 else quarter.pk
                mine.append(add(parent, level, unit_id, None, leads.get(unit_id, ceo), period))
            unit_goals[unit_id] = mine
    # Self goals for everyone, round after round until the budget is spent.
    previous: dict[int, int] = {}
    depth_of: dict[int, int] = {}

    def depth(i: int) -> int:
        known = depth_of.get(i)
        if known is None:
            parent = g_parent[i]
            known = depth_of[i] = 0 if parent is None else depth(parent) + 1
        return known

    while len(g_parent) < budget:
        for person_id in person_ids:
            if len(g_parent) >= budget:
                break
            before = previous.get(person_id)
            if before is not None and rng.random() < NEST_SHARE and depth(before) < MAX_SYNTH_DEPTH:
                parent = before
            else:
                targets = unit_goals.get(home.get(person_id, root)) or strategy
                parent = None if rng.random() < ORPHAN_SHARE else rng.choice(targets)
                if parent is not None and depth(parent) >= MAX_SYNTH_DEPTH:
                    parent = None
            previous[person_id] = add(parent, Level.SELF, None, person_id, person_id, quarter.pk)

    n = len(g_parent)
    ids = _reserve_ids(Goal, n)
    periods = {year.pk: (year.start, year.end), quarter.pk: (quarter.start, quarter.end)}
    # Each goal's own measure and its latest check-in.
    own, confidence, start_v, target_v, current_v, is_done, weight = [], [], [], [], [], [], []
    milestones: list[tuple[int, int]] = []  # (done, total) for milestones goals
    for i in range(n):
        kind = g_kind[i]
        weight.append(1 if rng.random() < 0.7 else rng.randint(0, 5))
        confidence.append(rng.choice([None, 3, 5, 6, 7, 8, 8, 9, 10]))
        start = target = current = None
        done = False
        if kind == "metric":
            start = float(rng.randint(0, 50))
            target = start + rng.randint(10, 200)
            current = start + (target - start) * rng.uniform(-0.05, 1.1)
            value = calc.metric_progress(start, target, current)
            milestones.append((0, 0))
        elif kind == "milestones":
            total = rng.randint(2, 5)
            ticked = rng.randint(0, total)
            milestones.append((ticked, total))
            value = calc.milestones_progress(ticked, total)
        else:
            done = rng.random() < 0.3
            value = 1.0 if done else 0.0
            milestones.append((0, 0))
        own.append(value)
        start_v.append(start)
        target_v.append(target)
        current_v.append(current)
        is_done.append(done)
    parents = [ids[p] if p is not None else None for p in g_parent]
    nowhere = (None, None)
    derived = derive(
        ids=ids,
        parents=parents,
        levels=g_level,
        kinds=g_kind,
        weights=weight,
        own=own,
        confidence=confidence,
        starts=[periods.get(p, nowhere)[0] for p in g_period],
        ends=[periods.get(p, nowhere)[1] for p in g_period],
        live=[True] * n,
        today=today,
    )
    now = timezone.now()
    last_check_in = [
        now - datetime.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
        for _ in range(n)
    ]
    objs = []
    for i in range(n):
        objs.append(
            Goal(
                pk=ids[i],
                organization=organization,
                title=(
                    STRATEGY_TITLES[i % len(STRATEGY_TITLES)]
                    if g_level[i] == Level.STRATEGY
                    else f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}"
                ),
                level=g_level[i],
                unit_id=g_unit[i],
                person_id=g_person[i],
                owner_id=g_owner[i],
                period_id=g_period[i],
                weight=weight[i],
                kind=g_kind[i],
                start_value=start_v[i],
                target_value=target_v[i],
                current_value=current_v[i],
                direction="up" if g_kind[i] == "metric" else "",
                is_done=is_done[i],
                parent_id=parents[i],
                path=derived.path[i],
                depth=derived.depth[i],
                aligned=derived.aligned[i],
                own_progress=own[i],
                progress=derived.progress[i],
                rolls_up=derived.rolls_up[i],
                status=derived.status[i],
                confidence=confidence[i],
                last_check_in_at=last_check_in[i],
            )
        )
    Goal.objects.bulk_create(objs, batch_size=BATCH)
    del objs
    result.goals = n
    result.max_depth = max(derived.depth, default=0)
    result.orphans = sum(1 for a in derived.aligned if not a)

    ms = []
    for i, (ticked, total) in enumerate(milestones):
        for position in range(total):
            ms.append(
                Milestone(
                    organization=organization,
                    goal_id=ids[i],
                    title=f"Step {position + 1}",
                    position=position,
                    done=position < ticked,
                    done_at=last_check_in[i] if position < ticked else None,
                )
            )
    Milestone.objects.bulk_create(ms, batch_size=BATCH)

    # A few check-ins per goal, weekly back from the latest, progress rising to today's.
    check_ins = []
    for i in range(n):
        count = rng.choice([0, 1, 2, 2, 3, 4])
        for back in range(count):
            share = 1.0 - back / (count + 1)
            latest = back == 0
            value = None
            if g_kind[i] == "metric":
                value = current_v[i] if latest else start_v[i] + (current_v[i] - start_v[i]) * share
            check_ins.append(
                CheckIn(
                    organization=organization,
                    goal_id=ids[i],
                    author_id=g_owner[i],
                    checked_in_at=last_check_in[i] - datetime.timedelta(weeks=back),
                    value=value,
                    is_done=is_done[i] if g_kind[i] == "binary" and latest else None,
                    progress=own[i] if latest else calc.clamp(own[i] * share),
                    confidence=confidence[i] if latest else rng.choice([None, 6, 7, 8]),
                    comment="" if rng.random() < 0.6 else "On plan; next step agreed.",
                )
            )
            if len(check_ins) >= BATCH * 5:
                CheckIn.objects.bulk_create(check_ins, batch_size=BATCH)
                result.check_ins += len(check_ins)
                check_ins = []
    CheckIn.objects.bulk_create(check_ins, batch_size=BATCH)
    result.check_ins += len(check_ins)

    # A few "contributes to" links between unit goals of different units.
    candidates = [i for i in range(n) if g_unit[i] is not None and g_level[i] != Level.STRATEGY]
    seen, links = set(), []
    for _ in range(min(len(candidates) // 2, 3 + n // 2000) * 3):
        if len(links) >= 3 + n // 2000 or len(candidates) < 2:
            break
        a, b = rng.sample(candidates, 2)
        if g_unit[a] == g_unit[b] or g_parent[a] == b or (a, b) in seen:
            continue
        seen.add((a, b))
        links.append(
            GoalLink(
                organization=organization, source_id=ids[a], target_id=ids[b], state="accepted"
            )
        )
    GoalLink.objects.bulk_create(links, batch_size=BATCH)
    result.links = len(links)


def _commitments(organization, rng, today, people, count, result) -> None:
    """Commitments in every state, assigned by each person's manager (or to themselves)."""
    states = [s for s, _ in COMMITMENT_STATES]
    weights = [w for _, w in COMMITMENT_STATES]
    self_goals: dict[int, int] = dict(
        Goal.objects.filter(level=Level.SELF).order_by("pk").values_list("person_id", "pk")
    )
    now = timezone.now()
    objs = []
    for _ in range(count):
        owner, manager = rng.choice(people)
        assigner = manager or owner
        state = rng.choices(states, weights)[0]
        due = today + datetime.timedelta(days=rng.randint(-75, 45))
        fields = {}
        if state != "proposed":
            fields["accepted_at"] = now - datetime.timedelta(days=rng.randint(20, 90))
        if state in ("evaluated", "closed"):
            completed = due + datetime.timedelta(days=rng.choice([-5, -2, 0, 0, 1, 4, 10]))
            fields.update(
                completed_on=min(completed, today),
                evaluation=rng.choices(["met", "partially_met", "missed"], [70, 18, 12])[0],
                evaluated_by_id=assigner,
                evaluated_at=now - datetime.timedelta(days=rng.randint(0, 10)),
            )
        elif state == "in_progress" and rng.random() < 0.2:
            fields["completed_on"] = min(due, today)
        if state == "closed":
            fields.update(
                action=rng.choice(["close", "close", "recognize", "renew"]), closed_at=now
            )
        objs.append(
            Commitment(
                organization=organization,
                title=f"{rng.choice(VERBS)} {rng.choice(OBJECTS)}",
                definition_of_done="Agreed result delivered and shown in the weekly review.",
                owner_id=owner,
                assigned_by_id=assigner,
                goal_id=self_goals.get(owner) if rng.random() < 0.5 else None,
                due_date=due,
                state=state,
                **fields,
            )
        )
    Commitment.objects.bulk_create(objs, batch_size=BATCH)
    result.commitments = len(objs)
