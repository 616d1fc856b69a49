"""The API's scorecards collection under /api/v1/orgs/{org}/: named, ordered selections
of measurables and their grid."""

from __future__ import annotations

import datetime
from functools import wraps
from typing import Annotated

from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import BaseModel

from leados.api.common import (
    ERRORS,
    WRITE_ERRORS,
    Id,
    Input,
    PageParams,
    Text,
    expected_version,
    org_operation,
    paginate,
    reference,
    set_etag,
    stale_check,
)
from leados.api.errors import error_body
from leados.api.schemas import DateTime, PersonRef, UnitRef, json_response
from leados.core import policy
from leados.core.access import get_person_for, get_unit_for
from leados.core.errors import NotFound
from leados.core.periods import organization_today
from leados.core.services._common import field_error
from leados.operate import measures
from leados.operate.forecast import forecasts
from leados.operate.models import Frequency, Scorecard, ScorecardItem, ScorecardKind
from leados.operate.models.scorecards import DESCRIPTION_MAX, MAX_SCORECARD_ITEMS, NAME_MAX
from leados.operate.selectors.scorecard_pages import why_read_only
from leados.operate.selectors.scorecards import (
    GRID_PERIODS,
    get_scorecard_for,
    grid,
    scorecard_measurables,
)
from leados.operate.services import scorecards as services

router = Router(tags=["scorecards"])

MeasurableIds = Annotated[list[Id], Field(max_length=MAX_SCORECARD_ITEMS)]


# --- schemas ---------------------------------------------------------------------------


class ScorecardFilters(Schema):
    kind: ScorecardKind | None = None
    unit: Id | None = None
    person: Id | None = None
    archived: bool = Field(False, description="Archived scorecards instead of live ones.")


class ScorecardCreate(Input):
    name: Text(NAME_MAX)
    description: Text(DESCRIPTION_MAX) = ""
    kind: ScorecardKind = ScorecardKind.CUSTOM
    unit: Id | None = Field(None, description="A unit's scorecard: the unit.")
    person: Id | None = Field(None, description="A personal scorecard: whose (default you).")
    measurables: MeasurableIds = Field(default_factory=list, description="Ids, in row order.")


class ScorecardPatch(Input):
    name: Text(NAME_MAX) = None
    description: Text(DESCRIPTION_MAX) = None
    owner: Id = None
    version: int | None = Field(None, description="Instead of If-Match.")


class MeasurablesPut(Input):
    measurables: MeasurableIds = Field(description="Ids, in row order; replaces the rows.")
    version: int | None = Field(None, description="Instead of If-Match.")


class VersionOnly(Input):
    version: int | None = None


class GridParams(Schema):
    periods: int = Field(GRID_PERIODS, ge=1, le=53, description="Periods per row (1 … 53).")


class RowMeasurable(BaseModel):
    id: int
    name: str
    key: str
    unit: UnitRef | None
    owner: PersonRef
    kind: str
    frequency: Frequency
    better: str
    currency: str
    unit_label: str
    decimals: int
    formula: str
    archived: bool


class ScorecardOut(BaseModel):
    id: int
    name: str
    description: str
    kind: ScorecardKind
    unit: UnitRef | None
    person: PersonRef | None
    owner: PersonRef
    measurables: list[int]
    archived: bool
    archived_at: DateTime | None
    version: int
    created_at: DateTime
    updated_at: DateTime


class ScorecardList(BaseModel):
    items: list[ScorecardOut]
    count: int


class ScorecardDetail(ScorecardOut):
    rows: list[RowMeasurable]


class PeriodOut(BaseModel):
    start: datetime.date
    end: datetime.date
    label: str


class CellOut(BaseModel):
    period_start: datetime.date
    value: float | None
    display: str
    target: float | None
    target_max: float | None
    colour: str | None
    note: str
    version: int
    computed: bool


