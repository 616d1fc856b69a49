"""The plan pages: the list, a plan with its goals and budget, and the forms that change them.

Budget lines are added and edited in place: with HTMX the budget section is swapped for its
new state (or the form with its errors); without, the page reloads.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from leados.core import policy
from leados.core.errors import Conflict
from leados.core.models import Period, PeriodKind, Unit
from leados.core.periods import period_for, periods_around
from leados.operate.models import PlanKind, PlanStatus
from leados.operate.plan_forms import (
    GoalAddForm,
    LineEditForm,
    LineForm,
    PlanCreateForm,
    PlanEditForm,
    PlanFilterForm,
    TransitionForm,
)
from leados.operate.selectors.goals import get_goal_for
from leados.operate.selectors.plans import (
    budget_summary,
    get_plan_for,
    get_plan_line_for,
    plan_goal_candidates,
    plan_goals,
    plans_list,
)
from leados.operate.services import plans as services
from leados.web.forms import apply_errors
from leados.web.orgs import org_view
from leados.web.paging import BoundedPaginator
from leados.web.selectors import unit_choices_tree
from leados.web.views._common import CONFLICT, UNPROCESSABLE, done, post_only, require

PAGE_SIZE = 50
NAV = "plans"
STALE = (
    "Someone else changed this while you were editing. The form shows your input; reload the "
    "page to see theirs, then apply your change again."
)


def _plan_url(request, plan) -> str:
    return reverse("web:plan", args=[request.org.slug, plan.pk])


def _plannable_units(request) -> list[tuple[Unit, int]]:
    """Live units (with their depth) the viewer may make plans for."""
    person = policy.preload_unit_roles(request.person)
    return [(u, d) for u, d in unit_choices_tree() if policy.can(person, policy.PLAN_CHANGE, u)]


def _plan_periods(request, current: Period | None = None) -> list[Period]:
    periods = periods_around(request.org)
    if current is not None and current.pk not in {p.pk for p in periods}:
        periods = [current, *periods]
    return periods


def _periods_inside(request, plan) -> list[Period]:
    """The plan's period and the quarters and months inside it, created on first use."""
    span = plan.period
    found = {span.pk: span}
    for kind in (PeriodKind.QUARTER, PeriodKind.MONTH):
        day = span.start
        while day <= span.end and span.kind != kind:
            period = period_for(request.org, day, kind)
            if span.start <= period.start and period.end <= span.end:
                found[period.pk] = period
            day = period.end + datetime.timedelta(days=1)
    return sorted(found.values(), key=lambda p: (p.start, -p.end.toordinal(), p.pk))


# ---------------------------------------------------------------------------- list


@org_view
def plans_page(request):
    units = unit_choices_tree()
    periods = list(Period.objects.filter(plans__isnull=False).distinct().order_by("-start", "end"))
    form = PlanFilterForm(request.GET or None, units=units, periods=periods)
    filters = form.cleaned_data if form.is_valid() else {}
    plans = plans_list(
        unit=filters.get("unit"),
        period=filters.get("period"),
        kind=filters.get("kind") or None,
        status=filters.get("status") or None,
    )
    page = BoundedPaginator(plans, PAGE_SIZE, cap=None).get_page(request.GET.get("page"))
    return render(
        request,
        "operate/plans/list.html",
        {
            "nav": NAV,
            "form": form,
            "page": page,
            "can_create": bool(_plannable_units(request)),
        },
    )


# ---------------------------------------------------------------------------- create, edit


