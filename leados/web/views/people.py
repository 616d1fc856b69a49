"""The people directory, a person's page, editing people, and invitations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from leados.core import policy, services
from leados.core.access import get_invitation_for, get_person_for
from leados.core.errors import Conflict, Forbidden
from leados.core.models import Invitation, OrgRole, Person
from leados.web import selectors
from leados.web.forms import (
    InviteForm,
    PeopleFilterForm,
    PersonEditForm,
    PersonRoleForm,
    VersionForm,
    apply_errors,
)
from leados.web.orgs import org_view
from leados.web.paging import BoundedPaginator
from leados.web.views._common import CONFLICT, UNPROCESSABLE, done, form_status, post_only, require

PAGE_SIZE = 50
# A search counts its matches up to this many; past it the page says "more than".
SEARCH_COUNT_CAP = 1000
RECENT_HISTORY = 10
SUGGESTIONS = 10


def _person_url(request, person) -> str:
    return reverse("web:person", args=[request.org.slug, person.pk])


@org_view
def people_list(request):
    form = PeopleFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    people = selectors.people_directory(
        q=filters.get("q", ""),
        role=filters.get("role", ""),
        status=filters.get("status") or "active",
        manager=filters.get("manager", ""),
    )
    cap = SEARCH_COUNT_CAP if filters.get("q", "").strip() else None
    page = BoundedPaginator(people, PAGE_SIZE, cap=cap).get_page(request.GET.get("page"))
    return render(
        request,
        "web/people/list.html",
        {
            "nav": "people",
            "form": form,
            "page": page,
            "can_manage": policy.can(request.person, policy.PEOPLE_MANAGE),
            "people_base": reverse("web:people", args=[request.org.slug]),
        },
    )


@org_view
def people_suggest(request):
    """Options for an email field's datalist: active people matching what was typed."""
    text = next(
        (request.GET[k] for k in ("q", "person", "manager", "email") if request.GET.get(k)), ""
    )
    people = []
    if len(text.strip()) >= 2:
        people = list(
            Person.objects.select_related("user")
            .active()
            .search(text)
            .order_by("name", "id")[:SUGGESTIONS]
        )
    return render(request, "web/people/suggest.html", {"people": people})


def _person_context(request, person, **extra) -> dict:
    viewer = request.person
    can_manage = policy.can(viewer, policy.PEOPLE_MANAGE, person)
    context = {
        "nav": "people",
        "subject": person,
        "reports": list(
            Person.objects.select_related("user")
            .filter(manager=person, is_active=True)
            .order_by("name", "id")
        ),
        "held_roles": selectors.roles_across_levels(person),
        "history": list(
            selectors.history_entries(object_type="person", object_id=person.pk)[:RECENT_HISTORY]
        ),
        "can_edit": policy.can(viewer, policy.PERSON_CHANGE, person),
        "can_manage": can_manage,
        "is_self": person.pk == viewer.pk,
        "role_form": extra.pop("role_form", None)
        or (
            PersonRoleForm(initial={"role": person.role, "version": person.version})
            if can_manage and person.is_active
            else None
        ),
    }
    context.update(extra)
    return context


@org_view
def person_detail(request, person_id):
    person = get_person_for(request.person, person_id)
    return render(request, "web/people/detail.html", _person_context(request, person))


@org_view
@require_http_methods(["GET", "POST"])
def person_edit(request, person_id):
    person = get_person_for(request.person, person_id)
    require(request, policy.PERSON_CHANGE, person)
    can_manage = policy.can(request.person, policy.PEOPLE_MANAGE, person)
    initial = {
        "version": person.version,
        "name": person.name,
        "title": person.title,
        "manager": person.manager.email if person.manager else "",
    }
    form = PersonEditForm(request.POST or None, initial=initial, can_manage=can_manage)
    status = 200
    if request.method == "POST":
        status = UNPROCESSABLE
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                services.person_update(
                    person=person, expected_version=version, by=request.person, **data
                )
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = CONFLICT
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                done(request, "Saved.")
                return redirect(_person_url(request, person))
    return render(
        request,
        "web/people/edit.html",
        {"nav": "people", "subject": person, "form": form, "can_manage": can_manage},
        status=status,
    )


