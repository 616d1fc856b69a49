"""Prompts: a person's preferences, their secret calendar address, the email digest and the
reminders before a run is due.

A person without saved preferences has the defaults (``SopPreferences``' field defaults:
a weekly digest and a reminder an hour ahead); the row is made on the first save, or by
the worker when it first sends them something. Digests are sent at most once a person a
day (``last_digest_on`` is claimed by a conditional UPDATE before sending), reminders at
most once a run (``reminded_at`` likewise), so two workers never send the same mail.
"""

from __future__ import annotations

import datetime
import hmac
import logging
import secrets
import zoneinfo
from dataclasses import dataclass, field

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse

from leados.core.errors import Conflict
from leados.core.history import history_record
from leados.core.models import HistoryAction, Organization, OrgRole, Person
from leados.core.periods import organization_today
from leados.core.services._common import apply_changes, check_version, field_error, lock
from leados.core.tasks import absolute_url
from leados.core.tenancy import scopes_disabled
from leados.sops.models import (
    DigestFrequency,
    DriftShare,
    RunState,
    Sop,
    SopPreferences,
    SopRun,
)
from leados.sops.selectors.prompts import (
    MISSED_LOOKBACK_DAYS,
    day_label,
    missed_runs,
    pending_ideas,
    person_runs,
    run_path,
    sop_path,
)

logger = logging.getLogger(__name__)

REMIND_MAX = 7 * 24 * 60  # minutes
# A routine without a time of day is reminded of as if it were due at this local time.
DEFAULT_DUE_TIME = datetime.time(8, 0)
TOKEN_BYTES = 32
TOKEN_MAX = 64


# Preferences ---------------------------------------------------------------------------


def preferences_for(person: Person) -> SopPreferences:
    """The person's saved preferences, or unsaved defaults (version 0) when they have none;
    reading never writes."""
    found = SopPreferences.objects.filter(person=person).select_related("coach").first()
    if found is not None:
        return found
    return SopPreferences(
        organization_id=person.organization_id, person=person, version=0, calendar_token=""
    )


def _locked_preferences(person: Person, expected_version: int | None) -> SopPreferences | None:
    """The person's preferences under a row lock, after the version check; ``None`` when
    they have none yet (only version 0, "the defaults", may be based on that)."""
    existing = SopPreferences.objects.filter(person=person).first()
    if existing is None:
        if expected_version not in (None, 0):
            raise Conflict(current_version=0)
        return None
    existing = lock(existing)
    check_version(existing, expected_version)
    return existing


def _create(person: Person, **fields) -> SopPreferences:
    """Save a person's first preferences; a concurrent first save makes this one stale."""
    prefs = SopPreferences(organization_id=person.organization_id, person=person, **fields)
    prefs.full_clean(exclude=["organization", "person"])
    try:
        with transaction.atomic():
            prefs.save()
    except IntegrityError:
        raise Conflict(current_version=1) from None
    history_record(prefs, action=HistoryAction.CREATE)
    return prefs


def _check_coach(person: Person, coach: Person | None) -> None:
    if coach is None:
        return
    if (
        coach.organization_id != person.organization_id
        or coach.pk == person.pk
        or coach.role != OrgRole.COACH
        or not coach.is_active
    ):
        raise field_error("coach", "Choose one of this organization's coaches.")


