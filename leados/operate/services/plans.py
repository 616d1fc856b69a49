"""Writes to plans and their budget lines.

A plan belongs to a live unit and a period; its owner defaults to the unit's lead. It
moves draft → approved → active → closed (an approved plan may go back to draft); a
closed plan is read-only and only a draft may be deleted. Budget lines belong to
financial plans only, each in a period inside the plan's, with amounts of at most two
decimal places below 10^13. Every change is versioned and recorded in the history.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from leados.core import policy
from leados.core.errors import Conflict
from leados.core.history import history_record
from leados.core.models import HistoryAction, Organization, Period, Person, Unit
from leados.core.services._common import (
    apply_changes,
    bulk_set,
    check_version,
    field_error,
    lock,
)
from leados.operate.models import (
    PLAN_TRANSITIONS,
    BudgetLine,
    Goal,
    Plan,
    PlanKind,
    PlanStatus,
)
from leados.operate.models.plans import (
    CATEGORY_MAX,
    MAX_BUDGET_LINES,
    NOTE_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
)
from leados.operate.services.goals import default_owner, goal_update

PLAN_UPDATABLE = {"title", "summary", "owner", "period", "kind", "currency"}
LINE_UPDATABLE = {"category", "period", "planned", "actual", "note"}
AMOUNT_LIMIT = Decimal(10) ** 13
CENT = Decimal("0.01")


# ---------------------------------------------------------------------------- checks


def _text(field: str, value, limit: int, *, required: bool = False) -> str:
    if value is not None and not isinstance(value, str):
        raise field_error(field, "Enter text.")
    value = (value or "").strip()
    if required and not value:
        raise field_error(field, "This cannot be empty.")
    if len(value) > limit:
        raise field_error(field, f"Keep this to {limit} characters (it has {len(value)}).")
    return value


def _refuse_unknown(fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            {name: ["This field cannot be changed here."] for name in sorted(unknown)}
        )


def _same_org(obj, organization_id: int, field: str) -> None:
    if obj is not None and obj.organization_id != organization_id:
        raise field_error(field, "This does not exist.")


def amount(field: str, value, *, required: bool = True) -> Decimal | None:
    """``value`` as money: a finite decimal of at most two places, below 10^13 either way."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise field_error(field, "Enter an amount.")
        return None
    if isinstance(value, bool):
        raise field_error(field, "Enter an amount such as 1250.00.")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise field_error(field, "Enter an amount such as 1250.00.") from None
    if not number.is_finite():
        raise field_error(field, "Enter a finite amount.")
    if abs(number) >= AMOUNT_LIMIT:
        raise field_error(field, "Keep amounts below 10,000,000,000,000 either way.")
    if number != number.quantize(CENT):
        raise field_error(field, "Use at most two decimal places (cents).")
    return number.quantize(CENT)


def _currency(value, kind: str) -> str:
    value = _text("currency", value, 3).upper()
    if kind == PlanKind.FINANCIAL and not value:
        raise field_error("currency", "A financial plan needs a currency, such as EUR or USD.")
    if value and not (len(value) == 3 and value.isascii() and value.isalpha()):
        raise field_error("currency", "Use a three-letter currency code (ISO 4217), like EUR.")
    return value


def _kind(value) -> str:
    if value not in PlanKind.values:
        raise field_error("kind", f"Choose one of: {', '.join(PlanKind.values)}.")
    return value


def _refuse_closed(plan: Plan) -> None:
    if plan.status == PlanStatus.CLOSED:
        raise field_error("status", "This plan is closed; it can no longer be changed.")


def _inside(period: Period, plan_period: Period) -> bool:
    return plan_period.start <= period.start and period.end <= plan_period.end


def _check_line_period(period: Period, plan: Plan) -> None:
    if period is None:
        raise field_error("period", "Choose the period of this budget line.")
    _same_org(period, plan.organization_id, "period")
    plan_period = plan.period
    if not _inside(period, plan_period):
        raise field_error(
            "period",
            f"Pick a period inside the plan's, {plan_period.label} ({plan_period.start:%d %b %Y} "
            f"to {plan_period.end:%d %b %Y}); {period.label} is not.",
        )


def _check_owner(owner: Person | None, organization_id: int) -> Person:
    if owner is None:
        raise field_error("owner", "Choose who owns this plan.")
    _same_org(owner, organization_id, "owner")
    if not owner.is_active:
        raise field_error("owner", "The owner must be an active member of the organization.")
    return owner


# ---------------------------------------------------------------------------- plans


