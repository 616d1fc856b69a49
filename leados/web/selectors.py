"""Reads behind the web pages. Each page's query count stays flat as the organization grows:
related rows come in one query each and trees are put together in Python."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet

from leados.core import policy
from leados.core.models import (
    HistoryEntry,
    Level,
    OrgRole,
    Person,
    RoleAssignment,
    Unit,
    UnitRole,
)
from leados.core.models.history import SnapshotKey

LEVEL_ORDER = {level.value: i for i, level in enumerate(Level)}


@dataclass
class PersonRef:
    pk: int
    name: str


@dataclass
class TreeNode:
    unit_id: int
    depth: int
    unit: Unit | None = None
    lead: Person | PersonRef | None = None
    manager: Person | PersonRef | None = None
    member_count: int = 0
    child_count: int = 0
    closes: range = field(default_factory=lambda: range(0))
    can_change: bool = False
    can_restructure: bool = False
    descendant_count: int = 0
    # Shown with its children folded away (loaded on demand in a large tree).
    collapsed: bool = False


def _sort_key(unit: Unit):
    return (LEVEL_ORDER.get(unit.level, 9), unit.name.lower(), unit.pk)


def _row_sort_key(row: tuple):
    return (LEVEL_ORDER.get(row[2], 9), row[3].lower(), row[0])


@dataclass
class UnitTree:
    """The shape of an organization's units: a few columns per unit, read in one query
    without joins. ``shown_nodes`` turns a part of it into what a page renders."""

    rows: dict[int, tuple]
    children: dict[int | None, list[int]]
    # Units below each unit, for the units that hang from the root(s).
    sizes: dict[int, int]

    def __len__(self) -> int:
        return len(self.sizes)

    def below(self, unit_id: int | None) -> list[int]:
        """The children of ``unit_id`` (``None``: the roots), in display order."""
        kids = self.children.get(unit_id, [])
        return sorted(kids, key=lambda pk: _row_sort_key(self.rows[pk]))


def unit_tree(*, include_archived: bool = False) -> UnitTree:
    """Every unit's id, parent, level, name and version (and archived time when archived
    units are shown): one query, whatever the size of the tree. A unit below a unit that
    is not shown is left out."""
    units = Unit.objects.order_by()
    if include_archived:
        rows = units.values_list("id", "parent_id", "level", "name", "version", "archived_at")
    else:
        rows = units.filter(archived_at__isnull=True).values_list(
            "id", "parent_id", "level", "name", "version"
        )
    by_id = {row[0]: row for row in rows}
    children: dict[int | None, list[int]] = defaultdict(list)
    for row in by_id.values():
        children[row[1] if row[1] in by_id else None].append(row[0])
    roots = [pk for pk in children.get(None, []) if by_id[pk][1] is None]
    children[None] = roots
    # Parents before children, then each unit's size added to its parent's.
    order = list(roots)
    for pk in order:
        order.extend(children.get(pk, ()))
    sizes = dict.fromkeys(order, 0)
    for pk in reversed(order):
        parent = by_id[pk][1]
        if parent is not None:
            sizes[parent] += sizes[pk] + 1
    return UnitTree(rows=by_id, children=children, sizes=sizes)


def _walk(tree: UnitTree, start: list[int], *, max_depth: int | None) -> list[TreeNode]:
    """The units from ``start`` down, parents before children, siblings in display order,
    at most ``max_depth`` levels below ``start``."""
    nodes: list[TreeNode] = []
    stack = [(pk, 0) for pk in reversed(start)]
    while stack:
        pk, depth = stack.pop()
        node = TreeNode(
            unit_id=pk,
            depth=depth,
            child_count=len(tree.children.get(pk, ())),
            descendant_count=tree.sizes.get(pk, 0),
        )
        node.row = tree.rows[pk]
        nodes.append(node)
        if node.child_count and (max_depth is None or depth < max_depth):
            stack.extend((kid, depth + 1) for kid in reversed(tree.below(pk)))
    return nodes


def _attach_roles(nodes: list[TreeNode]) -> None:
    """Lead, manager and member count of ``nodes`` in one query."""
    if not nodes:
        return
    by_unit = {node.unit_id: node for node in nodes}
    assignments = RoleAssignment.objects.order_by().filter(unit_id__in=list(by_unit))
    # At most one lead and one manager per unit: a group of those is one person.
    grouped = assignments.values("unit_id", "role").annotate(
        n=Count("id"),
        person_id=Max("person_id", filter=~Q(role=UnitRole.MEMBER)),
        person_name=Max("person__name", filter=~Q(role=UnitRole.MEMBER)),
    )
    for row in grouped.values_list("unit_id", "role", "n", "person_id", "person_name"):
        node = by_unit.get(row[0])
        if node is None:
            continue
        role = row[1]
        if role == UnitRole.MEMBER:
            node.member_count = row[2]
        elif role == UnitRole.LEAD:
            node.lead = PersonRef(row[3], row[4])
        elif role == UnitRole.MANAGE:
            node.manager = PersonRef(row[3], row[4])


def shown_nodes(
    tree: UnitTree, viewer: Person, *, limit: int, below: int | None = None
) -> list[TreeNode]:
    """The units below ``below`` (``None``: the whole tree) as a page shows them: all of
    them within ``limit``; beyond it, their first two levels, with the rest folded into
    their parents (to be opened on demand). Each shown unit comes with its lead, manager
    and member count (one query), what ``viewer`` may do with it, and nested-list
    closings."""
    start = tree.below(below)
    total = sum(tree.sizes.get(pk, 0) + 1 for pk in start)
    folded = total > limit
    shown = _walk(tree, start, max_depth=1 if folded else None)
    if folded:
        for node in shown:
            node.collapsed = node.depth == 1 and node.descendant_count > 0
    if not shown:
        return shown
    _attach_roles(shown)
    if viewer.role not in policy.ADMINS:
        policy.preload_unit_roles(viewer)
    for i, node in enumerate(shown):
        unit_id, parent_id, level, name, version, *archived = node.row
        node.unit = Unit(
            id=unit_id,
            organization_id=viewer.organization_id,
            parent_id=parent_id,
            level=level,
            name=name,
            archived_at=archived[0] if archived else None,
            version=version,
        )
        node.can_change = policy.can(viewer, policy.UNIT_CHANGE, node.unit)
        node.can_restructure = policy.can(viewer, policy.UNIT_RESTRUCTURE, node.unit)
        has_shown_children = i + 1 < len(shown) and shown[i + 1].depth > node.depth
        node.child_count = node.child_count if has_shown_children else 0
        if has_shown_children:
            node.closes = range(0)
            continue
        next_depth = shown[i + 1].depth if i + 1 < len(shown) else 0
        node.closes = range(max(0, node.depth - next_depth))
    return shown


def unit_choices_tree(*, exclude_below: Unit | None = None) -> list[tuple[Unit, int]]:
    """Live units in tree order with their depth, for choosing a parent (one query).
    ``exclude_below`` leaves out that unit and everything inside it."""
    units = list(Unit.objects.filter(archived_at__isnull=True).order_by())
    children: dict[int | None, list[Unit]] = defaultdict(list)
    ids = {u.pk for u in units}
    for unit in units:
        children[unit.parent_id if unit.parent_id in ids else None].append(unit)
    for siblings in children.values():
        siblings.sort(key=_sort_key)
    result: list[tuple[Unit, int]] = []
    stack = [(u, 0) for u in reversed(children[None])]
    while stack:
        unit, depth = stack.pop()
        if exclude_below is not None and unit.pk == exclude_below.pk:
            continue
        result.append((unit, depth))
        stack.extend((kid, depth + 1) for kid in reversed(children.get(unit.pk, [])))
    return result


# What a row of the directory shows: reading no more keeps a page of 50 cheap.
DIRECTORY_FIELDS = (
    "name",
    "title",
    "role",
    "is_active",
    "user__email",
    "manager__name",
)


def people_directory(
    *, q: str = "", role: str = "", status: str = "active", manager: str = ""
) -> QuerySet:
    people = Person.objects.select_related("user", "manager").only(*DIRECTORY_FIELDS).search(q)
    if manager == "none":
        people = people.filter(manager__isnull=True)
    if role in OrgRole.values:
        people = people.filter(role=role)
    if status == "deactivated":
        people = people.filter(is_active=False)
    elif status != "all":
        people = people.filter(is_active=True)
    return people.order_by("name", "id")


def unit_roles(unit: Unit) -> dict:
    """The unit's lead, manager and members (one query)."""
    result = {"lead": None, "manager": None, "members": []}
    for assignment in (
        RoleAssignment.objects.filter(unit=unit).select_related("person__user").order_by()
    ):
        if assignment.role == UnitRole.LEAD:
            result["lead"] = assignment
        elif assignment.role == UnitRole.MANAGE:
            result["manager"] = assignment
        else:
            result["members"].append(assignment)
    result["members"].sort(key=lambda a: (a.person.name.lower(), a.pk))
    return result


