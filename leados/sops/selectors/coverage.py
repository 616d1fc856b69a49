"""The coverage map: each leader × the 16 dimensions, with the number of live routines in
each and their adherence over the last 12 weeks; empty cells are the gaps.

Leaders are the active people who lead or manage a live unit, and anyone owning a live
routine. Admins, owners and coaches see the organization's leaders (filtered by a unit's
subtree, a unit level, or only those with gaps); everyone else sees themselves and the
people they manage. A page of rows is read in a fixed number of queries: the page of
people, their count, their routines per dimension, their runs per dimension, and the
column totals over every leader the filters keep.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q

from leados.core import policy
from leados.core.access import get_unit_for
from leados.core.models import Person, RoleAssignment, Unit, UnitRole
from leados.core.periods import organization_today
from leados.sops.models import (
    CLOSED_RUN_STATES,
    DIMENSIONS_OF,
    Dimension,
    Domain,
    RunState,
    Sop,
    SopRun,
)
from leados.sops.selectors.measures import DEFAULT_WEEKS, buckets, unit_subtree_ids

PER_PAGE = 100
DIMENSION_COUNT = len(Dimension.values)
ORG_WIDE_ROLES = (policy.OrgRole.OWNER, policy.OrgRole.ADMIN, policy.OrgRole.COACH)
LEADING_ROLES = (UnitRole.LEAD, UnitRole.MANAGE)
DIMENSION_LABELS = dict(Dimension.choices)
DOMAIN_LABELS = dict(Domain.choices)


def band_of(adherence: float | None) -> str:
    """The heatmap band of an adherence (per cent); ``none`` when nothing was due yet."""
    if adherence is None:
        return "none"
    if adherence >= 90:
        return "high"
    if adherence >= 70:
        return "good"
    if adherence >= 40:
        return "low"
    return "poor"


BAND_WORDS = {
    "gap": "no routine",
    "none": "nothing due yet",
    "high": "90 % or more",
    "good": "70 to 89 %",
    "low": "40 to 69 %",
    "poor": "below 40 %",
}


@dataclass
class Cell:
    dimension: str
    routines: int = 0
    done: int = 0
    due: int = 0

    @property
    def adherence(self) -> float | None:
        return round(100 * self.done / self.due, 1) if self.due else None

    @property
    def band(self) -> str:
        return "gap" if not self.routines else band_of(self.adherence)

    @property
    def label(self) -> str:
        return DIMENSION_LABELS[self.dimension]

    def as_dict(self) -> dict:
        return {
            "dimension": self.dimension,
            "routines": self.routines,
            "due": self.due,
            "done": self.done,
            "adherence": self.adherence,
            "gap": not self.routines,
        }


@dataclass
class Row:
    person: Person
    cells: list[Cell]

    @property
    def covered(self) -> int:
        return sum(1 for cell in self.cells if cell.routines)

    @property
    def gaps(self) -> int:
        return DIMENSION_COUNT - self.covered


@dataclass
class Column:
    dimension: str
    domain: str
    leaders: int = 0

    @property
    def label(self) -> str:
        return DIMENSION_LABELS[self.dimension]


@dataclass
class Coverage:
    rows: list[Row]
    page: Page
    columns: list[Column]
    groups: list[tuple[str, str, int]]  # (domain, label, number of dimensions)
    organization_wide: bool
    first: datetime.date
    today: datetime.date
    filters: dict = field(default_factory=dict)

    @property
    def leaders(self) -> int:
        return self.page.paginator.count


def dimensions_in_order() -> list[str]:
    return [dim for domain in Domain.values for dim in DIMENSIONS_OF[domain]]


def sees_organization(viewer: Person) -> bool:
    return viewer.role in ORG_WIDE_ROLES


def leaders_for(
    viewer: Person, *, unit: Unit | None = None, level: str = "", only_gaps: bool = False
):
    """The people whose rows ``viewer`` sees, filtered, ordered by name."""
    people = Person.objects.filter(organization_id=viewer.organization_id, is_active=True)
    live_sops = Sop.objects.filter(organization_id=viewer.organization_id, is_archived=False)
    leading = RoleAssignment.objects.filter(
        organization_id=viewer.organization_id,
        role__in=LEADING_ROLES,
        unit__archived_at__isnull=True,
    )
    if sees_organization(viewer):
        people = people.filter(
            Q(pk__in=leading.values("person_id")) | Q(pk__in=live_sops.values("owner_id"))
        )
    else:
        people = people.filter(Q(pk=viewer.pk) | Q(manager_id=viewer.pk))
    if unit is not None:
        ids = unit_subtree_ids(unit)
        people = people.filter(
            Q(pk__in=leading.filter(unit_id__in=ids).values("person_id"))
            | Q(pk__in=live_sops.filter(unit_id__in=ids).values("owner_id"))
        )
    if level:
        people = people.filter(pk__in=leading.filter(unit__level=level).values("person_id"))
    if only_gaps:
        full = (
            live_sops.order_by()
            .values("owner_id")
            .annotate(dimensions=Count("dimension", distinct=True))
            .filter(dimensions__gte=DIMENSION_COUNT)
            .values("owner_id")
        )
        people = people.exclude(pk__in=full)
    return people.order_by("name", "id")


def coverage_map(
    viewer: Person,
    *,
    unit: Unit | None = None,
    level: str = "",
    only_gaps: bool = False,
    page: int | str | None = 1,
    per_page: int = PER_PAGE,
    today: datetime.date | None = None,
) -> Coverage:
    """One page of the coverage map as ``viewer`` may see it (see the module's note)."""
    organization = viewer.organization
    today = today or organization_today(organization)
    first = buckets(today, DEFAULT_WEEKS, organization.week_start_day)[0][0]
    leaders = leaders_for(viewer, unit=unit, level=level, only_gaps=only_gaps)
    paged = Paginator(leaders.only("id", "name", "title", "manager_id"), per_page)
    page_obj = paged.get_page(page)
    people = list(page_obj.object_list)
    ids = [p.pk for p in people]
    order = dimensions_in_order()
    cells = {(pk, dim): Cell(dim) for pk in ids for dim in order}
    live = Sop.objects.filter(organization_id=organization.pk, is_archived=False)
    if ids:
        # The page's live routines, then the closed runs of its leaders over the last weeks
        # counted per routine from the per-person index alone (no join), each added to the
        # cell of the leader who ran it and the routine's dimension.
        dimension_of = {}
        for sop_id, owner_id, dimension in (
            live.filter(owner_id__in=ids).order_by().values_list("id", "owner_id", "dimension")
        ):
            dimension_of[sop_id] = dimension
            cells[owner_id, dimension].routines += 1
        counted = list(
            SopRun.objects.filter(
                organization_id=organization.pk,
                owner_id__in=ids,
                due_on__gte=first,
                state__in=CLOSED_RUN_STATES,
            )
            .order_by()
            .values("owner_id", "sop_id")
            .annotate(due=Count("sop_id"), done=Count("sop_id", filter=Q(state=RunState.DONE)))
            .values_list("owner_id", "sop_id", "due", "done")
        )
        handed_over = {sop_id for _, sop_id, _, _ in counted if sop_id not in dimension_of}
        if handed_over:  # routines a leader ran before someone else took them over
            dimension_of.update(
                live.filter(pk__in=handed_over).order_by().values_list("id", "dimension")
            )
        for owner_id, sop_id, due, done in counted:
            dimension = dimension_of.get(sop_id)
            if dimension is None:
                continue  # an archived routine's runs do not count
            cell = cells[owner_id, dimension]
            cell.due += due
            cell.done += done
    rows = [Row(person, [cells[person.pk, dim] for dim in order]) for person in people]
    columns = [Column(dim, domain) for domain in Domain.values for dim in DIMENSIONS_OF[domain]]
    # Leaders with a live routine in each dimension: with no filter, any active owner of a
    # live routine is one of the leaders the map lists, which spares matching them. The few
    # inactive people are left out by a subquery rather than a join, so that the owners are
    # counted in the order of the (dimension, owner) index with no sort.
    inactive = Person.objects.filter(organization_id=organization.pk, is_active=False)
    owners = (
        live.exclude(owner_id__in=inactive.values("pk"))
        if sees_organization(viewer) and unit is None and not level and not only_gaps
        else live.filter(owner_id__in=leaders.values("pk"))
    )
    totals = dict(
        owners.order_by()
        .values("dimension")
        .annotate(leaders=Count("owner_id", distinct=True))
        .values_list("dimension", "leaders")
    )
    for column in columns:
        column.leaders = totals.get(column.dimension, 0)
    return Coverage(
        rows=rows,
        page=page_obj,
        columns=columns,
        groups=[(d, DOMAIN_LABELS[d], len(DIMENSIONS_OF[d])) for d in Domain.values],
        organization_wide=sees_organization(viewer),
        first=first,
        today=today,
        filters={"unit": unit, "level": level, "only_gaps": only_gaps},
    )


def coverage_for_viewer(viewer, data: dict, *, page=1):
    """The coverage map for cleaned filters (unit id, level, gaps); an unknown unit is
    ``NotFound``."""

    unit = get_unit_for(viewer, data["unit"]) if data.get("unit") else None
    return coverage_map(
        viewer,
        unit=unit,
        level=data.get("level") or "",
        only_gaps=bool(data.get("gaps")),
        page=page,
    )
