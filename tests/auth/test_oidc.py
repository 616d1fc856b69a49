"""Single sign-on through an OpenID Connect provider configured for the deployment."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client, override_settings
from django_scopes import scopes_disabled

from leados.core import services
from leados.core.models import Person, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def sso(oidc_provider):
    providers = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": "Acme ID",
                    "client_id": "leados-client",
                    "secret": "leados-secret",
                    "settings": {"server_url": oidc_provider.base_url},
                }
            ]
        }
    }
    with override_settings(SOCIALACCOUNT_PROVIDERS=providers):
        yield oidc_provider


def start_sign_in(client: Client, provider) -> dict:
    """Press "Sign in with Acme ID" and return the query sent to the provider."""
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Acme ID" in page
    assert 'action="/accounts/oidc/sso/login/?process=login"' in page
    response = client.post("/accounts/oidc/sso/login/?process=login")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        provider.authorization_endpoint
    )
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def finish_sign_in(client: Client, query: dict):
    return client.get(
        "/accounts/oidc/sso/login/callback/", {"code": "one-time-code", "state": query["state"]}
    )


def test_without_configuration_there_is_no_single_sign_on_button(world):
    page = Client().get("/accounts/login/").content.decode()
    assert "Sign in with" not in page


def test_the_button_sends_the_browser_to_the_providers_authorization_endpoint(world, sso):
    query = start_sign_in(Client(), sso)
    assert ("GET", "/.well-known/openid-configuration") in sso.requests
    assert query["client_id"] == "leados-client"
    assert query["response_type"] == "code"
    assert "openid" in query["scope"].split()
    assert "email" in query["scope"].split()
    assert query["redirect_uri"] == "http://testserver/accounts/oidc/sso/login/callback/"
    assert query["state"]


def test_a_member_signs_in_through_the_provider_and_lands_in_their_organization(world, sso):
    sso.userinfo = {"sub": "acme-42", "email": "member@acme.test", "email_verified": True}
    client = Client()
    response = finish_sign_in(client, start_sign_in(client, sso))
    assert response.status_code == 302, response.content.decode()
    assert int(client.session["_auth_user_id"]) == world.member_user.pk
    assert ("POST", "/token") in sso.requests
    assert client.get("/", follow=True).redirect_chain[-1][0] == "/o/acme/"


def test_an_unknown_person_is_not_given_an_account(world, sso):
    sso.userinfo = {"sub": "x-1", "email": "stranger@example.test", "email_verified": True}
    client = Client()
    response = finish_sign_in(client, start_sign_in(client, sso))
    assert "LeadOS is by invitation" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="stranger@example.test").exists()


def test_an_invited_person_joins_through_the_provider(world, sso, in_org):
    with in_org():
        _invitation, key = services.invitation_create(
            organization=world.org, email="new@acme.test", role="member"
        )
    sso.userinfo = {
        "sub": "acme-77",
        "email": "new@acme.test",
        "email_verified": True,
        "name": "Nina New",
    }
    client = Client()
    invitation_page = client.get(f"/invite/{key}/").content.decode()
    assert "Sign in with Acme ID" in invitation_page
    response = finish_sign_in(client, start_sign_in(client, sso))
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == "/o/acme/"
    with scopes_disabled():
        person = Person.objects.get(user__email="new@acme.test")
    assert person.organization_id == world.org.pk and person.is_active
