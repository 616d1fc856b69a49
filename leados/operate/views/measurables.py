"""The measurable pages: the list with filters, create and edit with every setting, per-period
targets, archive and restore, the history, a measurable's values with its chart, and the
comparison across units and quarters."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from leados.core import policy
from leados.core.errors import Conflict
from leados.core.models import Person, Unit
from leados.core.periods import organization_today
from leados.operate import forecast as forecasting
from leados.operate import measures
from leados.operate.models import Measurable, MeasurableTarget
from leados.operate.scorecard_forms import MeasurableFilterForm, MeasurableForm, TargetForm
from leados.operate.selectors import scorecard_pages as pages
from leados.operate.selectors.scorecards import get_measurable_for, measurables_list
from leados.operate.services import measurables as services
from leados.web.forms import apply_errors
from leados.web.orgs import org_view
from leados.web.paging import BoundedPaginator
from leados.web.selectors import history_entries, unit_choices_tree
from leados.web.views._common import CONFLICT, UNPROCESSABLE, done, post_only, require

NAV = "scorecards"
PAGE_SIZE = 50
STALE = (
    "Someone else changed this measurable while you were editing. The form shows your "
    "input; reload the page to see theirs, then apply your change again."
)


def _url(request, m) -> str:
    return reverse("web:measurable", args=[request.org.slug, m.pk])


def _people():
    return list(Person.objects.filter(is_active=True).order_by("name", "id"))


def _parents(exclude: Measurable | None = None):
    found = Measurable.objects.filter(
        archived_at__isnull=True, parent__isnull=True, formula=""
    ).order_by("name", "id")
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    return list(found)


# ---------------------------------------------------------------------------- list


@org_view
def measurables_page(request):
    units = unit_choices_tree()
    people = _people()
    form = MeasurableFilterForm(request.GET or None, units=units, people=people)
    filters = form.cleaned_data if form.is_valid() else {}
    found = measurables_list(
        unit=filters.get("unit"),
        owner=filters.get("owner"),
        category=filters.get("category") or None,
        archived=bool(filters.get("archived")),
    )
    page = BoundedPaginator(found, PAGE_SIZE, cap=None).get_page(request.GET.get("page"))
    return render(
        request,
        "operate/measurables/list.html",
        {"nav": NAV, "form": form, "page": page},
    )


# ---------------------------------------------------------------------------- create, edit


def _form_objects(request, data: dict) -> dict:
    """Turn the form's ids into objects of this organization (unknown ids: errors)."""
    data = dict(data)
    unit_id, owner_id, parent_id = data.pop("unit"), data.pop("owner"), data.pop("parent")
    data["unit"] = Unit.objects.filter(pk=unit_id).first() if unit_id else None
    data["owner"] = Person.objects.filter(pk=owner_id).first()
    data["parent"] = Measurable.objects.filter(pk=parent_id).first() if parent_id else None
    return data


@org_view
@require_http_methods(["GET", "POST"])
def measurable_create(request):
    # Whoever may keep a measurable of their own may open the form; coaches and viewers
    # read only.
    require(request, policy.MEASURABLE_CREATE, request.person)
    units = unit_choices_tree()
    initial = {
        "owner": request.person.pk, "decimals": 0, "weight": "1", "kind": "number",
        "category": "custom", "frequency": "weekly", "better": "higher",
        "threshold_mode": "share", "time_aggregation": "sum", "unit_aggregation": "sum",
    }  # fmt: skip
    if request.GET.get("unit", "").isdigit():
        initial["unit"] = int(request.GET["unit"])
    form = MeasurableForm(
        request.POST or None, initial=initial, units=units, people=_people(), parents=_parents()
    )
    status = 200
    if request.method == "POST":
        status = UNPROCESSABLE
        if form.is_valid():
            data = _form_objects(request, form.changes())
            unit = data.pop("unit")
            require(request, policy.MEASURABLE_CREATE, unit or request.person)
            try:
                m = services.measurable_create(
                    organization=request.org, actor=request.person, unit=unit,
                    person=None if unit else request.person, **data,
                )  # fmt: skip
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                done(request, f"Measurable “{m.name}” created.")
                return redirect(_url(request, m))
    return render(
        request,
        "operate/measurables/form.html",
        {"nav": NAV, "form": form, "measurable": None},
        status=status,
    )


