"""The vision page: vision, mission, long-range picture and core values."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from leados.core import policy
from leados.core.errors import Conflict
from leados.operate import services
from leados.operate.forms import CoreValueEditForm, CoreValueForm, VisionForm
from leados.operate.selectors import core_values_list, get_core_value_for, vision_get
from leados.web.forms import apply_errors
from leados.web.orgs import org_view
from leados.web.views._common import CONFLICT, UNPROCESSABLE, done, post_only, require

VISION_FIELDS = ["vision", "mission", "long_range", "horizon_year"]


def _page(request, *, vision_form=None, value_form=None, edit_forms=None, error="", status=200):
    vision = vision_get()
    can_change = policy.can(request.person, policy.ORG_CHANGE)
    values = list(core_values_list())
    rows = []
    for value in values:
        form = (edit_forms or {}).get(value.pk)
        if form is None and can_change:
            form = CoreValueEditForm(
                initial={
                    "name": value.name,
                    "description": value.description,
                    "version": value.version,
                },
                prefix=f"value-{value.pk}",
            )
        rows.append((value, form))
    if vision_form is None and can_change:
        initial = {"version": vision.version if vision else 0}
        if vision is not None:
            initial.update({name: getattr(vision, name) for name in VISION_FIELDS})
        vision_form = VisionForm(initial=initial)
    if value_form is None and can_change:
        value_form = CoreValueForm(prefix="new")
    return render(
        request,
        "operate/vision.html",
        {
            "nav": "vision",
            "vision": vision,
            "rows": rows,
            "can_change": can_change,
            "vision_form": vision_form,
            "value_form": value_form,
            "error": error,
        },
        status=status,
    )


@org_view
@require_http_methods(["GET", "POST"])
def vision_page(request):
    if request.method != "POST":
        return _page(request)
    require(request, policy.ORG_CHANGE)
    form = VisionForm(request.POST)
    status = UNPROCESSABLE
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in VISION_FIELDS}
        try:
            services.vision_update(
                organization=request.org, expected_version=form.cleaned_data["version"], **fields
            )
        except Conflict:
            form.add_error(
                None,
                "Someone else changed the vision while you were editing. The page shows your "
                "text; reload to see theirs, then apply your change again.",
            )
            status = CONFLICT
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            done(request, "Vision saved.")
            return redirect("web:vision", request.org.slug)
    return _page(request, vision_form=form, status=status)


@org_view
def core_value_add(request):
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.ORG_CHANGE)
    form = CoreValueForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            value = services.core_value_create(organization=request.org, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            done(request, f"Core value “{value.name}” added.")
            return redirect("web:vision", request.org.slug)
    return _page(request, value_form=form, status=UNPROCESSABLE)


@org_view
def core_value_edit(request, value_id: int):
    value = get_core_value_for(request.person, value_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.ORG_CHANGE)
    form = CoreValueEditForm(request.POST, prefix=f"value-{value.pk}")
    status = UNPROCESSABLE
    if form.is_valid():
        try:
            value = services.core_value_update(
                value=value,
                expected_version=form.cleaned_data["version"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except Conflict:
            form.add_error(
                None,
                "Someone else changed this value while you were editing. Reload to see their "
                "change, then apply yours again.",
            )
            status = CONFLICT
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            done(request, f"Core value “{value.name}” saved.")
            return redirect("web:vision", request.org.slug)
    return _page(request, edit_forms={value.pk: form}, status=status)


@org_view
def core_value_delete(request, value_id: int):
    value = get_core_value_for(request.person, value_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.ORG_CHANGE)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    if version is None:
        return _page(request, error="Reload the page and try again.", status=UNPROCESSABLE)
    try:
        services.core_value_delete(value=value, expected_version=version)
    except Conflict:
        return _page(
            request,
            error=f"Someone else changed “{value.name}” in the meantime; it was not removed. "
            "Check it and remove it again if you still mean to.",
            status=CONFLICT,
        )
    done(request, f"Core value “{value.name}” removed.")
    return redirect("web:vision", request.org.slug)


@org_view
def core_value_move(request, value_id: int):
    value = get_core_value_for(request.person, value_id)
    refused = post_only(request)
    if refused:
        return refused
    require(request, policy.ORG_CHANGE)
    order = list(core_values_list().values_list("pk", flat=True))
    index = order.index(value.pk)
    step = -1 if request.POST.get("direction") == "up" else 1
    other = index + step
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
        services.core_values_reorder(organization=request.org, order=order)
    return redirect("web:vision", request.org.slug)
