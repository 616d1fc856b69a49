"""Organization settings: name, calendar, check-in rhythm, leading targets, display words,
two-factor requirement."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from leados.core import policy, services
from leados.core.errors import Conflict
from leados.web.forms import OrganizationSettingsForm, apply_errors
from leados.web.orgs import org_view
from leados.web.views._common import CONFLICT, UNPROCESSABLE, done, require

SETTINGS_FIELDS = [
    "name",
    "time_zone",
    "fiscal_year_start_month",
    "week_start_day",
    "mfa_required",
    "terminology",
    "check_in_days",
    "leading_targets",
]


@org_view
@require_http_methods(["GET", "POST"])
def organization_settings(request):
    org = request.org
    can_change = policy.can(request.person, policy.ORG_CHANGE)
    form = OrganizationSettingsForm(
        request.POST or None, initial=OrganizationSettingsForm.initial_for(org)
    )
    status = 200
    if request.method == "POST":
        require(request, policy.ORG_CHANGE)
        status = UNPROCESSABLE
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in SETTINGS_FIELDS}
            try:
                org = services.organization_update(
                    organization=org, expected_version=form.cleaned_data["version"], **fields
                )
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = CONFLICT
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                done(request, "Settings saved.")
                return redirect("web:settings", org.slug)
    if not can_change:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "web/settings.html",
        {"nav": "settings", "form": form, "can_change": can_change},
        status=status,
    )