@org_view
def person_role(request, person_id):
    person = get_person_for(request.person, person_id)
    if (not_allowed := post_only(request)) is not None:
        return not_allowed
    require(request, policy.PEOPLE_MANAGE, person)
    form = PersonRoleForm(request.POST)
    status = UNPROCESSABLE
    if form.is_valid():
        try:
            services.person_update(
                person=person,
                expected_version=form.cleaned_data["version"],
                by=request.person,
                role=form.cleaned_data["role"],
            )
        except Conflict as exc:
            form.add_error(None, exc.message)
            status = CONFLICT
        except Forbidden as exc:
            form.add_error("role", exc.message)
            status = 403
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            person.refresh_from_db()
            done(request, f"{person.name} is now {person.get_role_display().lower()}.")
            return redirect(_person_url(request, person))
    person = get_person_for(request.person, person_id)
    return render(
        request,
        "web/people/detail.html",
        _person_context(request, person, role_form=form),
        status=status,
    )


def _activation(request, person_id, *, activate: bool):
    person = get_person_for(request.person, person_id)
    if (not_allowed := post_only(request)) is not None:
        return not_allowed
    require(request, policy.PEOPLE_MANAGE, person)
    form = VersionForm(request.POST)
    error, status = "Reload the page and try again.", UNPROCESSABLE
    if form.is_valid():
        try:
            if activate:
                services.person_reactivate(
                    person=person, expected_version=form.cleaned_data["version"]
                )
            else:
                services.person_deactivate(
                    person=person, expected_version=form.cleaned_data["version"]
                )
        except Conflict as exc:
            error, status = exc.message, CONFLICT
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            done(
                request,
                f"{person.name} was {'reactivated' if activate else 'deactivated'}.",
            )
            return redirect(_person_url(request, person))
    person = get_person_for(request.person, person_id)
    return render(
        request,
        "web/people/detail.html",
        _person_context(request, person, error=error),
        status=status,
    )


@org_view
def person_deactivate(request, person_id):
    return _activation(request, person_id, activate=False)


@org_view
def person_reactivate(request, person_id):
    return _activation(request, person_id, activate=True)


def _pending_invitations():
    return Invitation.objects.pending().select_related("invited_by").order_by("-created_at")


@org_view
@require_http_methods(["GET", "POST"])
def invite(request):
    require(request, policy.PEOPLE_MANAGE)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _key = services.invitation_create(
                organization=request.org, invited_by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            done(request, f"Invitation sent to {invitation.email}.")
            return redirect("web:invitations", request.org.slug)
    return render(
        request,
        "web/people/invite.html",
        {"nav": "people", "form": form, "roles": OrgRole},
        status=form_status(form),
    )


@org_view
def invitations(request):
    require(request, policy.PEOPLE_MANAGE)
    return render(
        request,
        "web/people/invitations.html",
        {
            "nav": "people",
            "invitations": list(_pending_invitations()[:200]),
            "now": timezone.now(),
        },
    )


@org_view
def invitation_revoke(request, invitation_id):
    invitation = get_invitation_for(request.person, invitation_id)
    if (not_allowed := post_only(request)) is not None:
        return not_allowed
    require(request, policy.PEOPLE_MANAGE)
    services.invitation_revoke(invitation=invitation)
    done(request, f"The invitation for {invitation.email} was revoked.")
    return redirect("web:invitations", request.org.slug)


@org_view
def invitation_resend(request, invitation_id):
    """Send a fresh link; the old one stops working."""
    invitation = get_invitation_for(request.person, invitation_id)
    if (not_allowed := post_only(request)) is not None:
        return not_allowed
    require(request, policy.PEOPLE_MANAGE)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        done(request, "That invitation is no longer pending.")
        return redirect("web:invitations", request.org.slug)
    try:
        services.invitation_create(
            organization=request.org,
            email=invitation.email,
            role=invitation.role,
            name=invitation.name,
            title=invitation.title,
            invited_by=request.user,
        )
    except ValidationError as exc:
        from django.contrib import messages

        messages.error(request, " ".join(exc.messages))
    else:
        done(request, f"A new invitation was sent to {invitation.email}.")
    return redirect("web:invitations", request.org.slug)
