"""Prompts: My week's routines, the preferences page, the digest and the reminders, with
mail really delivered to a local SMTP server."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from leados.core import services as core_services
from leados.core.models import HistoryEntry
from leados.core.schedule import enqueue_due, run_ticks
from leados.sops.models import SopPreferences, SopRun
from leados.sops.my_week.runs import this_weeks_routines, todays_routines
from leados.sops.selectors.prompts import person_runs
from leados.sops.services.ideas import idea_propose
from leados.sops.services.prompts import (
    preferences_for,
    preferences_update,
    reminders_claim,
)
from leados.sops.services.runs import run_complete, runs_generate
from leados.sops.tasks import sop_digests_send

pytestmark = pytest.mark.django_db

# Fixtures shared with the calendar tests.

MONDAY = "2026-11-02 06:00Z"  # Acme's week starts on Monday (UTC)
WEDNESDAY = "2026-11-04 06:00Z"


@pytest.fixture
def routines(world, in_org, make_sop):
    """The member's routines: a Monday review (all day), a daily stand-up note at 09:00
    and a Thursday 1:1 at 14:00; runs made up to a week ahead on Monday 2 November."""
    weekly = make_sop(title="Weekly scorecard review")
    daily = make_sop(
        title="Daily stand-up note",
        rrule="FREQ=DAILY",
        dimension="planning",
        time_of_day=datetime.time(9, 0),
        duration_minutes=10,
    )
    thursday = make_sop(
        title="Thursday one-to-ones",
        rrule="FREQ=WEEKLY;BYDAY=TH",
        domain="perfect",
        dimension="master",
        time_of_day=datetime.time(14, 0),
        duration_minutes=45,
    )
    with time_machine.travel(MONDAY, tick=False), in_org():
        runs_generate(organization=world.org)
    return {"weekly": weekly, "daily": daily, "thursday": thursday}


def _titles(runs):
    return [run.sop.title for run in runs]


# My week ------------------------------------------------------------------------------


def test_todays_runs_include_the_overdue_still_open_and_the_week_tallies(world, in_org, routines):
    with time_machine.travel(WEDNESDAY, tick=False), in_org():
        run_complete(
            run=SopRun.objects.get(sop=routines["daily"], due_on=datetime.date(2026, 11, 3)),
            expected_version=None,
            completed_on=datetime.date(2026, 11, 3),
        )
        runs = person_runs(world.member)
    assert runs.today == datetime.date(2026, 11, 4)
    assert (runs.week_start, runs.week_end) == (
        datetime.date(2026, 11, 2),
        datetime.date(2026, 11, 8),
    )
    # Monday's review is open until Sunday: overdue, still due; Monday's stand-up window
    # closed on Monday (the next one was due Tuesday), so it is not listed.
    assert [(r.sop.title, r.due_on.day) for r in runs.due_today] == [
        ("Weekly scorecard review", 2),
        ("Daily stand-up note", 4),
    ]
    assert [r.sop.title for r in runs.overdue] == ["Weekly scorecard review"]
    assert [(r.sop.title, r.due_on.day) for r in runs.later] == [
        ("Daily stand-up note", 5),
        ("Thursday one-to-ones", 5),
        ("Daily stand-up note", 6),
        ("Daily stand-up note", 7),
        ("Daily stand-up note", 8),
    ]
    # This week: 7 stand-ups, 1 review, 1 one-to-one; the one done is Tuesday's.
    assert (runs.done_this_week, runs.due_this_week) == (1, 9)


def test_my_week_sections_list_runs_with_their_timing(world, in_org, routines):
    with time_machine.travel(WEDNESDAY, tick=False), in_org():
        today = todays_routines(world.member)
        week = this_weeks_routines(world.member)
    assert [i.text for i in today.items] == ["Weekly scorecard review", "Daily stand-up note"]
    assert today.items[0].detail.startswith("overdue since Mon 2 Nov")
    assert today.items[1].detail == "today at 09:00 · about 10 min"
    assert today.attention
    assert today.items[1].url.startswith("/o/acme/sops/")
    assert week.title == "This week's routines · 0 of 9 done"
    assert week.items[1].text == "Thursday one-to-ones"
    assert week.items[1].detail == "Thursday at 14:00 · about 45 min"
    assert week.total == 5


def test_people_without_routines_see_no_routine_sections(world, in_org):
    with in_org():
        assert todays_routines(world.admin) is None
        assert this_weeks_routines(world.admin) is None


def test_my_week_page_shows_the_routines_in_constant_queries(
    world, in_org, make_sop, routines, client_for, django_assert_max_num_queries
):
    client = client_for("member")
    with time_machine.travel(WEDNESDAY, tick=False):
        page = client.get("/o/acme/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "Today&#x27;s routines" in html or "Today's routines" in html
        assert "Thursday one-to-ones" in html
        with django_assert_max_num_queries(60) as few:
            client.get("/o/acme/")
    for n in range(6):
        make_sop(title=f"Extra routine {n}", rrule="FREQ=DAILY")
    with time_machine.travel(MONDAY, tick=False), in_org():
        runs_generate(organization=world.org)
    with time_machine.travel(WEDNESDAY, tick=False):
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get("/o/acme/").status_code == 200


# The preferences page -----------------------------------------------------------------


def _form(**overrides):
    data = {"digest": "daily", "remind_minutes_before": "30", "drift_share": "nobody"}
    data.update(overrides)
    return data


def _history(object_type="soppreferences"):
    with scopes_disabled():
        return HistoryEntry.objects.filter(object_type=object_type).count()


def test_the_page_shows_the_defaults_without_saving_anything(world, client_for):
    page = client_for("member").get("/o/acme/sops/prompts/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Prompts for my routines" in html
    assert "Create my calendar address" in html
    assert 'name="version" value="0"' in html
    with scopes_disabled():
        assert not SopPreferences.objects.exists()


def test_saving_prompts_keeps_them_with_history(world, in_org, client_for):
    client = client_for("member")
    response = client.post(
        "/o/acme/sops/prompts/",
        _form(version="0", drift_share="both", coach=str(world.coach.pk)),
    )
    assert response.status_code == 302
    with in_org():
        prefs = SopPreferences.objects.get(person=world.member)
    assert (prefs.digest, prefs.remind_minutes_before, prefs.drift_share, prefs.coach) == (
        "daily",
        30,
        "both",
        world.coach,
    )
    assert prefs.version == 1
    response = client.post("/o/acme/sops/prompts/", _form(version="1", remind_minutes_before=""))
    assert response.status_code == 302
    with in_org():
        prefs.refresh_from_db()
    assert prefs.remind_minutes_before is None
    assert prefs.version == 2
    assert _history() == 2


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"digest": "hourly"}, "Select a valid choice"),
        ({"remind_minutes_before": "-5"}, "greater than or equal to 0"),
        ({"remind_minutes_before": "99999"}, "less than or equal to 10080"),
        ({"remind_minutes_before": "soon"}, "Enter a whole number"),
        ({"drift_share": "coach"}, "Choose the coach who hears of a drift."),
        ({"drift_share": "coach", "coach": "ADMIN"}, "Choose one of this organization"),
        ({"drift_share": "coach", "coach": "OUTSIDER"}, "Choose one of this organization"),
    ],
)
def test_bad_input_shows_why_and_changes_nothing(world, client_for, overrides, message):
    people = {"ADMIN": world.admin.pk, "OUTSIDER": world.outsider.pk}
    overrides = {k: str(people.get(v, v)) for k, v in overrides.items()}
    response = client_for("member").post("/o/acme/sops/prompts/", _form(version="0", **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    with scopes_disabled():
        assert not SopPreferences.objects.exists()
    assert _history() == 0


def test_sharing_with_a_manager_needs_one(world, client_for):
    response = client_for("coach").post(
        "/o/acme/sops/prompts/", _form(version="0", drift_share="manager")
    )
    assert "You have no manager in LeadOS yet" in response.content.decode()


def test_a_change_based_on_an_older_version_is_refused(world, in_org, client_for):
    client = client_for("member")
    assert client.post("/o/acme/sops/prompts/", _form(version="0")).status_code == 302
    # A second tab still shows version 0 (the defaults).
    response = client.post("/o/acme/sops/prompts/", _form(version="0", digest="off"))
    assert response.status_code == 409
    assert "changed elsewhere" in response.content.decode()
    with in_org():
        prefs = SopPreferences.objects.get(person=world.member)
    assert (prefs.digest, prefs.version) == ("daily", 1)


def test_the_service_refuses_a_stale_version_too(world, in_org):
    from leados.core.errors import Conflict

    with in_org():
        preferences_update(
            person=world.member,
            expected_version=0,
            digest="off",
            remind_minutes_before=None,
            drift_share="nobody",
        )
        with pytest.raises(Conflict):
            preferences_update(
                person=world.member,
                expected_version=0,
                digest="daily",
                remind_minutes_before=None,
                drift_share="nobody",
            )
        assert preferences_for(world.member).digest == "off"


# Digest -------------------------------------------------------------------------------


def _daily(world, in_org, person=None):
    with in_org():
        preferences_update(
            person=person or world.member,
            expected_version=None,
            digest="daily",
            remind_minutes_before=None,
            drift_share="nobody",
        )


def _run_digests(world, when):
    with time_machine.travel(when, tick=False):
        return sop_digests_send.call(world.org.pk)


def test_the_daily_digest_is_sent_once_a_day(world, in_org, routines, smtp_inbox):
    _daily(world, in_org)
    with in_org():
        idea_propose(
            sop=routines["weekly"],
            proposed_by=world.admin,
            summary="Add the forecast to the review",
        )
    first = _run_digests(world, WEDNESDAY)
    again = _run_digests(world, WEDNESDAY)
    assert first["sent"] == 1 and again["sent"] == 0
    assert len(smtp_inbox.messages) == 1
    message = smtp_inbox.messages[0]
    assert message["To"] == "member@acme.test"
    assert message["Subject"] == "Acme: your leadership routines for Wednesday 4 November"
    body = smtp_inbox.body()
    assert "Daily stand-up note" in body
    assert "Weekly scorecard review · overdue since Monday 2 November" in body
    assert "Thursday one-to-ones" not in body  # not today
    assert "Add the forecast to the review (Adam Admin)" in body
    assert "https://leados.example.com/o/acme/sops/prompts/" in body
    html = message.get_body(preferencelist=("html",)).get_content()
    assert '<a href="https://leados.example.com/o/acme/sops/' in html
    with in_org():
        assert SopPreferences.objects.get(person=world.member).last_digest_on == datetime.date(
            2026, 11, 4
        )
    # The next day brings the next digest.
    assert _run_digests(world, "2026-11-05 06:00Z")["sent"] == 1
    assert len(smtp_inbox.messages) == 2


def test_the_weekly_digest_goes_out_on_the_first_day_of_the_week(
    world, in_org, routines, smtp_inbox
):
    # No saved preferences: the default is the weekly digest.
    assert _run_digests(world, "2026-11-03 06:00Z")["sent"] == 0
    assert smtp_inbox.messages == []
    assert _run_digests(world, MONDAY)["sent"] == 1
    message = smtp_inbox.messages[0]
    assert message["Subject"] == "Acme: your leadership routines for the week of 2 November"
    body = smtp_inbox.body()
    assert "Thursday one-to-ones" in body and "Weekly scorecard review" in body
    with in_org():
        prefs = SopPreferences.objects.get(person=world.member)
    assert (prefs.digest, prefs.last_digest_on) == ("weekly", datetime.date(2026, 11, 2))
    # A week starting on Wednesday moves the weekly digest with it.
    world.org.week_start_day = 2
    world.org.save()
    assert _run_digests(world, "2026-11-09 06:00Z")["sent"] == 0
    assert _run_digests(world, "2026-11-11 06:00Z")["sent"] == 1


def test_nothing_to_say_sends_nothing(world, in_org, make_sop, smtp_inbox):
    _daily(world, in_org)
    make_sop(title="Quarterly offsite", rrule="FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1",
             starts_on=datetime.date(2027, 1, 1))  # fmt: skip
    result = _run_digests(world, WEDNESDAY)
    assert result["sent"] == 0 and result["nothing_to_say"] == 1
    assert smtp_inbox.messages == []
    with in_org():
        assert SopPreferences.objects.get(person=world.member).last_digest_on is None


def test_no_digest_for_whoever_turned_it_off(world, in_org, routines, smtp_inbox):
    with in_org():
        preferences_update(
            person=world.member,
            expected_version=None,
            digest="off",
            remind_minutes_before=None,
            drift_share="nobody",
        )
    assert _run_digests(world, MONDAY)["sent"] == 0
    assert smtp_inbox.messages == []


def test_missed_runs_of_the_last_week_are_in_the_digest(world, in_org, routines, smtp_inbox):
    with time_machine.travel("2026-11-10 06:00Z", tick=False), in_org():
        runs_generate(organization=world.org)
    assert _run_digests(world, "2026-11-09 06:00Z")["sent"] == 1
    body = smtp_inbox.body()
    assert "Missed last week:" in body
    assert "Weekly scorecard review · due Monday 2 November" in body


def test_the_scheduler_queues_the_digest_once_a_day(world, in_org, routines, smtp_inbox):
    with time_machine.travel(MONDAY, tick=False):
        queued = [q for q in enqueue_due() if q[0] == "sops.digests"]
        assert [(job, org) for job, org, _ in queued] == [("sops.digests", world.org.pk)]
        assert [q for q in enqueue_due() if q[0] == "sops.digests"] == []
    assert len(smtp_inbox.messages) == 1


def test_an_inactive_person_gets_no_digest(world, in_org, routines, smtp_inbox):
    with in_org():
        core_services.person_deactivate(person=world.member)
    assert _run_digests(world, MONDAY)["sent"] == 0


# Reminders ----------------------------------------------------------------------------


def test_a_reminder_is_sent_once_before_the_run_is_due(world, in_org, routines, smtp_inbox):
    with in_org():
        preferences_update(
            person=world.member,
            expected_version=None,
            digest="off",
            remind_minutes_before=30,
            drift_share="nobody",
        )
    # Wednesday's stand-up is at 09:00: its reminder is due from 08:30.
    assert _tick("2026-11-04 08:29")["sops.reminders"] == []
    claimed = _tick("2026-11-04 08:31")["sops.reminders"]
    with in_org():
        run = SopRun.objects.get(sop=routines["daily"], due_on=datetime.date(2026, 11, 4))
    assert claimed == [run.pk]
    assert _tick("2026-11-04 08:32")["sops.reminders"] == []
    assert len(smtp_inbox.messages) == 1
    message = smtp_inbox.messages[0]
    assert message["Subject"] == "Coming up at 09:00: Daily stand-up note"
    run_url = "https://leados.example.com" + reverse("web:sop_run", args=["acme", run.pk])
    assert f"Open the run to tick the steps: {run_url}" in smtp_inbox.body()
    assert run.reminded_at is not None


def test_two_workers_never_claim_the_same_run(world, in_org, routines):
    now = _at("2026-11-04 08:10")
    first = reminders_claim(now)
    assert first  # the default lead time is an hour
    assert reminders_claim(now) == []


def test_an_empty_lead_time_means_no_reminders_and_done_runs_none(
    world, in_org, routines, smtp_inbox
):
    with in_org():
        preferences_update(
            person=world.member,
            expected_version=None,
            digest="off",
            remind_minutes_before=None,
            drift_share="nobody",
        )
    assert _tick("2026-11-04 08:50")["sops.reminders"] == []
    assert smtp_inbox.messages == []


def test_an_all_day_routine_is_reminded_of_before_eight(world, in_org, routines, smtp_inbox):
    claimed = _tick("2026-11-09 07:05")["sops.reminders"]
    with in_org():
        titles = sorted(SopRun.objects.get(pk=pk).sop.title for pk in claimed)
    assert titles == ["Weekly scorecard review"]
    assert smtp_inbox.messages[0]["Subject"] == "Coming up today: Weekly scorecard review"


def test_no_reminder_once_the_run_is_due(world, in_org, routines, smtp_inbox):
    assert _tick("2026-11-04 09:01")["sops.reminders"] == []


def _at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


def _tick(text: str) -> dict:
    with time_machine.travel(_at(text), tick=False):
        return run_ticks()


def test_another_client_is_not_signed_in(world):
    assert Client().get("/o/acme/sops/prompts/").status_code == 302
