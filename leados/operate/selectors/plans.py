"""Reads of plans and budget lines and their access functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from leados.core.errors import NotFound
from leados.core.models import Person
from leados.operate.models import BudgetLine, Goal, Plan
from leados.operate.selectors.goals import _one

ZERO = Decimal("0.00")


def get_plan_for(viewer: Person, plan_id) -> Plan:
    return _one(Plan.objects.select_related("unit", "period", "owner"), viewer, plan_id)


def get_budget_line_for(viewer: Person, line_id) -> BudgetLine:
    return _one(BudgetLine.objects.select_related("plan", "period"), viewer, line_id)


def get_plan_line_for(viewer: Person, plan: Plan, line_id) -> BudgetLine:
    """A budget line of ``plan``; a line of another plan is simply not found."""
    line = get_budget_line_for(viewer, line_id)
    if line.plan_id != plan.pk:
        raise NotFound()
    return line


def plans_list(*, unit=None, period=None, kind: str | None = None, status: str | None = None):
    """Plans, newest period first, optionally of one unit, period, kind and status.

    ``unit`` and ``period`` are objects or ids.
    """
    plans = Plan.objects.select_related("unit", "period", "owner").of_kind(kind).with_status(status)
    if unit is not None:
        plans = plans.filter(unit=unit)
    if period is not None:
        plans = plans.filter(period=period)
    return plans.order_by("-period__start", "period__end", "unit__name", "kind", "id")


def plan_goals(plan: Plan):
    """The live goals the plan contains, by level and title."""
    return (
        Goal.objects.live()
        .filter(plan=plan)
        .select_related("owner")
        .order_by("depth", "title", "id")
    )


def plan_goal_candidates(plan: Plan):
    """Live goals of the plan's unit that are not part of it yet."""
    return (
        Goal.objects.live()
        .filter(unit_id=plan.unit_id)
        .exclude(plan=plan)
        .order_by("title", "id")
        .only("id", "title", "plan_id")
    )


def budget_lines(plan: Plan):
    return BudgetLine.objects.filter(plan=plan).select_related("period").order_by("position", "id")


@dataclass
class Totals:
    """Planned and actual sums; the variance counts only lines whose actual is known."""

    planned: Decimal = ZERO
    actual: Decimal = ZERO
    variance: Decimal = ZERO
    lines: int = 0
    known: int = 0  # lines with an actual amount

    def add(self, line: BudgetLine) -> None:
        self.lines += 1
        self.planned += line.planned
        if line.actual is not None:
            self.known += 1
            self.actual += line.actual
            self.variance += line.actual - line.planned

    def as_dict(self) -> dict:
        return {
            "planned": self.planned,
            "actual": self.actual,
            "variance": self.variance,
            "lines": self.lines,
            "lines_with_actual": self.known,
        }


@dataclass
class BudgetSummary:
    lines: list[BudgetLine]
    total: Totals = field(default_factory=Totals)
    by_category: dict[str, Totals] = field(default_factory=dict)
    by_period: dict[int, tuple[object, Totals]] = field(default_factory=dict)

    def categories(self) -> list[dict]:
        return [{"category": name, **t.as_dict()} for name, t in sorted(self.by_category.items())]

    def periods(self) -> list[dict]:
        rows = sorted(self.by_period.values(), key=lambda pt: (pt[0].start, -pt[0].end.toordinal()))
        return [
            {"period": p.pk, "period_label": p.label, "start": p.start, "end": p.end, **t.as_dict()}
            for p, t in rows
        ]


def budget_summary(plan: Plan, lines: list[BudgetLine] | None = None) -> BudgetSummary:
    """Totals of the plan's budget lines: overall, per category and per period (one query)."""
    lines = list(budget_lines(plan)) if lines is None else lines
    summary = BudgetSummary(lines=lines)
    for line in lines:
        summary.total.add(line)
        summary.by_category.setdefault(line.category, Totals()).add(line)
        summary.by_period.setdefault(line.period_id, (line.period, Totals()))[1].add(line)
    return summary
