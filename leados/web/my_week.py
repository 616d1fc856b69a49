"""My week: the page a person lands on, made of sections that capabilities contribute.

A section provider is a function ``(person) -> Section | None`` registered with
``@section(order=…)``. It runs inside the organization's scope and must keep its query
count flat as the organization grows (a limited list plus a count).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from leados.core import policy
from leados.core.models import Invitation, Level, Person, RoleAssignment, Unit, UnitRole

LIST_LIMIT = 8
# Up to this many matches, a section's list is read in one query and sorted in Python.
SORT_IN_PYTHON = 200


@dataclass
class Item:
    text: str
    url: str = ""
    detail: str = ""


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    total: int | None = None
    more_url: str = ""
    empty: str = ""
    attention: bool = False
    # A section with its own layout names its template; ``context`` goes to it.
    template: str = "web/my_week/section.html"
    context: dict = field(default_factory=dict)

    @property
    def more(self) -> int:
        return max(0, (self.total or 0) - len(self.items))


Provider = Callable[[Person], "Section | None"]
_providers: list[tuple[int, str, Provider]] = []


def section(*, order: int = 100):
    """Register a My week section provider; a lower ``order`` comes first."""

    def register(provider: Provider) -> Provider:
        name = f"{provider.__module__}.{provider.__qualname__}"
        _providers[:] = [p for p in _providers if p[1] != name]
        _providers.append((order, name, provider))
        _providers.sort(key=lambda p: (p[0], p[1]))
        return provider

    return register


def sections_for(person: Person) -> list[Section]:
    result = []
    for _order, _name, provider in _providers:
        found = provider(person)
        if found is not None:
            result.append(found)
    return result


def _first_few(rows, fields: tuple[str, ...]):
    """How many ``rows`` there are and the first ``LIST_LIMIT`` of them by name (``fields``
    of each: id, name, then what the section shows). Usually there are few: one query
    reads them all and they are sorted here, which spares walking the whole organization
    in name order looking for them. Past ``SORT_IN_PYTHON`` they are counted and the
    first few read in order by the database."""
    found = list(rows.order_by().values_list(*fields)[: SORT_IN_PYTHON + 1])
    if len(found) <= SORT_IN_PYTHON:
        found.sort(key=lambda row: (row[1], row[0]))
        return len(found), found[:LIST_LIMIT]
    return rows.count(), list(rows.order_by("name", "id").values_list(*fields)[:LIST_LIMIT])


def once(person: Person, key: str, read: Callable[[], object]):
    """``read()`` made once per page: sections that show parts of the same rows share one
    read, kept on the page's ``person`` under ``key``."""
    memo = person.__dict__.setdefault("_my_week_reads", {})
    if key not in memo:
        memo[key] = read()
    return memo[key]


def split_first(
    rows, group_of: Callable[[object], Iterable[str]], fallback: dict
) -> dict[str, tuple]:
    """One read of ``rows`` (already in list order) shared by several lists: for each group,
    its first ``LIST_LIMIT`` rows and how many there are (``group_of(row)`` names the
    groups a row is listed in). Past ``SORT_IN_PYTHON`` rows in all, each group is read on
    its own instead: ``fallback`` maps each group to its own queryset."""
    found = list(rows[: SORT_IN_PYTHON + 1])
    if len(found) > SORT_IN_PYTHON:
        result = {}
        for group, queryset in fallback.items():
            first = list(queryset[:LIST_LIMIT])
            total = len(first) if len(first) < LIST_LIMIT else queryset.count()
            result[group] = (first, total)
        return result
    grouped: dict[str, list] = {group: [] for group in fallback}
    for row in found:
        for group in group_of(row):
            grouped[group].append(row)
    return {group: (items[:LIST_LIMIT], len(items)) for group, items in grouped.items()}


def _org_url(name: str, person: Person, *args) -> str:
    return reverse(name, args=[person.organization.slug, *args])


@section(order=10)
def my_roles(person: Person) -> Section:
    from leados.web.selectors import roles_across_levels

    held = roles_across_levels(person)
    levels = []
    for level in Level:
        levels.append((level, [h for h in held if h.level == level]))
    return Section(
        key="my_roles",
        title="Where you lead and manage",
        template="web/my_week/levels.html",
        context={"levels": levels},
    )


@section(order=20)
def pending_invitations(person: Person) -> Section | None:
    if not policy.can(person, policy.PEOPLE_MANAGE):
        return None
    pending = Invitation.objects.pending().order_by("-created_at")
    invitations = list(pending[:LIST_LIMIT])
    return Section(
        key="pending_invitations",
        title="Pending invitations",
        items=[
            Item(
                text=i.name or i.email,
                detail=f"{i.email} · {i.get_role_display()}" if i.name else i.get_role_display(),
            )
            for i in invitations
        ],
        total=pending.count(),
        more_url=_org_url("web:invitations", person),
        empty="No invitation is waiting for an answer.",
    )


@section(order=30)
def people_without_manager(person: Person) -> Section | None:
    if not policy.can(person, policy.PEOPLE_MANAGE):
        return None
    leads_the_top = RoleAssignment.objects.filter(
        person=OuterRef("pk"), role=UnitRole.LEAD, unit__level=Level.STRATEGY
    )
    people = Person.objects.filter(is_active=True, manager__isnull=True).exclude(
        Exists(leads_the_top)
    )
    total, found = _first_few(people, ("pk", "name", "title"))
    return Section(
        key="people_without_manager",
        title=f"{person.organization.word('person', plural=True)} without a manager",
        items=[
            Item(text=name, url=_org_url("web:person", person, pk), detail=title)
            for pk, name, title in found
        ],
        total=total,
        more_url=_org_url("web:people", person) + "?manager=none",
        empty="Everyone has a manager.",
        attention=bool(found),
    )


@section(order=40)
def units_without_lead_or_manager(person: Person) -> Section | None:
    if not policy.can(person, policy.PEOPLE_MANAGE):
        return None

    def holder(role):
        return Exists(RoleAssignment.objects.filter(unit=OuterRef("pk"), role=role))

    units = (
        Unit.objects.filter(archived_at__isnull=True)
        .annotate(has_lead=holder(UnitRole.LEAD), has_manager=holder(UnitRole.MANAGE))
        .filter(Q(has_lead=False) | Q(has_manager=False))
    )
    total, found = _first_few(units, ("pk", "name", "level", "has_lead", "has_manager"))
    items = []
    for pk, name, level, has_lead, has_manager in found:
        missing = [w for w, has in (("lead", has_lead), ("manager", has_manager)) if not has]
        items.append(
            Item(
                text=name,
                url=_org_url("web:unit", person, pk),
                detail=f"{Level(level).label} · no {' and no '.join(missing)}",
            )
        )
    return Section(
        key="units_without_lead_or_manager",
        title=f"{person.organization.word('unit', plural=True)} without a lead or manager",
        items=items,
        total=total,
        more_url=_org_url("web:units", person),
        empty="Every unit has a lead and a manager.",
        attention=bool(found),
    )
