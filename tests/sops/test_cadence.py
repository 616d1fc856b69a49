"""Cadences: words to RRULE and back, expansion, windows."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from leados.sops.cadence import (
    Cadence,
    Kind,
    describe,
    ical_rrule,
    occurrences,
    validate_rrule,
    window_end,
)

D = datetime.date


@pytest.mark.parametrize(
    ("cadence", "rule", "words"),
    [
        (Cadence(kind=Kind.DAILY), "FREQ=DAILY", "Every day"),
        (Cadence(kind=Kind.WEEKDAYS), "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "Every working day"),
        (
            Cadence(kind=Kind.WEEKLY, weekdays=["TU", "TH"], interval=2),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH",
            "Every other week on Tuesday and Thursday",
        ),
        (
            Cadence(kind=Kind.MONTHLY_DAY, month_day=-1),
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            "Every month on the last day",
        ),
        (
            Cadence(kind=Kind.MONTHLY_WEEKDAY, nth=1, weekday="MO"),
            "FREQ=MONTHLY;BYDAY=1MO",
            "Every month on the first Monday",
        ),
        (
            Cadence(kind=Kind.QUARTERLY, month_day=1),
            "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=1",
            "Every quarter on the 1st of the month",
        ),
        (
            Cadence(kind=Kind.YEARLY, month=1, month_day=15),
            "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15",
            "Every year on January 15",
        ),
    ],
)
def test_cadence_round_trips_through_its_rule(cadence, rule, words):
    assert cadence.to_rrule() == rule
    assert Cadence.from_rrule(rule) == cadence
    assert describe(rule) == words


@pytest.mark.parametrize(
    "cadence",
    [
        Cadence(kind=Kind.WEEKLY, weekdays=[]),
        Cadence(kind=Kind.WEEKLY, weekdays=["XX"]),
        Cadence(kind=Kind.WEEKLY, weekdays=["MO"], interval=0),
        Cadence(kind=Kind.MONTHLY_DAY, month_day=30),
        Cadence(kind=Kind.MONTHLY_WEEKDAY, nth=5),
        Cadence(kind=Kind.YEARLY, month=13),
        Cadence(kind="hourly"),
    ],
)
def test_impossible_cadences_are_refused(cadence):
    with pytest.raises(ValidationError):
        cadence.to_rrule()


@pytest.mark.parametrize(
    "rule",
    [
        "",
        "FREQ=HOURLY",
        "FREQ=DAILY;BYHOUR=9",
        "DTSTART:20260101\nRRULE:FREQ=DAILY",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    ],
)
def test_bad_rules_are_refused_with_a_reason(rule):
    with pytest.raises(ValidationError) as error:
        validate_rrule(rule)
    assert error.value.messages[0]


def test_a_custom_rule_is_kept_and_described_as_custom():
    rule = validate_rrule("RRULE:FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1")
    assert rule == "FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=-1"
    assert Cadence.from_rrule(rule).kind == Kind.CUSTOM
    assert describe(rule).startswith("Custom")


def test_occurrences_count_from_the_start_date():
    rule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"
    days = occurrences(rule, D(2026, 1, 5), D(2026, 1, 1), D(2026, 2, 28))
    assert days == [D(2026, 1, 5), D(2026, 1, 19), D(2026, 2, 2), D(2026, 2, 16)]
    assert occurrences(rule, D(2026, 1, 5), D(2026, 3, 1), D(2026, 2, 1)) == []


def test_the_nth_weekday_and_the_last_day_of_the_month():
    assert occurrences("FREQ=MONTHLY;BYDAY=-1FR", D(2026, 1, 1), D(2026, 1, 1), D(2026, 3, 31)) == [
        D(2026, 1, 30),
        D(2026, 2, 27),
        D(2026, 3, 27),
    ]
    assert occurrences(
        "FREQ=MONTHLY;BYMONTHDAY=-1", D(2026, 1, 1), D(2026, 2, 1), D(2026, 2, 28)
    ) == [D(2026, 2, 28)]


def test_a_run_stays_open_until_the_day_before_the_next_one_at_most_a_month():
    assert window_end("FREQ=DAILY", D(2026, 1, 1), D(2026, 1, 7)) == D(2026, 1, 7)
    assert window_end("FREQ=WEEKLY;BYDAY=MO,TH", D(2026, 1, 1), D(2026, 1, 5)) == D(2026, 1, 7)
    assert window_end("FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15", D(2026, 1, 1), D(2026, 1, 15)) == D(
        2026, 2, 15
    )


def test_chosen_days_are_written_in_week_order():
    assert Cadence(kind=Kind.WEEKLY, weekdays=["FR", "MO"]).to_rrule() == "FREQ=WEEKLY;BYDAY=MO,FR"


def test_a_rule_with_several_days_is_written_into_a_calendar_as_a_valid_rrule():
    from icalendar import Event

    event = Event()
    event.add("rrule", ical_rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR"))
    assert b"\r\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR\r\n" in event.to_ical()
    working_days = Event()
    working_days.add("rrule", ical_rrule("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"))
    assert b"BYDAY=MO,TU,WE,TH,FR" in working_days.to_ical()
