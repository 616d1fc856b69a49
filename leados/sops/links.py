"""Where a step of a routine is done in LeadOS: a step names a key of ``LINKS`` and its
page turns that key into a URL with ``resolve``.

A link of scope ``org`` opens the organization's page for the thing. One of scope ``unit``
opens the unit's own page for it when the routine belongs to a unit and the unit has one
(the unit's scorecard, the unit's page, its goals or plans filtered to it), and the
organization's page otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

ORG = "org"
UNIT = "unit"


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    url_name: str
    scope: str = ORG


LINKS: dict[str, Link] = {
    link.key: link
    for link in (
        Link("my_week", "My week", "web:my_week"),
        Link("vision", "Vision and values", "web:vision"),
        Link("alignment", "Alignment tree", "web:alignment"),
        Link("orphans", "Goals that trace to nothing", "web:alignment_orphans"),
        Link("alignment_coverage", "Alignment by unit", "web:alignment_coverage"),
        Link("agreements", "Agreements", "web:agreements"),
        # Goals have no list of their own: they are read and filtered on the alignment tree.
        Link("goals", "Goals", "web:alignment", UNIT),
        Link("commitments", "Commitments", "web:commitments"),
        Link("plans", "Plans and budgets", "web:plans", UNIT),
        Link("scorecards", "Scorecards", "web:scorecards", UNIT),
        Link("measurables", "Measurables", "web:measurables", UNIT),
        Link("people", "People", "web:people"),
        Link("units", "Units", "web:units", UNIT),
        Link("history", "History", "web:history"),
        # Pages of the sops app.
        Link("time_checkin", "Leading vs. doing check-in", "web:time_checkin"),
        Link("coverage", "Coverage map", "web:sop_coverage"),
        Link("sops", "Leadership SOPs", "web:sops"),
    )
}

# Unit-scoped links whose organization page filters to one unit with ``?unit=<id>``.
_FILTERED_BY_UNIT = frozenset({"goals", "plans", "measurables"})


def resolve(key: str, *, org_slug: str, unit=None) -> str | None:
    """The URL of ``key``'s page, or None for an unknown key or a page that does not exist
    (so that a step's link never breaks the page showing it). Call inside the
    organization's scope: a unit's scorecard is looked up through the scoped manager."""
    link = LINKS.get(key)
    if link is None:
        return None
    try:
        if link.scope == UNIT and unit is not None:
            found = _unit_url(link, org_slug=org_slug, unit=unit)
            if found:
                return found
        return reverse(link.url_name, kwargs={"org_slug": org_slug})
    except NoReverseMatch:
        return None


def _unit_url(link: Link, *, org_slug: str, unit) -> str | None:
    if link.key == "units":
        return reverse("web:unit", kwargs={"org_slug": org_slug, "unit_id": unit.pk})
    if link.key == "scorecards":
        scorecard_id = _live_scorecard_id(unit)
        if scorecard_id is None:
            return None
        return reverse("web:scorecard", kwargs={"org_slug": org_slug, "scorecard_id": scorecard_id})
    if link.key in _FILTERED_BY_UNIT:
        base = reverse(link.url_name, kwargs={"org_slug": org_slug})
        return f"{base}?{urlencode({'unit': unit.pk})}"
    return None


def _live_scorecard_id(unit) -> int | None:
    # Imported here so that the library and its links load without the models being ready.
    from leados.operate.models.scorecards import Scorecard, ScorecardKind

    return (
        Scorecard.objects.filter(kind=ScorecardKind.UNIT, unit_id=unit.pk, archived_at__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )
