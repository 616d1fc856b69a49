"""Inviting people, the pending list, revoking and resending."""

from __future__ import annotations

import pytest
from django.core import mail

from leados.core import services
from leados.core.models import Invitation
from tests.web.helpers import text


@pytest.mark.parametrize("persona", ["owner", "admin"])
def test_admins_invite_by_email_and_the_invitation_is_mailed(
    persona, world, client_for, in_org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(persona).post(
            "/o/acme/people/invite/",
            {
                "email": "New.Hire@Acme.test",
                "name": "Nia New",
                "title": "Analyst",
                "role": "member",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/people/invitations/"
    with in_org():
        invitation = Invitation.objects.pending().get()
    assert (invitation.email, invitation.name, invitation.role) == (
        "new.hire@acme.test",
        "Nia New",
        "member",
    )
    assert [m.to for m in mail.outbox] == [["new.hire@acme.test"]]


@pytest.mark.parametrize("persona", ["member", "coach", "viewer"])
def test_only_admins_invite(persona, world, client_for, in_org):
    client = client_for(persona)
    assert client.get("/o/acme/people/invite/").status_code == 403
    assert client.get("/o/acme/people/invitations/").status_code == 403
    response = client.post("/o/acme/people/invite/", {"email": "x@acme.test", "role": "member"})
    assert response.status_code == 403
    with in_org():
        assert not Invitation.objects.exists()


def test_inviting_a_current_member_shows_an_error(world, client_for, in_org):
    response = client_for("admin").post(
        "/o/acme/people/invite/", {"email": "member@acme.test", "role": "member"}
    )
    assert response.status_code == 422
    assert "already a member" in text(response)
    with in_org():
        assert not Invitation.objects.exists()


def test_owner_cannot_be_chosen_as_an_invitation_role(world, client_for, in_org):
    response = client_for("owner").post(
        "/o/acme/people/invite/", {"email": "boss@acme.test", "role": "owner"}
    )
    assert response.status_code == 422
    with in_org():
        assert not Invitation.objects.exists()


def test_pending_list_revoke_and_resend(
    world, client_for, in_org, django_capture_on_commit_callbacks
):
    with in_org():
        invitation, _ = services.invitation_create(
            organization=world.org, email="pat@acme.test", invited_by=world.owner_user
        )
    client = client_for("admin")
    page = text(client.get("/o/acme/people/invitations/"))
    assert "pat@acme.test" in page and "Olivia Owner" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resent = client.post(f"/o/acme/people/invitations/{invitation.pk}/resend/")
    assert resent.status_code == 302
    with in_org():
        fresh = Invitation.objects.pending().get()
        assert fresh.pk != invitation.pk
        assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    assert len(mail.outbox) == 1
    revoked = client.post(f"/o/acme/people/invitations/{fresh.pk}/revoke/")
    assert revoked.status_code == 302
    with in_org():
        assert not Invitation.objects.pending().exists()
    assert "No invitation is waiting for an answer" in text(
        client.get("/o/acme/people/invitations/")
    )


def test_another_organizations_invitation_is_404(world, client_for, in_org):
    with in_org(world.other_org):
        invitation, _ = services.invitation_create(organization=world.other_org, email="a@g.test")
    response = client_for("owner").post(f"/o/acme/people/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 404
    with in_org(world.other_org):
        assert Invitation.objects.pending().count() == 1
