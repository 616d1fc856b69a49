def test_healthz_answers_ok(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_is_ready_when_migrated(client, db):
    assert client.get("/readyz").status_code == 200


def test_my_week_is_the_landing_page(world, client_for):
    client = client_for("member")
    response = client.get("/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/o/acme/"
    assert b"Mia Member" in response.content


def test_outsider_gets_404_for_another_organization(world, client_for):
    assert client_for("outsider").get("/o/acme/").status_code == 404


def test_the_logged_client_address_ignores_what_the_client_forges(rf, settings):
    from leados.core.middleware import client_ip

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "203.0.113.9"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"


def test_adding_email_addresses_by_oneself_is_closed(world, client_for):
    from allauth.account.models import EmailAddress

    client = client_for("member")
    response = client.post(
        "/accounts/email/", {"action_add": "", "email": "owner-lookalike@acme.test"}
    )
    assert response.status_code == 302
    assert not EmailAddress.objects.filter(email="owner-lookalike@acme.test").exists()


def test_readyz_is_unavailable_until_static_files_are_collected(client, db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "collectstatic" in response.json()["static_files"]
