"""The API's time-checkins collection under /api/v1/orgs/{org}/: the weekly leading-vs-
doing split of a person's week, their target and whether they drift into doing."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from leados.api.common import (
    ERRORS,
    WRITE_ERRORS,
    Id,
    Input,
    PageParams,
    Text,
    expected_version,
    org_operation,
    paginate,
    set_etag,
    stale_check,
)
from leados.api.schemas import DateTime
from leados.core import policy
from leados.core.access import as_id
from leados.core.errors import Conflict, NotFound
from leados.core.models import Person
from leados.core.periods import organization_today
from leados.sops.models import NOTE_MAX, TimeCheckin
from leados.sops.selectors.access import can_see_leading_of, get_time_checkin_for
from leados.sops.selectors.leading import (
    RANGES,
    drift_of,
    leading_series,
    levels_of,
    person_level,
    target_at,
)
from leados.sops.services.time_checkins import SHARES, time_checkin_save, week_start_of

router = Router(tags=["time-checkins"])

Share = Annotated[int, Field(ge=0, le=100, strict=True)]


class TimeCheckinFilters(Schema):
    person: Id | None = Field(None, description="Whose check-ins; default: yours.")
    from_: datetime.date | None = Field(
        None, alias="from", description="Weeks starting on or after this day."
    )
    to: datetime.date | None = Field(None, description="Weeks starting on or before this day.")


class TimeCheckinOut(Schema):
    id: int
    person: int
    person_name: str
    week_start: datetime.date
    structure: int
    operate: int
    perfect: int
    doing: int
    other: int
    leading_pct: int = Field(description="structure + operate + perfect.")
    note: str
    target: int | None = Field(description="The person's leading target now; null: none.")
    below_target: bool | None = Field(description="null when the person has no target.")
    version: int
    created_at: DateTime
    updated_at: DateTime


class TimeCheckinList(Schema):
    items: list[TimeCheckinOut]
    count: int


class TimeCheckinCreate(Input):
    week_start: datetime.date | None = Field(
        None,
        description="Any day of the week meant (it counts for the week that holds it); "
        "default: this week. Weeks not yet started are refused.",
    )
    structure: Share = 0
    operate: Share = 0
    perfect: Share = 0
    doing: Share = Field(0, description="The team's own work.")
    other: Share = 0
    note: Text(NOTE_MAX) = ""


class TimeCheckinPatch(Input):
    structure: Share = None
    operate: Share = None
    perfect: Share = None
    doing: Share = None
    other: Share = None
    note: Text(NOTE_MAX) = None
    version: int | None = Field(None, description="Instead of If-Match.")


class SummaryWeek(Schema):
    week_start: datetime.date
    checkin: int | None = Field(description="The check-in's id; null: no check-in that week.")
    leading_pct: int | None
    structure: int | None
    operate: int | None
    perfect: int | None
    doing: int | None
    other: int | None
    below_target: bool | None


class SummaryParams(Schema):
    person: Id | None = Field(None, description="Whose summary; default: yours.")
    weeks: int = Field(
        12, description=f"How many weeks back: one of {', '.join(map(str, RANGES))}."
    )


class TimeCheckinSummary(Schema):
    person: int
    person_name: str
    level: str | None = Field(description="The highest level led or managed; null: none.")
    target: int | None
    drifting: bool
    drift_since: datetime.date | None = Field(
        description="First week of the current run of below-target weeks, when drifting."
    )
    drift_weeks: list[SummaryWeek] = Field(description="The three weeks drift is judged on.")
    average_leading_pct: int | None = Field(description="Over the weeks with a check-in.")
    weeks: list[SummaryWeek] = Field(description="Oldest first, ending with this week.")


def _visible_person(viewer: Person, person_id: int | None) -> Person:
    """The person a filter names (default: the viewer); one the viewer may not see reads as
    not found."""
    if person_id is None:
        return viewer
    person = Person.objects.filter(pk=person_id).select_related("organization").first()
    if person is None or not can_see_leading_of(viewer, person):
        raise ValidationError({"person": ["Not found."]})
    return person


def _row(checkin: TimeCheckin, target: int | None) -> dict:
    return {
        "id": checkin.pk,
        "person": checkin.person_id,
        "person_name": checkin.person.name,
        "week_start": checkin.week_start,
        **{key: getattr(checkin, f"{key}_pct") for key in SHARES},
        "leading_pct": checkin.leading_pct,
        "note": checkin.note,
        "target": target,
        "below_target": None if target is None else checkin.leading_pct < target,
        "version": checkin.version,
        "created_at": checkin.created_at,
        "updated_at": checkin.updated_at,
    }


def _rows(checkins) -> list[dict]:
    checkins = list(checkins.select_related("person__organization"))
    levels = levels_of({c.person_id: c.person for c in checkins}.values())
    return [_row(c, target_at(c.person.organization, levels[c.person_id])) for c in checkins]


def _one(checkin: TimeCheckin) -> dict:
    return _row(checkin, target_at(checkin.person.organization, person_level(checkin.person)))


def _week(point) -> dict:
    c = point.checkin
    return {
        "week_start": point.week_start,
        "checkin": c.pk if c else None,
        "leading_pct": point.leading_pct,
        **{key: getattr(c, f"{key}_pct") if c else None for key in SHARES},
        "below_target": (point.below_target if c else None) if point.target is not None else None,
    }


@router.get(
    "/{org}/time-checkins",
    response={200: TimeCheckinList, **ERRORS},
    summary="List leading-vs-doing check-ins",
)
@org_operation
def list_time_checkins(
    request, org: str, page: Query[PageParams], filters: Query[TimeCheckinFilters]
):
    """A person's weekly check-ins, latest week first: yours by default; another person's
    if you are their manager, an admin or a coach (anyone else's answers 422 `person: Not
    found`). Each row carries the person's current target and whether the week was below."""
    person = _visible_person(request.viewer, filters.person)
    checkins = TimeCheckin.objects.filter(person=person)
    if filters.from_ is not None:
        checkins = checkins.filter(week_start__gte=filters.from_)
    if filters.to is not None:
        checkins = checkins.filter(week_start__lte=filters.to)
    return paginate(checkins.order_by("-week_start", "-id"), page, _rows, TimeCheckinList)


@router.post(
    "/{org}/time-checkins",
    response={201: TimeCheckinOut, **WRITE_ERRORS},
    summary="Check in for a week",
)
@org_operation
def create_time_checkin(request, org: str, payload: TimeCheckinCreate, response: HttpResponse):
    """Your split of a week in whole per cents (structure, operate, perfect, doing, other)
    adding up to 100. One check-in per week: if the week has one already the answer is
    409 with its id; change it with PATCH."""
    viewer = request.viewer
    policy.require(viewer, policy.TIME_CHECKIN, viewer)
    fields = payload.dict()
    try:
        checkin = time_checkin_save(
            person=viewer,
            week_start=fields["week_start"],
            shares={key: fields[key] for key in SHARES},
            note=fields["note"],
            expected_version=0,  # the week must not have a check-in yet
        )
    except Conflict:
        week = fields["week_start"] or organization_today(viewer.organization)
        existing = TimeCheckin.objects.get(person=viewer, week_start=week_start_of(viewer, week))
        raise Conflict(
            f"You checked in for the week of {existing.week_start:%Y-%m-%d} already "
            f"(check-in {existing.pk}); change it with PATCH time-checkins/{existing.pk}.",
            current_version=existing.version,
        ) from None
    checkin = TimeCheckin.objects.select_related("person__organization").get(pk=checkin.pk)
    response["Location"] = f"/api/v1/orgs/{org}/time-checkins/{checkin.pk}"
    set_etag(response, checkin)
    return Status(201, _one(checkin))


@router.get(
    "/{org}/time-checkins/summary",
    response={200: TimeCheckinSummary, **ERRORS},
    summary="A person's leading target, drift and recent weeks",
)
@org_operation
def time_checkin_summary(request, org: str, params: Query[SummaryParams]):
    """Level, target, whether the person drifts into doing (three weeks running below
    target; see the guide for how missing weeks count) and the last `weeks` weeks."""
    if params.weeks not in RANGES:
        raise ValidationError({"weeks": [f"Choose one of {', '.join(map(str, RANGES))}."]})
    person = _visible_person(request.viewer, params.person)
    today = organization_today(request.org)
    series = leading_series(person, weeks=params.weeks, today=today)
    drift = drift_of(person, today)
    shares = [p.leading_pct for p in series if p.checkin is not None]
    return {
        "person": person.pk,
        "person_name": person.name,
        "level": drift.level,
        "target": drift.target,
        "drifting": drift.drifting,
        "drift_since": drift.since,
        "drift_weeks": [_week(w) for w in drift.weeks],
        "average_leading_pct": round(sum(shares) / len(shares)) if shares else None,
        "weeks": [_week(p) for p in series],
    }


@router.get(
    "/{org}/time-checkins/{checkin_id}",
    response={200: TimeCheckinOut, **ERRORS},
    summary="A leading-vs-doing check-in",
)
@org_operation
def get_time_checkin(request, org: str, checkin_id: int, response: HttpResponse):
    checkin = get_time_checkin_for(request.viewer, checkin_id)
    set_etag(response, checkin)
    return _one(checkin)


@router.patch(
    "/{org}/time-checkins/{checkin_id}",
    response={200: TimeCheckinOut, **WRITE_ERRORS},
    summary="Change a check-in",
)
@org_operation
def update_time_checkin(
    request, org: str, checkin_id: int, payload: TimeCheckinPatch, response: HttpResponse
):
    """Change your own check-in's shares or note; the shares still add up to 100 (send the
    ones that change, the others stay). Send the version (If-Match or `version`)."""
    viewer = request.viewer
    # Another organization's check-in is not found for anyone; in this organization, who
    # may not check in at all (viewers, coaches) is refused before visibility is asked.
    if not TimeCheckin.objects.filter(
        pk=as_id(checkin_id), organization_id=viewer.organization_id
    ).exists():
        raise NotFound()
    policy.require(viewer, policy.TIME_CHECKIN, viewer)
    checkin = get_time_checkin_for(viewer, checkin_id)
    policy.require(viewer, policy.TIME_CHECKIN, checkin.person)
    fields = payload.dict(exclude_unset=True)
    version, from_header = expected_version(request, fields.pop("version", None))
    for name, value in fields.items():
        if value is None:
            raise ValidationError({name: ["This cannot be null."]})
    shares = {key: fields.get(key, getattr(checkin, f"{key}_pct")) for key in SHARES}
    with stale_check("check-in", version, from_header):
        checkin = time_checkin_save(
            person=checkin.person,
            week_start=checkin.week_start,
            shares=shares,
            note=fields.get("note", checkin.note),
            expected_version=version,
        )
    checkin = TimeCheckin.objects.select_related("person__organization").get(pk=checkin.pk)
    set_etag(response, checkin)
    return _one(checkin)
