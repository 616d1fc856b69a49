"""The signed-in user's personal API tokens."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_scopes import scopes_disabled

from leados.core import services
from leados.core.models import ApiToken, Person
from leados.web.forms import TokenCreateForm, apply_errors
from leados.web.views._common import done, form_status


def _memberships(user) -> list[Person]:
    with scopes_disabled():
        return list(
            Person.objects.filter(user=user, is_active=True)
            .select_related("organization")
            .order_by("organization__name")
        )


def get_token_for(user, token_id) -> ApiToken:
    """One of ``user``'s own tokens; anyone else's looks like a missing one."""
    try:
        token_id = int(token_id)
    except (TypeError, ValueError):
        raise Http404 from None
    token = ApiToken.objects.filter(user=user, pk=token_id).first()
    if token is None:
        raise Http404
    return token


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    memberships = _memberships(request.user)
    form = TokenCreateForm(request.POST or None, memberships=memberships)
    secret = None
    created = None
    if request.method == "POST" and form.is_valid():
        org_id = form.cleaned_data["organization"]
        organization = next(
            (m.organization for m in memberships if str(m.organization_id) == org_id), None
        )
        try:
            created, secret = services.token_create(
                user=request.user, name=form.cleaned_data["name"], organization=organization
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            form = TokenCreateForm(memberships=memberships)
    token_list = list(
        ApiToken.objects.filter(user=request.user).select_related("organization")[:200]
    )
    response = render(
        request,
        "web/tokens.html",
        {
            "nav": "tokens",
            "form": form,
            "tokens": token_list,
            "secret": secret,
            "created": created,
        },
        status=form_status(form),
    )
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, token_id):
    token = get_token_for(request.user, token_id)
    services.token_revoke(token=token)
    done(request, f"The token “{token.name}” was revoked; it no longer works.")
    return redirect("web:tokens")
