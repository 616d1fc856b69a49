"""Signing in and out with email and password, and the limit on failed attempts."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(client: Client, email: str, password: str):
    return client.post(LOGIN, {"login": email, "password": password})


def test_the_sign_in_page_labels_every_field_and_offers_a_reset_link(client):
    response = client.get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    for field_id in ("id_login", "id_password", "id_remember"):
        assert f'<label for="{field_id}">' in html
        assert f'id="{field_id}"' in html
    assert 'href="/accounts/password/reset/"' in html
    assert 'class="button primary"' in html
    # Sign-up is by invitation only: no open sign-up link.
    assert "/accounts/signup/" not in html


def test_a_member_signs_in_with_email_and_password_and_lands_in_their_organization(world):
    client = Client()
    response = sign_in(client, "MEMBER@acme.test", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").headers["Location"] == "/o/acme/"
    assert client.get("/o/acme/").status_code == 200
    assert int(client.session["_auth_user_id"]) == world.member_user.pk


def test_a_wrong_password_is_refused_with_a_message_tied_to_the_form(world):
    client = Client()
    response = sign_in(client, "member@acme.test", "not the password")
    html = response.content.decode()
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert '<div class="form-errors" role="alert">' in html
    assert "The email address or the password is not right." in html


def test_signing_in_starts_a_new_session(world):
    client = Client()
    client.get(LOGIN)
    client.session.save()
    anonymous_key = client.session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = anonymous_key
    session = client.session
    session["before_sign_in"] = True
    session.save()
    assert sign_in(client, "member@acme.test", PASSWORD).status_code == 302
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != anonymous_key
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=anonymous_key).exists()


def test_signing_out_ends_the_session(world, client_for):
    client = client_for("member")
    assert client.get("/o/acme/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/o/acme/").status_code == 302


@override_settings(
    ACCOUNT_RATE_LIMITS={**settings.ACCOUNT_RATE_LIMITS, "login_failed": "10/5m/ip,5/5m/key"}
)
def test_failed_sign_ins_pause_the_account_for_a_while_but_not_for_good(world):
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _attempt in range(5):
            response = sign_in(client, "member@acme.test", "guess-guess-guess")
            assert "not right" in response.content.decode()
        response = sign_in(client, "member@acme.test", PASSWORD)
        assert response.status_code == 200
        assert "Too many failed sign-in attempts" in response.content.decode()
        assert "_auth_user_id" not in client.session

        # Another account from the same address is not affected by this account's limit.
        other = Client()
        assert sign_in(other, "admin@acme.test", PASSWORD).status_code == 302

        clock.shift(datetime.timedelta(minutes=5, seconds=1))
        response = sign_in(client, "member@acme.test", PASSWORD)
        assert response.status_code == 302
        assert int(client.session["_auth_user_id"]) == world.member_user.pk


@override_settings(
    ACCOUNT_RATE_LIMITS={**settings.ACCOUNT_RATE_LIMITS, "login_failed": "10/5m/ip,5/5m/key"}
)
def test_many_failures_from_one_address_pause_every_account_from_it(world):
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for attempt in range(10):
            sign_in(client, f"nobody{attempt}@acme.test", "guess-guess-guess")
        response = sign_in(client, "owner@acme.test", PASSWORD)
        assert "Too many failed sign-in attempts" in response.content.decode()
        # A different address still gets in.
        elsewhere = Client(REMOTE_ADDR="10.1.2.3")
        assert sign_in(elsewhere, "owner@acme.test", PASSWORD).status_code == 302
        clock.shift(datetime.timedelta(minutes=6))
        assert sign_in(client, "owner@acme.test", PASSWORD).status_code == 302


def test_the_default_limits_are_time_limited():
    limits = settings.ACCOUNT_RATE_LIMITS["login_failed"]
    for rule in limits.split(","):
        amount, period, _key = rule.split("/")
        assert int(amount) >= 3
        assert re.fullmatch(r"\d*[smh]", period), "every limit lapses after a period"
