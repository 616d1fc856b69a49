"""The API's measurables collection under /api/v1/orgs/{org}/: measurables, their
per-period targets, their values (one, many, or many measurables at once) and forecast."""

from __future__ import annotations

import datetime
from functools import wraps
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import BaseModel, ConfigDict

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
from leados.core.errors import Forbidden, NotFound
from leados.core.periods import organization_today
from leados.core.services._common import field_error
from leados.operate import measures
from leados.operate.forecast import forecasts
from leados.operate.models import (
    Better,
    Category,
    Frequency,
    Measurable,
    MeasurableKind,
    MeasurableTarget,
    MeasurableValue,
    ThresholdMode,
    TimeAggregation,
    UnitAggregation,
    ValueSource,
)
from leados.operate.models.scorecards import (
    DESCRIPTION_MAX,
    FORMULA_MAX,
    KEY_MAX,
    MAX_DECIMALS,
    NAME_MAX,
    NOTE_MAX,
    UNIT_LABEL_MAX,
)
from leados.operate.selectors.scorecards import (
    GRID_PERIODS,
    get_measurable_for,
    measurables_list,
    value_table,
)
from leados.operate.services import measurables as services
from leados.operate.services.measurables import MAX_BATCH, ValueInput
from leados.operate.services.value_batches import MAX_PUSH, values_push

router = Router(tags=["measurables"])

Number = Annotated[float, Field(ge=-1e15, le=1e15, allow_inf_nan=False)]
# A value as typed: a number, or text the measurable reads ("yes", "12 %", "1,200").
ValueField = Annotated[
    float | bool | Annotated[str, Field(max_length=40)],
    Field(description='A number; "yes"/"no" or true/false for a yes / no measurable.'),
]
PeriodStart = Annotated[
    datetime.date, Field(description="The first day of the period (YYYY-MM-DD).")
]
MAX_RANGE_DAYS = 366 * 20
# Settings a PATCH may clear with null; the others need a value.
NULLABLE = {"unit", "parent", "target", "target_max", "green_bound", "red_bound"}


# --- schemas ---------------------------------------------------------------------------


class MeasurableFilters(Schema):
    unit: Id | None = Field(None, description="Only measurables of this unit.")
    owner: Id | None = None
    category: Category | None = None
    parent: Id | None = Field(None, description="Only those that roll up into this one.")
    archived: bool = Field(False, description="Archived measurables instead of live ones.")
    q: Text(200) | None = Field(None, description="Part of the name.")


class _Settings(Input):
    description: Text(DESCRIPTION_MAX) = ""
    key: Text(KEY_MAX) = Field("", description="The name formulas use; unique.")
    owner: Id | None = Field(None, description="Defaults to the person, else the unit's lead.")
    category: Category = Category.CUSTOM
    kind: MeasurableKind = MeasurableKind.NUMBER
    currency: Text(3) = Field("", description="ISO 4217 code; required for currency.")
    unit_label: Text(UNIT_LABEL_MAX) = ""
    decimals: Annotated[int, Field(ge=0, le=MAX_DECIMALS)] = 0
    better: Better = Better.HIGHER
    frequency: Frequency = Frequency.WEEKLY
    target: Number | None = Field(None, description="The usual target; the low end of a range.")
    target_max: Number | None = Field(None, description="The high end of a range.")
    threshold_mode: ThresholdMode = ThresholdMode.SHARE
    green_bound: Number | None = None
    red_bound: Number | None = None
    time_aggregation: TimeAggregation = TimeAggregation.SUM
    unit_aggregation: UnitAggregation = UnitAggregation.SUM
    parent: Id | None = Field(None, description="The measurable this one rolls up into.")
    weight: Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)] = 1.0
    formula: Text(FORMULA_MAX) = Field("", description="E.g. `won / leads`, over other keys.")
    require_red_note: bool = False


class MeasurableCreate(_Settings):
    name: Text(NAME_MAX)
    unit: Id | None = Field(None, description="The unit; without it, a person's own.")
    person: Id | None = Field(None, description="Whose own measurable (no unit); you.")


