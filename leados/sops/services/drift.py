"""The drift alert: a leader who opted in has their manager and/or coach told by email
when they start drifting into doing.

One email per drift episode: ``SopPreferences.last_drift_alert_on`` records the day of
the last alert, and a new one goes out only when the episode's first week (``Drift.since``)
is later than that day, i.e. the leading share has been back at or above target (or a
week went without a check-in) since the last alert. The day is claimed and the email sent
in one transaction, so that running the job twice, or on two workers, sends it once, and
a failed send is tried again the next day.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from leados.core.models import Level, Organization, Person
from leados.core.periods import organization_today
from leados.sops.models import DriftShare, SopPreferences
from leados.sops.selectors.leading import EPISODE_LOOKBACK, Drift, drift_for_people

TO_MANAGER = (DriftShare.MANAGER, DriftShare.BOTH)
TO_COACH = (DriftShare.COACH, DriftShare.BOTH)


@dataclass
class Recipient:
    person: Person
    as_: str  # "manager" or "coach"


def drift_alert_recipients(prefs: SopPreferences) -> list[Recipient]:
    """Who hears of ``prefs.person``'s drift: their manager and/or the coach they chose, as
    they opted in; only active people of the organization with an email address."""
    person = prefs.person
    found: list[Recipient] = []
    if prefs.drift_share in TO_MANAGER and person.manager is not None:
        found.append(Recipient(person.manager, "manager"))
    if prefs.drift_share in TO_COACH and prefs.coach is not None:
        found.append(Recipient(prefs.coach, "coach"))
    seen: set[int] = set()
    result = []
    for r in found:
        p = r.person
        if (
            p.pk in seen
            or p.pk == person.pk
            or not p.is_active
            or p.organization_id != person.organization_id
            or not p.user.is_active
            or not p.user.email
        ):
            continue
        seen.add(p.pk)
        result.append(r)
    return result


def _absolute(path: str) -> str:
    from leados.core.tasks import absolute_url

    return absolute_url(path)


def _send(prefs: SopPreferences, drift: Drift, recipients: list[Recipient]) -> None:
    person = prefs.person
    org = person.organization
    url = _absolute(reverse("web:leading", args=[org.slug]) + f"?person={person.pk}")
    for recipient in recipients:
        context = {
            "person": person,
            "organization": org,
            "recipient": recipient.person,
            "as_manager": recipient.as_ == "manager",
            "drift": drift,
            "level_label": Level(drift.level).label.lower() if drift.level else "",
            "weeks": drift.weeks,
            "url": url,
        }
        subject = f"{person.name} is drifting into doing ({org.name})"
        body = render_to_string("sops/leading_drift_email.txt", context)
        send_mail(subject, body, None, [recipient.person.user.email])


def drift_alerts_send(
    *, organization: Organization, today: datetime.date | None = None
) -> list[int]:
    """Email the opted-in recipients of every person of ``organization`` whose drift began
    since their last alert; returns the ids of the people alerted about. Safe to run twice:
    each episode is alerted once. Call inside the organization's scope."""
    today = today or organization_today(organization)
    prefs_list = list(
        SopPreferences.objects.filter(person__is_active=True)
        .exclude(drift_share=DriftShare.NOBODY)
        .select_related(
            "person__organization", "person__user", "person__manager__user", "coach__user"
        )
    )
    if not prefs_list:
        return []
    people = [p.person for p in prefs_list]
    drifts = drift_for_people(people, today, lookback=EPISODE_LOOKBACK)
    alerted = []
    for prefs in prefs_list:
        drift = drifts[prefs.person_id]
        if not drift.drifting:
            continue
        if prefs.last_drift_alert_on is not None and prefs.last_drift_alert_on >= drift.since:
            continue  # this episode was already alerted
        recipients = drift_alert_recipients(prefs)
        if not recipients:
            continue
        with transaction.atomic():
            claimed = (
                SopPreferences.objects.filter(pk=prefs.pk)
                .filter(
                    Q(last_drift_alert_on__isnull=True) | Q(last_drift_alert_on__lt=drift.since)
                )
                .update(last_drift_alert_on=today)
            )
            if not claimed:
                continue  # another run got here first
            _send(prefs, drift, recipients)
        alerted.append(prefs.person_id)
    return alerted
