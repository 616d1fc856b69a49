"""Reads behind the alignment pages: the tree from the vision down, filtered lists with
each goal's ancestor chain, orphans, and alignment coverage per unit.

Every function reads a fixed number of queries whatever the size of the organization:
a page of a level of the tree is read in index order (strategy goals, then the others)
with each row's count of children, an opened chain ("follow up to the vision") is one
windowed query for all its levels, and ancestors come off the materialized ``path``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from html import escape

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from leados.core.models import Level, Period, Person, RoleAssignment, Unit
from leados.operate.models import LEVEL_RANK, Agreement, Goal, GoalStatus

# Rows of one level shown before "show more".
PAGE = 50

LEVEL_ORDER = Case(
    *[When(level=level, then=Value(rank)) for level, rank in LEVEL_RANK.items()],
    default=Value(len(LEVEL_RANK)),
    output_field=IntegerField(),
)

# What a row shows; reading no more keeps a level of hundreds cheap.
ROW_FIELDS = (
    "organization_id",
    "title",
    "level",
    "unit__name",
    "unit__level",
    "person__name",
    "owner__name",
    "parent_id",
    "path",
    "depth",
    "aligned",
    "progress",
    "status",
    "status_override",
    "confidence",
    "archived_at",
)


def goal_rows() -> QuerySet:
    """Goals with just what a tree row shows (unit or person, owner) joined in."""
    return Goal.objects.select_related("unit", "person", "owner").only(*ROW_FIELDS)


# Below strategy the level keys sort by name in rank order (functional_team, process,
# project, self): the roots, strategy goals first, are two ranges of the live goals'
# (organization, parent, level, title, id) index, read in order however many there are.
STRATEGY = Level.STRATEGY.value
DISPLAY_ORDER = ("level_order", "title", "id")


@dataclass
class Row:
    """A goal as the tree shows it: its children (when opened) and how many it has."""

    goal: Goal
    child_count: int = 0
    expanded: bool = False
    focused: bool = False
    children: list[Row] = field(default_factory=list)
    # Where "show more" of the children continues, and a child shown out of its place
    # (the opened chain) that the continuation leaves out.
    more_offset: int | None = None
    pinned_id: int | None = None


def _roots_page(roots: QuerySet, offset: int, limit: int | None) -> tuple[list[Goal], bool]:
    """Rows of the live ``roots`` from ``offset`` in display order, and whether more follow:
    the strategy goals' slice, then (when it runs out) the others'."""
    limit = limit or PAGE
    wanted = limit + 1
    strategy = roots.filter(level=STRATEGY)
    rows = _slice(strategy, ("parent_id", "title", "id"), offset, wanted)
    if len(rows) < wanted:
        # Past the strategy goals: the others start where they ran out.
        skip = 0 if rows or not offset else offset - strategy.count()
        others = roots.exclude(level=STRATEGY)
        rows += _slice(others, ("parent_id", "level", "title", "id"), skip, wanted - len(rows))
    return rows[:limit], len(rows) > limit


def _children_page(children: QuerySet, offset: int, limit: int | None) -> tuple[list[Goal], bool]:
    """Rows of one goal's live ``children`` from ``offset`` in display order, and whether
    more follow: one goal's children are few enough to sort."""
    limit = limit or PAGE
    rows = _slice(children.annotate(level_order=LEVEL_ORDER), DISPLAY_ORDER, offset, limit + 1)
    return rows[:limit], len(rows) > limit


def _slice(goals: QuerySet, order: tuple[str, ...], start: int, count: int) -> list[Goal]:
    """Rows of ``goals`` in ``order`` from ``start``, each with its count of live children.
    The slice is taken on the goals alone, then their unit and people are joined in: joined
    first, a planner may join every goal of the level to sort them all. (``parent_id``
    leads the roots' order: PostgreSQL takes ``parent_id IS NULL`` for no equality and
    would not read the index in order without it.)"""
    page = goals.order_by(*order).values("pk")[start : start + count]
    rows = goal_rows().filter(pk__in=page).annotate(child_count=_live_children())
    if "level_order" in order:
        rows = rows.annotate(level_order=LEVEL_ORDER)
    return list(rows.order_by(*order))


