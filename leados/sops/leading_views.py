"""Leading vs. doing pages: the weekly one-minute check-in and a person's trend.

The check-in page offers this week and the few before it (a late check-in is fine, a
week not yet started is refused). Changing a saved week carries the version it was
based on; saving a week that was created meanwhile (another tab, the API) is refused
instead of overwriting it. The trend page draws the weekly leading share against the
person's target and, for managers, admins and coaches, lists their people.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from leados.core import policy
from leados.core.errors import Conflict
from leados.core.models import Level, Person
from leados.core.periods import organization_today
from leados.sops.leading_forms import SHARES, TimeCheckinForm
from leados.sops.models import TimeCheckin
from leados.sops.selectors.access import can_see_leading_of
from leados.sops.selectors.leading import (
    RANGES,
    WEEK,
    drift_of,
    leading_series,
    overview_rows,
    people_for_overview,
    person_level,
    target_at,
)
from leados.sops.services.time_checkins import time_checkin_save, week_start_of
from leados.web.forms import apply_errors
from leados.web.orgs import org_view
from leados.web.paging import BoundedPaginator
from leados.web.views._common import CONFLICT, UNPROCESSABLE, done, require

NAV = "my_week"
WEEKS_OFFERED = 4  # this week and the three before it
PER_PAGE = 50
STALE = (
    "The check-in for this week was changed since you opened the page (it now says "
    "{leading} % leading). Reload to see it, then apply your change again."
)
CREATED_MEANWHILE = (
    "A check-in for this week was saved meanwhile (it says {leading} % leading). Reload to "
    "see it, then apply your change again."
)


# ---------------------------------------------------------------------------- check-in


def _weeks_offered(person: Person, today: datetime.date) -> list[tuple[datetime.date, str]]:
    this_week = week_start_of(person, today)
    weeks = []
    for back in range(WEEKS_OFFERED):
        week = this_week - WEEK * back
        name = {0: "This week", 1: "Last week"}.get(back, "Week")
        weeks.append((week, f"{name} (from {week:%a %-d %b})"))
    return weeks


def _chosen_week(value: str, weeks: list) -> datetime.date:
    for week, _label in weeks:
        if value == week.isoformat():
            return week
    return weeks[0][0]


def _initial(person: Person, week: datetime.date, existing: TimeCheckin | None):
    """The form's starting values: the week's own check-in, else the latest earlier one's
    shares (people's weeks look alike; adjusting is faster than typing)."""
    initial: dict = {"week": week.isoformat()}
    source = existing
    if source is None:
        source = (
            TimeCheckin.objects.filter(person=person, week_start__lt=week)
            .order_by("-week_start")
            .first()
        )
    if source is not None:
        for key, _l, _h in SHARES:
            initial[key] = getattr(source, f"{key}_pct")
    if existing is not None:
        initial["version"] = existing.version
        initial["note"] = existing.note
    return initial, (source if existing is None else None)


@org_view
@require_http_methods(["GET", "POST"])
def time_checkin(request):
    person = request.person
    require(request, policy.TIME_CHECKIN, person)
    today = organization_today(request.org)
    weeks = _weeks_offered(person, today)
    week = _chosen_week(request.POST.get("week") or request.GET.get("week", ""), weeks)
    existing = TimeCheckin.objects.filter(person=person, week_start=week).first()
    initial, prefilled_from = _initial(person, week, existing)
    form = TimeCheckinForm(request.POST or None, initial=initial, weeks=weeks)
    status = 200
    if request.method == "POST":
        status = UNPROCESSABLE
        if form.is_valid():
            data = form.cleaned_data
            # No version: the week must still be without a check-in (version 0 refuses one).
            version = data["version"] or 0
            try:
                checkin = time_checkin_save(
                    person=person,
                    week_start=data["week"],
                    shares=form.shares(),
                    note=data["note"],
                    expected_version=version,
                )
            except Conflict:
                current = TimeCheckin.objects.filter(person=person, week_start=data["week"]).first()
                message = STALE if data["version"] else CREATED_MEANWHILE
                form.add_error(None, message.format(leading=current.leading_pct if current else 0))
                status = CONFLICT
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                target = target_at(request.org, person_level(person))
                text = f"Check-in saved for the week of {checkin.week_start:%-d %b}: "
                text += f"{checkin.leading_pct} % leading"
                text += f" (your target: {target} %)." if target is not None else "."
                done(request, text)
                return redirect("web:leading", request.org.slug)
    week_links = [
        (w, label, reverse("web:time_checkin", args=[request.org.slug]) + f"?week={w}")
        for w, label in weeks
    ]
    return render(
        request,
        "sops/time_checkin.html",
        {
            "nav": NAV,
            "form": form,
            "week": week,
            "week_links": week_links,
            "existing": existing,
            "prefilled_from": prefilled_from,
        },
        status=status,
    )


# ---------------------------------------------------------------------------- trend chart

WIDTH = 720
HEIGHT = 260
LEFT = 40
RIGHT = 12
TOP = 12
BOTTOM = 28
SEGMENTS = (("structure", "Structure"), ("operate", "Operate"), ("perfect", "Perfect"))


@dataclass
class Bar:
    x: float
    width: float
    label: str
    segments: list  # (key, y, height, title)
    point: tuple | None  # (x, y) of the leading share
    gap: bool
    below: bool


def _y(pct: float) -> float:
    return round(TOP + (HEIGHT - TOP - BOTTOM) * (1 - pct / 100), 1)


def _chart(series, target: int | None) -> dict:
    plot = WIDTH - LEFT - RIGHT
    step = plot / len(series)
    width = round(step * 0.7, 1)
    bars, lines, line = [], [], []
    every = max(1, len(series) // 8)
    labels = []
    for i, point in enumerate(series):
        x = round(LEFT + step * i + (step - width) / 2, 1)
        centre = round(x + width / 2, 1)
        if (len(series) - 1 - i) % every == 0:
            labels.append((centre, f"{point.week_start:%-d %b}"))
        week = f"Week of {point.week_start:%-d %b %Y}"
        if point.checkin is None:
            bars.append(Bar(x, width, f"{week}: no check-in", [], None, True, False))
            if line:
                lines.append(" ".join(f"{a},{b}" for a, b in line))
                line = []
            continue
        c = point.checkin
        segments, base = [], 0
        for key, name in SEGMENTS:
            share = getattr(c, f"{key}_pct")
            if share:
                top = _y(base + share)
                segments.append((key, top, round(_y(base) - top, 1), f"{name} {share} %"))
            base += share
        y = _y(c.leading_pct)
        label = (
            f"{week}: {c.leading_pct} % leading (structure {c.structure_pct}, operate "
            f"{c.operate_pct}, perfect {c.perfect_pct}); team's own work {c.doing_pct} %, "
            f"other {c.other_pct} %"
        )
        bars.append(Bar(x, width, label, segments, (centre, y), False, point.below_target))
        line.append((centre, y))
    if line:
        lines.append(" ".join(f"{a},{b}" for a, b in line))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": _y(0),
        "gridlines": [(_y(p), f"{p} %") for p in (0, 25, 50, 75, 100)],
        "target_y": _y(target) if target is not None else None,
        "bars": bars,
        "lines": lines,
        "labels": labels,
        "first": series[0].week_start,
        "last": series[-1].week_start,
    }


def _person_in_view(request) -> Person:
    raw = request.GET.get("person", "")
    if not raw:
        return request.person
    if not raw.isdigit() or len(raw) > 18:
        raise Http404
    person = Person.objects.filter(pk=int(raw)).select_related("organization").first()
    if person is None or not can_see_leading_of(request.person, person):
        raise Http404
    return person


@org_view
@require_http_methods(["GET"])
def leading(request):
    viewer = request.person
    person = _person_in_view(request)
    today = organization_today(request.org)
    try:
        weeks = int(request.GET.get("weeks", RANGES[0]))
    except ValueError:
        weeks = RANGES[0]
    if weeks not in RANGES:
        weeks = RANGES[0]
    level = person_level(person)
    target = target_at(request.org, level)
    series = leading_series(person, weeks=weeks, today=today)
    drift = drift_of(person, today)
    checked_in = [p for p in series if p.checkin is not None]
    average = (
        round(sum(p.leading_pct for p in checked_in) / len(checked_in)) if checked_in else None
    )
    this_week = series[-1]
    context = {
        "nav": NAV,
        "person": person,
        "is_self": person.pk == viewer.pk,
        "can_check_in": person.pk == viewer.pk and policy.can(viewer, policy.TIME_CHECKIN, viewer),
        "level": level,
        "level_label": Level(level).label if level else "",
        "target": target,
        "weeks": weeks,
        "ranges": RANGES,
        "series": list(reversed(series)),
        "chart": _chart(series, target),
        "drift": drift,
        "average": average,
        "checked_in": len(checked_in),
        "this_week": this_week,
    }
    overseen = people_for_overview(viewer) if person.pk == viewer.pk else None
    if overseen is not None:
        paginator = BoundedPaginator(overseen, PER_PAGE, cap=10_000)
        page = paginator.get_page(request.GET.get("page"))
        context["page"] = page
        context["overview"] = overview_rows(list(page.object_list), today)
        context["overview_title"] = (
            "Your reports"
            if viewer.role not in (policy.OrgRole.OWNER, policy.OrgRole.ADMIN, policy.OrgRole.COACH)
            else "Leaders in the organization"
        )
    return render(request, "sops/leading.html", context)