@org_view
@require_http_methods(["GET", "POST"])
def measurable_edit(request, measurable_id):
    m = get_measurable_for(request.person, measurable_id)
    require(request, policy.MEASURABLE_CHANGE, m)
    fields = (
        "name", "description", "key", "category", "kind", "currency", "unit_label", "decimals",
        "better", "frequency", "threshold_mode", "time_aggregation", "unit_aggregation",
        "formula", "require_red_note",
    )  # fmt: skip
    initial = {name: getattr(m, name) for name in fields}
    for name in ("target", "target_max", "green_bound", "red_bound", "weight"):
        value = getattr(m, name)
        initial[name] = "" if value is None else f"{value:g}"
    initial |= {"version": m.version, "unit": m.unit_id, "owner": m.owner_id,
                "parent": m.parent_id}  # fmt: skip
    form = MeasurableForm(
        request.POST or None, initial=initial, units=unit_choices_tree(), people=_people(),
        parents=_parents(m),
    )  # fmt: skip
    status = 200
    if request.method == "POST":
        status = UNPROCESSABLE
        if form.is_valid():
            version = form.cleaned_data.get("version")
            data = _form_objects(request, form.changes())
            if data["unit"] is not None and data["unit"].pk != m.unit_id:
                require(request, policy.MEASURABLE_CREATE, data["unit"])
            changed = {k: v for k, v in data.items() if _differs(m, k, v)}
            try:
                m = services.measurable_update(measurable=m, expected_version=version, **changed)
            except Conflict:
                form.add_error(None, STALE)
                status = CONFLICT
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                done(request, "Measurable saved.")
                return redirect(_url(request, m))
    return render(
        request,
        "operate/measurables/form.html",
        {"nav": NAV, "form": form, "measurable": m},
        status=status,
    )


def _differs(m: Measurable, name: str, value) -> bool:
    current = getattr(m, name)
    if name in ("target", "target_max", "green_bound", "red_bound", "weight"):
        try:
            return (None if value in ("", None) else float(str(value).replace(",", ""))) != current
        except ValueError:
            return True
    return value != current


@org_view
def measurable_archive(request, measurable_id):
    return _archive(request, measurable_id, archive=True)


@org_view
def measurable_unarchive(request, measurable_id):
    return _archive(request, measurable_id, archive=False)


def _archive(request, measurable_id, *, archive: bool):
    m = get_measurable_for(request.person, measurable_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.MEASURABLE_CHANGE, m)
    service = services.measurable_archive if archive else services.measurable_unarchive
    try:
        version = int(request.POST.get("version", ""))
        m = service(measurable=m, expected_version=version)
    except ValueError:
        return _detail(request, m, error="Reload the page and try again.", status=UNPROCESSABLE)
    except Conflict as exc:
        return _detail(request, get_measurable_for(request.person, m.pk), error=exc.message,
                       status=CONFLICT)  # fmt: skip
    except ValidationError as exc:
        return _detail(request, m, error=" ".join(exc.messages), status=UNPROCESSABLE)
    done(request, f"“{m.name}” {'archived' if archive else 'restored'}.")
    return redirect(_url(request, m))


# ---------------------------------------------------------------------------- targets


@org_view
def measurable_targets(request, measurable_id):
    """Set the target of one period (seasonal targets); an empty target clears it."""
    m = get_measurable_for(request.person, measurable_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.MEASURABLE_CHANGE, m)
    form = TargetForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["target"] in ("", None) and data["target_max"] in ("", None):
                services.target_clear(measurable=m, period_start=data["period_start"])
                message = f"The target of the period starting {data['period_start']} is cleared."
            else:
                services.target_set(
                    measurable=m, period_start=data["period_start"], target=data["target"],
                    target_max=data["target_max"] or None,
                )  # fmt: skip
                message = f"Target set for the period starting {data['period_start']}."
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            done(request, message)
            return redirect(_url(request, m))
    return _detail(request, m, target_form=form, status=UNPROCESSABLE)


