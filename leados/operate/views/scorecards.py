"""The scorecard pages: the list, a scorecard's grid with keyboard entry, and the forms
that create, edit and archive scorecards and choose their rows.

Cells of the grid are saved by ``scorecard_cells`` (called by scorecards.js, one cell or
a pasted column at once, all or nothing); without JavaScript the grid's form below enters
one period's values for every row at once through ``scorecard_enter``.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from leados.core import policy
from leados.core.errors import Conflict, NotFound
from leados.core.periods import organization_today
from leados.operate import measures
from leados.operate.models import Measurable, Scorecard
from leados.operate.scorecard_forms import RowsForm, ScorecardCreateForm, ScorecardForm
from leados.operate.selectors import scorecard_pages as pages
from leados.operate.selectors.scorecards import (
    get_measurable_for,
    get_scorecard_for,
    measurables_list,
    scorecard_measurables,
)
from leados.operate.services import measurables as value_services
from leados.operate.services import scorecards as services
from leados.web.forms import apply_errors
from leados.web.orgs import org_view
from leados.web.selectors import unit_choices_tree
from leados.web.views._common import CONFLICT, UNPROCESSABLE, done, post_only, require

NAV = "scorecards"
MAX_CELLS = 500
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
STALE = (
    "Someone else changed this scorecard while you were editing. Reload the page to see "
    "their change, then apply yours again."
)
STALE_CELL = "Someone else changed this value since you loaded the page; reload to see it."


def _url(request, scorecard) -> str:
    return reverse("web:scorecard", args=[request.org.slug, scorecard.pk])


# ---------------------------------------------------------------------------- list


@org_view
def scorecards_page(request):
    scorecards = list(
        Scorecard.objects.filter(archived_at__isnull=True)
        .select_related("unit", "person", "owner")
        .order_by("kind", "name", "id")
    )
    return render(
        request,
        "operate/scorecards/list.html",
        {"nav": NAV, "groups": pages.scorecards_grouped(scorecards)},
    )


# ---------------------------------------------------------------------------- create, edit


@org_view
@require_http_methods(["GET", "POST"])
def scorecard_create(request):
    require(request, policy.SCORECARD_CREATE, None)  # coaches and viewers read only
    units = unit_choices_tree()
    initial = {"kind": "custom"}
    if request.GET.get("unit", "").isdigit():
        initial |= {"kind": "unit", "unit": request.GET["unit"]}
    form = ScorecardCreateForm(request.POST or None, initial=initial, units=units)
    status = 200
    if request.method == "POST":
        status = UNPROCESSABLE
        if form.is_valid():
            data = form.cleaned_data
            kind = data["kind"]
            unit = next((u for u, _ in units if u.pk == data["unit"]), None)
            target = {"unit": unit, "personal": request.person, "custom": None}[kind]
            if kind == "unit" and unit is None:
                form.add_error("unit", "Choose the unit whose scorecard this is.")
            else:
                require(request, policy.SCORECARD_CREATE, target)
                try:
                    scorecard = services.scorecard_create(
                        organization=request.org, actor=request.person, name=data["name"],
                        description=data["description"], kind=kind, unit=unit,
                        person=request.person if kind == "personal" else None,
                    )  # fmt: skip
                except ValidationError as exc:
                    apply_errors(form, exc)
                else:
                    done(request, f"Scorecard “{scorecard.name}” created; now choose its rows.")
                    return redirect("web:scorecard_rows", request.org.slug, scorecard.pk)
    return render(
        request,
        "operate/scorecards/form.html",
        {"nav": NAV, "form": form, "scorecard": None},
        status=status,
    )


@org_view
@require_http_methods(["GET", "POST"])
def scorecard_edit(request, scorecard_id):
    scorecard = get_scorecard_for(request.person, scorecard_id)
    require(request, policy.SCORECARD_CHANGE, scorecard)
    initial = {
        "version": scorecard.version,
        "name": scorecard.name,
        "description": scorecard.description,
    }
    form = ScorecardForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = UNPROCESSABLE
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.scorecard_update(scorecard=scorecard, expected_version=version, **data)
            except Conflict:
                form.add_error(None, STALE)
                status = CONFLICT
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                done(request, "Scorecard saved.")
                return redirect(_url(request, scorecard))
    return render(
        request,
        "operate/scorecards/form.html",
        {"nav": NAV, "form": form, "scorecard": scorecard},
        status=status,
    )


@org_view
@require_http_methods(["GET", "POST"])
def scorecard_rows(request, scorecard_id):
    scorecard = get_scorecard_for(request.person, scorecard_id)
    require(request, policy.SCORECARD_CHANGE, scorecard)
    chosen = [m.pk for m in scorecard_measurables(scorecard, live_only=False)]
    candidates = list(measurables_list())
    form = RowsForm(
        request.POST or None,
        initial={"version": scorecard.version},
        measurables=candidates,
        chosen=chosen,
    )
    status = 200
    if request.method == "POST":
        status = UNPROCESSABLE
        if form.is_valid():
            try:
                services.scorecard_set_measurables(
                    scorecard=scorecard,
                    measurables=form.chosen(),
                    expected_version=form.cleaned_data["version"],
                )
            except Conflict:
                form.add_error(None, STALE)
                status = CONFLICT
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                done(request, "Rows saved.")
                return redirect(_url(request, scorecard))
    return render(
        request,
        "operate/scorecards/rows.html",
        {"nav": NAV, "form": form, "scorecard": scorecard},
        status=status,
    )


@org_view
def scorecard_archive(request, scorecard_id):
    scorecard = get_scorecard_for(request.person, scorecard_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.SCORECARD_CHANGE, scorecard)
    try:
        version = int(request.POST.get("version", ""))
        services.scorecard_archive(scorecard=scorecard, expected_version=version)
    except ValueError:
        return _grid(request, scorecard, error="Reload the page and try again.",
                     status=UNPROCESSABLE)  # fmt: skip
    except Conflict:
        return _grid(request, get_scorecard_for(request.person, scorecard.pk), error=STALE,
                     status=CONFLICT)  # fmt: skip
    done(request, f"Scorecard “{scorecard.name}” archived.")
    return redirect("web:scorecards", request.org.slug)


# ---------------------------------------------------------------------------- the grid


def _period_choice(request, sections, wanted: str):
    """The period the plain entry form is for: the one asked for, else the last complete
    one of the first section (a week's numbers are entered after the week)."""
    if not sections:
        return None, None
    section = sections[0]
    spans = section.spans
    for s in sections:
        for span in s.spans:
            if span.start.isoformat() == wanted:
                return s, span
    today = organization_today(request.org)
    done_spans = [s for s in spans if s.end < today]
    return section, (done_spans[-1] if done_spans else spans[-1])


def _grid(request, scorecard, *, status=200, error="", entry_errors=None, entered=None):
    today = organization_today(request.org)
    sections, measurables = pages.scorecard_grid(scorecard, request.person, today)
    entry_section, entry_span = _period_choice(request, sections, request.GET.get("period", ""))
    entry_rows = []
    if entry_section is not None:
        index = entry_section.spans.index(entry_span)
        for row in entry_section.rows:
            if not row.editable:
                continue
            cell = row.cells[index]
            given = (entered or {}).get(row.measurable.pk, {})
            entry_rows.append(
                {
                    "row": row,
                    "cell": cell,
                    "value": given.get("value", cell.raw),
                    "note": given.get("note", cell.note),
                    "errors": (entry_errors or {}).get(row.measurable.pk, []),
                }
            )
    can_change = policy.can(request.person, policy.SCORECARD_CHANGE, scorecard)
    context = {
        "nav": NAV,
        "scorecard": scorecard,
        "sections": sections,
        "empty": not measurables,
        "can_change": can_change,
        "error": error,
        "entry_section": entry_section,
        "entry_span": entry_span,
        "entry_rows": entry_rows,
        "status_words": pages.STATUS_WORDS,
        "colour_words": pages.COLOUR_WORDS,
        "colour_marks": pages.COLOUR_MARKS,
    }
    return render(request, "operate/scorecards/grid.html", context, status=status)


@org_view
def scorecard_page(request, scorecard_id):
    scorecard = get_scorecard_for(request.person, scorecard_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return _grid(request, scorecard)


def _save_cells(request, cells: list[dict]) -> tuple[dict, dict, int]:
    """Write ``cells`` (measurable id, period start, value, note, version) all or nothing.
    Returns the errors by cell key ("<measurable>:<period>"), the saved cells, and the
    HTTP status."""
    errors: dict[str, str] = {}
    saved: dict[str, dict] = {}
    by_measurable: dict[int, list[tuple[str, value_services.ValueInput]]] = {}
    found: dict[int, Measurable] = {}
    status = 200
    for cell in cells:
        key = f"{cell['measurable']}:{cell['period_start']}"
        try:
            m = found.get(cell["measurable"]) or get_measurable_for(
                request.person, cell["measurable"]
            )
        except NotFound:
            errors[key] = "This measurable does not exist."
            continue
        found[m.pk] = m
        if not policy.can(request.person, policy.MEASURABLE_ENTER, m):
            errors[key] = "You may not enter this measurable's values."
            status = 403
            continue
        by_measurable.setdefault(m.pk, []).append(
            (
                key,
                value_services.ValueInput(
                    cell["period_start"], cell["value"], cell.get("note"), cell.get("version")
                ),
            )
        )
    with transaction.atomic():
        for pk, entries in by_measurable.items():
            m = found[pk]
            try:
                value_services.values_set(
                    measurable=m, items=[item for _, item in entries], author=request.person
                )
            except Conflict as exc:
                status = CONFLICT
                stale = ISO_DATE.search(str(exc.message or ""))
                for key, item in entries:
                    if stale and str(item.period_start) == stale.group(0):
                        errors[key] = STALE_CELL
                if not any(key in errors for key, _ in entries):
                    errors[entries[0][0]] = STALE_CELL
            except ValidationError as exc:
                status = max(status, UNPROCESSABLE) if status != CONFLICT else status
                for field, messages in exc.message_dict.items():
                    parts = field.split(".")
                    n = int(parts[1]) if len(parts) > 2 and parts[1].isdigit() else 0
                    key = entries[min(n, len(entries) - 1)][0]
                    errors[key] = " ".join(messages)
                    if parts[-1] == "note":
                        errors[key + ":note"] = "1"
        if errors:
            transaction.set_rollback(True)
            return errors, {}, status if status != 200 else UNPROCESSABLE
    for pk, entries in by_measurable.items():
        m = found[pk]
        for key, item in entries:
            value = m.values.filter(period_start=item.period_start).first()
            span = measures.period_of(m.frequency, item.period_start)
            target = value_services.target_for(m, span.start, None)
            colour = measures.colour(
                value.value, better=m.better, mode=m.threshold_mode, green=m.green_bound,
                red=m.red_bound, target=target[0], target_max=target[1],
            )  # fmt: skip
            saved[key] = {
                "version": value.version,
                "raw": pages.raw(m, value.value),
                "text": pages.fmt(m, value.value),
                "colour": colour or "",
                "colour_word": pages.COLOUR_WORDS.get(colour or "", ""),
                "mark": pages.COLOUR_MARKS.get(colour or "", ""),
                "note": value.note,
            }
    return {}, saved, 200


def _require_entry(request, measurables: list[Measurable]) -> None:
    """Only someone who enters the values of at least one row may post values at all."""
    policy.preload_unit_roles(request.person)
    if not any(policy.can(request.person, policy.MEASURABLE_ENTER, m) for m in measurables):
        raise PermissionDenied("You do not enter values on this scorecard.")


def _parse_cells(post) -> list[dict] | None:
    """The cells posted by scorecards.js: parallel lists ``measurable``, ``period_start``,
    ``value``, ``note`` and ``version``; ``None`` when they do not line up."""
    ids = post.getlist("measurable")
    starts = post.getlist("period_start")
    values = post.getlist("value")
    notes = post.getlist("note")
    versions = post.getlist("version")
    if not ids or not (len(ids) == len(starts) == len(values) == len(versions)):
        return None
    if notes and len(notes) != len(ids):
        return None
    if len(ids) > MAX_CELLS:
        return None
    cells = []
    for n, (pk, start, value, version) in enumerate(zip(ids, starts, values, versions,
                                                        strict=True)):  # fmt: skip
        try:
            day = datetime.date.fromisoformat(start)
        except ValueError:
            return None
        if not pk.isdigit() or not version.isdigit():
            return None
        cells.append(
            {
                "measurable": int(pk),
                "period_start": day,
                "value": value,
                "note": notes[n] if notes else None,
                "version": int(version),
            }
        )
    return cells


@org_view
def scorecard_cells(request, scorecard_id):
    scorecard = get_scorecard_for(request.person, scorecard_id)
    refused = post_only(request)
    if refused:
        return refused
    rows = scorecard_measurables(scorecard)
    _require_entry(request, rows)
    cells = _parse_cells(request.POST)
    if cells is None:
        return JsonResponse(
            {"detail": "Reload the page and try again.", "errors": {}}, status=UNPROCESSABLE
        )
    on_card = {m.pk for m in rows}
    if any(c["measurable"] not in on_card for c in cells):
        return JsonResponse(
            {"detail": "That measurable is not on this scorecard.", "errors": {}}, status=404
        )
    errors, saved, status = _save_cells(request, cells)
    if errors:
        notes = [k[: -len(":note")] for k in errors if k.endswith(":note")]
        errors = {k: v for k, v in errors.items() if not k.endswith(":note")}
        detail = (
            "Nothing was saved: "
            + ("a value changed since you loaded the page." if status == CONFLICT else
               "fix the marked cells.")
        )  # fmt: skip
        return JsonResponse({"detail": detail, "errors": errors, "need_note": notes}, status=status)
    return JsonResponse({"detail": f"Saved {len(saved)} value{'s' if len(saved) != 1 else ''}.",
                         "cells": saved})  # fmt: skip


@org_view
def scorecard_enter(request, scorecard_id):
    """The plain form: one period's values (and notes) for every row the viewer enters."""
    scorecard = get_scorecard_for(request.person, scorecard_id)
    refused = post_only(request)
    if refused:
        return refused
    on_card = scorecard_measurables(scorecard)
    _require_entry(request, on_card)
    start = request.POST.get("period_start", "")
    try:
        day = datetime.date.fromisoformat(start)
    except ValueError:
        return _grid(request, scorecard, error="Reload the page and try again.",
                     status=UNPROCESSABLE)  # fmt: skip
    rows = [m for m in on_card if f"value-{m.pk}" in request.POST]
    if not rows:
        return _grid(request, scorecard, error="There is nothing to enter on this scorecard.",
                     status=UNPROCESSABLE)  # fmt: skip
    cells, entered = [], {}
    for m in rows:
        value = request.POST.get(f"value-{m.pk}", "").strip()
        note = request.POST.get(f"note-{m.pk}", "")
        version = request.POST.get(f"version-{m.pk}", "")
        entered[m.pk] = {"value": value, "note": note}
        if value == "" or not version.isdigit():
            continue  # left empty: not entered
        cells.append(
            {"measurable": m.pk, "period_start": day, "value": value, "note": note,
             "version": int(version)}
        )  # fmt: skip
    if not cells:
        return _grid(request, scorecard, error="Enter at least one value.", status=UNPROCESSABLE)
    errors, saved, status = _save_cells(request, cells)
    if status == 403 and errors:
        raise PermissionDenied("You may not enter some of these values.")
    if errors:
        by_row: dict[int, list[str]] = {}
        for key, message in errors.items():
            if key.endswith(":note"):
                continue
            by_row.setdefault(int(key.split(":")[0]), []).append(message)
        request.GET = request.GET.copy()
        request.GET["period"] = day.isoformat()
        return _grid(
            request, scorecard,
            error="Nothing was saved; fix the values marked below.",
            entry_errors=by_row, entered=entered, status=status,
        )  # fmt: skip
    done(request, f"Saved {len(saved)} value{'s' if len(saved) != 1 else ''}.")
    return redirect(f"{_url(request, scorecard)}?period={day.isoformat()}")
