"""Every page and API route × method × persona: permissions and tenant isolation.

Routes are discovered from the URL configuration and the API's OpenAPI document, so
a new route is covered without anyone remembering to add it here. A route with a path
parameter this file has no sample for fails loudly: add the sample.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import scopes_disabled

from leados.core import services
from leados.core.models import HistoryEntry, Invitation, PeriodKind, RoleAssignment
from leados.core.periods import period_for
from leados.core.tenancy import org_scope
from leados.operate.services import core_value_create
from tests.conftest import PERSONAS
from tests.support.alignment import alignment_samples
from tests.support.scorecards import scorecard_samples
from tests.support.sops import sop_samples

ACME_PERSONAS = [p for p in PERSONAS if p != "outsider"]
READ_ONLY = ["coach", "viewer"]
WRITE_METHODS = ["post", "patch", "put", "delete"]


def _web_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _web_patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


ORG_PAGES = sorted({r for r in _web_patterns() if "<slug:org_slug>" in r})
PARAM = re.compile(r"<(?:(?P<conv>[^:>]+):)?(?P<name>[^>]+)>")


class Samples:
    """Ids to put into routes: Acme's own objects, and Globex's for isolation checks."""

    def __init__(self, world):
        with org_scope(world.org):
            invitation, _ = services.invitation_create(
                organization=world.org, email="new@acme.test", invited_by=world.owner_user
            )
            entry = HistoryEntry.objects.filter(object_type="unit").first()
            assignment = RoleAssignment.objects.filter(unit=world.sales).first()
            value = core_value_create(organization=world.org, name="Candour")
            period = period_for(world.org, datetime.date(2027, 1, 15), PeriodKind.MONTH)
        with org_scope(world.other_org):
            other_invitation, _ = services.invitation_create(
                organization=world.other_org, email="new@globex.test"
            )
            other_entry = HistoryEntry.objects.filter(object_type="unit").first()
            other_assignment = RoleAssignment.objects.first()
            other_value = core_value_create(organization=world.other_org, name="Candour")
            other_period = period_for(world.other_org, datetime.date(2027, 1, 15), PeriodKind.MONTH)
        own_alignment = alignment_samples(world.org, world)
        other_alignment = alignment_samples(world.other_org, world)
        own_scorecards = scorecard_samples(world.org, world)
        other_scorecards = scorecard_samples(world.other_org, world)
        own_sops = sop_samples(world.org, world)
        other_sops = sop_samples(world.other_org, world)
        with scopes_disabled():
            assert Invitation.objects.count() == 2
        self.own = {
            **own_alignment,
            **own_scorecards,
            **own_sops,
            "org_slug": "acme",
            "unit_id": world.sales.pk,
            "person_id": world.member.pk,
            "entry_id": entry.pk,
            "invitation_id": invitation.pk,
            "assignment_id": assignment.pk,
            "value_id": value.pk,
            "period_id": period.pk,
        }
        self.other = {
            **other_alignment,
            **other_scorecards,
            **other_sops,
            "org_slug": "acme",
            "unit_id": world.other_unit.pk,
            "person_id": world.outsider.pk,
            "entry_id": other_entry.pk,
            "invitation_id": other_invitation.pk,
            "assignment_id": other_assignment.pk,
            "value_id": other_value.pk,
            "period_id": other_period.pk,
        }

    def fill(self, route: str, values: dict) -> str:
        def sub(match):
            name = match.group("name")
            if name not in values or values[name] is None:
                pytest.fail(f"No sample for path parameter {name!r} in {route}: add one.")
            return str(values[name])

        return "/" + PARAM.sub(sub, route).lstrip("^").rstrip("$").lstrip("/")


@pytest.fixture
def samples(world):
    return Samples(world)


def _history_count():
    with scopes_disabled():
        return HistoryEntry.objects.count()


@pytest.mark.parametrize("route", ORG_PAGES)
def test_outsider_sees_acme_exactly_like_a_missing_organization(route, world, samples, client_for):
    client = client_for("outsider")
    path = samples.fill(route, samples.own)
    missing = samples.fill(route, {**samples.own, "org_slug": "no-such-org"})
    before = _history_count()
    for method in ("get", "post"):
        response = getattr(client, method)(path, {"name": "x"})
        assert response.status_code in (404, 405)
        assert response.status_code == getattr(client, method)(missing, {"name": "x"}).status_code
    assert _history_count() == before


@pytest.mark.parametrize("route", ORG_PAGES)
def test_anonymous_is_sent_to_sign_in(route, world, samples, client):
    response = client.get(samples.fill(route, samples.own))
    if response.status_code == 405:  # a POST-only route: nothing to show anyone on GET
        response = client.post(samples.fill(route, samples.own))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("route", ORG_PAGES)
def test_members_can_open_every_page(route, world, samples, client_for):
    for persona in ACME_PERSONAS:
        response = client_for(persona).get(samples.fill(route, samples.own))
        assert response.status_code in (200, 302, 403, 405), (persona, response.status_code)


@pytest.mark.parametrize("route", [r for r in ORG_PAGES if PARAM.findall(r)[1:]])
def test_another_organizations_object_is_exactly_like_a_missing_one_on_every_page(
    route, world, samples, client_for
):
    before = _history_count()
    path = samples.fill(route, samples.other)
    missing = samples.fill(route, dict.fromkeys(samples.other, 987654321) | {"org_slug": "acme"})
    for persona in ("owner", "viewer"):
        client = client_for(persona)
        for method in ("get", "post"):
            response = getattr(client, method)(path, {"name": "x"})
            assert response.status_code in (404, 405), (persona, method)
            expected = getattr(client, method)(missing, {"name": "x"}).status_code
            assert response.status_code == expected, (persona, method)
    assert _history_count() == before


@pytest.mark.parametrize("route", ORG_PAGES)
def test_read_only_personas_change_nothing_on_any_page(route, world, samples, client_for):
    before = _history_count()
    for persona in READ_ONLY:
        path = samples.fill(route, samples.own)
        response = client_for(persona).post(path, {"name": "Changed", "version": 1})
        # A coach comments and proposes improvements, so a junk form is refused as bad
        # input (422) rather than forbidden; either way nothing changes.
        allowed = (200, 302, 403, 405, 422) if persona == "coach" else (200, 302, 403, 405)
        assert response.status_code in allowed, persona
    assert _history_count() == before


def _api_routes():
    from leados.api.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        if "/orgs/{org}" not in path:
            continue
        for method in operations:
            yield path, method


API_ROUTES = sorted(set(_api_routes()))


def _api_path(template: str, values: dict) -> str:
    def sub(match):
        name = match.group(1)
        key = {"org": "org_slug"}.get(name, name)
        if key not in values or values[key] is None:
            pytest.fail(f"No sample for API path parameter {name!r} in {template}: add one.")
        return str(values[key])

    return re.sub(r"\{(\w+)\}", sub, template)


def _api_call(client, method, path, token):
    return getattr(client, method)(
        path,
        data="{}" if method in WRITE_METHODS else None,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IF_MATCH='W/"1"',
    )


@pytest.mark.parametrize(("route", "method"), API_ROUTES)
def test_outsider_token_gets_404_on_every_api_route(
    route, method, world, samples, client, token_for
):
    token = token_for("outsider")
    before = _history_count()
    response = _api_call(client, method, _api_path(route, samples.own), token)
    assert response.status_code == 404, (route, method, response.content)
    assert response.json()["detail"]
    assert _history_count() == before


@pytest.mark.parametrize(("route", "method"), API_ROUTES)
def test_a_token_scoped_to_another_organization_gets_404(
    route, method, world, samples, client, token_for
):
    # A token limited to Globex, used on Acme: out of the token's reach.
    token = token_for("outsider", organization=world.other_org)
    response = _api_call(client, method, _api_path(route, samples.own), token)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("route", "method"), [r for r in API_ROUTES if "{" in r[0].split("/orgs/{org}")[1]]
)
def test_another_organizations_object_is_404_on_every_api_route(
    route, method, world, samples, client, token_for
):
    before = _history_count()
    for persona in ("owner", "viewer"):
        response = _api_call(client, method, _api_path(route, samples.other), token_for(persona))
        assert response.status_code == 404, (persona, response.content)
    assert _history_count() == before


@pytest.mark.parametrize(("route", "method"), [r for r in API_ROUTES if r[1] in WRITE_METHODS])
def test_read_only_personas_get_403_on_every_api_write(
    route, method, world, samples, client, token_for
):
    before = _history_count()
    for persona in READ_ONLY:
        response = _api_call(client, method, _api_path(route, samples.own), token_for(persona))
        assert response.status_code in (403, 422), (persona, response.content)
    assert _history_count() == before


@pytest.mark.parametrize(("route", "method"), API_ROUTES)
def test_no_token_gets_401_on_every_api_route(route, method, world, samples, client):
    response = getattr(client, method)(_api_path(route, samples.own))
    assert response.status_code == 401
