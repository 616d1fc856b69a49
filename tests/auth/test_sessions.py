"""Sessions end after idle time, after an absolute lifetime, and at once on deactivation."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from leados.core import services
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

MY_WEEK = "/o/acme/"


def signed_in(email: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def is_signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_idle_session_ends_after_the_idle_timeout(world):
    idle = datetime.timedelta(seconds=settings.SESSION_IDLE_SECONDS)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = signed_in("member@acme.test")
        assert client.get(MY_WEEK).status_code == 200
        clock.shift(idle - datetime.timedelta(minutes=2))
        assert client.get(MY_WEEK).status_code == 200
        clock.shift(idle + datetime.timedelta(minutes=1))
        assert is_signed_out(client.get(MY_WEEK))
        assert "_auth_user_id" not in client.session


def test_a_session_in_use_still_ends_after_the_absolute_lifetime(world):
    step = datetime.timedelta(seconds=settings.SESSION_IDLE_SECONDS) / 2
    lifetime = datetime.timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = signed_in("member@acme.test")
        assert client.get(MY_WEEK).status_code == 200
        elapsed = datetime.timedelta(0)
        while elapsed + step < lifetime:
            clock.shift(step)
            elapsed += step
            assert client.get(MY_WEEK).status_code == 200, f"signed out early at {elapsed}"
        clock.shift(step)
        assert is_signed_out(client.get(MY_WEEK))


def test_deactivating_a_person_ends_their_page_sessions_and_tokens_at_once(
    world, token_for, in_org
):
    client = signed_in("member@acme.test")
    assert client.get(MY_WEEK).status_code == 200
    all_orgs_token = token_for("member")
    acme_token = token_for("member", organization=world.org)
    for token in (all_orgs_token, acme_token):
        response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200

    with in_org():
        services.person_deactivate(person=world.member)

    assert is_signed_out(client.get(MY_WEEK))
    assert "_auth_user_id" not in client.session
    api = Client()
    for token in (all_orgs_token, acme_token):
        response = api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
    world.member_user.refresh_from_db()
    assert world.member_user.session_epoch == 1
    # Other people keep their sessions.
    assert signed_in("admin@acme.test").get(MY_WEEK).status_code == 200


def test_deactivation_in_one_organization_keeps_access_to_the_others(world, token_for, in_org):
    coach = world.coach_user
    with in_org(world.other_org):
        services.person_add(organization=world.other_org, user=coach, role="coach")
    client = signed_in("coach@acme.test")
    globex_token = token_for("coach", organization=world.other_org)
    acme_token = token_for("coach", organization=world.org)

    with in_org():
        services.person_deactivate(person=world.coach)

    assert client.get(MY_WEEK).status_code == 404
    assert client.get("/o/globex/").status_code == 200
    api = Client()
    assert (
        api.get("/api/v1/me", headers={"Authorization": f"Bearer {acme_token}"}).status_code == 401
    )
    response = api.get("/api/v1/me", headers={"Authorization": f"Bearer {globex_token}"})
    assert response.status_code == 200
    assert [m["organization"] for m in response.json()["memberships"]] == ["globex"]


def test_the_session_clock_starts_when_signing_in(world):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = signed_in("member@acme.test")
        clock.shift(datetime.timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS))
        # No page was opened after signing in: the lifetime still counts from then.
        assert is_signed_out(client.get(MY_WEEK))


def test_an_in_place_update_after_the_session_ended_reloads_to_sign_in(world):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = signed_in("member@acme.test")
        clock.shift(datetime.timedelta(seconds=settings.SESSION_IDLE_SECONDS + 60))
        response = client.get(MY_WEEK, headers={"HX-Request": "true"})
        assert response.status_code == 204
        assert response["HX-Redirect"] == "/accounts/login/?next=%2Fo%2Facme%2F"


def test_a_token_request_creates_no_session(world, token_for):
    from django.contrib.sessions.models import Session

    token = token_for("member")
    before = Session.objects.count()
    response = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.count() == before