def sub_units(unit: Unit, *, include_archived: bool = False) -> list[TreeNode]:
    """The unit's direct children with their lead and manager (two queries)."""
    kids = Unit.objects.filter(parent=unit)
    if not include_archived:
        kids = kids.filter(archived_at__isnull=True)
    kids = sorted(kids, key=_sort_key)
    leadership: dict[int, dict[str, Person]] = defaultdict(dict)
    for assignment in RoleAssignment.objects.filter(
        unit__in=[k.pk for k in kids], role__in=[UnitRole.LEAD, UnitRole.MANAGE]
    ).select_related("person"):
        leadership[assignment.unit_id][assignment.role] = assignment.person
    return [
        TreeNode(
            unit_id=k.pk,
            unit=k,
            depth=0,
            lead=leadership[k.pk].get(UnitRole.LEAD),
            manager=leadership[k.pk].get(UnitRole.MANAGE),
        )
        for k in kids
    ]


def ancestors(unit: Unit) -> list[Unit]:
    """The units above ``unit``, root first (one query for the whole organization's parents)."""
    parents = dict(Unit.objects.order_by().values_list("pk", "parent_id"))
    names = {}
    chain = []
    current = unit.parent_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    if chain:
        names = {u.pk: u for u in Unit.objects.filter(pk__in=chain)}
    return [names[pk] for pk in reversed(chain) if pk in names]


