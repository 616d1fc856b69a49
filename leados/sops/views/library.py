"""The library: the built-in routines and the organization's own, browsed by domain,
dimension and level; a template's page with the Adopt form; a coach sharing a template
into a client organization."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from leados.core import policy
from leados.core.errors import Forbidden, NotFound
from leados.core.models import Organization, Unit
from leados.core.periods import organization_today
from leados.sops.forms import AdoptForm, LibraryFilterForm, ShareForm, cadence_initial
from leados.sops.selectors import pages
from leados.sops.services.templates import (
    coach_client_memberships,
    template_adopt,
    template_content,
    template_share,
)
from leados.sops.views._common import NAV, linked_steps, sop_url
from leados.web.forms import apply_errors
from leados.web.orgs import org_view
from leados.web.selectors import unit_choices_tree
from leados.web.views._common import UNPROCESSABLE, done, require

LEVEL_LABELS = {
    "strategy": "Strategy",
    "functional_team": "Functional team",
    "process": "Process",
    "project": "Project",
    "self": "Self",
}


def share_targets(request) -> list:
    """The other organizations this person may share templates into (as coach or admin)."""
    return [
        m for m in coach_client_memberships(request.user) if m.organization_id != request.org.pk
    ]


@org_view
@require_http_methods(["GET", "HEAD"])
def library_page(request):
    form = LibraryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    domains, count = pages.library(
        q=(filters.get("q") or "").strip(),
        domain=filters.get("domain") or "",
        dimension=filters.get("dimension") or "",
        level=filters.get("level") or "",
    )
    return render(
        request,
        "sops/library.html",
        {
            "nav": NAV,
            "form": form,
            "domains": domains,
            "count": count,
            "level_labels": LEVEL_LABELS,
            "today": organization_today(request.org),
            "can_adopt": policy.can(request.person, policy.SOP_CREATE, request.person),
        },
    )


def _entry(slug):
    entry = pages.library_entry(slug)
    if entry is None:
        raise Http404
    return entry


@org_view
@require_http_methods(["GET", "POST"])
def template_page(request, template_slug):
    entry = _entry(template_slug)
    me = request.person
    can_adopt = policy.can(me, policy.SOP_CREATE, me)
    initial = {"starts_on": organization_today(request.org), **cadence_initial(entry.rrule)}
    form = AdoptForm(request.POST or None, initial=initial, units=unit_choices_tree())
    status = 200
    if request.method == "POST":
        require(request, policy.SOP_CREATE, me)
        status = UNPROCESSABLE
        if form.is_valid():
            data = form.cleaned_data
            unit = None
            if data["unit"] is not None:
                unit = Unit.objects.filter(pk=data["unit"], archived_at__isnull=True).first()
            try:
                if data["unit"] is not None and unit is None:
                    raise ValidationError({"unit": "Choose a live unit of this organization."})
                sop = template_adopt(
                    organization=request.org, slug=entry.slug, owner=me, made_by=me,
                    starts_on=data["starts_on"], time_of_day=data["time_of_day"], unit=unit,
                    rrule=data.get("rrule"), visibility=data["visibility"],
                )  # fmt: skip
            except NotFound:
                raise Http404 from None
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                done(request, f"“{sop.title}” is now one of your routines, scheduled from "
                              f"{sop.starts_on:%-d %B %Y}.")  # fmt: skip
                return redirect(sop_url(request, sop))
    return render(
        request,
        "sops/template.html",
        {
            "nav": NAV,
            "entry": entry,
            "steps": linked_steps(request, entry.steps, None),
            "levels": [LEVEL_LABELS.get(level, level) for level in entry.levels],
            "form": form,
            "can_adopt": can_adopt,
            "can_share": bool(share_targets(request)),
        },
        status=status,
    )


@org_view
@require_http_methods(["GET", "POST"])
def template_share_page(request, template_slug):
    entry = _entry(template_slug)
    targets = share_targets(request)
    if not targets:
        raise Forbidden("Sharing is for coaches and admins who belong to another organization.")
    form = ShareForm(request.POST or None, memberships=targets)
    status = 200
    if request.method == "POST":
        status = UNPROCESSABLE
        if form.is_valid():
            into = Organization.objects.get(pk=form.cleaned_data["organization"])
            try:
                template = template_share(
                    coach=request.person,
                    content=template_content(entry.slug, request.org),
                    into=into,
                )
            except NotFound:
                raise Http404 from None
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                done(request, f"“{template.title}” is now in {into.name}'s library.")
                return redirect("web:sop_template", request.org.slug, entry.slug)
    return render(
        request,
        "sops/template_share.html",
        {"nav": NAV, "entry": entry, "form": form, "targets": targets},
        status=status,
    )
