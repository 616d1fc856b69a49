"""The API's plans collection under /api/v1/orgs/{org}/: plans, their goals and budget lines."""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import wraps
from typing import Annotated, Literal

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
from leados.core.access import get_period_for, get_person_for, get_unit_for
from leados.core.errors import NotFound
from leados.operate.models import BudgetLine, GoalStatus, Plan, PlanKind, PlanStatus
from leados.operate.models.plans import CATEGORY_MAX, NOTE_MAX, SUMMARY_MAX, TITLE_MAX
from leados.operate.selectors.goals import get_goal_for
from leados.operate.selectors.plans import (
    budget_lines,
    budget_summary,
    get_plan_for,
    get_plan_line_for,
    plan_goals,
    plans_list,
)
from leados.operate.services import plans as services

router = Router(tags=["plans"])

Kind = Literal[tuple(PlanKind.values)]  # type: ignore[valid-type]
Status_ = Literal[tuple(PlanStatus.values)]  # type: ignore[valid-type]
Money = Annotated[
    Decimal,
    Field(
        max_digits=15,
        decimal_places=2,
        description="A decimal amount with at most two places, below 10^13 either way; "
        'send it as a string ("1250.00") to keep it exact.',
    ),
]


# --- schemas ---------------------------------------------------------------------------


class PlanFilters(Schema):
    unit: Id | None = Field(None, description="Only plans of this unit.")
    period: Id | None = Field(None, description="Only plans for this period.")
    kind: Kind | None = None
    status: Status_ | None = None


class PlanCreate(Input):
    unit: Id
    period: Id
    kind: Kind
    title: Text(TITLE_MAX)
    summary: Text(SUMMARY_MAX) = ""
    owner: Id | None = Field(None, description="Defaults to the unit's lead.")
    currency: Text(3) = Field("", description="ISO 4217 code; required for financial plans.")


class PlanPatch(Input):
    title: Text(TITLE_MAX) = None
    summary: Text(SUMMARY_MAX) = None
    owner: Id = None
    period: Id = None
    kind: Kind = None
    currency: Text(3) = None
    version: int | None = Field(None, description="Instead of If-Match.")


class TransitionIn(Input):
    to: Status_ = Field(description="draft → approved → active → closed; approved → draft.")
    version: int | None = Field(None, description="Instead of If-Match.")


class VersionOnly(Input):
    version: int | None = None


class GoalRefIn(Input):
    goal: Id = Field(description="A live goal of the plan's unit.")


class LineCreate(Input):
    category: Text(CATEGORY_MAX)
    period: Id = Field(description="A period inside the plan's period.")
    planned: Money
    actual: Money | None = None
    note: Text(NOTE_MAX) = ""


class LinePatch(Input):
    category: Text(CATEGORY_MAX) = None
    period: Id = None
    planned: Money = None
    actual: Money | None = None
    note: Text(NOTE_MAX) = None
    version: int | None = Field(None, description="Instead of If-Match.")


class PeriodRef(BaseModel):
    id: int
    label: str
    start: datetime.date
    end: datetime.date


class PlanOut(BaseModel):
    id: int
    unit: UnitRef
    period: PeriodRef
    kind: Kind
    title: str
    summary: str
    status: Status_
    next_statuses: list[Status_]
    owner: PersonRef
    currency: str
    approved_by: PersonRef | None
    approved_at: DateTime | None
    version: int
    created_at: DateTime
    updated_at: DateTime


class PlanList(BaseModel):
    items: list[PlanOut]
    count: int


class PlanGoalOut(BaseModel):
    id: int
    title: str
    level: str
    progress: float
    status: GoalStatus
    owner: PersonRef


class LineOut(BaseModel):
    id: int
    plan: int
    category: str
    period: PeriodRef
    planned: Decimal
    actual: Decimal | None
    variance: Decimal | None
    note: str
    position: int
    version: int


class LineList(BaseModel):
    items: list[LineOut]
    count: int