class MeasurablePatch(Input):
    name: Text(NAME_MAX) = None
    description: Text(DESCRIPTION_MAX) = None
    key: Text(KEY_MAX) = None
    unit: Id | None = None
    owner: Id = None
    category: Category = None
    kind: MeasurableKind = None
    currency: Text(3) = None
    unit_label: Text(UNIT_LABEL_MAX) = None
    decimals: Annotated[int, Field(ge=0, le=MAX_DECIMALS)] = None
    better: Better = None
    frequency: Frequency = None
    target: Number | None = None
    target_max: Number | None = None
    threshold_mode: ThresholdMode = None
    green_bound: Number | None = None
    red_bound: Number | None = None
    time_aggregation: TimeAggregation = None
    unit_aggregation: UnitAggregation = None
    parent: Id | None = None
    weight: Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)] = None
    formula: Text(FORMULA_MAX) = None
    require_red_note: bool = None
    version: int | None = Field(None, description="Instead of If-Match.")


class VersionOnly(Input):
    version: int | None = None


class TargetIn(Input):
    period_start: PeriodStart
    target: Number
    target_max: Number | None = None


class ValueItem(Input):
    period_start: PeriodStart
    value: ValueField
    note: Text(NOTE_MAX) = ""
    version: int | None = Field(
        None, ge=0, description="The value's version you read; 0 = there was none yet."
    )


class ValuesIn(Input):
    """One value (`period_start`, `value`, `note`, `version`) or many (`items`)."""

    items: list[ValueItem] | None = Field(None, max_length=MAX_BATCH)
    period_start: PeriodStart | None = None
    value: ValueField | None = None
    note: Text(NOTE_MAX) = ""
    version: int | None = Field(None, ge=0)


class ValuePut(Input):
    value: ValueField
    note: Text(NOTE_MAX) = ""
    version: int | None = Field(None, ge=0, description="Instead of If-Match; 0 = no value yet.")


class PushItem(BaseModel):
    """One value of a push. A plain pydantic model rather than a ninja ``Schema``: a push
    carries up to 20,000 of them, and ``Schema``'s per-object wrapper doubled the parse."""

    model_config = ConfigDict(extra="forbid")

    measurable: Id
    period_start: PeriodStart
    value: ValueField
    note: Text(NOTE_MAX) = ""


class PushIn(Input):
    items: list[PushItem] = Field(max_length=MAX_PUSH)


class ValueRange(Schema):
    from_: datetime.date | None = Field(
        None, alias="from", description="First period start; default 13 periods back."
    )
    to: datetime.date | None = Field(None, description="Last day; default today.")


class MeasurableRef(BaseModel):
    id: int
    name: str


class LatestOut(BaseModel):
    period_start: datetime.date
    period_end: datetime.date
    label: str
    value: float
    display: str
    target: float | None
    colour: str | None


class MeasurableOut(BaseModel):
    id: int
    name: str
    description: str
    key: str
    unit: UnitRef | None
    owner: PersonRef
    parent: MeasurableRef | None
    category: Category
    kind: MeasurableKind
    currency: str
    unit_label: str
    decimals: int
    better: Better
    frequency: Frequency
    target: float | None
    target_max: float | None
    threshold_mode: ThresholdMode
    green_bound: float | None
    red_bound: float | None
    time_aggregation: TimeAggregation
    unit_aggregation: UnitAggregation
    weight: float
    formula: str
    require_red_note: bool
    archived: bool
    archived_at: DateTime | None
    latest: LatestOut | None = Field(description="The latest value of the last 13 periods.")
    version: int
    created_at: DateTime
    updated_at: DateTime


class MeasurableList(BaseModel):
    items: list[MeasurableOut]
    count: int


class TargetOut(BaseModel):
    period_start: datetime.date
    period_end: datetime.date
    target: float
    target_max: float | None
    version: int


class TargetList(BaseModel):
    items: list[TargetOut]
    count: int
    usual: dict[str, float | None] = Field(description="The target of every other period.")


class ValueOut(BaseModel):
    period_start: datetime.date
    period_end: datetime.date
    label: str
    value: float
    display: str
    target: float | None
    target_max: float | None
    colour: Literal["green", "yellow", "red"] | None
    note: str
    version: int = Field(description="0 for a computed value (nothing stored).")
    computed: bool = Field(description="A roll-up or a formula, not entered.")


class ValueList(BaseModel):
    measurable: int
    frequency: Frequency
    first: datetime.date
    last: datetime.date
    items: list[ValueOut]
    count: int


class SpanOut(BaseModel):
    start: datetime.date
    end: datetime.date
    label: str


class ForecastOut(BaseModel):
    period: SpanOut = Field(description="The fiscal quarter the forecast is for.")
    value: float = Field(description="The expected value of the quarter.")
    low: float = Field(description="The low end of the 80 % band.")
    high: float
    target: float | None
    target_max: float | None
    probability: float | None = Field(description="Of meeting the target (0 … 1).")
    status: Literal["on_track", "at_risk", "off_track"] | None
    known: int = Field(description="Periods of the quarter with a value.")
    periods: int = Field(description="Periods in the quarter.")
    points: int = Field(description="Values the trend was fitted to.")
    sentence: str


class ForecastAnswer(BaseModel):
    measurable: int
    on: datetime.date
    forecast: ForecastOut | None
    reason: str = Field(description="Why there is no forecast, when there is none.")


class ForecastParams(Schema):
    on: datetime.date | None = Field(None, description="The day to forecast from; today.")


class BatchOut(BaseModel):
    created: int
    updated: int
    unchanged: int


# --- the objects in the path, read before the body -------------------------------------


