"""Cadences: the rhythm of a routine, an RFC 5545 RRULE underneath.

People choose a cadence in words (daily; weekly on chosen days; every N weeks; monthly on
a day or on the nth weekday; quarterly; yearly); ``Cadence`` turns that into an RRULE
(``to_rrule``), reads an RRULE back (``Cadence.from_rrule``, for the edit form), and says
it in a sentence (``describe``). ``occurrences`` expands an RRULE counted from a start
date with python-dateutil, and ``window_end`` says until when a run stays open: the day
before the next occurrence, at most ``MAX_WINDOW_DAYS`` after its due date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrulestr
from django.core.exceptions import ValidationError

from leados.sops.models import MAX_WINDOW_DAYS, RRULE_MAX

WEEKDAY_KEYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


class Kind:
    DAILY = "daily"
    WEEKDAYS = "weekdays"
    WEEKLY = "weekly"
    MONTHLY_DAY = "monthly_day"
    MONTHLY_WEEKDAY = "monthly_weekday"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"
    CUSTOM = "custom"

    CHOICES = [
        (DAILY, "Every day"),
        (WEEKDAYS, "Every working day (Monday to Friday)"),
        (WEEKLY, "Every week or every few weeks, on chosen days"),
        (MONTHLY_DAY, "Every month on a day of the month"),
        (MONTHLY_WEEKDAY, "Every month on the nth weekday"),
        (QUARTERLY, "Every quarter"),
        (YEARLY, "Every year"),
        (CUSTOM, "Custom (an RFC 5545 RRULE)"),
    ]


@dataclass
class Cadence:
    kind: str
    interval: int = 1  # weeks for WEEKLY
    weekdays: list[str] = field(default_factory=list)  # WEEKDAY_KEYS, for WEEKLY
    month_day: int = 1  # MONTHLY_DAY, QUARTERLY, YEARLY; -1 for the last day
    nth: int = 1  # MONTHLY_WEEKDAY: 1..4 or -1 (last)
    weekday: str = "MO"  # MONTHLY_WEEKDAY
    month: int = 1  # YEARLY
    rule: str = ""  # CUSTOM

    def to_rrule(self) -> str:
        """The RRULE for this cadence; raises ``ValidationError`` for impossible choices."""
        if self.kind == Kind.DAILY:
            return "FREQ=DAILY"
        if self.kind == Kind.WEEKDAYS:
            return "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"
        if self.kind == Kind.WEEKLY:
            if not self.weekdays:
                raise ValidationError("Choose at least one day of the week.")
            if any(day not in WEEKDAY_KEYS for day in self.weekdays):
                raise ValidationError("Days of the week are MO, TU, WE, TH, FR, SA and SU.")
            if not 1 <= self.interval <= 52:
                raise ValidationError("Repeat every 1 to 52 weeks.")
            days = ",".join(day for day in WEEKDAY_KEYS if day in self.weekdays)
            interval = f";INTERVAL={self.interval}" if self.interval > 1 else ""
            return f"FREQ=WEEKLY{interval};BYDAY={days}"
        if self.kind == Kind.MONTHLY_DAY:
            return f"FREQ=MONTHLY;BYMONTHDAY={_month_day(self.month_day)}"
        if self.kind == Kind.MONTHLY_WEEKDAY:
            if self.nth not in ORDINALS:
                raise ValidationError("Choose the first, second, third, fourth or last weekday.")
            if self.weekday not in WEEKDAY_KEYS:
                raise ValidationError("Choose a day of the week.")
            return f"FREQ=MONTHLY;BYDAY={self.nth}{self.weekday}"
        if self.kind == Kind.QUARTERLY:
            return f"FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY={_month_day(self.month_day)}"
        if self.kind == Kind.YEARLY:
            if not 1 <= self.month <= 12:
                raise ValidationError("Choose a month.")
            return f"FREQ=YEARLY;BYMONTH={self.month};BYMONTHDAY={_month_day(self.month_day)}"
        if self.kind == Kind.CUSTOM:
            return validate_rrule(self.rule)
        raise ValidationError("Choose how often the routine repeats.")

    @classmethod
    def from_rrule(cls, rule: str) -> Cadence:
        """The friendly cadence an RRULE came from; ``CUSTOM`` for anything else."""
        parts = _parts(rule)
        freq, interval = parts.get("FREQ"), int(parts.get("INTERVAL", "1") or 1)
        byday, bymonthday = parts.get("BYDAY"), parts.get("BYMONTHDAY")
        bymonth = parts.get("BYMONTH")
        known = set(parts) <= {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH"}
        if known and freq == "DAILY" and interval == 1 and not (bymonthday or bymonth):
            if not byday:
                return cls(kind=Kind.DAILY)
            if byday == "MO,TU,WE,TH,FR":
                return cls(kind=Kind.WEEKDAYS)
        if known and freq == "WEEKLY" and byday and not (bymonthday or bymonth):
            days = byday.split(",")
            if all(day in WEEKDAY_KEYS for day in days):
                return cls(kind=Kind.WEEKLY, interval=interval, weekdays=days)
        if known and freq == "MONTHLY" and not bymonth:
            if bymonthday and not byday and _int(bymonthday) is not None:
                day = _int(bymonthday)
                if interval == 1:
                    return cls(kind=Kind.MONTHLY_DAY, month_day=day)
                if interval == 3:
                    return cls(kind=Kind.QUARTERLY, month_day=day)
            if byday and not bymonthday and interval == 1:
                nth, weekday = _int(byday[:-2]), byday[-2:]
                if nth in ORDINALS and weekday in WEEKDAY_KEYS:
                    return cls(kind=Kind.MONTHLY_WEEKDAY, nth=nth, weekday=weekday)
        if known and freq == "YEARLY" and interval == 1 and bymonth and bymonthday and not byday:
            month, day = _int(bymonth), _int(bymonthday)
            if month is not None and day is not None:
                return cls(kind=Kind.YEARLY, month=month, month_day=day)
        return cls(kind=Kind.CUSTOM, rule=rule)


def _month_day(day: int) -> int:
    if day == -1 or 1 <= day <= 28:
        return day
    raise ValidationError(
        "Choose a day from 1 to 28, or the last day of the month (so no month is left out)."
    )


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def _parts(rule: str) -> dict[str, str]:
    parts = {}
    for item in rule.upper().split(";"):
        if "=" in item:
            key, _, value = item.partition("=")
            parts[key.strip()] = value.strip()
    return parts


_FREQS = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}


def validate_rrule(rule: str) -> str:
    """The rule, normalized, if it is an RRULE LeadOS can schedule (daily to yearly, no
    DTSTART, no sub-daily parts); otherwise a ``ValidationError`` that says why."""
    rule = (rule or "").strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    if not rule:
        raise ValidationError("A cadence is needed.")
    if len(rule) > RRULE_MAX:
        raise ValidationError(f"A cadence rule is at most {RRULE_MAX} characters.")
    parts = _parts(rule)
    if parts.get("FREQ") not in _FREQS:
        raise ValidationError("A cadence repeats daily, weekly, monthly or yearly (FREQ=…).")
    if {"DTSTART", "BYHOUR", "BYMINUTE", "BYSECOND"} & set(parts) or "\n" in rule:
        raise ValidationError("Give the rule alone, without a start or a time of day.")
    try:
        # Expanding a few occurrences proves the rule is well formed and ever happens.
        first = rrulestr(rule, dtstart=datetime.datetime(2000, 1, 3))  # noqa: DTZ001
        if first.after(datetime.datetime(2000, 1, 2)) is None:  # noqa: DTZ001
            raise ValidationError("This cadence never happens.")
    except (ValueError, TypeError) as error:
        raise ValidationError(f"This is not a valid cadence rule: {error}.") from error
    return ";".join(f"{key}={value}" for key, value in parts.items())


def _rule(rule: str, starts_on: datetime.date):
    return rrulestr(rule, dtstart=datetime.datetime.combine(starts_on, datetime.time()))


def occurrences(
    rule: str, starts_on: datetime.date, first: datetime.date, last: datetime.date
) -> list[datetime.date]:
    """The due dates of a cadence from ``first`` to ``last`` inclusive."""
    if last < first:
        return []
    start = datetime.datetime.combine(max(first, starts_on), datetime.time())
    end = datetime.datetime.combine(last, datetime.time())
    return [moment.date() for moment in _rule(rule, starts_on).between(start, end, inc=True)]


def next_occurrence(rule: str, starts_on: datetime.date, after: datetime.date):
    """The first due date strictly after ``after`` (``None`` when the rule has ended)."""
    moment = _rule(rule, starts_on).after(datetime.datetime.combine(after, datetime.time()))
    return moment.date() if moment else None


def window_end(rule: str, starts_on: datetime.date, due_on: datetime.date) -> datetime.date:
    """The last day a run due on ``due_on`` may be done on time-or-late before it is missed."""
    following = next_occurrence(rule, starts_on, due_on)
    limit = due_on + datetime.timedelta(days=MAX_WINDOW_DAYS)
    if following is None:
        return limit
    return min(limit, max(due_on, following - datetime.timedelta(days=1)))


def typical_gap_days(rule: str) -> float:
    """The usual number of days between two occurrences (for predictability)."""
    parts = _parts(rule)
    interval = int(parts.get("INTERVAL", "1") or 1)
    freq = parts.get("FREQ")
    per_period = len(parts.get("BYDAY", "").split(",")) if parts.get("BYDAY") else 1
    if freq == "DAILY":
        return 7 / per_period if parts.get("BYDAY") else 1.0
    if freq == "WEEKLY":
        return 7 * interval / per_period
    if freq == "MONTHLY":
        return 30.4 * interval
    return 365.0 * interval


def _ordinal_day(day: int) -> str:
    if day == -1:
        return "the last day"
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"the {day}{suffix}"


def describe(rule: str) -> str:
    """The cadence in a short sentence ("Every other week on Tuesday and Thursday")."""
    cadence = Cadence.from_rrule(rule)
    kind = cadence.kind
    if kind == Kind.DAILY:
        return "Every day"
    if kind == Kind.WEEKDAYS:
        return "Every working day"
    if kind == Kind.WEEKLY:
        names = [WEEKDAY_NAMES[WEEKDAY_KEYS.index(day)] for day in cadence.weekdays]
        days = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        every = {1: "Every week", 2: "Every other week"}.get(
            cadence.interval, f"Every {cadence.interval} weeks"
        )
        return f"{every} on {days}"
    if kind == Kind.MONTHLY_DAY:
        return f"Every month on {_ordinal_day(cadence.month_day)}"
    if kind == Kind.MONTHLY_WEEKDAY:
        name = WEEKDAY_NAMES[WEEKDAY_KEYS.index(cadence.weekday)]
        return f"Every month on the {ORDINALS[cadence.nth]} {name}"
    if kind == Kind.QUARTERLY:
        return f"Every quarter on {_ordinal_day(cadence.month_day)} of the month"
    if kind == Kind.YEARLY:
        day = "the last day" if cadence.month_day == -1 else str(cadence.month_day)
        if cadence.month_day == -1:
            return f"Every year on the last day of {MONTH_NAMES[cadence.month - 1]}"
        return f"Every year on {MONTH_NAMES[cadence.month - 1]} {day}"
    return f"Custom: {rule}"


def ical_rrule(rule: str) -> dict:
    """The rule as the parts the ``icalendar`` package writes into an RRULE property (each
    part a list of its comma-separated values)."""
    return {key.lower(): value.split(",") for key, value in _parts(rule).items()}


__all__ = [
    "Cadence",
    "Kind",
    "describe",
    "ical_rrule",
    "next_occurrence",
    "occurrences",
    "typical_gap_days",
    "validate_rrule",
    "window_end",
]
