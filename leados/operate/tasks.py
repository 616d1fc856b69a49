"""Background tasks of goals and alignment: take ids, re-fetch, call a service; safe to
run twice."""

from __future__ import annotations

from django_tasks import task

from leados.core.models import Organization
from leados.operate.rollup import status_refresh
from leados.operate.schedule import periodic


@periodic("operate.goal_status_refresh")
@task()
def goal_status_refresh(organization_id: int) -> int:
    """Move every live goal's status to what today's date says (statuses depend on time
    passing, not only on check-ins); returns how many changed."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    return status_refresh(organization)
