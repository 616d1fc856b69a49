"""Reads of plans and budget lines and their access functions."""

from __future__ import annotations

from leados.core.models import Person
from leados.operate.models import BudgetLine, Plan
from leados.operate.selectors.goals import _one


def get_plan_for(viewer: Person, plan_id) -> Plan:
    return _one(Plan.objects.select_related("unit", "period", "owner"), viewer, plan_id)


def get_budget_line_for(viewer: Person, line_id) -> BudgetLine:
    return _one(BudgetLine.objects.select_related("plan", "period"), viewer, line_id)