# An object's history ids are passed to the database as a list up to this many.
HISTORY_IDS_LISTED = 5000


@dataclass
class HeldRole:
    level: str
    unit: Unit | None
    roles: list[str]


def roles_across_levels(person: Person) -> list[HeldRole]:
    """Every role ``person`` holds, grouped by unit, in level order; Self always comes last:
    everyone leads and manages themselves. One query."""
    by_unit: dict[int, HeldRole] = {}
    for assignment in (
        RoleAssignment.objects.filter(person=person, unit__archived_at__isnull=True)
        .select_related("unit")
        .order_by()
    ):
        held = by_unit.setdefault(
            assignment.unit_id,
            HeldRole(level=assignment.unit.level, unit=assignment.unit, roles=[]),
        )
        held.roles.append(assignment.role)
    role_order = {UnitRole.LEAD: 0, UnitRole.MANAGE: 1, UnitRole.MEMBER: 2}
    held_roles = sorted(by_unit.values(), key=lambda h: _sort_key(h.unit))
    for held in held_roles:
        held.roles.sort(key=lambda r: role_order.get(r, 9))
    held_roles.append(HeldRole(level=Level.SELF, unit=None, roles=[UnitRole.LEAD, UnitRole.MANAGE]))
    return held_roles


def history_entries(
    *,
    object_type: str = "",
    object_id: int | None = None,
    edge: str = "",
    actor: str = "",
) -> QuerySet:
    """History entries, newest first. For one person or unit, role changes on it are included."""
    entries = HistoryEntry.objects.select_related("actor")
    if object_id is not None and object_type in ("person", "unit"):
        # The ids first, from two index searches (SnapshotKey's index for role changes),
        # then the entries by id: one query with both conditions leaves the choice of index
        # to a planner that, misjudging how many entries match, reads every entry of the
        # organization newest first.
        own = HistoryEntry.objects.filter(object_type=object_type, object_id=object_id)
        role_changes = HistoryEntry.objects.alias(
            snapshot_ref=SnapshotKey(f"{object_type}_id")
        ).filter(object_type="roleassignment", snapshot_ref=str(object_id))
        ids = own.order_by().values_list("pk", flat=True)
        ids = ids.union(role_changes.order_by().values_list("pk", flat=True), all=True)
        listed = list(ids[: HISTORY_IDS_LISTED + 1])
        entries = entries.filter(pk__in=listed if len(listed) <= HISTORY_IDS_LISTED else ids)
    elif object_type:
        entries = entries.filter(object_type=object_type)
        if object_id is not None:
            entries = entries.filter(object_id=object_id)
    if edge:
        entries = entries.filter(edge=edge)
    if actor:
        entries = entries.filter(actor_label__icontains=actor.strip())
    return entries.order_by("-id")
