"""History of the organization and of one person or unit; restoring an earlier version."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from leados.core import policy, services
from leados.core.access import get_history_entry_for, get_person_for, get_unit_for
from leados.core.errors import Conflict, Forbidden, NotFound
from leados.web import selectors
from leados.web.forms import HistoryFilterForm, VersionForm
from leados.web.orgs import org_view
from leados.web.views._common import CONFLICT, UNPROCESSABLE, done, post_only, require

PAGE_SIZE = 50


def _page(request, entries):
    return Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))


@org_view
def history_list(request):
    require(request, policy.READ)
    form = HistoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.history_entries(
        object_type=filters.get("type", ""),
        edge=filters.get("edge", ""),
        actor=filters.get("actor", ""),
    )
    return render(
        request,
        "web/history/list.html",
        {"nav": "history", "form": form, "page": _page(request, entries)},
    )


def _object(request, object_type: str, object_id):
    if object_type == "person":
        return get_person_for(request.person, object_id)
    if object_type == "unit":
        return get_unit_for(request.person, object_id)
    raise NotFound()


def _object_history(request, object_type, object_id, *, error=None, status=200):
    obj = _object(request, object_type, object_id)
    entries = selectors.history_entries(object_type=object_type, object_id=obj.pk)
    return render(
        request,
        "web/history/object.html",
        {
            "nav": "people" if object_type == "person" else "units",
            "obj": obj,
            "object_type": object_type,
            "page": _page(request, entries),
            "can_restore": policy.can(request.person, policy.HISTORY_RESTORE, obj),
            "error": error,
        },
        status=status,
    )


@org_view
def person_history(request, person_id):
    return _object_history(request, "person", person_id)


@org_view
def unit_history(request, unit_id):
    return _object_history(request, "unit", unit_id)


@org_view
def history_restore(request, entry_id):
    entry = get_history_entry_for(request.person, entry_id)
    if entry.object_type not in ("person", "unit"):
        raise NotFound()
    obj = _object(request, entry.object_type, entry.object_id)
    if (not_allowed := post_only(request)) is not None:
        return not_allowed
    require(request, policy.HISTORY_RESTORE, obj)
    form = VersionForm(request.POST)
    error, status = "Reload the page and try again.", UNPROCESSABLE
    if form.is_valid():
        try:
            services.history_restore(
                entry=entry, expected_version=form.cleaned_data["version"], by=request.person
            )
        except Conflict as exc:
            error, status = exc.message, CONFLICT
        except NotFound as exc:
            error, status = exc.message, 404
        except Forbidden as exc:
            error, status = exc.message, 403
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            done(request, f"{obj} was restored to version {entry.object_version}.")
            name = "web:person_history" if entry.object_type == "person" else "web:unit_history"
            return redirect(reverse(name, args=[request.org.slug, obj.pk]))
    return _object_history(request, entry.object_type, obj.pk, error=error, status=status)
