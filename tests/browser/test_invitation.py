"""An administrator invites someone by email; they follow the link and join."""

from __future__ import annotations

import re

from django.core import mail
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from leados.core.models import Invitation, Person, User
from tests.browser.conftest import sign_in

NEW_EMAIL = "new.person@acme.test"
NEW_PASSWORD = "lantern orchard 42 mosaic"


def test_an_invited_person_follows_the_email_link_and_joins(
    world, browsing, live_server, settings, in_org
):
    settings.LEADOS_BASE_URL = live_server.url
    admin = browsing.as_("admin@acme.test")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    admin.get_by_role("link", name="Invite", exact=True).click()
    expect(admin.get_by_role("heading", name="Invite someone to Acme")).to_be_visible()
    admin.get_by_label("Email").fill(NEW_EMAIL)
    admin.get_by_label("Organization role").select_option(label="Member")
    admin.get_by_role("button", name="Send invitation").click()
    expect(admin.get_by_role("status")).to_contain_text(f"Invitation sent to {NEW_EMAIL}.")
    expect(admin.get_by_role("cell", name=NEW_EMAIL, exact=True)).to_be_visible()

    assert [m.to for m in mail.outbox] == [[NEW_EMAIL]]
    links = re.findall(r"https?://\S+", mail.outbox[0].body)
    assert len(links) == 1, mail.outbox[0].body
    assert links[0].startswith(f"{live_server.url}/invite/")

    newcomer = browsing.anonymous()
    newcomer.goto(links[0])
    expect(newcomer.get_by_role("heading", name="Join Acme")).to_be_visible()
    expect(newcomer.get_by_label("Email")).to_have_value(NEW_EMAIL)
    newcomer.get_by_label("Your name").fill("Nina Newcomer")
    newcomer.get_by_label("Choose a password").fill(NEW_PASSWORD)
    newcomer.get_by_label("Repeat the password").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Create account and join").click()

    expect(newcomer).to_have_url(f"{live_server.url}/o/acme/")
    expect(newcomer.get_by_role("heading", name="My week")).to_be_visible()
    expect(newcomer.get_by_text("Welcome to Acme.")).to_be_visible()
    expect(newcomer.get_by_text("Welcome, Nina Newcomer.")).to_be_visible()
    with in_org():
        person = Person.objects.select_related("user").get(user__email=NEW_EMAIL)
        assert (person.name, person.role, person.is_active) == ("Nina Newcomer", "member", True)
        assert person.user.check_password(NEW_PASSWORD)
        invitation = Invitation.objects.get(email=NEW_EMAIL)
        assert invitation.accepted_at is not None
    with scopes_disabled():
        assert list(
            Person.objects.filter(user__email=NEW_EMAIL).values_list(
                "organization__slug", flat=True
            )
        ) == ["acme"]

    newcomer.get_by_role("button", name="Sign out").click()
    expect(newcomer).to_have_url(re.compile(r"/accounts/login/"))
    sign_in(newcomer, NEW_EMAIL, NEW_PASSWORD)
    expect(newcomer).to_have_url(f"{live_server.url}/o/acme/")
    expect(newcomer.get_by_role("heading", name="My week")).to_be_visible()

    # The link worked once; a used link answers 404 with an explanation.
    browsing.watch.allow(r"status of 404 .*/invite/")
    newcomer.goto(links[0])
    expect(newcomer.get_by_role("heading", name="This invitation cannot be used")).to_be_visible()
    assert User.objects.filter(email__iexact=NEW_EMAIL).count() == 1
