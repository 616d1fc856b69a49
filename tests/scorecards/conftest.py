"""Scorecard API fixtures: a JSON client per persona, weeks relative to today, and a
measurable of Sales (led by the member persona)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from leados.operate import measures
from leados.operate.services.measurables import measurable_create
from tests.api.helpers import Api

WEEK = datetime.timedelta(days=7)


@pytest.fixture
def api_for(token_for):
    return lambda persona: Api(token_for(persona))


@pytest.fixture
def this_monday() -> datetime.date:
    return measures.period_of("weekly", timezone.localdate()).start


@pytest.fixture
def weeks(this_monday):
    """``weeks(n)``: the Monday ``n`` weeks before this week's (0 = this week)."""
    return lambda n: this_monday - n * WEEK


@pytest.fixture
def make(world, in_org):
    """``make(name=..., **settings)``: a measurable of Sales, owned by its lead (member)."""

    def build(**fields):
        base = {"organization": world.org, "actor": world.owner, "unit": world.sales}
        base.update(fields)
        base.setdefault("name", "Deals won")
        with in_org():
            return measurable_create(**base)

    return build