@transaction.atomic
def preferences_update(
    *,
    person: Person,
    expected_version: int | None,
    digest: str,
    remind_minutes_before: int | None,
    drift_share: str,
    coach: Person | None = None,
) -> SopPreferences:
    """Save the person's prompts; a change based on an older version is refused
    (``Conflict``) and every change is in the history."""
    if digest not in DigestFrequency.values:
        raise field_error("digest", "Choose no digest, a daily or a weekly one.")
    if remind_minutes_before is not None and (
        isinstance(remind_minutes_before, bool)
        or not isinstance(remind_minutes_before, int)
        or not 0 <= remind_minutes_before <= REMIND_MAX
    ):
        raise field_error(
            "remind_minutes_before",
            f"Give whole minutes from 0 to {REMIND_MAX} (a week), or leave it empty.",
        )
    if drift_share not in DriftShare.values:
        raise field_error("drift_share", "Choose who hears of a drift.")
    _check_coach(person, coach)
    if drift_share in (DriftShare.COACH, DriftShare.BOTH) and coach is None:
        raise field_error("coach", "Choose the coach who hears of a drift.")
    if drift_share in (DriftShare.MANAGER, DriftShare.BOTH) and person.manager_id is None:
        raise field_error(
            "drift_share", "You have no manager in LeadOS yet: ask an admin to set one."
        )
    fields = {
        "digest": digest,
        "remind_minutes_before": remind_minutes_before,
        "drift_share": drift_share,
        "coach": coach,
    }
    existing = _locked_preferences(person, expected_version)
    if existing is None:
        return _create(person, **fields)
    apply_changes(existing, fields, expected_version=None, exclude=["organization", "person"])
    return existing


def _set_token(person: Person, token: str, expected_version: int | None) -> SopPreferences:
    existing = _locked_preferences(person, expected_version)
    if existing is None:
        return _create(person, calendar_token=token)
    before = "on" if existing.calendar_token else "off"
    after = "off" if not token else ("new address" if existing.calendar_token else "on")
    if not token and not existing.calendar_token:
        return existing
    existing.calendar_token = token
    existing.version += 1
    existing.save()
    # The token itself is a secret and stays out of the history (HISTORY_EXCLUDE).
    history_record(
        existing, action=HistoryAction.UPDATE, changes={"calendar_feed": [before, after]}
    )
    return existing


@transaction.atomic
def calendar_token_rotate(*, person: Person, expected_version: int | None = None) -> SopPreferences:
    """Give the person a new secret calendar address; the previous one stops working at
    once."""
    return _set_token(person, secrets.token_urlsafe(TOKEN_BYTES), expected_version)


@transaction.atomic
def calendar_token_revoke(*, person: Person, expected_version: int | None = None) -> SopPreferences:
    """Turn the person's calendar address off; it answers 404 from now on."""
    return _set_token(person, "", expected_version)


def person_for_calendar_token(token: str) -> Person | None:
    """The active person whose calendar address ends in ``token``, or ``None``; the token is
    looked up by its index and compared in constant time (one query, any organization)."""
    if not token or len(token) > TOKEN_MAX:
        return None
    with scopes_disabled():
        prefs = (
            SopPreferences.objects.filter(calendar_token=token)
            .select_related("person__organization", "person__user")
            .first()
        )
    if prefs is None or not hmac.compare_digest(prefs.calendar_token, token):
        return None
    person = prefs.person
    if not person.is_active or person.organization_id != prefs.organization_id:
        return None
    person.sop_preferences = prefs  # spare a query for whoever reads them next
    return person


# Email ---------------------------------------------------------------------------------


