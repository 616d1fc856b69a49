from __future__ import annotations

from django_scopes import scopes_disabled

from leados.core.models import Person


def navigation(request):
    """The signed-in user's organizations (for the switcher) and the current one."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    with scopes_disabled():
        memberships = list(
            Person.objects.filter(user=user, is_active=True)
            .select_related("organization")
            .order_by("organization__name")
        )
    return {
        "memberships": memberships,
        "current_org": getattr(request, "org", None),
        "current_person": getattr(request, "person", None),
    }