def _objects_in_path(run):
    """Look up the measurable in the path before the body is read, so that another
    organization's measurable is a 404 whatever the body holds."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        viewer = getattr(request, "viewer", None)
        if viewer is not None:
            try:
                request.measurable = get_measurable_for(viewer, kwargs.get("measurable_id"))
            except NotFound as exc:
                return JsonResponse(error_body(exc.message), status=404)
        return run(request, *args, **kwargs)

    return wrapper


def measurable_operation(func):
    """``org_operation`` for a route under ``measurables/{measurable_id}``."""
    decorate_view(_objects_in_path)(func)
    return org_operation(func)


# --- rows ------------------------------------------------------------------------------


def _today(organization) -> datetime.date:
    return organization_today(organization)


def _fiscal(measurable: Measurable) -> int:
    return measurable.organization.fiscal_year_start_month


def _display(m: Measurable, value: float) -> str:
    return measures.format_value(value, kind=m.kind, decimals=m.decimals, currency=m.currency)


def _latest(measurables: list[Measurable], today: datetime.date) -> dict[int, dict]:
    """The latest value of each measurable within its last 13 periods, in a few queries
    per frequency whatever the number of measurables."""
    out: dict[int, dict] = {}
    if not measurables:
        return out
    fiscal = measurables[0].organization.fiscal_year_start_month
    for frequency in Frequency.values:
        group = [m for m in measurables if m.frequency == frequency]
        if not group:
            continue
        spans = measures.periods_ending(frequency, today, GRID_PERIODS, fiscal)
        table = value_table(group, spans[0].start, spans[-1].start)
        for m in group:
            for span in reversed(spans):
                cell = table.cell(m.pk, span.start)
                if cell is not None:
                    out[m.pk] = {
                        "period_start": span.start,
                        "period_end": span.end,
                        "label": span.label,
                        "value": cell.value,
                        "display": _display(m, cell.value),
                        "target": cell.target,
                        "colour": cell.colour,
                    }
                    break
    return out


def _row(m: Measurable, latest: dict | None) -> dict:
    return {
        "id": m.pk,
        "name": m.name,
        "description": m.description,
        "key": m.key,
        "unit": None
        if m.unit is None
        else {"id": m.unit.pk, "name": m.unit.name, "level": m.unit.level},
        "owner": {"id": m.owner.pk, "name": m.owner.name},
        "parent": None if m.parent is None else {"id": m.parent.pk, "name": m.parent.name},
        "category": m.category,
        "kind": m.kind,
        "currency": m.currency,
        "unit_label": m.unit_label,
        "decimals": m.decimals,
        "better": m.better,
        "frequency": m.frequency,
        "target": m.target,
        "target_max": m.target_max,
        "threshold_mode": m.threshold_mode,
        "green_bound": m.green_bound,
        "red_bound": m.red_bound,
        "time_aggregation": m.time_aggregation,
        "unit_aggregation": m.unit_aggregation,
        "weight": m.weight,
        "formula": m.formula,
        "require_red_note": m.require_red_note,
        "archived": m.archived_at is not None,
        "archived_at": m.archived_at,
        "latest": latest,
        "version": m.version,
        "created_at": m.created_at,
        "updated_at": m.updated_at,
    }


def _rows(queryset) -> list[dict]:
    items = list(queryset.select_related("organization"))
    if not items:
        return []
    latest = _latest(items, _today(items[0].organization))
    return [_row(m, latest.get(m.pk)) for m in items]


def _answer(response: HttpResponse, measurable_id: int) -> dict:
    m = Measurable.objects.select_related("unit", "owner", "parent", "organization").get(
        pk=measurable_id
    )
    set_etag(response, m)
    return _row(m, _latest([m], _today(m.organization)).get(m.pk))


def _versioned(request, action: str, body_version: int | None):
    viewer, measurable = request.viewer, request.measurable
    policy.require(viewer, action, measurable)
    version, from_header = expected_version(request, body_version)
    return measurable, version, from_header


# --- measurables -----------------------------------------------------------------------


@router.post(
    "/{org}/measurables/values",
    response={200: BatchOut, **WRITE_ERRORS},
    summary="Push values of many measurables at once",
)
@org_operation
def push_values(request, org: str, payload: PushIn):
    """Up to 20,000 values of any measurables you may enter values for, all or nothing:
    one bad item (or one measurable you may not enter) and nothing is written; errors are
    keyed `items.<n>.<field>`. A value already there is replaced; its earlier figure stays
    in the history."""
    viewer = request.viewer
    ids = {item.measurable for item in payload.items}
    found = {
        m.pk: m
        for m in Measurable.objects.filter(pk__in=ids).select_related("organization", "unit")
    }
    policy.preload_unit_roles(viewer)
    errors: dict[str, list[str]] = {}
    allowed: dict[int, bool] = {}
    pairs = []
    for n, item in enumerate(payload.items):
        m = found.get(item.measurable)
        if m is None:
            errors[f"items.{n}.measurable"] = ["Not found."]
            continue
        if m.pk not in allowed:
            allowed[m.pk] = policy.can(viewer, policy.MEASURABLE_ENTER, m)
        if not allowed[m.pk]:
            errors[f"items.{n}.measurable"] = [
                "You do not have permission to enter values of this measurable."
            ]
            continue
        pairs.append((n, m, ValueInput(item.period_start, item.value, item.note)))
    if errors and all(not ok for ok in allowed.values()) and allowed:
        raise Forbidden("You do not have permission to enter values of these measurables.")
    if errors:
        raise ValidationError(errors)
    positions = [n for n, _, _ in pairs]
    try:
        result = values_push(
            items=[(m, value) for _, m, value in pairs], author=viewer, source=ValueSource.API
        )
    except ValidationError as exc:
        raise ValidationError(_reposition(exc, positions)) from None
    return result.as_dict()


def _reposition(exc: ValidationError, positions: list[int]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        parts = key.split(".", 2)
        if len(parts) == 3 and parts[0] == "items" and parts[1].isdigit():
            key = f"items.{positions[int(parts[1])]}.{parts[2]}"
        out.setdefault(key, []).extend(messages)
    return out


@router.get(
    "/{org}/measurables", response={200: MeasurableList, **ERRORS}, summary="List measurables"
)
@org_operation
def list_measurables(request, org: str, page: Query[PageParams], filters: Query[MeasurableFilters]):
    """Live measurables (archived ones with `archived=true`) by name, each with its latest
    value and colour."""
    measurables = measurables_list(
        unit=filters.unit,
        owner=filters.owner,
        category=filters.category,
        parent=filters.parent,
        archived=filters.archived,
        q=filters.q,
    ).order_by("name", "id")
    return paginate(measurables, page, _rows, MeasurableList)


@router.post(
    "/{org}/measurables",
    response={201: MeasurableOut, **WRITE_ERRORS},
    summary="Create a measurable",
)
@org_operation
def create_measurable(request, org: str, payload: MeasurableCreate, response: HttpResponse):
    """A measurable of a unit (its leads and managers, and admins), or a person's own
    (`person`, or you without `unit`)."""
    viewer = request.viewer
    unit = reference(get_unit_for, viewer, payload.unit, "unit")
    person = reference(get_person_for, viewer, payload.person, "person")
    if unit is not None and person is not None:
        raise field_error("person", "A measurable belongs to a unit or to a person, not both.")
    if unit is None:
        person = person or viewer
    policy.require(viewer, policy.MEASURABLE_CREATE, unit or person)
    fields = payload.dict(exclude={"name", "unit", "person", "owner", "parent"})
    measurable = services.measurable_create(
        organization=request.org,
        actor=viewer,
        name=payload.name,
        unit=unit,
        person=person,
        owner=reference(get_person_for, viewer, payload.owner, "owner"),
        parent=reference(get_measurable_for, viewer, payload.parent, "parent"),
        **fields,
    )
    response["Location"] = f"/api/v1/orgs/{org}/measurables/{measurable.pk}"
    return Status(201, _answer(response, measurable.pk))


@router.get(
    "/{org}/measurables/{measurable_id}",
    response={200: MeasurableOut, **ERRORS},
    summary="A measurable",
)
@measurable_operation
def get_measurable(request, org: str, measurable_id: int, response: HttpResponse):
    return _answer(response, request.measurable.pk)


@router.patch(
    "/{org}/measurables/{measurable_id}",
    response={200: MeasurableOut, **WRITE_ERRORS},
    summary="Change a measurable",
)
@measurable_operation
def update_measurable(
    request, org: str, measurable_id: int, payload: MeasurablePatch, response: HttpResponse
):
    """Any setting; moving it to another unit needs the right to create measurables there.
    Its frequency stays once it has values."""
    viewer, measurable = request.viewer, request.measurable
    policy.require(viewer, policy.MEASURABLE_CHANGE, measurable)
    fields = payload.dict(exclude_unset=True)
    version, from_header = expected_version(request, fields.pop("version", None))
    for name, value in fields.items():
        if value is None and name not in NULLABLE:
            raise field_error(name, "This cannot be null.")
    if "unit" in fields:
        fields["unit"] = reference(get_unit_for, viewer, fields["unit"], "unit")
        if fields["unit"] is not None and fields["unit"].pk != measurable.unit_id:
            policy.require(viewer, policy.MEASURABLE_CREATE, fields["unit"])
    if "owner" in fields:
        fields["owner"] = reference(get_person_for, viewer, fields["owner"], "owner")
    if "parent" in fields:
        fields["parent"] = reference(get_measurable_for, viewer, fields["parent"], "parent")
    with stale_check("measurable", version, from_header):
        services.measurable_update(measurable=measurable, expected_version=version, **fields)
    return _answer(response, measurable.pk)


@router.post(
    "/{org}/measurables/{measurable_id}/archive",
    response={200: MeasurableOut, **WRITE_ERRORS},
    summary="Archive a measurable",
)
@measurable_operation
def archive_measurable(
    request,
    org: str,
    measurable_id: int,
    response: HttpResponse,
    payload: VersionOnly | None = None,
):
    """It leaves grids and My week; its values and history stay."""
    measurable, version, from_header = _versioned(
        request, policy.MEASURABLE_CHANGE, payload.version if payload else None
    )
    with stale_check("measurable", version, from_header):
        services.measurable_archive(measurable=measurable, expected_version=version)
    return _answer(response, measurable.pk)


@router.post(
    "/{org}/measurables/{measurable_id}/unarchive",
    response={200: MeasurableOut, **WRITE_ERRORS},
    summary="Restore an archived measurable",
)
@measurable_operation
def unarchive_measurable(
    request,
    org: str,
    measurable_id: int,
    response: HttpResponse,
    payload: VersionOnly | None = None,
):
    measurable, version, from_header = _versioned(
        request, policy.MEASURABLE_CHANGE, payload.version if payload else None
    )
    with stale_check("measurable", version, from_header):
        services.measurable_unarchive(measurable=measurable, expected_version=version)
    return _answer(response, measurable.pk)


@router.delete(
    "/{org}/measurables/{measurable_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete a measurable created by mistake",
    description="Only one without values, roll-ups or formulas using it; archive the others.",
)
@measurable_operation
def delete_measurable(request, org: str, measurable_id: int, payload: VersionOnly | None = None):
    measurable, version, from_header = _versioned(
        request, policy.MEASURABLE_CHANGE, payload.version if payload else None
    )
    with stale_check("measurable", version, from_header):
        services.measurable_delete(measurable=measurable, expected_version=version)
    return Status(204, None)


# --- targets ---------------------------------------------------------------------------


def _period_start(measurable: Measurable, text: str) -> measures.Span:
    """The period starting on the day in the path; not a date at all is "not found"."""
    try:
        day = datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise NotFound("Give the period as its first day, YYYY-MM-DD.") from None
    span = measures.period_of(measurable.frequency, day, _fiscal(measurable))
    if span.start != day:
        raise field_error(
            "period_start",
            f"{day.isoformat()} does not start a {measurable.frequency} period; that period "
            f"starts on {span.start.isoformat()}.",
        )
    return span


def _target_rows(measurable: Measurable) -> list[dict]:
    fiscal = _fiscal(measurable)
    return [
        {
            "period_start": t.period_start,
            "period_end": measures.period_of(measurable.frequency, t.period_start, fiscal).end,
            "target": t.target,
            "target_max": t.target_max,
            "version": t.version,
        }
        for t in MeasurableTarget.objects.filter(measurable=measurable).order_by("period_start")
    ]


def _targets(measurable: Measurable) -> HttpResponse:
    rows = _target_rows(measurable)
    return json_response(
        TargetList,
        {
            "items": rows,
            "count": len(rows),
            "usual": {"target": measurable.target, "target_max": measurable.target_max},
        },
    )


@router.get(
    "/{org}/measurables/{measurable_id}/targets",
    response={200: TargetList, **ERRORS},
    summary="A measurable's per-period targets",
)
@measurable_operation
def list_targets(request, org: str, measurable_id: int):
    """The periods whose target differs from the usual one (seasonal targets)."""
    return _targets(request.measurable)


@router.put(
    "/{org}/measurables/{measurable_id}/targets",
    response={200: TargetList, **WRITE_ERRORS},
    summary="Set the target of one period",
)
@measurable_operation
def set_target(request, org: str, measurable_id: int, payload: TargetIn):
    """Replaces that period's own target; answers every per-period target."""
    viewer, measurable = request.viewer, request.measurable
    policy.require(viewer, policy.MEASURABLE_CHANGE, measurable)
    services.target_set(
        measurable=measurable,
        period_start=payload.period_start,
        target=payload.target,
        target_max=payload.target_max,
    )
    return _targets(measurable)


