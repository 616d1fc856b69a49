"""Background tasks of goals, alignment and scorecard feeds: take ids, re-fetch, call a
service; safe to run twice."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django_tasks import task

from leados.core.models import Organization
from leados.core.schedule import every_tick, periodic
from leados.core.tenancy import org_scope, scopes_disabled
from leados.operate.models import Feed, FeedKind, Goal
from leados.operate.rollup import status_refresh
from leados.operate.services.feeds import feed_run, feeds_claim


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


@task()
def feed_run_due(feed_id: int) -> str:
    """Run one scheduled feed (claimed by ``feeds_enqueue_due``); returns what happened.
    A feed removed, disabled or turned into a push feed since it was queued is skipped."""
    with scopes_disabled():
        feed = Feed.objects.select_related("measurable__organization").filter(pk=feed_id).first()
    if feed is None or not feed.enabled or feed.kind == FeedKind.PUSH:
        return "skipped"
    with org_scope(feed.organization_id):
        return feed_run(feed=feed).message


@every_tick("operate.feeds")
def feeds_enqueue_due(now: datetime.datetime) -> list[int]:
    """Claim the feeds due at ``now`` and queue a run of each, in one transaction: with the
    database queue both happen or neither."""
    with transaction.atomic():
        ids = feeds_claim(now=now)
        for feed_id in ids:
            feed_run_due.enqueue(feed_id)
    return ids
