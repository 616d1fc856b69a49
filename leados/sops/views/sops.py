"""A leader's routines: the list, create and edit (with the cadence in words and the
checklist's rows), the routine's page, archive, publish to the library, a version with
what changed, and the history."""

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
from leados.sops.forms import SopFilterForm, SopForm, cadence_initial, step_formset
from leados.sops.library import DIMENSIONS, DOMAINS
from leados.sops.models import IdeaState, ImprovementIdea, RunState, Sop, SopRun, SopVersion
from leados.sops.selectors import pages
from leados.sops.selectors.access import get_sop_for, get_version_for, sops_visible_to
from leados.sops.selectors.measures import sop_measures
from leados.sops.services import sops as services
from leados.sops.services.runs import runs_generate_for_new_sop
from leados.sops.services.templates import template_publish_sop
from leados.sops.views._common import (
    NAV,
    cadence_words,
    linked_steps,
    owner_choices,
    sop_url,
    version_url,
)
from leados.web.forms import apply_errors
from leados.web.orgs import org_view
from leados.web.selectors import history_entries, unit_choices_tree
from leados.web.views._common import CONFLICT, UNPROCESSABLE, done, post_only, require

PAGE_SIZE = 50
STALE = (
    "Someone else changed this routine while you were editing it, so nothing was saved. "
    "The form shows your input; reload the page to see their change, then apply yours again."
)
LEVEL_LABELS = {
    "strategy": "Strategy",
    "functional_team": "Functional team",
    "process": "Process",
    "project": "Project",
    "self": "Self",
}

# ---------------------------------------------------------------------------- list


@org_view
def sops_page(request):
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    me = request.person
    units = unit_choices_tree()
    # Only the people whose routines this person can see: the filter stays short in a large
    # organization.
    shown = sops_visible_to(me).filter(is_archived=False).exclude(owner=me).values("owner_id")
    owners = list(Person.objects.filter(pk__in=shown).order_by("name", "id"))
    form = SopFilterForm(request.GET or None, owners=owners, units=units)
    filters = form.cleaned_data if form.is_valid() else {}
    archived = bool(filters.get("archived"))
    others = pages.routines_i_can_see(
        me,
        owner=filters.get("owner"),
        domain=filters.get("domain") or "",
        dimension=filters.get("dimension") or "",
        unit=filters.get("unit"),
    )
    page = Paginator(others, PAGE_SIZE).get_page(request.GET.get("page"))
    for sop in page.object_list:
        sop.cadence_words = cadence_words(sop.rrule)
        sop.last_state_label = RunState(sop.last_state).label if sop.last_state else ""
    return render(
        request,
        "sops/list.html",
        {
            "nav": NAV,
            "groups": pages.my_routines(me, archived=archived),
            "archived": archived,
            "form": form,
            "page": page,
            "filtered": any(filters.get(k) for k in ("owner", "domain", "dimension", "unit")),
            "can_create": policy.can(me, policy.SOP_CREATE, me),
            "dimension_labels": {key: spec[1] for key, spec in DIMENSIONS.items()},
            "today": organization_today(request.org),
        },
    )


# ---------------------------------------------------------------------------- create, edit


def _unit(unit_id):
    if unit_id is None:
        return None
    return Unit.objects.filter(pk=unit_id, archived_at__isnull=True).first()


def _form_context(request, form, formset, sop=None) -> dict:
    return {
        "nav": NAV,
        "form": form,
        "formset": formset,
        "sop": sop,
        "domains": DOMAINS,
    }


@org_view
@require_http_methods(["GET", "POST"])
def sop_create(request):
    me = request.person
    require(request, policy.SOP_CREATE, me)
    owners = owner_choices(me)
    today = organization_today(request.org)
    initial = {
        "owner": me.pk,
        "starts_on": today,
        "levels": ["self"],
        "duration_minutes": 30,
        "kind": "weekly",
        "interval": 1,
        "weekdays": [("MO", "TU", "WE", "TH", "FR", "SA", "SU")[today.weekday()]],
    }
    form = SopForm(request.POST or None, initial=initial, owners=owners, units=unit_choices_tree())
    formset = step_formset(request.POST or None)
    status = 200
    if request.method == "POST":
        status = UNPROCESSABLE
        forms_valid = form.is_valid()
        steps_valid = formset.is_valid()
        if forms_valid and steps_valid:
            data = form.cleaned_data
            owner = next((p for p in owners if p.pk == data["owner"]), me)
            require(request, policy.SOP_CREATE, owner)
            try:
                unit = _unit(data["unit"])
                if data["unit"] is not None and unit is None:
                    raise ValidationError({"unit": "Choose a live unit of this organization."})
                sop = services.sop_create(
                    organization=request.org, owner=owner, made_by=me,
                    title=data["title"], purpose=data["purpose"], domain=data["domain"],
                    dimension=data["dimension"], levels=data["levels"], rrule=data["rrule"],
                    starts_on=data["starts_on"], time_of_day=data["time_of_day"],
                    duration_minutes=data["duration_minutes"], steps=formset.steps(),
                    unit=unit, visibility=data["visibility"],
                )  # fmt: skip
                runs_generate_for_new_sop(sop)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                whose = "" if owner.pk == me.pk else f" for {owner.name}"
                done(request, f"Routine “{sop.title}” created{whose}.")
                return redirect(sop_url(request, sop))
    return render(request, "sops/form.html", _form_context(request, form, formset), status=status)


