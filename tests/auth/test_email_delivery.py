"""Sign-in emails really delivered: a real SMTP server on a local port receives them."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from leados.core import services
from leados.core.models import Person, User
from tests.auth.conftest import first_link
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and quiet river"


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_forgotten_password_is_reset_through_the_emailed_link(world, smtp_inbox):
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": "member@acme.test"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"

    assert len(smtp_inbox.messages) == 1
    message = smtp_inbox.messages[0]
    assert message["To"] == "member@acme.test"
    assert message["Subject"] == "LeadOS: Reset your password"
    link = first_link(smtp_inbox.body())
    assert link.startswith("http://testserver/accounts/password/reset/key/")

    response = client.get(path_of(link))
    assert response.status_code == 302
    form_url = response["Location"]
    page = client.get(form_url).content.decode()
    assert '<label for="id_password1">' in page
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    world.member_user.refresh_from_db()
    assert world.member_user.check_password(NEW_PASSWORD)
    fresh = Client()
    assert (
        fresh.post(
            "/accounts/login/", {"login": "member@acme.test", "password": PASSWORD}
        ).status_code
        == 200
    )
    assert (
        fresh.post(
            "/accounts/login/", {"login": "member@acme.test", "password": NEW_PASSWORD}
        ).status_code
        == 302
    )
    # The link works once.
    response = Client().get(path_of(link), follow=True)
    assert "invalid" in response.content.decode().lower()


def test_a_reset_for_an_unknown_address_reveals_nothing_on_the_page(world, smtp_inbox):
    known = Client().post("/accounts/password/reset/", {"email": "member@acme.test"})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@acme.test"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m["To"] for m in smtp_inbox.messages] == ["member@acme.test", "nobody@acme.test"]
    assert "no account with this address" in smtp_inbox.body(1)
    assert "http" not in smtp_inbox.body(1)


def test_an_invitation_email_brings_the_invitee_into_the_organization(
    world, smtp_inbox, in_org, django_capture_on_commit_callbacks, settings
):
    settings.LEADOS_BASE_URL = "https://leados.example.com"
    with django_capture_on_commit_callbacks(execute=True), in_org():
        services.invitation_create(
            organization=world.org,
            email="nina@acme.test",
            role="member",
            name="Nina New",
            invited_by=world.admin_user,
        )
    assert len(smtp_inbox.messages) == 1
    message = smtp_inbox.messages[0]
    assert message["To"] == "nina@acme.test"
    assert message["Subject"] == "Join Acme on LeadOS"
    body = smtp_inbox.body()
    assert "Adam Admin invites you to join Acme" in body
    link = first_link(body)
    assert link.startswith("https://leados.example.com/invite/")

    client = Client()
    page = client.get(path_of(link))
    assert "Join Acme" in page.content.decode()
    response = client.post(
        path_of(link),
        {"name": "Nina New", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/"
    assert client.get("/o/acme/").status_code == 200
    user = User.objects.get(email="nina@acme.test")
    with scopes_disabled():
        assert Person.objects.get(user=user).organization_id == world.org.pk