@transaction.atomic
def plan_create(
    *,
    organization: Organization,
    actor: Person | None,
    unit: Unit,
    period: Period,
    kind: str,
    title: str,
    summary: str = "",
    owner: Person | None = None,
    currency: str = "",
) -> Plan:
    """Create a draft plan for ``unit`` and ``period``; the owner defaults to the unit's lead
    (or ``actor`` when the unit has none). A financial plan needs a currency."""
    org_id = organization.pk
    if unit is None:
        raise field_error("unit", "Choose the unit this plan is for.")
    if period is None:
        raise field_error("period", "Choose the period this plan covers.")
    _same_org(unit, org_id, "unit")
    _same_org(period, org_id, "period")
    if unit.is_archived:
        raise field_error("unit", "This unit is archived; restore it before planning for it.")
    kind = _kind(kind)
    owner = _check_owner(owner or default_owner(unit, None, actor), org_id)
    plan = Plan(
        organization_id=org_id,
        unit=unit,
        period=period,
        kind=kind,
        title=_text("title", title, TITLE_MAX, required=True),
        summary=_text("summary", summary, SUMMARY_MAX),
        owner=owner,
        currency=_currency(currency, kind),
    )
    plan.full_clean(exclude=["organization"])
    plan.save()
    history_record(plan, action=HistoryAction.CREATE)
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, expected_version: int | None, **fields) -> Plan:
    """Change a plan's title, summary, owner, period, kind or currency.

    A closed plan is read-only. A new period must still hold every budget line's period;
    a plan with budget lines stays financial.
    """
    _refuse_unknown(fields, PLAN_UPDATABLE)
    plan = lock(plan)
    check_version(plan, expected_version)
    _refuse_closed(plan)
    org_id = plan.organization_id
    if "title" in fields:
        fields["title"] = _text("title", fields["title"], TITLE_MAX, required=True)
    if "summary" in fields:
        fields["summary"] = _text("summary", fields["summary"], SUMMARY_MAX)
    if "owner" in fields:
        fields["owner"] = _check_owner(fields["owner"], org_id)
    kind = _kind(fields["kind"]) if "kind" in fields else plan.kind
    lines = BudgetLine.objects.filter(plan=plan).select_related("period")
    if kind != PlanKind.FINANCIAL and kind != plan.kind and lines.exists():
        raise field_error("kind", "This plan has budget lines; remove them first.")
    if "currency" in fields or kind != plan.kind:
        fields["currency"] = _currency(fields.get("currency", plan.currency), kind)
    if "period" in fields:
        period = fields["period"]
        if period is None:
            raise field_error("period", "Choose the period this plan covers.")
        _same_org(period, org_id, "period")
        outside = [line.period.label for line in lines if not _inside(line.period, period)]
        if outside:
            raise field_error(
                "period",
                f"Budget lines in {', '.join(sorted(set(outside)))} would fall outside "
                f"{period.label}; move them first.",
            )
    apply_changes(plan, fields, expected_version=None, exclude=["organization"])
    return plan


def allowed_transitions(plan: Plan) -> list[str]:
    """The statuses ``plan`` may move to next, in the order of its life."""
    order = list(PlanStatus.values)
    return sorted(PLAN_TRANSITIONS[PlanStatus(plan.status)], key=order.index)


def transition_action(to: str) -> str:
    """The policy action a move to ``to`` needs: approving is the approver's, the rest the
    planners'."""
    return policy.PLAN_APPROVE if to == PlanStatus.APPROVED else policy.PLAN_CHANGE


@transaction.atomic
def plan_transition(
    *, plan: Plan, to: str, actor: Person | None, expected_version: int | None
) -> Plan:
    """Move the plan to status ``to`` along its life (draft → approved → active → closed, or
    approved back to draft). Approving records who approved and when; going back to draft
    clears it."""
    plan = lock(plan)
    check_version(plan, expected_version)
    if to not in PlanStatus.values:
        raise field_error("to", f"Choose one of: {', '.join(PlanStatus.values)}.")
    allowed = allowed_transitions(plan)
    if to not in allowed:
        current = PlanStatus(plan.status).label.lower()
        if allowed:
            options = " or ".join(PlanStatus(s).label.lower() for s in allowed)
            message = f"A {current} plan cannot become {to}; it can only become {options}."
        else:
            message = f"A {current} plan is read-only; it cannot become {to}."
        raise field_error("to", message)
    changes: dict = {"status": to}
    if to == PlanStatus.APPROVED:
        changes.update(approved_by=actor, approved_at=timezone.now())
    elif to == PlanStatus.DRAFT:
        changes.update(approved_by=None, approved_at=None)
    apply_changes(plan, changes, expected_version=None, exclude=["organization"])
    return plan