@router.delete(
    "/{org}/measurables/{measurable_id}/targets/{period_start}",
    response={204: None, **WRITE_ERRORS},
    summary="Go back to the usual target for one period",
)
@measurable_operation
def clear_target(request, org: str, measurable_id: int, period_start: str):
    viewer, measurable = request.viewer, request.measurable
    policy.require(viewer, policy.MEASURABLE_CHANGE, measurable)
    span = _period_start(measurable, period_start)
    if not services.target_clear(measurable=measurable, period_start=span.start):
        raise NotFound("This period has no target of its own.")
    return Status(204, None)


# --- values ----------------------------------------------------------------------------


def _value_row(m: Measurable, span: measures.Span, cell) -> dict:
    return {
        "period_start": span.start,
        "period_end": span.end,
        "label": span.label,
        "value": cell.value,
        "display": _display(m, cell.value),
        "target": cell.target,
        "target_max": cell.target_max,
        "colour": cell.colour,
        "note": cell.note,
        "version": cell.version,
        "computed": cell.computed,
    }


def _cell_of(m: Measurable, span: measures.Span):
    return value_table([m], span.start, span.start).cell(m.pk, span.start)


def _value_answer(response: HttpResponse, m: Measurable, span: measures.Span) -> dict:
    cell = _cell_of(m, span)
    if cell is None:
        raise NotFound("No value for this period.")
    response["ETag"] = f'W/"{cell.version}"'
    return _value_row(m, span, cell)


