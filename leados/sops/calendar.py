"""A person's iCalendar feed: each live routine as one recurring event, plus the weekly
leading-vs-doing check-in as a recurring all-day reminder.

A routine with a time of day starts then, in the organization's time zone (with its
VTIMEZONE), for its expected duration; one without is an all-day event. The recurrence
is the routine's RRULE from its first occurrence on or after ``starts_on``, so a client
shows exactly the days its runs are due. UIDs are stable (``sop-<id>@<host>``), so a
client updates an event in place when the routine changes.
"""

from __future__ import annotations

import datetime
import zoneinfo

import icalendar
from django.urls import reverse

from leados.core.models import Person
from leados.sops.cadence import ical_rrule, next_occurrence
from leados.sops.models import Sop, SopPreferences
from leados.sops.selectors.prompts import sop_path

PRODID = "-//LeadOS//Leadership routines//EN"
WEEKDAY_KEYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
CHECKIN_WEEKDAY_OFFSET = 4  # the week's fifth day: Friday for a week starting on Monday


def _first_due(sop: Sop) -> datetime.date | None:
    return next_occurrence(sop.rrule, sop.starts_on, sop.starts_on - datetime.timedelta(days=1))


def _description(sop: Sop, url: str) -> str:
    lines = []
    if sop.purpose:
        lines += [sop.purpose.strip(), ""]
    for number, step in enumerate(sop.steps or [], start=1):
        text = step.get("text", "") if isinstance(step, dict) else str(step)
        lines.append(f"{number}. {text}")
    if sop.steps:
        lines.append("")
    lines.append(url)
    return "\n".join(lines)


def _stamp(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(microsecond=0)


def sop_event(sop: Sop, *, host: str, url: str, zone: zoneinfo.ZoneInfo) -> icalendar.Event | None:
    """The routine as a recurring event; ``None`` when its cadence never happens again."""
    first = _first_due(sop)
    if first is None:
        return None
    event = icalendar.Event()
    event.add("uid", f"sop-{sop.pk}@{host}")
    event.add("dtstamp", _stamp(sop.updated_at))
    event.add("last-modified", _stamp(sop.updated_at))
    event.add("sequence", sop.version)
    event.add("summary", sop.title)
    event.add("description", _description(sop, url))
    event.add("url", url)
    if sop.time_of_day is None:
        event.add("dtstart", first)
        event.add("duration", datetime.timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    else:
        event.add("dtstart", datetime.datetime.combine(first, sop.time_of_day, tzinfo=zone))
        event.add("duration", datetime.timedelta(minutes=sop.duration_minutes))
    event.add("rrule", ical_rrule(sop.rrule))
    event.add("categories", [sop.get_domain_display(), sop.get_dimension_display()])
    return event


def checkin_event(person: Person, prefs: SopPreferences, *, host: str, url: str) -> icalendar.Event:
    """The weekly one-minute leading-vs-doing check-in, on the last working day of the
    organization's week, from the week the feed was first made."""
    weekday = (person.organization.week_start_day + CHECKIN_WEEKDAY_OFFSET) % 7
    since = (prefs.created_at or datetime.datetime.now(datetime.UTC)).date()
    first = since + datetime.timedelta(days=(weekday - since.weekday()) % 7)
    event = icalendar.Event()
    event.add("uid", f"sop-checkin-{person.pk}@{host}")
    event.add("dtstamp", _stamp(prefs.created_at or datetime.datetime.now(datetime.UTC)))
    event.add("summary", "Leading vs. doing: the weekly one-minute check-in")
    event.add(
        "description",
        "How much of this week went to leading (Structure, Operate, Perfect) and how much "
        f"to the team's own work?\n\n{url}",
    )
    event.add("url", url)
    event.add("dtstart", first)
    event.add("duration", datetime.timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    event.add("rrule", {"freq": "WEEKLY", "byday": WEEKDAY_KEYS[weekday]})
    return event


def person_calendar(person: Person, *, host: str, absolute) -> bytes:
    """The person's feed as iCalendar bytes (one query for their live routines; call inside
    the organization's scope). ``absolute`` turns a path into an absolute URL."""
    organization = person.organization
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Leadership routines · {organization.name}")
    calendar.add("x-wr-caldesc", f"{person.name}'s leadership routines in LeadOS")
    calendar.add("x-wr-timezone", organization.time_zone)
    calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    sops = Sop.objects.owned_by(person).live().order_by("pk")
    for sop in sops:
        event = sop_event(
            sop, host=host, url=absolute(sop_path(organization.slug, sop.pk)), zone=zone
        )
        if event is not None:
            calendar.add_component(event)
    prefs = getattr(person, "sop_preferences", None)
    if prefs is not None and prefs.pk is not None:
        url = absolute(reverse("web:my_week", args=[organization.slug]))
        calendar.add_component(checkin_event(person, prefs, host=host, url=url))
    calendar.add_missing_timezones()
    return calendar.to_ical()
