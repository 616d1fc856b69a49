from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django_scopes import scopes_disabled

from leados.core.models import Person
from leados.web.orgs import SESSION_LAST_ORG, org_view


@login_required
def home(request):
    """Send the user to My week in the organization they used last (or their first)."""
    with scopes_disabled():
        slugs = list(
            Person.objects.filter(user=request.user, is_active=True)
            .order_by("organization__name")
            .values_list("organization__slug", flat=True)
        )
    if not slugs:
        return render(request, "web/no_organization.html")
    last = request.session.get(SESSION_LAST_ORG)
    return redirect("web:my_week", last if last in slugs else slugs[0])


@org_view
def my_week(request):
    return render(request, "web/my_week.html", {"person": request.person})