@router.get(
    "/{org}/measurables/{measurable_id}/values",
    response={200: ValueList, **ERRORS},
    summary="A measurable's values per period",
)
@measurable_operation
def list_values(request, org: str, measurable_id: int, window: Query[ValueRange]):
    """Every period from `from` to `to` that has a value, entered or computed (roll-ups
    and formulas), with its target, colour, note and version; oldest first."""
    m = request.measurable
    fiscal = _fiscal(m)
    today = _today(request.org)
    last = window.to or today
    if window.from_ is None:
        first = measures.periods_ending(m.frequency, last, GRID_PERIODS, fiscal)[0].start
    else:
        first = window.from_
    if first > last:
        raise field_error("from", "`from` comes after `to`.")
    if (last - first).days > MAX_RANGE_DAYS:
        raise field_error("from", "Ask for at most 20 years at a time.")
    spans = measures.periods_between(m.frequency, first, last, fiscal)
    spans = [s for s in spans if s.start >= first]
    table = value_table([m], first, last)
    items = []
    for span in spans:
        cell = table.cell(m.pk, span.start)
        if cell is not None:
            items.append(_value_row(m, span, cell))
    return json_response(
        ValueList,
        {
            "measurable": m.pk,
            "frequency": m.frequency,
            "first": first,
            "last": last,
            "items": items,
            "count": len(items),
        },
    )


def _single_errors(exc: ValidationError) -> dict[str, list[str]]:
    """A one-value batch's ``items.0.<field>`` errors as ``<field>``."""
    out: dict[str, list[str]] = {}
    for key, messages in exc.message_dict.items():
        out.setdefault(key.removeprefix("items.0."), []).extend(messages)
    return out


def _write_one(request, m: Measurable, period_start, value, note, version, from_header):
    try:
        with stale_check("value", version or 0, from_header):
            services.value_set(
                measurable=m,
                period_start=period_start,
                value=value,
                note=note,
                author=request.viewer,
                source=ValueSource.API,
                expected_version=version,
            )
    except ValidationError as exc:
        raise ValidationError(_single_errors(exc)) from None


@router.post(
    "/{org}/measurables/{measurable_id}/values",
    response={200: ValueOut | BatchOut, **WRITE_ERRORS},
    summary="Enter one value, or many",
)
@measurable_operation
def enter_values(request, org: str, measurable_id: int, payload: ValuesIn, response: HttpResponse):
    """One value (`period_start`, `value`, optional `note` and `version`) answers the value;
    many (`items`) are all or nothing and answer the counts, with errors keyed
    `items.<n>.<field>`. A value already there is replaced (a late value is accepted) and
    its earlier figure stays in the history; send `version` (0 = none yet) to refuse a
    change someone else made in between."""
    viewer, m = request.viewer, request.measurable
    policy.require(viewer, policy.MEASURABLE_ENTER, m)
    single = {"period_start", "value", "note", "version"} & payload.model_fields_set
    if payload.items is not None:
        if single:
            raise field_error("items", "Send either `items` or one value, not both.")
        result = services.values_set(
            measurable=m,
            items=[ValueInput(i.period_start, i.value, i.note, i.version) for i in payload.items],
            author=viewer,
            source=ValueSource.API,
        )
        return json_response(BatchOut, result.as_dict())
    errors = {}
    if payload.period_start is None:
        errors["period_start"] = ["Give the period's first day (YYYY-MM-DD), or send `items`."]
    if payload.value is None:
        errors["value"] = ["Give the value."]
    if errors:
        raise ValidationError(errors)
    version, from_header = payload.version, False
    if request.headers.get("If-Match") is not None:
        version, from_header = expected_version(request, payload.version)
    _write_one(request, m, payload.period_start, payload.value, payload.note, version, from_header)
    span = measures.period_of(m.frequency, payload.period_start, _fiscal(m))
    return _value_answer(response, m, span)


