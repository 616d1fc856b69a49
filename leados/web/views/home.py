from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django_scopes import scopes_disabled

from leados.core.models import Person
from leados.web.my_week import sections_for
from leados.web.orgs import SESSION_LAST_ORG, org_view


def _member_slugs(user) -> list[str]:
    with scopes_disabled():
        return list(
            Person.objects.filter(user=user, is_active=True)
            .order_by("organization__name")
            .values_list("organization__slug", flat=True)
        )


@login_required
def home(request):
    """Send the user to My week in the organization they used last (or their first)."""
    slugs = _member_slugs(request.user)
    if not slugs:
        return render(request, "web/no_organization.html")
    last = request.session.get(SESSION_LAST_ORG)
    return redirect("web:my_week", last if last in slugs else slugs[0])


@login_required
def switch_org(request):
    """Go to My week of another organization the user belongs to."""
    slug = (request.GET.get("org") or "").strip()
    if slug not in _member_slugs(request.user):
        raise Http404
    return redirect("web:my_week", slug)


@org_view
def my_week(request):
    return render(
        request,
        "web/my_week.html",
        {"nav": "my_week", "person": request.person, "sections": sections_for(request.person)},
    )
