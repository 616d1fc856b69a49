"""Periods: the fiscal years, quarters and months goals belong to."""

import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel

from leados.api.common import ERRORS, PageParams, org_operation, paginate, set_etag
from leados.core.access import get_period_for
from leados.core.models import Period, PeriodKind
from leados.core.periods import organization_today, periods_around

router = Router(tags=["periods"])

Kind = Literal[tuple(PeriodKind.values)]  # type: ignore[valid-type]


class PeriodRef(BaseModel):
    id: int
    kind: Kind
    label: str


class PeriodOut(BaseModel):
    id: int
    kind: Kind
    label: str
    start: datetime.date
    end: datetime.date
    fiscal_year: int
    number: int
    parent: PeriodRef | None


class PeriodList(BaseModel):
    items: list[PeriodOut]
    count: int


class PeriodFilters(Schema):
    kind: Kind | None = None
    around: datetime.date | Literal["today"] | None = Field(
        None,
        description=(
            "Only the current and the next year, quarter and month around this date "
            '(YYYY-MM-DD, or "today" in the organization\'s time zone), created if needed.'
        ),
    )


_COLUMNS = (
    "id",
    "kind",
    "label",
    "start",
    "end",
    "fiscal_year",
    "number",
    "parent_id",
    "parent__kind",
    "parent__label",
)


def period_rows(periods: QuerySet) -> list[dict]:
    """Periods with their parent, in one query."""
    rows = []
    for (
        pk,
        kind,
        label,
        start,
        end,
        fiscal_year,
        number,
        parent_id,
        p_kind,
        p_label,
    ) in periods.values_list(*_COLUMNS):
        rows.append(
            {
                "id": pk,
                "kind": kind,
                "label": label,
                "start": start,
                "end": end,
                "fiscal_year": fiscal_year,
                "number": number,
                "parent": (
                    None
                    if parent_id is None
                    else {"id": parent_id, "kind": p_kind, "label": p_label}
                ),
            }
        )
    return rows


@router.get("/{org}/periods", response={200: PeriodList, **ERRORS}, summary="List periods")
@org_operation
def list_periods(request, org: str, page: Query[PageParams], filters: Query[PeriodFilters]):
    """The organization's periods in order of their start, a year before its quarters."""
    periods = Period.objects.in_order()
    if filters.around is not None:
        day = organization_today(request.org) if filters.around == "today" else filters.around
        periods = periods.filter(pk__in=[p.pk for p in periods_around(request.org, day)])
    periods = periods.of_kind(filters.kind)
    return paginate(periods, page, period_rows, PeriodList)


@router.get("/{org}/periods/{period_id}", response={200: PeriodOut, **ERRORS}, summary="A period")
@org_operation
def get_period(request, org: str, period_id: int, response: HttpResponse):
    period = get_period_for(request.viewer, period_id)
    set_etag(response, period)
    parent = period.parent
    return {
        "id": period.pk,
        "kind": period.kind,
        "label": period.label,
        "start": period.start,
        "end": period.end,
        "fiscal_year": period.fiscal_year,
        "number": period.number,
        "parent": parent and {"id": parent.pk, "kind": parent.kind, "label": parent.label},
    }
