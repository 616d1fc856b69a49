"""Sample scorecard objects in one organization: a measurable with a value, and a unit's
scorecard showing it. Used by the route matrix."""

from __future__ import annotations

import datetime

from leados.core.models import Level, Person, Unit
from leados.core.tenancy import org_scope
from leados.operate.services.measurables import measurable_create, value_set
from leados.operate.services.scorecards import scorecard_create

MONDAY = datetime.date(2027, 1, 4)


def scorecard_samples(org, world) -> dict:
    """Ids of a measurable and a scorecard in ``org``, and a period's first day."""
    with org_scope(org):
        team = Unit.objects.filter(level=Level.FUNCTIONAL_TEAM).order_by("name").last()
        owner = Person.objects.order_by("pk").first()
        measurable = measurable_create(
            organization=org, actor=owner, name="Orders shipped", unit=team, target=100
        )
        value_set(measurable=measurable, period_start=MONDAY, value=90, author=owner)
        scorecard = scorecard_create(
            organization=org, actor=owner, name="Team numbers", kind="unit", unit=team,
            measurables=[measurable.pk],
        )  # fmt: skip
        return {
            "measurable_id": measurable.pk,
            "scorecard_id": scorecard.pk,
            "period_start": MONDAY.isoformat(),
        }