def _send(*, to: str, subject: str, template: str, context: dict) -> None:
    text = render_to_string(f"sops/email/{template}.txt", context)
    html = render_to_string(f"sops/email/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, None, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def _links(organization: Organization) -> dict:
    slug = organization.slug
    return {
        "my_week_url": absolute_url(reverse("web:my_week", args=[slug])),
        "preferences_url": absolute_url(reverse("web:sop_prompts", args=[slug])),
    }


@dataclass
class Digest:
    """What one person's digest says; ``empty`` when there is nothing to say."""

    person: Person
    frequency: str
    today: datetime.date
    week_end: datetime.date
    runs: list = field(default_factory=list)  # (run, url)
    missed: list = field(default_factory=list)  # (run, url)
    ideas: list = field(default_factory=list)  # (idea, url)
    done_this_week: int = 0
    due_this_week: int = 0

    @property
    def empty(self) -> bool:
        return not (self.runs or self.missed or self.ideas)

    @property
    def weekly(self) -> bool:
        return self.frequency == DigestFrequency.WEEKLY

    def subject(self) -> str:
        org = self.person.organization.name
        if self.weekly:
            return (
                f"{org}: your leadership routines for the week of {self.today.day} {self.today:%B}"
            )
        return f"{org}: your leadership routines for {day_label(self.today, long=True)}"


def digest_compose(
    person: Person, *, frequency: str, today: datetime.date, last_sent: datetime.date | None
) -> Digest:
    """A daily digest lists today's runs (and the overdue ones still open) and what was
    missed since the last digest; a weekly one the runs of the week ahead and what was
    missed the week before. Both list the improvement ideas waiting on the person's
    routines."""
    slug = person.organization.slug
    runs = person_runs(person, today=today)
    chosen = runs.due_today + (runs.later if frequency == DigestFrequency.WEEKLY else [])
    since = today - datetime.timedelta(days=MISSED_LOOKBACK_DAYS)
    if frequency == DigestFrequency.DAILY and last_sent is not None:
        since = max(since, last_sent)
    missed = missed_runs(person, since=since, until=today - datetime.timedelta(days=1))
    ideas = pending_ideas(person)
    return Digest(
        person=person,
        frequency=frequency,
        today=today,
        week_end=runs.week_end,
        runs=[(run, absolute_url(run_path(slug, run.pk))) for run in chosen],
        missed=[(run, absolute_url(run_path(slug, run.pk))) for run in missed],
        ideas=[(idea, absolute_url(sop_path(slug, idea.sop_id))) for idea in ideas],
        done_this_week=runs.done_this_week,
        due_this_week=runs.due_this_week,
    )


def _digest_frequencies(organization: Organization, today: datetime.date) -> list[str]:
    if today.weekday() == organization.week_start_day:
        return [DigestFrequency.DAILY, DigestFrequency.WEEKLY]
    return [DigestFrequency.DAILY]


def _digest_readers(organization: Organization, frequencies: list[str], today: datetime.date):
    """Active people with a live routine whose digest of one of ``frequencies`` has not
    gone out today; no saved preferences means the default digest."""
    wanted = Q(sop_preferences__digest__in=frequencies)
    if SopPreferences._meta.get_field("digest").default in frequencies:
        wanted |= Q(sop_preferences__isnull=True)
    owns_live = Sop.objects.filter(owner=OuterRef("pk"), is_archived=False)
    return (
        Person.objects.active()
        .filter(organization=organization)
        .filter(Exists(owns_live))
        .filter(wanted)
        .exclude(sop_preferences__last_digest_on__gte=today)
        .select_related("user", "organization", "sop_preferences")
        .order_by("pk")
    )


def _claim_digest(person: Person, prefs: SopPreferences | None, today: datetime.date) -> bool:
    """Mark the person's digest of ``today`` as sent; ``False`` when someone else did."""
    if prefs is None:
        try:
            with transaction.atomic():
                created = SopPreferences.objects.create(
                    organization_id=person.organization_id, person=person, last_digest_on=today
                )
                history_record(created, action=HistoryAction.CREATE)
        except IntegrityError:
            return False
        return True
    claimed = (
        SopPreferences.objects.filter(pk=prefs.pk)
        .filter(Q(last_digest_on__isnull=True) | Q(last_digest_on__lt=today))
        .update(last_digest_on=today)
    )
    return claimed == 1


def _unclaim_digest(person: Person, previous: datetime.date | None, today) -> None:
    SopPreferences.objects.filter(person=person, last_digest_on=today).update(
        last_digest_on=previous
    )


def digests_send(*, organization: Organization, today: datetime.date | None = None) -> dict:
    """Send today's digests of the organization (call inside its scope): daily ones every
    day, weekly ones on the first day of its week. Safe to run twice: a person gets at
    most one digest a day, and none when there is nothing to say."""
    today = today or organization_today(organization)
    frequencies = _digest_frequencies(organization, today)
    counts = {"sent": 0, "nothing_to_say": 0, "failed": 0}
    links = _links(organization)
    for person in _digest_readers(organization, frequencies, today):
        prefs = getattr(person, "sop_preferences", None)
        frequency = prefs.digest if prefs else SopPreferences._meta.get_field("digest").default
        previous = prefs.last_digest_on if prefs else None
        digest = digest_compose(person, frequency=frequency, today=today, last_sent=previous)
        if digest.empty:
            counts["nothing_to_say"] += 1
            continue
        if not _claim_digest(person, prefs, today):
            continue
        try:
            _send(
                to=person.email,
                subject=digest.subject(),
                template="digest",
                context={"digest": digest, "person": person, **links},
            )
        except Exception:
            logger.exception("Sending the SOP digest to person %s failed.", person.pk)
            _unclaim_digest(person, previous, today)
            counts["failed"] += 1
            continue
        counts["sent"] += 1
    return counts


# Reminders -----------------------------------------------------------------------------


def reminder_moment(
    due_on: datetime.date, time_of_day: datetime.time | None, zone: str, minutes_before: int
) -> tuple[datetime.datetime, datetime.datetime]:
    """When a run is due (its day at its time of day, or at ``DEFAULT_DUE_TIME``, where the
    organization is) and when its reminder is due."""
    due = datetime.datetime.combine(
        due_on, time_of_day or DEFAULT_DUE_TIME, tzinfo=zoneinfo.ZoneInfo(zone)
    )
    return due, due - datetime.timedelta(minutes=minutes_before)


def reminders_due(now: datetime.datetime) -> list[int]:
    """Ids of open runs, in any organization, whose reminder moment has come and whose due
    moment has not passed, not yet reminded of. A person without saved preferences has
    the default lead time; one who emptied it has no reminders."""
    default = SopPreferences._meta.get_field("remind_minutes_before").default
    first = now.date() - datetime.timedelta(days=1)
    last = now.date() + datetime.timedelta(days=REMIND_MAX // (24 * 60) + 1)
    with scopes_disabled():
        organization_ids = list(Organization.objects.values_list("pk", flat=True))
        rows = (
            SopRun.objects.filter(
                organization_id__in=organization_ids,
                state=RunState.DUE,
                window_ends_on__gte=first,
                due_on__gte=first,
                due_on__lte=last,
                reminded_at__isnull=True,
                sop__is_archived=False,
                owner__is_active=True,
            )
            .filter(
                Q(owner__sop_preferences__isnull=True)
                | Q(owner__sop_preferences__remind_minutes_before__isnull=False)
            )
            .values_list(
                "pk",
                "due_on",
                "sop__time_of_day",
                "organization__time_zone",
                "owner__sop_preferences__id",
                "owner__sop_preferences__remind_minutes_before",
            )
        )
        due = []
        for pk, due_on, time_of_day, zone, prefs_id, minutes in rows:
            lead = default if prefs_id is None else minutes
            if lead is None:
                continue
            due_at, remind_at = reminder_moment(due_on, time_of_day, zone, lead)
            if remind_at <= now < due_at:
                due.append(pk)
    return sorted(due)


def reminders_claim(now: datetime.datetime) -> list[int]:
    """Claim the runs whose reminder is due: each one's ``reminded_at`` is set by an UPDATE
    that matches only while it is still empty, so of two workers only one claims a run."""
    claimed = []
    with scopes_disabled():
        for pk in reminders_due(now):
            if SopRun.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                claimed.append(pk)
    return claimed


def reminder_send(*, run: SopRun) -> bool:
    """Email the run's owner that it is coming up; nothing for a run no longer open (call
    inside the run's organization scope)."""
    if run.state != RunState.DUE or run.sop.is_archived or not run.owner.is_active:
        return False
    organization = run.sop.organization
    due_at, _ = reminder_moment(run.due_on, run.sop.time_of_day, organization.time_zone, 0)
    slug = organization.slug
    when = f"at {run.sop.time_of_day:%H:%M}" if run.sop.time_of_day else "today"
    if run.due_on != organization_today(organization):
        when = f"on {day_label(run.due_on, long=True)}" + (
            f" at {run.sop.time_of_day:%H:%M}" if run.sop.time_of_day else ""
        )
    _send(
        to=run.owner.email,
        subject=f"Coming up {when}: {run.sop.title}",
        template="reminder",
        context={
            "run": run,
            "sop": run.sop,
            "version": run.sop_version,
            "person": run.owner,
            "organization": organization,
            "when": when,
            "due_at": due_at,
            "run_url": absolute_url(run_path(slug, run.pk)),
            **_links(organization),
        },
    )
    return True