def _live_children() -> Coalesce:
    """How many live children the row's goal has: a count on the live goals' index."""
    children = (
        Goal.objects.live()
        .filter(parent_id=OuterRef("pk"))
        .order_by()
        .values("parent_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(children), 0)


def attach_child_counts(rows: list[Row]) -> None:
    """Every row's (and opened row's children's) number of live children: one query."""
    by_id: dict[int, list[Row]] = defaultdict(list)
    stack = list(rows)
    while stack:
        row = stack.pop()
        by_id[row.goal.pk].append(row)
        stack.extend(row.children)
    if not by_id:
        return
    counts = (
        Goal.objects.live()
        .filter(parent_id__in=list(by_id))
        .order_by()
        .values_list("parent_id")
        .annotate(n=Count("id"))
    )
    for parent_id, n in counts:
        for row in by_id.get(parent_id, ()):
            row.child_count = n


def tree_roots(
    *, offset: int = 0, limit: int | None = None, exclude: int | None = None
) -> tuple[list[Row], bool]:
    """Live goals without a parent (strategy goals first) from ``offset``, and whether
    more follow."""
    roots = Goal.objects.live().roots()
    if exclude:
        roots = roots.exclude(pk=exclude)
    goals, more = _roots_page(roots, offset, limit)
    return [Row(goal=g, child_count=g.child_count) for g in goals], more


def goal_children(
    goal: Goal, *, offset: int = 0, limit: int | None = None, exclude: int | None = None
) -> tuple[list[Row], bool]:
    """One page of ``goal``'s live children in display order, with their child counts."""
    children = Goal.objects.live().filter(parent_id=goal.pk)
    if exclude:
        children = children.exclude(pk=exclude)
    goals, more = _children_page(children, offset, limit)
    return [Row(goal=g, child_count=g.child_count) for g in goals], more


def opened(goal: Goal) -> Row:
    """``goal``'s row opened: the first page of its children and how many it has."""
    children, more = goal_children(goal)
    count = Goal.objects.live().filter(parent_id=goal.pk).count() if more else len(children)
    more_offset = PAGE if more else None
    return Row(
        goal=goal, child_count=count, expanded=True, children=children, more_offset=more_offset
    )


def _first_children(parent_ids: list[int], limit: int) -> dict[int, list[Goal]]:
    """The first ``limit + 1`` live children of each parent, in display order: one query."""
    if not parent_ids:
        return {}
    numbered = (
        goal_rows()
        .live()
        .filter(parent_id__in=parent_ids)
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("parent_id")],
                order_by=[LEVEL_ORDER.asc(), F("title").asc(), F("id").asc()],
            )
        )
        .filter(position__lte=limit + 1)
        .annotate(child_count=_live_children())
        .order_by("parent_id", "position")
    )
    result: dict[int, list[Goal]] = defaultdict(list)
    for goal in numbered:
        result[goal.parent_id].append(goal)
    return result


def focused_tree(goal: Goal) -> tuple[list[Row], bool, int | None]:
    """The roots with the chain from ``goal``'s root down to ``goal`` opened, and
    ``goal``'s own children shown: "follow up to the vision" in four queries.

    A chain goal beyond the first page of its level is shown anyway, after that page
    (for the roots, the third value is that root's id, for "show more" to leave out).
    """
    limit = PAGE
    chain = [*goal.ancestor_ids, goal.pk]
    roots, roots_more = _roots_page(Goal.objects.live().roots(), 0, limit)
    kids = _first_children(chain, limit)
    chain_goals = {
        g.pk: g for g in goal_rows().filter(pk__in=chain).annotate(child_count=_live_children())
    }
    top = [Row(goal=g, child_count=g.child_count) for g in roots]
    level, level_more, parent_row = top, roots_more, None
    pinned_root = None
    for pk in chain:
        chain_goal = chain_goals.get(pk)
        if chain_goal is None:  # a broken path: show what there is
            break
        row = next((r for r in level if r.goal.pk == pk), None)
        if row is None:
            row = Row(goal=chain_goal, child_count=chain_goal.child_count)
            level.append(row)
            if parent_row is not None:
                parent_row.pinned_id = pk
            else:
                pinned_root = pk
        if parent_row is not None and level_more:
            parent_row.more_offset = limit
        row.expanded = True
        children = kids.get(pk, [])
        row.children = [Row(goal=g, child_count=g.child_count) for g in children[:limit]]
        level, level_more, parent_row = row.children, len(children) > limit, row
    row_for_goal = _find(top, goal.pk)
    if row_for_goal is not None:
        row_for_goal.focused = True
        if level_more and parent_row is row_for_goal:
            row_for_goal.more_offset = limit
    return top, roots_more, pinned_root


