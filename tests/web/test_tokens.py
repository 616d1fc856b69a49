"""The API tokens page: a user's own tokens, created and revoked."""

from __future__ import annotations

import pytest

from leados.core import services
from leados.core.models import ApiToken
from tests.web.helpers import text


def test_creating_a_token_shows_its_secret_once_and_stores_only_a_digest(world, client_for):
    client = client_for("member")
    response = client.post("/account/tokens/", {"name": "BI export", "organization": ""})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=world.member_user)
    page = text(response)
    secret = page.split('id="new-token" class="mono" readonly value="')[1].split('"')[0]
    assert secret.startswith(token.prefix) and secret != token.digest
    assert services.token_authenticate(secret).pk == token.pk
    assert token.organization is None
    again = text(client.get("/account/tokens/"))
    assert secret not in again and "BI export" in again and "All my organizations" in again


def test_a_token_can_be_limited_to_one_organization(world, client_for):
    response = client_for("owner").post(
        "/account/tokens/", {"name": "Acme sync", "organization": str(world.org.pk)}
    )
    assert response.status_code == 200
    assert ApiToken.objects.get(user=world.owner_user).organization_id == world.org.pk


def test_a_token_cannot_be_limited_to_someone_elses_organization(world, client_for):
    response = client_for("owner").post(
        "/account/tokens/", {"name": "Sneaky", "organization": str(world.other_org.pk)}
    )
    assert response.status_code == 422
    assert not ApiToken.objects.filter(user=world.owner_user).exists()


def test_a_token_needs_a_name(world, client_for):
    response = client_for("owner").post("/account/tokens/", {"name": "", "organization": ""})
    assert response.status_code == 422
    assert not ApiToken.objects.exists()


def test_revoking_a_token_stops_it(world, client_for):
    token, raw = services.token_create(user=world.member_user, name="Script")
    response = client_for("member").post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert services.token_authenticate(raw) is None


@pytest.mark.parametrize("persona", ["owner", "outsider"])
def test_someone_elses_token_is_404(persona, world, client_for):
    token, _ = services.token_create(user=world.member_user, name="Mine")
    client = client_for(persona)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert "Mine" not in text(client.get("/account/tokens/"))
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_tokens_page_needs_sign_in(client, db):
    response = client.get("/account/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