# ---------------------------------------------------------------------------- detail


def _range(request) -> int:
    try:
        periods = int(request.GET.get("periods", pages.RANGES[0]))
    except ValueError:
        return pages.RANGES[0]
    return periods if periods in pages.RANGES else pages.RANGES[0]


def _chart_context(request, m) -> dict:
    today = organization_today(request.org)
    prediction = forecasting.forecast(m, today)
    periods = _range(request)
    chart, rows = pages.measurable_chart(request.org, m, today, periods, prediction)
    return {
        "measurable": m,
        "chart": chart,
        "rows": rows,
        "periods": periods,
        "ranges": pages.RANGES,
        "forecast": prediction,
        "status_words": pages.STATUS_WORDS,
        "colour_words": pages.COLOUR_WORDS,
        "colour_marks": pages.COLOUR_MARKS,
    }


def _detail(request, m, *, status=200, error="", target_form=None):
    can_change = policy.can(request.person, policy.MEASURABLE_CHANGE, m)
    targets = list(MeasurableTarget.objects.filter(measurable=m).order_by("-period_start")[:20])
    context = {
        "nav": NAV,
        **_chart_context(request, m),
        "can_change": can_change,
        "can_enter": policy.can(request.person, policy.MEASURABLE_ENTER, m),
        "children": list(m.children.filter(archived_at__isnull=True).select_related("unit")),
        "targets": [(t, pages.fmt(m, t.target), pages.fmt(m, t.target_max)) for t in targets],
        "target_form": target_form or (TargetForm() if can_change else None),
        "target_text": pages._target_text(m, m.target, m.target_max),
        "error": error,
        "scorecards": list(m.scorecards.filter(archived_at__isnull=True).order_by("name")[:10]),
    }
    return render(request, "operate/measurables/detail.html", context, status=status)


@org_view
def measurable_page(request, measurable_id):
    m = get_measurable_for(request.person, measurable_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    if request.htmx:
        return render(request, "operate/measurables/_chart.html", _chart_context(request, m))
    return _detail(request, m)


@org_view
def measurable_history(request, measurable_id):
    m = get_measurable_for(request.person, measurable_id)
    entries = history_entries(object_type="measurable", object_id=m.pk)
    values = history_entries(object_type="measurablevalue").filter(
        object_id__in=list(m.values.values_list("pk", flat=True)[:500])
    )
    return render(
        request,
        "operate/measurables/history.html",
        {
            "nav": NAV,
            "measurable": m,
            "page": Paginator(entries, 50).get_page(request.GET.get("page")),
            "values": values[:50],
        },
    )


# ---------------------------------------------------------------------------- compare


@org_view
def measurable_compare(request, measurable_id):
    m = get_measurable_for(request.person, measurable_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    today = organization_today(request.org)
    fiscal = request.org.fiscal_year_start_month
    spans = measures.periods_ending(m.frequency, today, 13, fiscal)
    wanted = request.GET.get("period", "")
    done_spans = [s for s in spans if s.end < today] or spans
    span = next((s for s in spans if s.start.isoformat() == wanted), done_spans[-1])
    units = pages.compare_units(request.org, m, span) if m.children.exists() else []
    quarters = pages.compare_quarters(request.org, m, today)
    return render(
        request,
        "operate/measurables/compare.html",
        {
            "nav": NAV,
            "measurable": m,
            "spans": list(reversed(spans)),
            "span": span,
            "units": units,
            "quarters": quarters,
            "colour_words": pages.COLOUR_WORDS,
            "colour_marks": pages.COLOUR_MARKS,
        },
    )
