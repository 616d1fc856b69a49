"""Resolving the organization of a page and running the view inside its scope."""

from __future__ import annotations

from functools import wraps

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from leados.core.access import get_membership
from leados.core.errors import Forbidden, NotFound
from leados.core.tenancy import org_scope

SESSION_LAST_ORG = "leados_last_org"


def user_has_mfa(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def org_view(view):
    """Require a signed-in, active member of the organization in the URL.

    Sets ``request.person`` and ``request.org``; the view runs inside the
    organization's scope. Not a member, or no such organization: 404.
    """

    @login_required
    @wraps(view)
    def wrapper(request, org_slug: str, *args, **kwargs):
        try:
            person = get_membership(request.user, org_slug)
        except NotFound:
            raise Http404 from None
        org = person.organization
        if request.session.get(SESSION_LAST_ORG) != org.slug:
            request.session[SESSION_LAST_ORG] = org.slug
        if org.mfa_required and not user_has_mfa(request.user):
            messages.warning(
                request,
                f"{org.name} requires two-factor authentication. Set up an authenticator app "
                "to continue.",
            )
            return redirect("mfa_activate_totp")
        request.person = person
        request.org = org
        with org_scope(org):
            try:
                return view(request, *args, **kwargs)
            except NotFound:
                raise Http404 from None
            except Forbidden as exc:
                raise PermissionDenied(exc.message) from None

    return wrapper