class TotalsOut(BaseModel):
    planned: Decimal
    actual: Decimal
    variance: Decimal = Field(description="Actual − planned, over the lines whose actual is known.")
    lines: int
    lines_with_actual: int


class CategoryTotalsOut(TotalsOut):
    category: str


class PeriodTotalsOut(TotalsOut):
    period: int
    period_label: str
    start: datetime.date
    end: datetime.date


class PlanDetail(PlanOut):
    goals: list[PlanGoalOut]
    lines: list[LineOut]
    totals: TotalsOut
    by_category: list[CategoryTotalsOut]
    by_period: list[PeriodTotalsOut]


# --- the objects in the path, read before the body -------------------------------------


def _objects_in_path(run):
    """Look up the plan (and line) in the path before the body is read, so that another
    organization's object is a 404 whatever the body holds."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        viewer = getattr(request, "viewer", None)
        if viewer is not None:
            try:
                request.plan = get_plan_for(viewer, kwargs.get("plan_id"))
                if "line_id" in kwargs:
                    request.line = get_plan_line_for(viewer, request.plan, kwargs["line_id"])
                if "goal_id" in kwargs:
                    request.goal = get_goal_for(viewer, kwargs["goal_id"])
            except NotFound as exc:
                return JsonResponse(error_body(exc.message), status=404)
        return run(request, *args, **kwargs)

    return wrapper


def plan_operation(func):
    """``org_operation`` for a route under ``plans/{plan_id}``: sets ``request.plan``."""
    decorate_view(_objects_in_path)(func)
    return org_operation(func)


# --- rows ------------------------------------------------------------------------------


def _person(person) -> dict | None:
    return None if person is None else {"id": person.pk, "name": person.name}


def _period(period) -> dict:
    return {"id": period.pk, "label": period.label, "start": period.start, "end": period.end}


def _plan_row(plan: Plan) -> dict:
    return {
        "id": plan.pk,
        "unit": {"id": plan.unit.pk, "name": plan.unit.name, "level": plan.unit.level},
        "period": _period(plan.period),
        "kind": plan.kind,
        "title": plan.title,
        "summary": plan.summary,
        "status": plan.status,
        "next_statuses": services.allowed_transitions(plan),
        "owner": _person(plan.owner),
        "currency": plan.currency,
        "approved_by": _person(plan.approved_by),
        "approved_at": plan.approved_at,
        "version": plan.version,
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
    }


def _plan_rows(queryset) -> list[dict]:
    return [_plan_row(p) for p in queryset.select_related("approved_by")]


def _line_row(line: BudgetLine) -> dict:
    return {
        "id": line.pk,
        "plan": line.plan_id,
        "category": line.category,
        "period": _period(line.period),
        "planned": line.planned,
        "actual": line.actual,
        "variance": line.variance,
        "note": line.note,
        "position": line.position,
        "version": line.version,
    }


def _detail(plan_id: int) -> HttpResponse:
    plan = Plan.objects.select_related("unit", "period", "owner", "approved_by").get(pk=plan_id)
    summary = budget_summary(plan)
    data = {
        **_plan_row(plan),
        "goals": [
            {
                "id": g.pk,
                "title": g.title,
                "level": g.level,
                "progress": g.progress,
                "status": g.effective_status,
                "owner": _person(g.owner),
            }
            for g in plan_goals(plan)
        ],
        "lines": [_line_row(line) for line in summary.lines],
        "totals": summary.total.as_dict(),
        "by_category": summary.categories(),
        "by_period": summary.periods(),
    }
    response = json_response(PlanDetail, data)
    set_etag(response, plan)
    return response


def _line_out(line_id: int) -> dict:
    return _line_row(BudgetLine.objects.select_related("period").get(pk=line_id))


def _require_transition(viewer, plan: Plan, to: str) -> None:
    policy.require(viewer, services.transition_action(to), plan)


# --- plans -----------------------------------------------------------------------------


@router.get("/{org}/plans", response={200: PlanList, **ERRORS}, summary="List plans")
@org_operation
def list_plans(request, org: str, page: Query[PageParams], filters: Query[PlanFilters]):
    plans = plans_list(
        unit=filters.unit, period=filters.period, kind=filters.kind, status=filters.status
    ).order_by("-period__start", "id")
    return paginate(plans, page, _plan_rows, PlanList)


@router.post("/{org}/plans", response={201: PlanDetail, **WRITE_ERRORS}, summary="Create a plan")
@org_operation
def create_plan(request, org: str, payload: PlanCreate):
    """A new plan starts as a draft. Leads and managers of the unit, and admins."""
    viewer = request.viewer
    unit = reference(get_unit_for, viewer, payload.unit, "unit")
    policy.require(viewer, policy.PLAN_CHANGE, unit)
    plan = services.plan_create(
        organization=request.org,
        actor=viewer,
        unit=unit,
        period=reference(get_period_for, viewer, payload.period, "period"),
        kind=payload.kind,
        title=payload.title,
        summary=payload.summary,
        owner=reference(get_person_for, viewer, payload.owner, "owner"),
        currency=payload.currency,
    )
    response = _detail(plan.pk)
    response.status_code = 201
    return response


@router.get(
    "/{org}/plans/{plan_id}",
    response={200: PlanDetail, **ERRORS},
    summary="A plan with its goals and budget",
)
@plan_operation
def get_plan(request, org: str, plan_id: int):
    return _detail(request.plan.pk)


@router.patch(
    "/{org}/plans/{plan_id}", response={200: PlanDetail, **WRITE_ERRORS}, summary="Change a plan"
)
@plan_operation
def update_plan(request, org: str, plan_id: int, payload: PlanPatch):
    viewer, plan = request.viewer, request.plan
    policy.require(viewer, policy.PLAN_CHANGE, plan)
    fields = payload.dict(exclude_unset=True)
    version, from_header = expected_version(request, fields.pop("version", None))
    if "owner" in fields:
        fields["owner"] = reference(get_person_for, viewer, fields["owner"], "owner")
    if "period" in fields:
        fields["period"] = reference(get_period_for, viewer, fields["period"], "period")
    with stale_check("plan", version, from_header):
        services.plan_update(plan=plan, expected_version=version, **fields)
    return _detail(plan.pk)


@router.post(
    "/{org}/plans/{plan_id}/transition",
    response={200: PlanDetail, **WRITE_ERRORS},
    summary="Move a plan to its next status",
)
@plan_operation
def transition_plan(request, org: str, plan_id: int, payload: TransitionIn):
    """Approving needs the leader one level up (or an admin); the other steps, the plan's
    unit's lead or manager."""
    viewer, plan = request.viewer, request.plan
    _require_transition(viewer, plan, payload.to)
    version, from_header = expected_version(request, payload.version)
    with stale_check("plan", version, from_header):
        services.plan_transition(plan=plan, to=payload.to, actor=viewer, expected_version=version)
    return _detail(plan.pk)


