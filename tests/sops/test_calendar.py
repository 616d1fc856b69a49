"""The personal iCalendar feed: a secret address, recurring events clients import, and
nothing of anyone else."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.test import Client
from django_scopes import scopes_disabled

from leados.core import services as core_services
from leados.core.models import HistoryEntry
from leados.sops.models import SopPreferences
from leados.sops.services.prompts import calendar_token_rotate
from leados.sops.services.sops import sop_archive, sop_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def feed_path(world, client_for):
    """The member's calendar address, made through the prompts page."""
    client = client_for("member")
    response = client.post("/o/acme/sops/prompts/calendar/", {"feed": "create", "version": "0"})
    assert response.status_code == 302
    page = client.get("/o/acme/sops/prompts/").content.decode()
    with scopes_disabled():
        token = SopPreferences.objects.get(person=world.member).calendar_token
    assert len(token) == 43
    assert f"http://testserver/calendar/{token}.ics" in page
    assert f"webcal://testserver/calendar/{token}.ics" in page
    return f"/calendar/{token}.ics"


def _events(response):
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar, {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_the_feed_has_each_routine_as_a_recurring_event(world, in_org, make_sop, feed_path):
    world.org.time_zone = "Europe/Berlin"
    world.org.save()
    timed = make_sop(
        title="Thursday one-to-ones",
        rrule="FREQ=WEEKLY;BYDAY=TH",
        starts_on=datetime.date(2026, 11, 2),
        time_of_day=datetime.time(14, 0),
        duration_minutes=45,
    )
    all_day = make_sop(title="Monthly review", rrule="FREQ=MONTHLY;BYDAY=1MO")
    response = Client().get(feed_path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response["Cache-Control"]
    calendar, events = _events(response)
    for name in ("PRODID", "VERSION", "CALSCALE", "X-WR-CALNAME"):
        assert name in calendar
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Leadership routines · Acme"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]

    one_to_ones = events["Thursday one-to-ones"]
    start = one_to_ones.decoded("DTSTART")
    # The first Thursday on or after the start, at 14:00 in Berlin.
    assert start.replace(tzinfo=None) == datetime.datetime(2026, 11, 5, 14, 0)  # noqa: DTZ001
    assert start.utcoffset() == datetime.timedelta(hours=1)
    assert one_to_ones.decoded("DURATION") == datetime.timedelta(minutes=45)
    assert one_to_ones["RRULE"] == {"FREQ": ["WEEKLY"], "BYDAY": ["TH"]}
    assert str(one_to_ones["UID"]) == f"sop-{timed.pk}@testserver"
    description = str(one_to_ones["DESCRIPTION"])
    assert "Know where the numbers stand" in description
    assert "1. Open the scorecard" in description
    assert f"http://testserver/o/acme/sops/{timed.pk}/" in description or description.endswith(
        str(one_to_ones["URL"])
    )

    monthly = events["Monthly review"]
    assert monthly.decoded("DTSTART") == datetime.date(2026, 11, 2)  # all day
    assert monthly["RRULE"] == {"FREQ": ["MONTHLY"], "BYDAY": ["1MO"]}
    assert str(monthly["UID"]) == f"sop-{all_day.pk}@testserver"
    # The weekly check-in, on Friday for a week that starts on Monday.
    checkin = events["Leading vs. doing: the weekly one-minute check-in"]
    assert checkin["RRULE"] == {"FREQ": ["WEEKLY"], "BYDAY": ["FR"]}
    # UIDs stay the same from one fetch to the next.
    assert _events(Client().get(feed_path))[1]["Thursday one-to-ones"]["UID"] == one_to_ones["UID"]


def test_archived_routines_and_other_peoples_stay_out(
    world, in_org, make_sop, feed_path, django_assert_max_num_queries
):
    kept = make_sop(title="Mine")
    archived = make_sop(title="Archived one")
    make_sop(persona="admin", title="The admin's routine")
    with in_org():
        sop_archive(sop=archived)
    with scopes_disabled(), in_org(world.other_org):
        sop_create(
            organization=world.other_org, owner=world.outsider, made_by=world.outsider,
            title="Globex secret", domain="operate", dimension="planning",
            rrule="FREQ=DAILY", starts_on=datetime.date(2026, 11, 2),
        )  # fmt: skip
        calendar_token_rotate(person=world.outsider)
    with django_assert_max_num_queries(3) as few:
        response = Client().get(feed_path)
    assert set(_events(response)[1]) == {
        kept.title,
        "Leading vs. doing: the weekly one-minute check-in",
    }
    for n in range(5):
        make_sop(title=f"More {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(_events(Client().get(feed_path))[1]) == 7
    with scopes_disabled():
        token = SopPreferences.objects.get(person=world.outsider).calendar_token
    outsider = _events(Client().get(f"/calendar/{token}.ics"))[1]
    assert set(outsider) == {
        "Globex secret",
        "Leading vs. doing: the weekly one-minute check-in",
    }


def test_a_revoked_address_answers_404_at_once(world, client_for, feed_path):
    client = client_for("member")
    response = client.post("/o/acme/sops/prompts/calendar/", {"feed": "revoke", "version": "1"})
    assert response.status_code == 302
    assert Client().get(feed_path).status_code == 404
    assert "Create my calendar address" in client.get("/o/acme/sops/prompts/").content.decode()


def test_a_new_address_retires_the_old_one(world, client_for, feed_path):
    client = client_for("member")
    client.post("/o/acme/sops/prompts/calendar/", {"feed": "regenerate", "version": "1"})
    assert Client().get(feed_path).status_code == 404
    with scopes_disabled():
        prefs = SopPreferences.objects.get(person=world.member)
        entries = list(HistoryEntry.objects.filter(object_type="soppreferences").order_by("pk"))
    assert Client().get(f"/calendar/{prefs.calendar_token}.ics").status_code == 200
    # The history says the address changed, never what it is.
    assert entries[-1].changes == {"calendar_feed": ["on", "new address"]}
    assert all(prefs.calendar_token not in str(e.snapshot) for e in entries)


def test_a_stale_feed_button_is_refused(world, client_for, feed_path):
    client = client_for("member")
    response = client.post("/o/acme/sops/prompts/calendar/", {"feed": "revoke", "version": "0"})
    assert response.status_code == 409
    assert Client().get(feed_path).status_code == 200


def test_a_feed_post_without_a_choice_changes_nothing(world, client_for, feed_path):
    response = client_for("member").post("/o/acme/sops/prompts/calendar/", {"version": "1"})
    assert "Choose to create, renew or turn off the address." in response.content.decode()
    assert Client().get(feed_path).status_code == 200


@pytest.mark.parametrize("token", ["nope", "x" * 43, "x" * 200])
def test_an_unknown_address_is_404(world, token):
    assert Client().get(f"/calendar/{token}.ics").status_code == 404


def test_an_inactive_persons_address_is_404(world, in_org, feed_path):
    with in_org():
        core_services.person_deactivate(person=world.member)
    assert Client().get(feed_path).status_code == 404


def test_the_feed_is_read_only(world, feed_path):
    assert Client().post(feed_path).status_code == 405
