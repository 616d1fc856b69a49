"""Shared fixtures: personas in two organizations, clients for the page and the API."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from django.test import Client
from django_scopes import scopes_disabled

from leados.core import services
from leados.core.models import Level, OrgRole
from leados.core.tenancy import org_scope

PASSWORD = "correct horse battery staple"


def service_missing(reason: str):
    """A test needs a local service that is not there: a failure in CI, a skip elsewhere,
    so that the suite also runs on a machine with nothing but Python."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must provide it).")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


class World:
    """Two organizations: Acme (with every persona) and Globex (the outsider's)."""

    def __init__(self):
        mk = services.user_create
        self.owner_user = mk(email="owner@acme.test", password=PASSWORD, name="Olivia Owner")
        self.admin_user = mk(email="admin@acme.test", password=PASSWORD, name="Adam Admin")
        self.member_user = mk(email="member@acme.test", password=PASSWORD, name="Mia Member")
        self.coach_user = mk(email="coach@acme.test", password=PASSWORD, name="Cora Coach")
        self.viewer_user = mk(email="viewer@acme.test", password=PASSWORD, name="Vic Viewer")
        self.outsider_user = mk(
            email="outsider@globex.test", password=PASSWORD, name="Otto Outsider"
        )
        self.org = services.organization_create(name="Acme", slug="acme", owner=self.owner_user)
        self.other_org = services.organization_create(
            name="Globex", slug="globex", owner=self.outsider_user
        )
        with org_scope(self.org):
            from leados.core.models import Person, Unit

            self.owner = Person.objects.get(user=self.owner_user)
            self.admin = services.person_add(
                organization=self.org, user=self.admin_user, role=OrgRole.ADMIN, title="COO"
            )
            self.member = services.person_add(
                organization=self.org,
                user=self.member_user,
                role=OrgRole.MEMBER,
                title="Sales lead",
                manager=self.admin,
            )
            self.coach = services.person_add(
                organization=self.org, user=self.coach_user, role=OrgRole.COACH, title="Coach"
            )
            self.viewer = services.person_add(
                organization=self.org, user=self.viewer_user, role=OrgRole.VIEWER, title="Advisor"
            )
            self.root = Unit.objects.get(level=Level.STRATEGY)
            self.sales = services.unit_create(
                parent=self.root, level=Level.FUNCTIONAL_TEAM, name="Sales"
            )
            services.role_assignment_create(unit=self.sales, person=self.member, role="lead")
            self.ops = services.unit_create(
                parent=self.root, level=Level.FUNCTIONAL_TEAM, name="Operations"
            )
        with org_scope(self.other_org):
            from leados.core.models import Person, Unit

            self.outsider = Person.objects.get(user=self.outsider_user)
            self.other_root = Unit.objects.get(level=Level.STRATEGY)
            self.other_unit = services.unit_create(
                parent=self.other_root, level=Level.FUNCTIONAL_TEAM, name="Globex R&D"
            )

    def user_for(self, persona: str):
        return getattr(self, f"{persona}_user")


PERSONAS = ["owner", "admin", "member", "coach", "viewer", "outsider"]


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture
def client_for(world):
    """A signed-in page client for a persona name."""

    def make(persona: str) -> Client:
        client = Client()
        client.force_login(world.user_for(persona))
        return client

    return make


@pytest.fixture
def token_for(world):
    """A bearer token for a persona, optionally limited to one organization."""

    def make(persona: str, organization=None) -> str:
        _token, raw = services.token_create(
            user=world.user_for(persona), name="test", organization=organization
        )
        return raw

    return make


@pytest.fixture
def in_org(world):
    """Run a block inside Acme's scope: ``with in_org(): ...``."""
    return lambda org=None: org_scope(org or world.org)


@pytest.fixture
def unscoped():
    return scopes_disabled
