"""The feed page of a measurable: set up where its values come from, see the last run and
its message, issue a push token (shown once), run it now, or remove it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from leados.core import policy
from leados.core.errors import Conflict
from leados.operate.feed_forms import FeedForm
from leados.operate.models import Feed, FeedKind
from leados.operate.selectors.scorecards import get_feed_for, get_measurable_for
from leados.operate.services import feeds as services
from leados.web.forms import apply_errors
from leados.web.orgs import org_view
from leados.web.views._common import CONFLICT, UNPROCESSABLE, done, post_only, require

NAV = "scorecards"
STALE = (
    "Someone else changed this feed while you were editing. The form shows your input; "
    "reload the page to see theirs, then apply your change again."
)


def _page_url(request, measurable) -> str:
    return reverse("web:measurable_feed", args=[request.org.slug, measurable.pk])


def _measurable(request, measurable_id):
    measurable = get_measurable_for(request.person, measurable_id)
    require(request, policy.MEASURABLE_CHANGE, measurable)
    return measurable


def _initial(feed: Feed | None) -> dict:
    if feed is None:
        return {"version": 0, "kind": FeedKind.PULL, "interval_minutes": 60, "enabled": True}
    return {
        "version": feed.version, "kind": feed.kind, "interval_minutes": feed.interval_minutes,
        "enabled": feed.enabled, "url": feed.url, "format": feed.format,
        "json_path": feed.json_path, "csv_column": feed.csv_column, "query": feed.query,
    }  # fmt: skip


def _render(request, measurable, feed, form, *, secret="", status=200):
    return render(
        request,
        "operate/feeds/detail.html",
        {
            "nav": NAV,
            "measurable": measurable,
            "feed": feed,
            "form": form,
            "secret": secret,
            "database": services.database_label(feed.database_url) if feed else "",
            "ingest_url": request.build_absolute_uri("/api/v1/ingest/measurables"),
            "feed_dir": services.file_dir(),
        },
        status=status,
    )


@org_view
@require_http_methods(["GET", "POST"])
def feed_page(request, measurable_id):
    measurable = _measurable(request, measurable_id)
    feed = Feed.objects.filter(measurable=measurable).first()
    stored = services.database_label(feed.database_url) if feed else ""
    form = FeedForm(request.POST or None, initial=_initial(feed), stored_database=stored)
    status = 200
    if request.method == "POST":
        status = UNPROCESSABLE
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            data["database_url"] = data["database_url"] or None  # empty: keep the stored one
            try:
                feed = services.feed_configure(
                    measurable=measurable, expected_version=version or 0, **data
                )
            except Conflict:
                form.add_error(None, STALE)
                status = CONFLICT
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                done(request, "Feed saved." if feed.kind == FeedKind.PUSH or not feed.enabled
                     else "Feed saved; the worker runs it at its next look.")  # fmt: skip
                return redirect(_page_url(request, measurable))
    return _render(request, measurable, feed, form, status=status)


def _version(request) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@org_view
def feed_token(request, measurable_id):
    measurable = _measurable(request, measurable_id)
    feed = get_feed_for(request.person, measurable)
    refused = post_only(request)
    if refused:
        return refused
    try:
        feed, secret = services.feed_token_rotate(feed=feed, expected_version=_version(request))
    except Conflict:
        messages.error(request, STALE)
        return redirect(_page_url(request, measurable))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_page_url(request, measurable))
    form = FeedForm(initial=_initial(feed), stored_database="")
    return _render(request, measurable, feed, form, secret=secret)


@org_view
def feed_run(request, measurable_id):
    measurable = _measurable(request, measurable_id)
    feed = get_feed_for(request.person, measurable)
    refused = post_only(request)
    if refused:
        return refused
    if feed.kind == FeedKind.PUSH:
        messages.error(request, "A push feed is not run; it waits for values sent with its token.")
    else:
        outcome = services.feed_run(feed=feed)
        if outcome.ok:
            done(request, outcome.message)
        else:
            messages.error(request, f"The run failed and recorded nothing: {outcome.message}")
    return redirect(_page_url(request, measurable))


@org_view
def feed_delete(request, measurable_id):
    measurable = _measurable(request, measurable_id)
    feed = get_feed_for(request.person, measurable)
    refused = post_only(request)
    if refused:
        return refused
    try:
        services.feed_delete(feed=feed, expected_version=_version(request) or 0)
    except Conflict:
        messages.error(request, STALE)
    else:
        done(request, "Feed removed; the values it brought stay.")
    return redirect(_page_url(request, measurable))
