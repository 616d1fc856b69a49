"""The built-in routine library is complete and consistent, and every step's link opens a
real page."""

from __future__ import annotations

import datetime
import itertools
import re

import pytest
from dateutil.rrule import rrulestr

from leados.core.models import Level
from leados.operate.services.scorecards import scorecard_archive, scorecard_create
from leados.sops import links
from leados.sops.library import DIMENSIONS, DOMAINS, LEVELS, LIBRARY, template_by_slug
from leados.sops.links import LINKS, resolve

# Keys of pages that the sops app adds; this check must not depend on them being routed.
SOPS_APP_KEYS = {"time_checkin", "coverage", "sops"}

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# The cadences the SOP form can show in words; anything else would read as "custom".
FRIENDLY_RRULE = re.compile(
    r"^FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR$"
    r"|^FREQ=WEEKLY(;INTERVAL=[2-9])?;BYDAY=(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*$"
    r"|^FREQ=MONTHLY;BYMONTHDAY=([1-9]|1[0-9]|2[0-8])$"
    r"|^FREQ=MONTHLY;BYDAY=(-1|[1-4])(MO|TU|WE|TH|FR)$"
    r"|^FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=([1-9]|1[0-9]|2[0-8])$"
    r"|^FREQ=YEARLY;BYMONTH=([1-9]|1[0-2]);BYMONTHDAY=([1-9]|1[0-9]|2[0-8])$"
)
START = datetime.datetime(2026, 1, 5)  # noqa: DTZ001 - rrule arithmetic on a naive date

DIMENSION_ORDER = [
    "strategies", "culture", "objectives", "purpose", "ecosystem", "work_methods",
    "organizational_structure", "rewards_recognition", "knowledge_capabilities",
    "planning", "accountability", "stakeholder_engagement",
    "explore", "clarify", "transform", "master",
]  # fmt: skip


def test_domains_and_dimensions_follow_the_method():
    assert list(DOMAINS) == ["structure", "operate", "perfect"]
    assert list(DIMENSIONS) == DIMENSION_ORDER
    per_domain = {d: [k for k, v in DIMENSIONS.items() if v[0] == d] for d in DOMAINS}
    assert [len(per_domain[d]) for d in DOMAINS] == [9, 3, 4]
    assert all(label and description for _, label, description in DIMENSIONS.values())


def test_levels_are_the_five_levels():
    assert set(LEVELS) == set(Level.values)


def test_every_dimension_has_at_least_two_routines():
    counts = dict.fromkeys(DIMENSIONS, 0)
    for template in LIBRARY:
        counts[template.dimension] += 1
    assert {key: n for key, n in counts.items() if n < 2} == {}


def test_every_routine_dimension_belongs_to_its_domain():
    for template in LIBRARY:
        assert template.domain in DOMAINS, template.slug
        assert DIMENSIONS[template.dimension][0] == template.domain, template.slug


def test_slugs_are_unique_kebab_case_and_found():
    slugs = [template.slug for template in LIBRARY]
    assert len(slugs) == len(set(slugs))
    for slug in slugs:
        assert SLUG.match(slug) and len(slug) <= 80, slug
        assert template_by_slug(slug).slug == slug
    assert template_by_slug("no-such-routine") is None


@pytest.mark.parametrize("template", LIBRARY, ids=lambda t: t.slug)
def test_each_cadence_parses_and_recurs(template):
    assert "DTSTART" not in template.rrule
    assert FRIENDLY_RRULE.match(template.rrule), template.rrule
    rule = rrulestr(template.rrule, dtstart=START)
    upcoming = list(itertools.islice(rule, 3))
    assert len(upcoming) == 3
    assert all(day >= START for day in upcoming)


def test_the_library_mixes_cadences():
    rules = {template.rrule.split(";")[0] for template in LIBRARY}
    assert rules == {"FREQ=DAILY", "FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=YEARLY"}
    assert any("INTERVAL=2" in t.rrule for t in LIBRARY)
    assert any("INTERVAL=3" in t.rrule for t in LIBRARY)
    assert any(re.search(r"BYDAY=-?\d", t.rrule) for t in LIBRARY)