def _find(rows: list[Row], pk: int) -> Row | None:
    stack = list(rows)
    while stack:
        row = stack.pop()
        if row.goal.pk == pk:
            return row
        stack.extend(row.children)
    return None


# ----------------------------------------------------------------- filters and search


@dataclass
class GoalFilter:
    """What the tree page's filters ask for; empty fields filter nothing."""

    q: str = ""
    period: Period | None = None
    unit_ids: list[int] | None = None
    level: str = ""
    owner: Person | None = None
    status: str = ""

    @property
    def active(self) -> bool:
        return bool(
            self.q
            or self.period
            or self.unit_ids is not None
            or self.level
            or self.owner
            or self.status
        )


def filtered_goals(criteria: GoalFilter) -> QuerySet:
    """Live goals matching every filter, in tree order (each branch together)."""
    goals = goal_rows().live().search(criteria.q)
    if criteria.period is not None:
        inside = Period.objects.filter(
            start__gte=criteria.period.start, end__lte=criteria.period.end
        ).values("pk")
        goals = goals.filter(period__in=inside)
    if criteria.unit_ids is not None:
        goals = goals.filter(unit_id__in=criteria.unit_ids)
    if criteria.level:
        goals = goals.filter(level=criteria.level)
    if criteria.owner is not None:
        goals = goals.filter(owner=criteria.owner)
    if criteria.status in GoalStatus.values:
        goals = goals.filter(
            Q(status_override=criteria.status) | Q(status_override="", status=criteria.status)
        )
    return goals.order_by("path", "id")


@dataclass
class Crumb:
    pk: int
    title: str
    level: str


def ancestor_chains(goals: list[Goal]) -> dict[int, list[Crumb]]:
    """Each goal's ancestors, root first, read off the paths in one query."""
    wanted = {pk for goal in goals for pk in goal.ancestor_ids}
    known = {}
    if wanted:
        known = {
            pk: Crumb(pk, title, level)
            for pk, title, level in Goal.objects.filter(pk__in=wanted)
            .order_by()
            .values_list("pk", "title", "level")
        }
    return {goal.pk: [known[pk] for pk in goal.ancestor_ids if pk in known] for goal in goals}


@dataclass
class UnitLine:
    """A live unit as the alignment pages list it: a few columns and its depth."""

    pk: int
    parent_id: int | None
    level: str
    name: str
    depth: int = 0


def unit_outline() -> list[UnitLine]:
    """Live units depth first, siblings by level then name: one query of four columns, so
    that a thousand units cost a few milliseconds."""
    lines = [
        UnitLine(*row)
        for row in Unit.objects.live().order_by().values_list("pk", "parent_id", "level", "name")
    ]
    ids = {line.pk for line in lines}
    children: dict[int | None, list[UnitLine]] = defaultdict(list)
    for line in lines:
        children[line.parent_id if line.parent_id in ids else None].append(line)
    for siblings in children.values():
        siblings.sort(key=lambda u: (LEVEL_RANK.get(u.level, 9), u.name.lower(), u.pk))
    result: list[UnitLine] = []
    stack = [(line, 0) for line in reversed(children[None])]
    while stack:
        line, depth = stack.pop()
        line.depth = depth
        result.append(line)
        stack.extend((kid, depth + 1) for kid in reversed(children.get(line.pk, [])))
    return result


def subtree_unit_ids(outline: list[tuple[int, int]], unit_id: int) -> list[int]:
    """``unit_id`` and the units beneath it, from (id, depth) pairs in outline order."""
    ids: list[int] = []
    inside_depth = None
    for pk, depth in outline:
        if inside_depth is not None:
            if depth <= inside_depth:
                break
            ids.append(pk)
        elif pk == unit_id:
            inside_depth = depth
            ids.append(pk)
    return ids


# A unit picker is rebuilt at once when a unit is added, changed, archived or removed
# (its count or latest change moves), and at the latest after this many seconds.
UNIT_PICKER_SECONDS = 300


@dataclass
class UnitPicker:
    """Live units for a filter: (id, depth) in outline order and their ``<option>``s."""

    outline: list[tuple[int, int]]
    options_html: str

    @property
    def ids(self) -> set[int]:
        return {pk for pk, _depth in self.outline}


