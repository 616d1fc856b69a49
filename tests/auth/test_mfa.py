"""Two-factor authentication with an authenticator app (TOTP), for everyone and per organization."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.test import Client
from django.utils import timezone

from leados.core import services
from tests.auth.conftest import totp_code
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client: Client, email: str):
    return client.post("/accounts/login/", {"login": email, "password": PASSWORD})


def activate_totp(client: Client, at: float) -> str:
    """Scan the code (read the secret from the page) and confirm a code from the app."""
    page = client.get("/accounts/2fa/totp/activate/")
    # Changing two-factor settings asks for the password again first.
    assert page.status_code == 302
    reauthenticate = page["Location"]
    assert reauthenticate.startswith("/accounts/reauthenticate/")
    form = client.get(reauthenticate).content.decode()
    assert '<label for="id_password">' in form
    response = client.post(reauthenticate, {"password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200, page
    html = page.content.decode()
    assert '<img src="data:image/svg+xml;base64,' in html
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7=]+)"', html).group(1)
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret, at)})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    return secret


def test_anyone_can_turn_on_an_authenticator_app_and_is_asked_for_a_code_next_time(world):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = Client()
        sign_in(client, "viewer@acme.test")
        assert 'href="/accounts/2fa/totp/activate/"' in client.get("/account/").content.decode()
        secret = activate_totp(client, start.timestamp())
        assert Authenticator.objects.filter(
            user=world.viewer_user, type=Authenticator.Type.TOTP
        ).exists()
        codes_page = client.get("/accounts/2fa/recovery-codes/").content.decode()
        assert "Continue to LeadOS" in codes_page
        client.post("/accounts/logout/")

        clock.shift(datetime.timedelta(minutes=1))
        client = Client()
        response = sign_in(client, "viewer@acme.test")
        assert response["Location"] == "/accounts/2fa/authenticate/"
        assert "_auth_user_id" not in client.session
        page = client.get("/accounts/2fa/authenticate/").content.decode()
        assert '<label for="id_code">' in page

        wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
        response = client.post("/accounts/2fa/authenticate/", {"code": wrong})
        assert response.status_code == 200
        assert "Incorrect code" in response.content.decode()
        assert "_auth_user_id" not in client.session

        response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
        assert response.status_code == 302
        assert int(client.session["_auth_user_id"]) == world.viewer_user.pk


def test_a_recovery_code_signs_in_once(world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = Client()
        sign_in(client, "viewer@acme.test")
        activate_totp(client, start.timestamp())
        page = client.get("/accounts/2fa/recovery-codes/").content.decode()
        codes = re.search(r'<textarea id="recovery_codes"[^>]*>([^<]*)</textarea>', page)
        first_code = codes.group(1).split()[0]
        client.post("/accounts/logout/")

        for expected_signed_in in (True, False):
            client = Client()
            sign_in(client, "viewer@acme.test")
            client.post("/accounts/2fa/authenticate/", {"code": first_code})
            assert ("_auth_user_id" in client.session) is expected_signed_in


def test_turning_the_authenticator_app_off(world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = Client()
        sign_in(client, "viewer@acme.test")
        activate_totp(client, start.timestamp())
        page = client.get("/accounts/2fa/totp/deactivate/")
        assert page.status_code == 200
        response = client.post("/accounts/2fa/totp/deactivate/")
        assert response.status_code == 302
    assert not Authenticator.objects.filter(user=world.viewer_user).exists()


def test_an_organization_that_requires_two_factor_sends_members_to_set_it_up_first(world, in_org):
    with in_org():
        services.organization_update(
            organization=world.org, expected_version=None, mfa_required=True
        )
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = Client()
        sign_in(client, "member@acme.test")
        response = client.get("/o/acme/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/totp/activate/"
        page = client.get("/o/acme/", follow=True).content.decode()
        assert "Acme requires two-factor authentication" in page

        activate_totp(client, start.timestamp())
        codes_page = client.get("/accounts/2fa/recovery-codes/").content.decode()
        assert 'href="/"' in codes_page
        assert client.get("/")["Location"] == "/o/acme/"
        assert client.get("/o/acme/").status_code == 200


def test_an_organization_that_requires_two_factor_does_not_hold_back_others(world, in_org):
    with in_org(world.other_org):
        services.organization_update(
            organization=world.other_org, expected_version=None, mfa_required=True
        )
    client = Client()
    sign_in(client, "member@acme.test")
    assert client.get("/o/acme/").status_code == 200
