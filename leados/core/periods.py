"""Periods derived from the organization's fiscal year: finding, creating and listing them.

A fiscal year starts on the first day of ``Organization.fiscal_year_start_month`` and is
named by the calendar year in which it ends (a year from April 2026 to March 2027 is
FY2027). A fiscal year starting in January is the calendar year and is labelled plainly
("2027", "2027 Q1", "Jan 2027"); any other is labelled "FY2027", "FY2027 Q1" and
"FY2027 Q1 · Jan 2027". Months are always calendar months.

Periods are created on first use, never edited. Changing the fiscal year start month
later leaves every existing period as it is, since goals and plans already point at it:
a date an existing period covers keeps that period, and a new period follows the new
start month but is shortened where it would overlap an existing period of its kind (a
transition period, as companies have when they move their fiscal year). Periods of one
kind therefore never overlap, and every quarter lies inside its year and every month
inside its quarter.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from leados.core.models import Organization, Period, PeriodKind

MONTH_ABBREVIATIONS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
CREATE_ATTEMPTS = 3


@dataclass(frozen=True)
class Span:
    kind: str
    start: datetime.date
    end: datetime.date
    fiscal_year: int
    number: int
    label: str


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _month_end(first: datetime.date, months: int) -> datetime.date:
    return add_months(first, months) - datetime.timedelta(days=1)


def fiscal_span(day: datetime.date, kind: str, start_month: int) -> Span:
    """The year, quarter or month containing ``day`` for a fiscal year starting in
    ``start_month``, ignoring periods that already exist."""
    if not 1 <= start_month <= 12:
        raise ValueError("The fiscal year starts in a month from 1 to 12.")
    year_start = datetime.date(
        day.year if day.month >= start_month else day.year - 1, start_month, 1
    )
    fiscal_year = _month_end(year_start, 12).year
    year_label = f"{fiscal_year}" if start_month == 1 else f"FY{fiscal_year}"
    month_index = (day.month - start_month) % 12
    quarter = month_index // 3 + 1
    quarter_label = f"{year_label} Q{quarter}"
    if kind == PeriodKind.YEAR:
        return Span(kind, year_start, _month_end(year_start, 12), fiscal_year, 1, year_label)
    if kind == PeriodKind.QUARTER:
        start = add_months(year_start, (quarter - 1) * 3)
        return Span(kind, start, _month_end(start, 3), fiscal_year, quarter, quarter_label)
    if kind == PeriodKind.MONTH:
        start = datetime.date(day.year, day.month, 1)
        name = f"{MONTH_ABBREVIATIONS[day.month - 1]} {day.year}"
        label = name if start_month == 1 else f"{quarter_label} · {name}"
        return Span(kind, start, _month_end(start, 1), fiscal_year, month_index + 1, label)
    raise ValueError(f"{kind!r} is not a kind of period.")


def organization_today(organization: Organization) -> datetime.date:
    """Today's date where the organization is."""
    return timezone.now().astimezone(zoneinfo.ZoneInfo(organization.time_zone)).date()


def _existing(organization: Organization, day: datetime.date, kind: str) -> Period | None:
    return (
        Period.objects.filter(organization=organization, kind=kind)
        .containing(day)
        .select_related("parent__parent")
        .first()
    )


def _fitted(
    organization: Organization, day: datetime.date, span: Span, parent: Period | None
) -> tuple[datetime.date, datetime.date]:
    """``span`` shortened to fit inside ``parent`` and between existing periods of its kind.

    ``day`` lies in no existing period of the kind, so each overlapping one lies wholly
    before or wholly after it.
    """
    start, end = span.start, span.end
    if parent is not None:
        start, end = max(start, parent.start), min(end, parent.end)
    for other_start, other_end in (
        Period.objects.filter(organization=organization, kind=span.kind)
        .overlapping(start, end)
        .values_list("start", "end")
    ):
        if other_end < day:
            start = max(start, other_end + datetime.timedelta(days=1))
        else:
            end = min(end, other_start - datetime.timedelta(days=1))
    return start, end


def _months_between(first: datetime.date, later: datetime.date) -> int:
    return (later.year - first.year) * 12 + later.month - first.month


def _naming(span: Span, start: datetime.date, parent: Period | None) -> tuple[str, int, int]:
    """Label, fiscal year and number of a period starting on ``start``, named within its
    parent so that a transition period reads as part of the year that holds it."""
    if parent is None:
        return span.label, span.fiscal_year, span.number
    year = parent if parent.kind == PeriodKind.YEAR else parent.parent
    # A shortened (transition) year counts its quarters and months from where a full
    # year ending on the same day would have started.
    year_start = add_months(year.end + datetime.timedelta(days=1), -12)
    if span.kind == PeriodKind.QUARTER:
        number = _months_between(year_start, start) // 3 + 1
        return f"{year.label} Q{number}", year.fiscal_year, number
    name = f"{MONTH_ABBREVIATIONS[start.month - 1]} {start.year}"
    calendar_named = year.label == str(year.fiscal_year)
    label = name if calendar_named else f"{parent.label} · {name}"
    return label, year.fiscal_year, _months_between(year_start, start) + 1


def period_for(organization: Organization, day: datetime.date, kind: str) -> Period:
    """The organization's period of ``kind`` containing ``day``, created with its parents
    on first use.

    Safe to call concurrently: creation is keyed on the unique (organization, kind,
    start), and a creator that loses the race reads the winner's row.
    """
    if kind not in PeriodKind.values:
        raise ValueError(f"{kind!r} is not a kind of period.")
    for attempt in range(CREATE_ATTEMPTS):
        found = _existing(organization, day, kind)
        if found is not None:
            return found
        parent = None
        if kind == PeriodKind.QUARTER:
            parent = period_for(organization, day, PeriodKind.YEAR)
        elif kind == PeriodKind.MONTH:
            parent = period_for(organization, day, PeriodKind.QUARTER)
        span = fiscal_span(day, kind, organization.fiscal_year_start_month)
        start, end = _fitted(organization, day, span, parent)
        label, fiscal_year, number = _naming(span, start, parent)
        try:
            with transaction.atomic():
                period, _created = Period.objects.get_or_create(
                    organization=organization,
                    kind=kind,
                    start=start,
                    defaults={
                        "end": end,
                        "label": label,
                        "fiscal_year": fiscal_year,
                        "number": number,
                        "parent": parent,
                    },
                )
        except IntegrityError:
            if attempt == CREATE_ATTEMPTS - 1:
                raise
            continue
        if period.contains(day):
            return period
    raise IntegrityError(f"No {kind} period could be created for {day.isoformat()}.")


def periods_around(organization: Organization, today: datetime.date | None = None) -> list[Period]:
    """The current and the next year, quarter and month, in order, for pickers.

    ``today`` defaults to today in the organization's time zone.
    """
    today = today or organization_today(organization)
    periods: dict[int, Period] = {}
    for kind in (PeriodKind.YEAR, PeriodKind.QUARTER, PeriodKind.MONTH):
        current = period_for(organization, today, kind)
        following = period_for(organization, current.end + datetime.timedelta(days=1), kind)
        periods[current.pk] = current
        periods[following.pk] = following
    return sorted(periods.values(), key=lambda p: (p.start, -p.end.toordinal(), p.pk))