@router.delete(
    "/{org}/plans/{plan_id}", response={204: None, **WRITE_ERRORS}, summary="Delete a draft plan"
)
@plan_operation
def delete_plan(request, org: str, plan_id: int, payload: VersionOnly | None = None):
    """Only drafts; the plan's goals stay, outside any plan."""
    viewer, plan = request.viewer, request.plan
    policy.require(viewer, policy.PLAN_CHANGE, plan)
    version, from_header = expected_version(request, payload.version if payload else None)
    with stale_check("plan", version, from_header):
        services.plan_delete(plan=plan, expected_version=version)
    return Status(204, None)


# --- goals in a plan -------------------------------------------------------------------


@router.post(
    "/{org}/plans/{plan_id}/goals",
    response={200: PlanDetail, **WRITE_ERRORS},
    summary="Add a goal to a plan",
)
@plan_operation
def add_plan_goal(request, org: str, plan_id: int, payload: GoalRefIn):
    viewer, plan = request.viewer, request.plan
    policy.require(viewer, policy.PLAN_CHANGE, plan)
    goal = reference(get_goal_for, viewer, payload.goal, "goal")
    policy.require(viewer, policy.GOAL_CHANGE, goal)
    services.plan_goal_add(plan=plan, goal=goal, actor=viewer)
    return _detail(plan.pk)


