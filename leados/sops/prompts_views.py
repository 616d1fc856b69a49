"""The prompts page (digest, reminders, calendar address, drift sharing) and the calendar
feed itself, which is read without signing in: its secret address is the key."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_http_methods, require_safe

from leados.core.errors import Conflict
from leados.core.tenancy import org_scope
from leados.sops.calendar import person_calendar
from leados.sops.models import DigestFrequency
from leados.sops.prompts_forms import FeedForm, PreferencesForm
from leados.sops.selectors.prompts import coaches_in
from leados.sops.services.prompts import (
    calendar_token_revoke,
    calendar_token_rotate,
    person_for_calendar_token,
    preferences_for,
    preferences_update,
)
from leados.web.forms import apply_errors
from leados.web.orgs import org_view
from leados.web.views._common import CONFLICT, done, post_only

STALE = (
    "Your prompts were changed elsewhere (another tab or device) while you were editing. "
    "The page now shows what is saved; apply your change again."
)


def _feed_url(request, token: str) -> str:
    return request.build_absolute_uri(reverse("web:sop_calendar", args=[token]))


def _page(request, *, form=None, errors=None, status=200):
    prefs = preferences_for(request.person)
    coaches = coaches_in(request.person)
    if form is None:
        form = PreferencesForm(
            coaches=coaches,
            initial={
                "digest": prefs.digest,
                "remind_minutes_before": prefs.remind_minutes_before,
                "drift_share": prefs.drift_share,
                "coach": prefs.coach_id,
                "version": prefs.version,
            },
        )
    feed_url = _feed_url(request, prefs.calendar_token) if prefs.calendar_token else ""
    return render(
        request,
        "sops/prompts.html",
        {
            "nav": "sops",
            "prefs": prefs,
            "form": form,
            "feed_url": feed_url,
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1] if feed_url else "",
            "errors": errors or [],
            "has_coaches": coaches.exists(),
            "weekly": prefs.digest == DigestFrequency.WEEKLY,
        },
        status=status,
    )


@org_view
@require_http_methods(["GET", "POST"])
def prompts_page(request):
    """The person's own prompts; bad input shows the page again with the reason (and a
    change based on an older version is refused)."""
    if request.method != "POST":
        return _page(request)
    form = PreferencesForm(request.POST, coaches=coaches_in(request.person))
    if form.is_valid():
        data = form.cleaned_data
        try:
            preferences_update(
                person=request.person,
                expected_version=data["version"],
                digest=data["digest"],
                remind_minutes_before=data["remind_minutes_before"],
                drift_share=data["drift_share"],
                coach=data["coach"],
            )
        except Conflict:
            return _page(request, errors=[STALE], status=CONFLICT)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            done(request, "Your prompts are saved.")
            return redirect("web:sop_prompts", request.org.slug)
    # Shown again with its messages (200: a personal page every member may use).
    return _page(request, form=form)


@org_view
def prompts_feed(request):
    """Create, renew or turn off the person's calendar address."""
    refused = post_only(request)
    if refused:
        return refused
    form = FeedForm(request.POST)
    if not form.is_valid():
        errors = [e for messages in form.errors.values() for e in messages]
        return _page(request, errors=errors)
    action, version = form.cleaned_data["feed"], form.cleaned_data["version"]
    try:
        if action == "revoke":
            calendar_token_revoke(person=request.person, expected_version=version)
        else:
            calendar_token_rotate(person=request.person, expected_version=version)
    except Conflict:
        return _page(request, errors=[STALE], status=CONFLICT)
    if action == "revoke":
        done(request, "Your calendar address is off: calendars subscribed to it stop updating.")
    elif action == "regenerate":
        done(request, "Your calendar has a new address; the old one no longer works.")
    else:
        done(request, "Your calendar address is ready: add it to your calendar app.")
    return redirect(reverse("web:sop_prompts", args=[request.org.slug]) + "#calendar")


def _host(request) -> str:
    base = urlsplit(settings.LEADOS_BASE_URL or "")
    return base.hostname or request.get_host().split(":")[0]


@require_safe
def calendar_feed(request, token: str):
    """The calendar of whoever holds ``token``: 404 for an unknown or revoked token or a
    person no longer active, exactly alike."""
    person = person_for_calendar_token(token)
    if person is None:
        raise Http404
    with org_scope(person.organization):
        body = person_calendar(person, host=_host(request), absolute=request.build_absolute_uri)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="leados-routines.ics"'
    response["X-Robots-Tag"] = "noindex"
    patch_cache_control(response, private=True, max_age=0)
    return response