def _initial(sop: Sop) -> dict:
    return {
        "owner": sop.owner_id,
        "title": sop.title,
        "purpose": sop.purpose,
        "domain": sop.domain,
        "dimension": sop.dimension,
        "levels": list(sop.levels),
        "starts_on": sop.starts_on,
        "time_of_day": sop.time_of_day,
        "duration_minutes": sop.duration_minutes,
        "unit": sop.unit_id,
        "visibility": sop.visibility,
        "version": sop.version,
        **cadence_initial(sop.rrule),
    }


@org_view
@require_http_methods(["GET", "POST"])
def sop_edit(request, sop_id):
    sop = get_sop_for(request.person, sop_id)
    require(request, policy.SOP_CHANGE, sop)
    owners = owner_choices(request.person)
    if sop.owner_id not in {p.pk for p in owners}:
        owners = [sop.owner, *owners]
    form = SopForm(
        request.POST or None,
        initial=_initial(sop),
        owners=owners,
        units=unit_choices_tree(),
        editing=True,
    )
    formset = step_formset(request.POST or None, steps=sop.steps, extra=2)
    status = 200
    if request.method == "POST":
        status = UNPROCESSABLE
        forms_valid = form.is_valid()
        steps_valid = formset.is_valid()
        if forms_valid and steps_valid:
            data = form.cleaned_data
            fields = {
                name: data[name]
                for name in (
                    "title", "purpose", "domain", "dimension", "levels", "rrule", "starts_on",
                    "time_of_day", "duration_minutes", "visibility",
                )
            }  # fmt: skip
            fields["steps"] = formset.steps()
            changed = {k: v for k, v in fields.items() if v != getattr(sop, k)}
            if data["unit"] != sop.unit_id:
                changed["unit"] = _unit(data["unit"])
            if data["owner"] is not None and data["owner"] != sop.owner_id:
                owner = next(p for p in owners if p.pk == data["owner"])
                require(request, policy.SOP_CREATE, owner)
                changed["owner"] = owner
            try:
                if data["unit"] is not None and changed.get("unit", sop.unit) is None:
                    raise ValidationError({"unit": "Choose a live unit of this organization."})
                sop = services.sop_update(
                    sop=sop,
                    made_by=request.person,
                    expected_version=data["version"],
                    change_note=data.get("change_note") or "",
                    **changed,
                )
            except Conflict:
                form.add_error(None, STALE)
                status = CONFLICT
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                if not changed:
                    done(request, "Nothing changed.")
                else:
                    if {"rrule", "starts_on"} & set(changed):
                        runs_generate_for_new_sop(sop)
                    done(request, f"Routine saved (version {sop.version_number}).")
                return redirect(sop_url(request, sop))
    return render(
        request, "sops/form.html", _form_context(request, form, formset, sop), status=status
    )


# ---------------------------------------------------------------------------- the routine


def detail_context(request, sop: Sop, **extra) -> dict:
    me = request.person
    runs = SopRun.objects.filter(sop=sop).select_related("sop_version")
    versions = (
        SopVersion.objects.filter(sop=sop)
        .select_related("made_by")
        .only("number", "change_note", "created_at", "made_by__name", "idea_id", "sop_id")
        .order_by("-number")
    )
    ideas = ImprovementIdea.objects.filter(sop=sop).select_related("proposed_by", "run")
    can_change = policy.can(me, policy.SOP_CHANGE, sop)
    return {
        "nav": NAV,
        "sop": sop,
        "cadence": cadence_words(sop.rrule),
        "steps": linked_steps(request, sop.steps, sop.unit),
        "domain_label": DOMAINS[sop.domain],
        "dimension_label": DIMENSIONS[sop.dimension][1],
        "dimension_description": DIMENSIONS[sop.dimension][2],
        "levels": [LEVEL_LABELS.get(level, level) for level in sop.levels],
        "upcoming": list(runs.filter(state=RunState.DUE).order_by("due_on", "id")[:5]),
        "recent": list(runs.exclude(state=RunState.DUE).order_by("-due_on", "-id")[:10]),
        "versions": list(versions[:20]),
        "open_ideas": list(ideas.filter(state=IdeaState.PROPOSED).order_by("created_at", "id")),
        "decided_ideas": list(ideas.exclude(state=IdeaState.PROPOSED)[:5]),
        "sop_measures": sop_measures(sop),
        "can_change": can_change,
        "can_run": policy.can(me, policy.SOP_RUN, sop),
        "can_idea": policy.can(me, policy.SOP_IDEA, sop) and not sop.is_archived,
        "can_publish": can_change
        and policy.can(me, policy.SOP_TEMPLATE_PUBLISH)
        and not sop.is_archived,
        "error": "",
        "idea_errors": {},
        **extra,
    }


