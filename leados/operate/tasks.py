"""Background tasks of goals and alignment: take ids, re-fetch, call a service; safe to
run twice."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django_tasks import task

from leados.core.models import Organization
from leados.core.schedule import periodic
from leados.core.tenancy import scopes_disabled
from leados.operate.models import Goal
from leados.operate.rollup import status_refresh


def _with_live_goals(organization_ids: list[int]) -> set[int]:
    """Of ``organization_ids``, those with a live goal: one EXISTS probe each, by index."""
    live = Goal.objects.filter(organization=OuterRef("pk"), archived_at__isnull=True)
    with scopes_disabled():
        return set(
            Organization.objects.filter(Exists(live), pk__in=organization_ids).values_list(
                "pk", flat=True
            )
        )


@periodic("operate.goal_status_refresh", only=_with_live_goals)
@task()
def goal_status_refresh(organization_id: int) -> int:
    """Move every live goal's status to what today's date says (statuses depend on time
    passing, not only on check-ins); returns how many changed."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    return status_refresh(organization)
