"""Helpers shared by the SOP pages."""

from __future__ import annotations

from django.urls import reverse

from leados.core import policy
from leados.core.models import Person
from leados.sops.cadence import describe
from leados.sops.links import LINKS, resolve

NAV = "sops"


def sop_url(request, sop) -> str:
    return reverse("web:sop", args=[request.org.slug, sop.pk])


def run_url(request, run) -> str:
    return reverse("web:sop_run", args=[request.org.slug, run.pk])


def version_url(request, sop, number: int) -> str:
    return reverse("web:sop_version", args=[request.org.slug, sop.pk, number])


def owner_choices(person: Person) -> list[Person]:
    """Whom ``person`` may set a routine up for: themselves and their reports; admins
    anyone active. Only leaders own routines (owners, admins, members; see
    ``policy.SOP_CREATE``)."""
    leaders = Person.objects.filter(is_active=True, role__in=LEADER_ROLES).order_by("name", "id")
    if person.role in policy.ADMINS:
        return list(leaders)
    return [person, *leaders.filter(manager=person)]


LEADER_ROLES = (policy.OrgRole.OWNER, policy.OrgRole.ADMIN, policy.OrgRole.MEMBER)


def linked_steps(request, steps, unit) -> list[dict]:
    """Steps with their link resolved to a page of this organization (or none)."""
    resolved = []
    for step in steps:
        key = step.get("link") or ""
        link = LINKS.get(key)
        resolved.append(
            {
                **step,
                "url": resolve(key, org_slug=request.org.slug, unit=unit) if key else None,
                "link_label": link.label if link else "",
            }
        )
    return resolved


def cadence_words(rrule: str) -> str:
    return describe(rrule)