def render_detail(request, sop: Sop, *, status: int = 200, **extra):
    return render(request, "sops/detail.html", detail_context(request, sop, **extra), status=status)


@org_view
def sop_page(request, sop_id):
    sop = get_sop_for(request.person, sop_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return render_detail(request, sop)


@org_view
def sop_archive(request, sop_id):
    return _archive(request, sop_id, archive=True)


@org_view
def sop_unarchive(request, sop_id):
    return _archive(request, sop_id, archive=False)


def _archive(request, sop_id, *, archive: bool):
    sop = get_sop_for(request.person, sop_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.SOP_CHANGE, sop)
    service = services.sop_archive if archive else services.sop_unarchive
    try:
        version = int(request.POST.get("version", ""))
        sop = service(sop=sop, expected_version=version)
    except ValueError:
        return render_detail(
            request, sop, error="Reload the page and try again.", status=UNPROCESSABLE
        )
    except Conflict as exc:
        sop = get_sop_for(request.person, sop.pk)
        return render_detail(request, sop, error=exc.message, status=CONFLICT)
    except ValidationError as exc:
        return render_detail(request, sop, error=" ".join(exc.messages), status=UNPROCESSABLE)
    if not archive:
        runs_generate_for_new_sop(sop)
    done(request, f"“{sop.title}” {'archived' if archive else 'back in use'}.")
    return redirect(sop_url(request, sop))


@org_view
def sop_publish(request, sop_id):
    """Publish the routine's current version to the organization's library: its owner or
    an admin, when they may publish (admins and coaches)."""
    sop = get_sop_for(request.person, sop_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.SOP_TEMPLATE_PUBLISH)
    require(request, policy.SOP_CHANGE, sop)
    try:
        template = template_publish_sop(sop=sop, published_by=request.person)
    except ValidationError as exc:
        return render_detail(request, sop, error=" ".join(exc.messages), status=UNPROCESSABLE)
    done(request, f"“{template.title}” is in the organization's library.")
    return redirect(reverse("web:sop_template", args=[request.org.slug, template.slug]))


# ---------------------------------------------------------------------------- versions, history


@org_view
def sop_version(request, sop_id, number):
    sop = get_sop_for(request.person, sop_id)
    version = get_version_for(request.person, sop, number)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    previous = (
        SopVersion.objects.filter(sop=sop, number__lt=version.number).order_by("-number").first()
    )
    runs = SopRun.objects.filter(sop_version=version).order_by("-due_on", "-id")
    return render(
        request,
        "sops/version.html",
        {
            "nav": NAV,
            "sop": sop,
            "version": version,
            "previous": previous,
            "diff": pages.version_diff(previous, version) if previous else None,
            "steps": linked_steps(request, version.steps, sop.unit),
            "runs": list(runs[:50]),
            "run_count": runs.count(),
            "numbers": list(
                SopVersion.objects.filter(sop=sop)
                .order_by("number")
                .values_list("number", flat=True)
            ),
            "current": version.number == sop.version_number,
            "made_by": version.made_by,
            "idea": version.idea,
        },
    )


@org_view
def sop_history(request, sop_id):
    sop = get_sop_for(request.person, sop_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    entries = history_entries(object_type="sop", object_id=sop.pk)
    idea_ids = list(ImprovementIdea.objects.filter(sop=sop).values_list("pk", flat=True)[:500])
    ideas = history_entries(object_type="improvementidea").filter(object_id__in=idea_ids)
    run_ids = list(
        SopRun.objects.filter(sop=sop).order_by("-due_on").values_list("pk", flat=True)[:200]
    )
    runs = history_entries(object_type="soprun").filter(object_id__in=run_ids)
    return render(
        request,
        "sops/history.html",
        {
            "nav": NAV,
            "sop": sop,
            "page": Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page")),
            "ideas": ideas[:50],
            "runs": runs[:50],
        },
    )


def version_link(request, sop) -> str:
    return version_url(request, sop, sop.version_number)
