"""Sample scorecard objects in one organization: a weekly measurable with a value and a push
feed, and a scorecard showing it.

Used by the route matrix, which needs one object of every kind in each organization.
"""

from __future__ import annotations

import datetime

from leados.core.models import Level, Person, Unit
from leados.core.tenancy import org_scope
from leados.operate.services.feeds import feed_configure
from leados.operate.services.measurables import measurable_create, value_set
from leados.operate.services.scorecards import scorecard_create

MONDAY = datetime.date(2027, 1, 4)


def scorecard_samples(org, world) -> dict:
    """Ids of one object of each scorecard kind in ``org``, keyed by route parameter."""
    with org_scope(org):
        team = Unit.objects.filter(level=Level.FUNCTIONAL_TEAM).order_by("name").last()
        owner = Person.objects.order_by("pk").first()
        measurable = measurable_create(
            organization=org, actor=owner, unit=team, name="Orders shipped", target=100
        )
        value_set(measurable=measurable, period_start=MONDAY, value=90, author=owner)
        feed_configure(measurable=measurable, expected_version=None, kind="push")
        scorecard = scorecard_create(
            organization=org, actor=owner, name="Weekly numbers", measurables=[measurable.pk]
        )
        return {
            "measurable_id": measurable.pk,
            "scorecard_id": scorecard.pk,
            "period_start": MONDAY.isoformat(),
        }