class ToDateOut(BaseModel):
    label: str
    value: float | None
    target: float | None
    colour: str | None
    periods: int


class RowForecastOut(BaseModel):
    value: float
    low: float
    high: float
    target: float | None
    probability: float | None
    status: str | None
    sentence: str


class GridRowOut(BaseModel):
    measurable: RowMeasurable
    forecast: RowForecastOut | None = Field(description="End of quarter: will it make it?")
    cells: list[CellOut]
    to_date: list[ToDateOut]
    spark: list[float | None]
    trend: str
    editable: bool


class SectionOut(BaseModel):
    frequency: Frequency
    periods: list[PeriodOut]
    rows: list[GridRowOut]


class GridOut(BaseModel):
    scorecard: int
    name: str
    today: datetime.date
    sections: list[SectionOut]


# --- the scorecard in the path ---------------------------------------------------------


def _objects_in_path(run):
    @wraps(run)
    def wrapper(request, *args, **kwargs):
        viewer = getattr(request, "viewer", None)
        if viewer is not None:
            try:
                request.scorecard = get_scorecard_for(viewer, kwargs.get("scorecard_id"))
            except NotFound as exc:
                return JsonResponse(error_body(exc.message), status=404)
        return run(request, *args, **kwargs)

    return wrapper


def scorecard_operation(func):
    """``org_operation`` for a route under ``scorecards/{scorecard_id}``."""
    decorate_view(_objects_in_path)(func)
    return org_operation(func)


# --- rows ------------------------------------------------------------------------------


def _person(person) -> dict | None:
    return None if person is None else {"id": person.pk, "name": person.name}


def _unit(unit) -> dict | None:
    return None if unit is None else {"id": unit.pk, "name": unit.name, "level": unit.level}


def _row(scorecard: Scorecard, measurable_ids: list[int]) -> dict:
    return {
        "id": scorecard.pk,
        "name": scorecard.name,
        "description": scorecard.description,
        "kind": scorecard.kind,
        "unit": _unit(scorecard.unit),
        "person": _person(scorecard.person),
        "owner": _person(scorecard.owner),
        "measurables": measurable_ids,
        "archived": scorecard.archived_at is not None,
        "archived_at": scorecard.archived_at,
        "version": scorecard.version,
        "created_at": scorecard.created_at,
        "updated_at": scorecard.updated_at,
    }


def _rows(queryset) -> list[dict]:
    items = ScorecardItem.objects.order_by("position", "id")
    return [
        _row(s, [i.measurable_id for i in s.items.all()])
        for s in queryset.select_related("unit", "person", "owner").prefetch_related(
            Prefetch("items", queryset=items)
        )
    ]


def _measurable(m) -> dict:
    return {
        "id": m.pk,
        "name": m.name,
        "key": m.key,
        "unit": _unit(m.unit),
        "owner": _person(m.owner),
        "kind": m.kind,
        "frequency": m.frequency,
        "better": m.better,
        "currency": m.currency,
        "unit_label": m.unit_label,
        "decimals": m.decimals,
        "formula": m.formula,
        "archived": m.archived_at is not None,
    }


def _answer(response: HttpResponse, scorecard_id: int) -> dict:
    scorecard = Scorecard.objects.select_related("unit", "person", "owner").get(pk=scorecard_id)
    rows = scorecard_measurables(scorecard, live_only=False)
    set_etag(response, scorecard)
    return {**_row(scorecard, [m.pk for m in rows]), "rows": [_measurable(m) for m in rows]}


def _versioned(request, body_version: int | None):
    viewer, scorecard = request.viewer, request.scorecard
    policy.require(viewer, policy.SCORECARD_CHANGE, scorecard)
    version, from_header = expected_version(request, body_version)
    return scorecard, version, from_header


# --- scorecards ------------------------------------------------------------------------


