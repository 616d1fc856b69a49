"""Accepting an invitation: with a new account, an existing one, or a link that is spent."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from leados.core import services
from leados.core.models import Invitation, Person, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and quiet river"


@pytest.fixture
def invite(world, in_org):
    def make(email: str, organization=None, role: str = "member", name: str = "") -> str:
        organization = organization or world.org
        with in_org(organization):
            _invitation, key = services.invitation_create(
                organization=organization,
                email=email,
                role=role,
                name=name,
                invited_by=world.owner_user,
            )
        return key

    return make


def membership(email: str, slug: str) -> Person | None:
    with scopes_disabled():
        return Person.objects.filter(user__email=email, organization__slug=slug).first()


def invitation_for(email: str) -> Invitation:
    with scopes_disabled():
        return Invitation.objects.get(email=email)


def test_the_page_shows_the_organization_and_the_role(world, invite):
    key = invite("new@acme.test", role="admin", name="Nina New")
    response = Client().get(f"/invite/{key}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Join Acme" in html
    assert "<strong>admin</strong>" in html
    assert "Olivia Owner invites you" in html
    assert 'value="Nina New"' in html
    for field_id in ("id_name", "id_password1", "id_password2"):
        assert f'<label for="{field_id}">' in html


def test_a_new_person_sets_name_and_password_and_lands_in_my_week(world, invite):
    key = invite("new@acme.test", role="admin")
    client = Client()
    response = client.post(
        f"/invite/{key}/",
        {"name": "Nina New", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/"
    assert client.get("/o/acme/").status_code == 200

    user = User.objects.get(email="new@acme.test")
    assert user.name == "Nina New"
    assert user.check_password(NEW_PASSWORD)
    person = membership("new@acme.test", "acme")
    assert person.role == "admin" and person.is_active
    assert invitation_for("new@acme.test").accepted_at is not None
    # The new password signs in from anywhere.
    other = Client()
    response = other.post("/accounts/login/", {"login": "new@acme.test", "password": NEW_PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"name": "Nina", "password1": NEW_PASSWORD, "password2": "something else"},
            "password2",
            "differ",
        ),
        ({"name": "Nina", "password1": "short", "password2": "short"}, "password1", "at least 10"),
        ({"name": "  ", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, "name", "required"),
    ],
)
def test_a_bad_form_explains_itself_and_creates_nothing(world, invite, data, field, message):
    key = invite("new@acme.test")
    response = Client().post(f"/invite/{key}/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert f'aria-describedby="id_{field}_error"' in html or "aria-describedby" in html
    assert not User.objects.filter(email="new@acme.test").exists()
    assert invitation_for("new@acme.test").accepted_at is None


def test_someone_with_an_account_signs_in_and_joins(world, invite):
    key = invite("member@acme.test", organization=world.other_org, role="coach")
    client = Client()
    response = client.get(f"/invite/{key}/")
    html = response.content.decode()
    assert "You already have a LeadOS account" in html
    assert 'value="member@acme.test"' in html
    assert membership("member@acme.test", "globex") is None

    response = client.post("/accounts/login/", {"login": "member@acme.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/o/globex/"
    person = membership("member@acme.test", "globex")
    assert person is not None and person.role == "coach"
    assert client.get("/o/globex/").status_code == 200


def test_someone_already_signed_in_joins_with_one_click(world, invite, client_for):
    key = invite("member@acme.test", organization=world.other_org)
    client = client_for("member")
    response = client.get(f"/invite/{key}/")
    assert "Join Globex" in response.content.decode()
    assert membership("member@acme.test", "globex") is None  # opening the link changes nothing

    response = client.post(f"/invite/{key}/")
    assert response.status_code == 302
    assert response["Location"] == "/o/globex/"
    assert membership("member@acme.test", "globex").is_active


def test_signed_in_as_someone_else_the_invitation_is_not_used(world, invite, client_for):
    key = invite("new@acme.test")
    client = client_for("admin")
    response = client.get(f"/invite/{key}/")
    html = response.content.decode()
    assert "This invitation is for <strong>new@acme.test</strong>" in html
    response = client.post(f"/invite/{key}/")
    assert response.status_code == 200
    assert invitation_for("new@acme.test").accepted_at is None
    assert not User.objects.filter(email="new@acme.test").exists()


def test_a_used_link_says_so(world, invite):
    key = invite("new@acme.test")
    Client().post(
        f"/invite/{key}/", {"name": "Nina", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    response = Client().get(f"/invite/{key}/")
    assert response.status_code == 404
    assert "already been used" in response.content.decode()


def test_an_expired_link_says_so(world, invite):
    key = invite("new@acme.test")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=15)):
        response = Client().post(
            f"/invite/{key}/",
            {"name": "Nina", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )
    assert response.status_code == 404
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email="new@acme.test").exists()


def test_a_revoked_or_made_up_link_says_it_is_not_valid(world, invite, in_org):
    key = invite("new@acme.test")
    with in_org():
        services.invitation_revoke(invitation=Invitation.objects.get(email="new@acme.test"))
    for link in (f"/invite/{key}/", "/invite/not-a-real-key/"):
        response = Client().get(link)
        assert response.status_code == 404
        assert "not valid" in response.content.decode()


def test_sign_up_is_closed_without_an_invitation(world):
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {"email": "stranger@example.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert "LeadOS is by invitation" in response.content.decode()
    assert not User.objects.filter(email="stranger@example.test").exists()


def test_after_opening_an_invitation_sign_up_accepts_only_the_invited_address(world, invite):
    key = invite("new@acme.test")
    client = Client()
    client.get(f"/invite/{key}/")
    response = client.post(
        "/accounts/signup/",
        {
            "email": "someone.else@example.test",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "This invitation is for new@acme.test" in response.content.decode()
    assert not User.objects.filter(email="someone.else@example.test").exists()

    response = client.post(
        "/accounts/signup/",
        {"email": "new@acme.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/"
    assert membership("new@acme.test", "acme").is_active
