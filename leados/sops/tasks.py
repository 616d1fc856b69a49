"""Background tasks of leadership SOPs: take ids, re-fetch, call a service; safe to run
twice."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django_tasks import task

from leados.core.models import Organization
from leados.core.schedule import every_tick, periodic
from leados.core.tenancy import org_scope, scopes_disabled
from leados.sops.models import Sop
from leados.sops.services.runs import runs_generate


def _with_live_sops(organization_ids: list[int]) -> set[int]:
    with scopes_disabled():
        live = Sop.objects.filter(organization=OuterRef("pk"), is_archived=False)
        return set(
            Organization.objects.filter(Exists(live), pk__in=organization_ids).values_list(
                "pk", flat=True
            )
        )


@periodic("sops.runs_generate", only=_with_live_sops)
@task()
def sop_runs_generate(organization_id: int) -> dict:
    """Make the organization's runs due in the coming week and close the missed ones;
    idempotent, and it catches up after the worker was down."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return {"created": 0, "missed": 0}
    with org_scope(organization):
        return runs_generate(organization=organization)


# Prompts: the email digest (daily per organization) and reminders before a run is due.


@periodic("sops.digests", only=_with_live_sops)
@task()
def sop_digests_send(organization_id: int) -> dict:
    """Send the organization's digests of today; a person gets at most one a day."""
    from leados.sops.services.prompts import digests_send

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return {"sent": 0}
    with org_scope(organization):
        return digests_send(organization=organization)


@task()
def sop_reminder_send(run_id: int) -> bool:
    """Email the reminder of one run claimed by ``sop_reminders_enqueue``; nothing for a
    run done, skipped or archived since."""
    from leados.sops.models import SopRun
    from leados.sops.services.prompts import reminder_send

    with scopes_disabled():
        run = (
            SopRun.objects.select_related(
                "sop__organization", "sop_version", "owner__user", "owner__organization"
            )
            .filter(pk=run_id)
            .first()
        )
    if run is None:
        return False
    with org_scope(run.organization_id):
        return reminder_send(run=run)


@every_tick("sops.reminders")
def sop_reminders_enqueue(now) -> list[int]:
    """Claim the runs whose reminder is due at ``now`` and queue an email for each, in one
    transaction: with the database queue both happen or neither."""
    from django.db import transaction

    from leados.sops.services.prompts import reminders_claim

    with transaction.atomic():
        ids = reminders_claim(now)
        for run_id in ids:
            sop_reminder_send.enqueue(run_id)
    return ids


# ---------------------------------------------------------------------------- drift alerts


def _with_drift_sharing(organization_ids: list[int]) -> set[int]:
    """Of ``organization_ids``, those where someone shares their drift with somebody."""
    from leados.sops.models import DriftShare, SopPreferences

    with scopes_disabled():
        sharing = SopPreferences.objects.filter(organization=OuterRef("pk")).exclude(
            drift_share=DriftShare.NOBODY
        )
        return set(
            Organization.objects.filter(Exists(sharing), pk__in=organization_ids).values_list(
                "pk", flat=True
            )
        )


@periodic("sops.drift_alerts", only=_with_drift_sharing)
@task()
def sop_drift_alerts(organization_id: int) -> list[int]:
    """Email the manager and/or coach of every leader who opted in and began drifting into
    doing since their last alert; returns the ids of the leaders alerted about. Each drift
    episode is alerted once, however often this runs."""
    from leados.sops.services.drift import drift_alerts_send

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return []
    with org_scope(organization):
        return drift_alerts_send(organization=organization)