@router.get("/{org}/scorecards", response={200: ScorecardList, **ERRORS}, summary="List scorecards")
@org_operation
def list_scorecards(request, org: str, page: Query[PageParams], filters: Query[ScorecardFilters]):
    """Live scorecards (archived ones with `archived=true`) by name."""
    scorecards = Scorecard.objects.filter(archived_at__isnull=not filters.archived)
    if filters.kind:
        scorecards = scorecards.filter(kind=filters.kind)
    if filters.unit:
        scorecards = scorecards.filter(unit_id=filters.unit)
    if filters.person:
        scorecards = scorecards.filter(person_id=filters.person)
    return paginate(scorecards.order_by("name", "id"), page, _rows, ScorecardList)


@router.post(
    "/{org}/scorecards",
    response={201: ScorecardDetail, **WRITE_ERRORS},
    summary="Create a scorecard",
)
@org_operation
def create_scorecard(request, org: str, payload: ScorecardCreate, response: HttpResponse):
    """A unit's scorecard (one per unit; its leads and managers, and admins), a personal one
    (one per person; yours, or as their manager), or a custom selection (anyone who may
    change things)."""
    viewer = request.viewer
    unit = reference(get_unit_for, viewer, payload.unit, "unit")
    person = reference(get_person_for, viewer, payload.person, "person")
    if payload.kind == ScorecardKind.UNIT:
        if unit is None:
            raise field_error("unit", "A unit's scorecard needs its unit.")
        subject = unit
    elif payload.kind == ScorecardKind.PERSONAL:
        person = person or viewer
        subject = person
    else:
        if unit is not None or person is not None:
            raise field_error("kind", "A custom scorecard has no unit or person.")
        subject = None
    policy.require(viewer, policy.SCORECARD_CREATE, subject)
    scorecard = services.scorecard_create(
        organization=request.org,
        actor=viewer,
        name=payload.name,
        kind=payload.kind,
        unit=unit,
        person=person,
        description=payload.description,
        measurables=payload.measurables,
    )
    response["Location"] = f"/api/v1/orgs/{org}/scorecards/{scorecard.pk}"
    return Status(201, _answer(response, scorecard.pk))


@router.get(
    "/{org}/scorecards/{scorecard_id}",
    response={200: ScorecardDetail, **ERRORS},
    summary="A scorecard with its rows",
)
@scorecard_operation
def get_scorecard(request, org: str, scorecard_id: int, response: HttpResponse):
    return _answer(response, request.scorecard.pk)


@router.patch(
    "/{org}/scorecards/{scorecard_id}",
    response={200: ScorecardDetail, **WRITE_ERRORS},
    summary="Rename a scorecard or change its owner",
)
@scorecard_operation
def update_scorecard(
    request, org: str, scorecard_id: int, payload: ScorecardPatch, response: HttpResponse
):
    viewer = request.viewer
    fields = payload.dict(exclude_unset=True)
    scorecard, version, from_header = _versioned(request, fields.pop("version", None))
    for name in ("name", "description", "owner"):
        if name in fields and fields[name] is None:
            raise field_error(name, "This cannot be null.")
    if "owner" in fields:
        fields["owner"] = reference(get_person_for, viewer, fields["owner"], "owner")
    with stale_check("scorecard", version, from_header):
        services.scorecard_update(scorecard=scorecard, expected_version=version, **fields)
    return _answer(response, scorecard.pk)


@router.put(
    "/{org}/scorecards/{scorecard_id}/measurables",
    response={200: ScorecardDetail, **WRITE_ERRORS},
    summary="Set a scorecard's rows",
)
@scorecard_operation
def set_measurables(
    request, org: str, scorecard_id: int, payload: MeasurablesPut, response: HttpResponse
):
    """The measurables' ids in the order the rows show; at most 100."""
    scorecard, version, from_header = _versioned(request, payload.version)
    with stale_check("scorecard", version, from_header):
        services.scorecard_set_measurables(
            scorecard=scorecard, measurables=payload.measurables, expected_version=version
        )
    return _answer(response, scorecard.pk)


