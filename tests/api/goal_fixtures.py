"""Fixtures shared by the goals, check-ins and agreements API tests: a quarter, a goal
maker, and a small aligned tree with an orphan."""

from __future__ import annotations

import datetime

import pytest

from leados.core.models import PeriodKind
from leados.core.periods import period_for
from leados.operate.services.goals import goal_create

DAY = datetime.date(2027, 1, 15)

__all__ = ["make", "quarter", "tree"]


@pytest.fixture
def quarter(world, in_org):
    with in_org():
        return period_for(world.org, DAY, PeriodKind.QUARTER)


@pytest.fixture
def make(world, in_org, quarter):
    """``make("Title", unit=…, parent=…, **fields)``: a goal made through the service."""

    def make(title, *, unit=None, person=None, parent=None, actor=None, org=None, **fields):
        fields.setdefault("period", quarter)
        if fields.get("kind", "metric") == "metric":
            fields.setdefault("start_value", 0)
            fields.setdefault("target_value", 100)
        with in_org(org):
            return goal_create(
                organization=org or world.org,
                actor=actor or world.owner,
                title=title,
                unit=unit if unit is not None or person is not None else world.root,
                person=person,
                parent=parent,
                today=DAY,
                **fields,
            )

    return make


@pytest.fixture
def tree(world, make):
    """Strategy → Sales goal (led by the member) → the member's self goal; an orphan in Ops."""
    top = make("Grow revenue", kind="binary")
    sales = make("Win 40 accounts", unit=world.sales, parent=top, owner=world.member)
    mine = make("Call 100 prospects", person=world.member, parent=sales, actor=world.member)
    orphan = make("Tidy the warehouse", unit=world.ops, kind="binary")
    return {"top": top, "sales": sales, "mine": mine, "orphan": orphan}
