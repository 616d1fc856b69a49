"""Sample scorecard objects in one organization: a measurable with a key, a per-period
target, a value and a push feed, and a unit scorecard showing it.

Used by the route matrix, which needs one object of every kind in each organization.
"""

from __future__ import annotations

import datetime

from leados.core.models import Level, Person, Unit
from leados.core.tenancy import org_scope
from leados.operate.services.feeds import feed_configure
from leados.operate.services.measurables import measurable_create, target_set, value_set
from leados.operate.services.scorecards import scorecard_create

MONDAY = datetime.date(2027, 1, 11)


def scorecard_samples(org, world) -> dict:
    """Ids of a measurable and a scorecard in ``org``, and the start of a period that has
    a value, keyed by route parameter."""
    with org_scope(org):
        team = Unit.objects.filter(level=Level.FUNCTIONAL_TEAM).order_by("name").last()
        owner = Person.objects.order_by("pk").first()
        measurable = measurable_create(
            organization=org, actor=owner, name="Deals won", unit=team, key="deals_won",
            category="sales", target=10,
        )  # fmt: skip
        target_set(measurable=measurable, period_start=MONDAY, target=12)
        value_set(measurable=measurable, period_start=MONDAY, value=11, author=owner)
        feed_configure(measurable=measurable, expected_version=None, kind="push")
        scorecard = scorecard_create(
            organization=org, actor=owner, name=f"{team.name} scorecard", kind="unit",
            unit=team, measurables=[measurable.pk],
        )  # fmt: skip
        return {
            "measurable_id": measurable.pk,
            "scorecard_id": scorecard.pk,
            "period_start": MONDAY.isoformat(),
        }