@router.post(
    "/{org}/scorecards/{scorecard_id}/archive",
    response={200: ScorecardDetail, **WRITE_ERRORS},
    summary="Archive a scorecard",
)
@scorecard_operation
def archive_scorecard(
    request,
    org: str,
    scorecard_id: int,
    response: HttpResponse,
    payload: VersionOnly | None = None,
):
    scorecard, version, from_header = _versioned(request, payload.version if payload else None)
    with stale_check("scorecard", version, from_header):
        services.scorecard_archive(scorecard=scorecard, expected_version=version)
    return _answer(response, scorecard.pk)


@router.delete(
    "/{org}/scorecards/{scorecard_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete a scorecard",
    description="Its measurables and their values stay. A unit's scorecard is archived first.",
)
@scorecard_operation
def delete_scorecard(request, org: str, scorecard_id: int, payload: VersionOnly | None = None):
    scorecard, version, from_header = _versioned(request, payload.version if payload else None)
    with stale_check("scorecard", version, from_header):
        services.scorecard_delete(scorecard=scorecard, expected_version=version)
    return Status(204, None)


# --- the grid --------------------------------------------------------------------------


def _cell(m, span: measures.Span, cell) -> dict:
    if cell is None:
        return {
            "period_start": span.start,
            "value": None,
            "display": "",
            "target": None,
            "target_max": None,
            "colour": None,
            "note": "",
            "version": 0,
            "computed": False,
        }
    return {
        "period_start": span.start,
        "value": cell.value,
        "display": measures.format_value(
            cell.value, kind=m.kind, decimals=m.decimals, currency=m.currency
        ),
        "target": cell.target,
        "target_max": cell.target_max,
        "colour": cell.colour,
        "note": cell.note,
        "version": cell.version,
        "computed": cell.computed,
    }


def _forecast(found) -> dict | None:
    if found is None:
        return None
    return {
        "value": found.value,
        "low": found.low,
        "high": found.high,
        "target": found.target,
        "probability": found.probability,
        "status": found.status,
        "sentence": found.sentence,
    }


@router.get(
    "/{org}/scorecards/{scorecard_id}/grid",
    response={200: GridOut, **ERRORS},
    summary="A scorecard's grid",
)
@scorecard_operation
def scorecard_grid(request, org: str, scorecard_id: int, params: Query[GridParams]):
    """One section per frequency (weekly, monthly, quarterly): the last `periods` periods
    up to today's, and per row every cell's value, target, colour and note, the quarter and
    year to date, the sparkline values, the trend and the end-of-quarter forecast.
    `editable` says whether you may enter its values."""
    viewer, scorecard = request.viewer, request.scorecard
    today = organization_today(request.org)
    rows = scorecard_measurables(scorecard)
    policy.preload_unit_roles(viewer)
    sections = grid(request.org, rows, today, periods=params.periods)
    rolled_up = set().union(*(s.table.rolled_up for s in sections))
    ahead = forecasts(request.org, rows, today, tables={s.frequency: s.table for s in sections})
    data = {
        "scorecard": scorecard.pk,
        "name": scorecard.name,
        "today": today,
        "sections": [
            {
                "frequency": section.frequency,
                "periods": [
                    {"start": s.start, "end": s.end, "label": s.label} for s in section.spans
                ],
                "rows": [
                    {
                        "measurable": _measurable(row.measurable),
                        "forecast": _forecast(ahead.get(row.measurable.pk)),
                        "cells": [_cell(row.measurable, span, cell) for span, cell in row.cells],
                        "to_date": row.to_date,
                        "spark": row.spark,
                        "trend": row.trend,
                        "editable": not why_read_only(row.measurable, viewer, rolled_up),
                    }
                    for row in section.rows
                ],
            }
            for section in sections
        ],
    }
    return json_response(GridOut, data)