def unit_picker(organization_id: int) -> UnitPicker:
    """The organization's units as a filter shows them, from the cache while no unit
    changed: one small aggregate instead of reading and writing out every unit."""
    signature = Unit.objects.live().aggregate(n=Count("id"), changed=Max("updated_at"))
    changed = signature["changed"].timestamp() if signature["changed"] else 0
    key = f"alignment:unit-picker:{organization_id}:{signature['n']}:{changed}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    lines = unit_outline()
    picker = UnitPicker(
        outline=[(line.pk, line.depth) for line in lines],
        options_html="".join(
            f'<option value="{line.pk}">{escape("— " * line.depth + line.name)}</option>'
            for line in lines
        ),
    )
    cache.set(key, picker, UNIT_PICKER_SECONDS)
    return picker


# -------------------------------------------------------------------------- orphans


def orphans() -> QuerySet:
    """Live goals that do not trace up to a strategy goal (the ``aligned`` index), unit
    goals by unit name first, then self goals by person."""
    return (
        Goal.objects.orphans()
        .select_related("unit", "person", "owner", "parent")
        .only(*ROW_FIELDS, "parent__title")
        .order_by(
            F("unit__name").asc(nulls_last=True),
            "unit_id",
            "person__name",
            "person_id",
            "title",
            "id",
        )
    )


@dataclass
class OrphanGroup:
    key: tuple
    unit: Unit | None
    person: Person | None
    goals: list[Goal] = field(default_factory=list)


def group_orphans(goals) -> list[OrphanGroup]:
    groups: list[OrphanGroup] = []
    for goal in goals:
        key = ("unit", goal.unit_id) if goal.unit_id else ("self", goal.person_id)
        if not groups or groups[-1].key != key:
            groups.append(OrphanGroup(key=key, unit=goal.unit, person=goal.person))
        groups[-1].goals.append(goal)
    return groups


# ------------------------------------------------------------------------- coverage


def _share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass
class CoverageRow:
    unit: UnitLine | None
    depth: int = 0
    goals: int = 0
    aligned_goals: int = 0
    people: int = 0
    aligned_people: int = 0
    pending: int = 0

    @property
    def goal_share(self) -> int | None:
        return _share(self.aligned_goals, self.goals)

    @property
    def people_share(self) -> int | None:
        return _share(self.aligned_people, self.people)


def alignment_coverage(
    outline: list[UnitLine], *, today: datetime.date
) -> tuple[list[CoverageRow], CoverageRow]:
    """Per live unit (in ``outline`` order) and for the whole organization: how many
    live goals are aligned; how many of the unit's people (lead, manager, members) have
    an aligned live self goal in a period containing ``today``; and how many pending
    agreements involve the unit's goals. Five grouped queries, none per unit."""
    rows = {line.pk: CoverageRow(unit=line, depth=line.depth) for line in outline}
    total = CoverageRow(unit=None)
    for unit_id, n, aligned in (
        Goal.objects.live()
        .order_by()
        .values_list("unit_id")
        .annotate(n=Count("id"), aligned=Count("id", filter=Q(aligned=True)))
    ):
        total.goals += n
        total.aligned_goals += aligned
        if unit_id in rows:
            rows[unit_id].goals = n
            rows[unit_id].aligned_goals = aligned

    with_self_goal = set(
        Goal.objects.live()
        .filter(
            level="self",
            aligned=True,
            person__is_active=True,
            period__start__lte=today,
            period__end__gte=today,
        )
        .order_by()
        .values_list("person_id", flat=True)
        .distinct()
    )
    people: dict[int, set[int]] = defaultdict(set)
    for unit_id, person_id in (
        RoleAssignment.objects.filter(unit_id__in=list(rows), person__is_active=True)
        .order_by()
        .values_list("unit_id", "person_id")
    ):
        people[unit_id].add(person_id)
    for unit_id, members in people.items():
        rows[unit_id].people = len(members)
        rows[unit_id].aligned_people = len(members & with_self_goal)
    total.people = Person.objects.filter(is_active=True).count()
    total.aligned_people = len(with_self_goal)

    for involved in (
        Agreement.objects.pending()
        .order_by()
        .values_list(
            "goal__unit_id",
            "link__source__unit_id",
            "link__target__unit_id",
            "commitment__goal__unit_id",
        )
    ):
        total.pending += 1
        for unit_id in {u for u in involved if u is not None}:
            if unit_id in rows:
                rows[unit_id].pending += 1
    return list(rows.values()), total