@transaction.atomic
def plan_delete(*, plan: Plan, expected_version: int | None) -> None:
    """Delete a draft plan and its budget lines; its goals stay, outside any plan.

    A plan that was ever approved has a past: close it instead.
    """
    plan = lock(plan)
    check_version(plan, expected_version)
    if plan.status != PlanStatus.DRAFT:
        advice = (
            "Send it back to draft first."
            if plan.status == PlanStatus.APPROVED
            else "A plan that has run keeps its record; close it instead."
        )
        raise Conflict(f"Only a draft plan can be deleted; this one is {plan.status}. {advice}")
    bulk_set(Goal.objects.filter(plan=plan), {"plan": None})
    for line in BudgetLine.objects.filter(plan=plan):
        history_record(line, action=HistoryAction.DELETE)
    history_record(plan, action=HistoryAction.DELETE)
    plan.delete()


@transaction.atomic
def plan_goal_add(
    *, plan: Plan, goal: Goal, actor: Person | None, today: datetime.date | None = None
) -> Goal:
    """Make ``goal`` (a live goal of the plan's unit) part of ``plan``."""
    _refuse_closed(lock(plan))
    if goal.plan_id == plan.pk:
        return goal
    return goal_update(goal=goal, actor=actor, expected_version=None, today=today, plan=plan)


@transaction.atomic
def plan_goal_remove(
    *, plan: Plan, goal: Goal, actor: Person | None, today: datetime.date | None = None
) -> Goal:
    """Take ``goal`` out of ``plan``; the goal itself stays as it is."""
    _refuse_closed(lock(plan))
    if goal.plan_id != plan.pk:
        raise field_error("goal", "This goal is not part of this plan.")
    return goal_update(goal=goal, actor=actor, expected_version=None, today=today, plan=None)


# ---------------------------------------------------------------------------- budget lines


def _line_plan(plan: Plan) -> Plan:
    plan = Plan.objects.select_related("period").select_for_update(of=("self",)).get(pk=plan.pk)
    _refuse_closed(plan)
    if plan.kind != PlanKind.FINANCIAL:
        raise field_error("plan", "Only financial plans have budget lines.")
    return plan


@transaction.atomic
def budget_line_create(
    *,
    plan: Plan,
    category: str,
    period: Period,
    planned,
    actual=None,
    note: str = "",
) -> BudgetLine:
    """Add a budget line after the plan's others; the actual amount may come later."""
    plan = _line_plan(plan)
    category = _text("category", category, CATEGORY_MAX, required=True)
    _check_line_period(period, plan)
    planned = amount("planned", planned)
    actual = amount("actual", actual, required=False)
    existing = BudgetLine.objects.filter(plan=plan)
    if existing.count() >= MAX_BUDGET_LINES:
        raise field_error("plan", f"A plan holds at most {MAX_BUDGET_LINES} budget lines.")
    last = existing.aggregate(last=Max("position"))["last"]
    line = BudgetLine(
        organization_id=plan.organization_id,
        plan=plan,
        category=category,
        period=period,
        planned=planned,
        actual=actual,
        note=_text("note", note, NOTE_MAX),
        position=0 if last is None else last + 1,
    )
    line.full_clean(exclude=["organization"])
    line.save()
    history_record(line, action=HistoryAction.CREATE)
    return line


@transaction.atomic
def budget_line_update(*, line: BudgetLine, expected_version: int | None, **fields) -> BudgetLine:
    """Change a budget line: its category, period, planned or actual amount, or note."""
    _refuse_unknown(fields, LINE_UPDATABLE)
    plan = _line_plan(line.plan)
    line = lock(line)
    check_version(line, expected_version)
    if "category" in fields:
        fields["category"] = _text("category", fields["category"], CATEGORY_MAX, required=True)
    if "note" in fields:
        fields["note"] = _text("note", fields["note"], NOTE_MAX)
    if "period" in fields:
        _check_line_period(fields["period"], plan)
    if "planned" in fields:
        fields["planned"] = amount("planned", fields["planned"])
    if "actual" in fields:
        fields["actual"] = amount("actual", fields["actual"], required=False)
    apply_changes(line, fields, expected_version=None, exclude=["organization"])
    return line


@transaction.atomic
def budget_line_delete(*, line: BudgetLine, expected_version: int | None) -> None:
    _line_plan(line.plan)
    line = lock(line)
    check_version(line, expected_version)
    history_record(line, action=HistoryAction.DELETE)
    line.delete()