@org_view
@require_http_methods(["GET", "POST"])
def plan_create(request):
    units = _plannable_units(request)
    if not units:
        raise PermissionDenied("Leads and managers of a unit make its plans.")
    initial = {}
    if request.GET.get("unit", "").isdigit():
        initial["unit"] = request.GET["unit"]
    form = PlanCreateForm(
        request.POST or None, initial=initial, units=units, periods=_plan_periods(request)
    )
    status = 200
    if request.method == "POST":
        status = UNPROCESSABLE
        if form.is_valid():
            data = form.cleaned_data
            unit = next(u for u, _ in units if u.pk == data["unit"])
            try:
                require(request, policy.PLAN_CHANGE, unit)
                plan = services.plan_create(
                    organization=request.org,
                    actor=request.person,
                    unit=unit,
                    period=Period.objects.get(pk=data["period"]),
                    kind=data["kind"],
                    title=data["title"],
                    summary=data["summary"],
                    owner=data["owner"],
                    currency=data["currency"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                done(request, f"Plan “{plan.title}” created as a draft.")
                return redirect(_plan_url(request, plan))
    return render(
        request, "operate/plans/form.html", {"nav": NAV, "form": form, "plan": None}, status=status
    )


@org_view
@require_http_methods(["GET", "POST"])
def plan_edit(request, plan_id):
    plan = get_plan_for(request.person, plan_id)
    require(request, policy.PLAN_CHANGE, plan)
    if plan.status == PlanStatus.CLOSED:
        messages.info(request, "This plan is closed; it can no longer be changed.")
        return redirect(_plan_url(request, plan))
    initial = {
        "version": plan.version,
        "title": plan.title,
        "kind": plan.kind,
        "period": plan.period_id,
        "summary": plan.summary,
        "currency": plan.currency,
        "owner": plan.owner.email,
    }
    form = PlanEditForm(
        request.POST or None, initial=initial, periods=_plan_periods(request, plan.period)
    )
    status = 200
    if request.method == "POST":
        status = UNPROCESSABLE
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            period = data.pop("period")
            if period != plan.period_id:
                data["period"] = Period.objects.filter(pk=period).first()
            try:
                plan = services.plan_update(plan=plan, expected_version=version, **data)
            except Conflict:
                form.add_error(None, STALE)
                status = CONFLICT
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                done(request, "Plan saved.")
                return redirect(_plan_url(request, plan))
    return render(
        request, "operate/plans/form.html", {"nav": NAV, "form": form, "plan": plan}, status=status
    )


# ---------------------------------------------------------------------------- the plan page


def _transitions(request, plan) -> list[tuple[str, str]]:
    """The next statuses the viewer may move the plan to, with their button words."""
    words = {
        PlanStatus.APPROVED: "Approve",
        PlanStatus.ACTIVE: "Start (make active)",
        PlanStatus.CLOSED: "Close",
        PlanStatus.DRAFT: "Back to draft",
    }
    return [
        (to, words[to])
        for to in services.allowed_transitions(plan)
        if policy.can(request.person, services.transition_action(to), plan)
    ]


def _budget_context(
    request, plan, *, line_forms=None, new_line_form=None, error="", saved=""
) -> dict:
    can_change = policy.can(request.person, policy.PLAN_CHANGE, plan)
    editable = can_change and plan.status != PlanStatus.CLOSED
    summary = budget_summary(plan)
    rows = []
    periods = _periods_inside(request, plan) if editable and plan.kind == PlanKind.FINANCIAL else []
    for line in summary.lines:
        form = (line_forms or {}).get(line.pk)
        if form is None and editable:
            form = LineEditForm(
                initial={
                    "version": line.version,
                    "category": line.category,
                    "period": line.period_id,
                    "planned": line.planned,
                    "actual": "" if line.actual is None else line.actual,
                    "note": line.note,
                },
                periods=periods,
                prefix=f"line-{line.pk}",
            )
        rows.append((line, form))
    if new_line_form is None and editable:
        new_line_form = LineForm(periods=periods, prefix="new", initial={"period": plan.period_id})
    return {
        "plan": plan,
        "summary": summary,
        "rows": rows,
        "new_line_form": new_line_form,
        "budget_editable": editable,
        "budget_error": error,
        "budget_saved": saved,
    }


def _page(request, plan, *, status=200, error="", goal_form=None, **budget) -> object:
    viewer = request.person
    can_change = policy.can(viewer, policy.PLAN_CHANGE, plan)
    editable = can_change and plan.status != PlanStatus.CLOSED
    goals = list(plan_goals(plan))
    if goal_form is None and editable:
        goal_form = GoalAddForm(goals=plan_goal_candidates(plan))
    context = {
        "nav": NAV,
        "plan": plan,
        "lifecycle": list(PlanStatus),
        "transitions": _transitions(request, plan),
        "goals": goals,
        "goal_form": goal_form,
        "can_change": can_change,
        "editable": editable,
        "can_delete": can_change and plan.status == PlanStatus.DRAFT,
        "error": error,
        **_budget_context(request, plan, **budget),
    }
    return render(request, "operate/plans/detail.html", context, status=status)


def _budget_section(request, plan, *, status=200, **budget):
    return render(
        request,
        "operate/plans/detail.html#budget",
        {"plan": plan, **_budget_context(request, plan, **budget)},
        status=status,
    )


def _reload(request, plan):
    return get_plan_for(request.person, plan.pk)


@org_view
def plan_page(request, plan_id):
    plan = get_plan_for(request.person, plan_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return _page(request, plan)


@org_view
def plan_transition(request, plan_id):
    plan = get_plan_for(request.person, plan_id)
    refused = post_only(request)
    if refused:
        return refused
    form = TransitionForm(request.POST)
    if not form.is_valid():
        require(request, policy.PLAN_CHANGE, plan)
        return _page(request, plan, error="Reload the page and try again.", status=UNPROCESSABLE)
    to = form.cleaned_data["to"]
    require(request, services.transition_action(to), plan)
    try:
        plan = services.plan_transition(
            plan=plan, to=to, actor=request.person, expected_version=form.cleaned_data["version"]
        )
    except Conflict:
        return _page(
            request,
            _reload(request, plan),
            error="Someone else changed this plan in the meantime; its status was not changed. "
            "Check it and try again.",
            status=CONFLICT,
        )
    except ValidationError as exc:
        return _page(request, plan, error=" ".join(exc.messages), status=UNPROCESSABLE)
    done(request, f"The plan is now {PlanStatus(plan.status).label.lower()}.")
    return redirect(_plan_url(request, plan))


@org_view
def plan_delete(request, plan_id):
    plan = get_plan_for(request.person, plan_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.PLAN_CHANGE, plan)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return _page(request, plan, error="Reload the page and try again.", status=UNPROCESSABLE)
    try:
        services.plan_delete(plan=plan, expected_version=version)
    except Conflict as exc:
        message = (
            "Someone else changed this plan in the meantime; it was not deleted."
            if exc.current_version is not None
            else exc.message
        )
        return _page(request, _reload(request, plan), error=message, status=CONFLICT)
    done(request, f"Plan “{plan.title}” deleted.")
    return redirect("web:plans", request.org.slug)


# ---------------------------------------------------------------------------- goals


@org_view
def plan_goal_add(request, plan_id):
    plan = get_plan_for(request.person, plan_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.PLAN_CHANGE, plan)
    form = GoalAddForm(request.POST, goals=plan_goal_candidates(plan))
    if form.is_valid():
        goal = get_goal_for(request.person, form.cleaned_data["goal"])
        require(request, policy.GOAL_CHANGE, goal)
        try:
            services.plan_goal_add(plan=plan, goal=goal, actor=request.person)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            done(request, f"“{goal.title}” is now part of this plan.")
            return redirect(_plan_url(request, plan))
    return _page(request, plan, goal_form=form, status=UNPROCESSABLE)


@org_view
def plan_goal_remove(request, plan_id, goal_id):
    plan = get_plan_for(request.person, plan_id)
    goal = get_goal_for(request.person, goal_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.PLAN_CHANGE, plan)
    require(request, policy.GOAL_CHANGE, goal)
    try:
        services.plan_goal_remove(plan=plan, goal=goal, actor=request.person)
    except ValidationError as exc:
        return _page(request, plan, error=" ".join(exc.messages), status=UNPROCESSABLE)
    done(request, f"“{goal.title}” was taken out of this plan.")
    return redirect(_plan_url(request, plan))


# ---------------------------------------------------------------------------- budget lines


def _line_saved(request, plan, text: str):
    if request.htmx:
        return _budget_section(request, plan, saved=text)
    done(request, text)
    return redirect(_plan_url(request, plan) + "#budget")


def _line_refused(request, plan, *, status, **budget):
    if request.htmx:
        return _budget_section(request, plan, status=status, **budget)
    return _page(request, plan, status=status, **budget)


def _line_fields(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    data["period"] = Period.objects.filter(pk=data["period"]).first()
    return data


@org_view
def plan_line_add(request, plan_id):
    plan = get_plan_for(request.person, plan_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.PLAN_CHANGE, plan)
    form = LineForm(request.POST, prefix="new", periods=_periods_inside(request, plan))
    if form.is_valid():
        try:
            line = services.budget_line_create(plan=plan, **_line_fields(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _line_saved(request, plan, f"Budget line “{line.category}” added.")
    return _line_refused(request, plan, new_line_form=form, status=UNPROCESSABLE)


@org_view
def plan_line_edit(request, plan_id, line_id):
    plan = get_plan_for(request.person, plan_id)
    line = get_plan_line_for(request.person, plan, line_id)
    if request.method != "POST":
        return post_only(request) if request.method != "GET" else redirect(_plan_url(request, plan))
    require(request, policy.PLAN_CHANGE, plan)
    form = LineEditForm(
        request.POST, prefix=f"line-{line.pk}", periods=_periods_inside(request, plan)
    )
    status = UNPROCESSABLE
    if form.is_valid():
        try:
            line = services.budget_line_update(
                line=line, expected_version=form.cleaned_data["version"], **_line_fields(form)
            )
        except Conflict:
            form.add_error(None, STALE)
            status = CONFLICT
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _line_saved(request, plan, f"Budget line “{line.category}” saved.")
    return _line_refused(request, plan, line_forms={line.pk: form}, status=status)


@org_view
def plan_line_delete(request, plan_id, line_id):
    plan = get_plan_for(request.person, plan_id)
    line = get_plan_line_for(request.person, plan, line_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.PLAN_CHANGE, plan)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return _line_refused(
            request, plan, error="Reload the page and try again.", status=UNPROCESSABLE
        )
    try:
        services.budget_line_delete(line=line, expected_version=version)
    except Conflict:
        return _line_refused(
            request,
            plan,
            error=f"Someone else changed “{line.category}” in the meantime; it was not removed. "
            "Check it and remove it again if you still mean to.",
            status=CONFLICT,
        )
    except ValidationError as exc:
        return _line_refused(request, plan, error=" ".join(exc.messages), status=UNPROCESSABLE)
    return _line_saved(request, plan, f"Budget line “{line.category}” removed.")