@pytest.mark.parametrize("template", LIBRARY, ids=lambda t: t.slug)
def test_each_routine_is_complete(template):
    assert template.title and len(template.title) <= 200
    assert template.purpose.strip()
    assert template.levels and set(template.levels) <= set(LEVELS)
    assert len(template.levels) == len(set(template.levels))
    assert 5 <= template.duration_minutes <= 240
    assert 3 <= len(template.steps) <= 7
    for step in template.steps:
        assert step.text.strip() and len(step.text) <= 500
        assert len(step.evidence) <= 500
        assert step.link == "" or step.link in LINKS, (template.slug, step.link)


def test_links_are_keyed_by_their_own_key_and_scoped():
    for key, link in LINKS.items():
        assert link.key == key
        assert link.scope in {links.ORG, links.UNIT}
        assert link.label and link.url_name.startswith("web:")
        assert len(key) <= 40
    assert {
        "my_week", "alignment", "orphans", "goals", "commitments", "plans", "scorecards",
        "vision", "people", "units", "time_checkin", "coverage", "sops",
    } <= set(LINKS)  # fmt: skip
    assert LINKS["time_checkin"].url_name == "web:time_checkin"
    assert LINKS["coverage"].url_name == "web:sop_coverage"
    assert LINKS["sops"].url_name == "web:sops"


@pytest.mark.django_db
def test_every_link_the_library_uses_opens_a_page(world, in_org):
    used = {step.link for template in LIBRARY for step in template.steps if step.link}
    with in_org():
        for key in sorted(used - SOPS_APP_KEYS):
            url = resolve(key, org_slug=world.org.slug)
            assert url and url.startswith("/o/acme/"), key
            unit_url = resolve(key, org_slug=world.org.slug, unit=world.sales)
            assert unit_url and unit_url.startswith("/o/acme/"), key


def test_an_unknown_key_resolves_to_none():
    assert resolve("nowhere", org_slug="acme") is None


def test_a_page_that_does_not_exist_resolves_to_none(monkeypatch):
    ghost = links.Link("ghost", "Ghost", "web:no_such_page")
    monkeypatch.setitem(LINKS, "ghost", ghost)
    assert resolve("ghost", org_slug="acme") is None


@pytest.mark.django_db
def test_a_unit_link_opens_the_units_own_page(world, in_org):
    slug, sales = world.org.slug, world.sales
    with in_org():
        assert resolve("units", org_slug=slug) == "/o/acme/units/"
        assert resolve("units", org_slug=slug, unit=sales) == f"/o/acme/units/{sales.pk}/"
        assert resolve("goals", org_slug=slug, unit=sales) == f"/o/acme/alignment/?unit={sales.pk}"
        assert resolve("plans", org_slug=slug, unit=sales) == f"/o/acme/plans/?unit={sales.pk}"
        assert resolve("commitments", org_slug=slug, unit=sales) == "/o/acme/commitments/"


@pytest.mark.django_db
def test_the_scorecard_link_opens_the_units_live_scorecard(world, in_org):
    slug, sales = world.org.slug, world.sales
    with in_org():
        # No scorecard yet: the organization's list.
        assert resolve("scorecards", org_slug=slug, unit=sales) == "/o/acme/scorecards/"
        card = scorecard_create(
            organization=world.org, actor=world.owner, name="Sales", kind="unit", unit=sales
        )
        assert resolve("scorecards", org_slug=slug, unit=sales) == f"/o/acme/scorecards/{card.pk}/"
        assert resolve("scorecards", org_slug=slug, unit=world.ops) == "/o/acme/scorecards/"
        scorecard_archive(scorecard=card, expected_version=None)
        assert resolve("scorecards", org_slug=slug, unit=sales) == "/o/acme/scorecards/"