@router.delete(
    "/{org}/plans/{plan_id}/goals/{goal_id}",
    response={200: PlanDetail, **WRITE_ERRORS},
    summary="Take a goal out of a plan",
)
@plan_operation
def remove_plan_goal(request, org: str, plan_id: int, goal_id: int):
    viewer, plan, goal = request.viewer, request.plan, request.goal
    policy.require(viewer, policy.PLAN_CHANGE, plan)
    policy.require(viewer, policy.GOAL_CHANGE, goal)
    services.plan_goal_remove(plan=plan, goal=goal, actor=viewer)
    return _detail(plan.pk)


# --- budget lines ----------------------------------------------------------------------


@router.get(
    "/{org}/plans/{plan_id}/lines",
    response={200: LineList, **ERRORS},
    summary="A plan's budget lines",
)
@plan_operation
def list_lines(request, org: str, plan_id: int, page: Query[PageParams]):
    return paginate(
        budget_lines(request.plan), page, lambda qs: [_line_row(line) for line in qs], LineList
    )


@router.post(
    "/{org}/plans/{plan_id}/lines",
    response={201: LineOut, **WRITE_ERRORS},
    summary="Add a budget line",
)
@plan_operation
def create_line(request, org: str, plan_id: int, payload: LineCreate, response: HttpResponse):
    """Financial plans only; the line's period lies inside the plan's."""
    viewer, plan = request.viewer, request.plan
    policy.require(viewer, policy.PLAN_CHANGE, plan)
    line = services.budget_line_create(
        plan=plan,
        category=payload.category,
        period=reference(get_period_for, viewer, payload.period, "period"),
        planned=payload.planned,
        actual=payload.actual,
        note=payload.note,
    )
    set_etag(response, line)
    return Status(201, _line_out(line.pk))


@router.get(
    "/{org}/plans/{plan_id}/lines/{line_id}",
    response={200: LineOut, **ERRORS},
    summary="A budget line",
)
@plan_operation
def get_line(request, org: str, plan_id: int, line_id: int, response: HttpResponse):
    set_etag(response, request.line)
    return _line_out(request.line.pk)


@router.patch(
    "/{org}/plans/{plan_id}/lines/{line_id}",
    response={200: LineOut, **WRITE_ERRORS},
    summary="Change a budget line",
)
@plan_operation
def update_line(
    request, org: str, plan_id: int, line_id: int, payload: LinePatch, response: HttpResponse
):
    viewer, plan, line = request.viewer, request.plan, request.line
    policy.require(viewer, policy.PLAN_CHANGE, plan)
    fields = payload.dict(exclude_unset=True)
    version, from_header = expected_version(request, fields.pop("version", None))
    if "period" in fields:
        fields["period"] = reference(get_period_for, viewer, fields["period"], "period")
    with stale_check("budget line", version, from_header):
        line = services.budget_line_update(line=line, expected_version=version, **fields)
    set_etag(response, line)
    return _line_out(line.pk)


@router.delete(
    "/{org}/plans/{plan_id}/lines/{line_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Remove a budget line",
)
@plan_operation
def delete_line(request, org: str, plan_id: int, line_id: int, payload: VersionOnly | None = None):
    viewer, plan, line = request.viewer, request.plan, request.line
    policy.require(viewer, policy.PLAN_CHANGE, plan)
    version, from_header = expected_version(request, payload.version if payload else None)
    with stale_check("budget line", version, from_header):
        services.budget_line_delete(line=line, expected_version=version)
    return Status(204, None)