@router.get(
    "/{org}/measurables/{measurable_id}/values/{period_start}",
    response={200: ValueOut, **ERRORS},
    summary="The value of one period",
)
@measurable_operation
def get_value(request, org: str, measurable_id: int, period_start: str, response: HttpResponse):
    m = request.measurable
    return _value_answer(response, m, _period_start(m, period_start))


@router.put(
    "/{org}/measurables/{measurable_id}/values/{period_start}",
    response={200: ValueOut, **WRITE_ERRORS},
    summary="Enter or correct the value of one period",
)
@measurable_operation
def put_value(
    request,
    org: str,
    measurable_id: int,
    period_start: str,
    payload: ValuePut,
    response: HttpResponse,
):
    """Needs the version it is based on: If-Match (the ETag you read) or `version`;
    0 when the period has no value yet."""
    viewer, m = request.viewer, request.measurable
    policy.require(viewer, policy.MEASURABLE_ENTER, m)
    span = _period_start(m, period_start)
    version, from_header = expected_version(request, payload.version)
    _write_one(request, m, span.start, payload.value, payload.note, version, from_header)
    return _value_answer(response, m, span)


@router.delete(
    "/{org}/measurables/{measurable_id}/values/{period_start}",
    response={204: None, **WRITE_ERRORS},
    summary="Remove the value of one period",
)
@measurable_operation
def delete_value(
    request,
    org: str,
    measurable_id: int,
    period_start: str,
    payload: VersionOnly | None = None,
):
    """The history keeps it."""
    viewer, m = request.viewer, request.measurable
    policy.require(viewer, policy.MEASURABLE_ENTER, m)
    span = _period_start(m, period_start)
    version, from_header = expected_version(request, payload.version if payload else None)
    value = MeasurableValue.objects.filter(measurable=m, period_start=span.start).first()
    if value is None:
        raise NotFound("No value entered for this period.")
    with stale_check("value", version, from_header):
        services.value_delete(value=value, expected_version=version)
    return Status(204, None)


# --- in reach? -------------------------------------------------------------------------


@router.get(
    "/{org}/measurables/{measurable_id}/forecast",
    response={200: ForecastAnswer, **ERRORS},
    summary="Will it make the target by the end of the quarter?",
)
@measurable_operation
def measurable_forecast(request, org: str, measurable_id: int, params: Query[ForecastParams]):
    """The quarter's expected value from a damped trend over the recent values, an 80 %
    band, the probability of meeting the target, on track / at risk / off track and a
    sentence saying so. `forecast` is null (with a `reason`) when there are fewer than
    three values to go on."""
    m = request.measurable
    on = params.on or _today(request.org)
    found = forecasts(request.org, [m], on).get(m.pk)
    return json_response(
        ForecastAnswer,
        {
            "measurable": m.pk,
            "on": on,
            "forecast": found.as_dict() if found else None,
            "reason": ""
            if found
            else "Too few values to forecast from: at least three recent ones are needed.",
        },
    )
