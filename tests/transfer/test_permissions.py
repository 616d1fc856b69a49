"""Who may import and export: admins import; everyone who reads exports; outsiders see 404."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse

from leados.core.models import Person
from tests.transfer.conftest import Flow, csv_file

ROUTES = [
    ("transfer", "get"),
    ("transfer", "post"),
    ("transfer_preview", "get"),
    ("transfer_apply", "post"),
    ("transfer_result", "get"),
    ("transfer_discard", "post"),
    ("transfer_export", "get"),
    ("transfer_template", "get"),
]
READ_ROUTES = {("transfer", "get"), ("transfer_export", "get"), ("transfer_template", "get")}
ADMIN_STATUS = {
    ("transfer", "get"): 200,
    ("transfer", "post"): 302,  # a valid upload goes on to the preview
    ("transfer_preview", "get"): 302,  # nothing uploaded yet: back to the upload page
    ("transfer_apply", "post"): 302,
    ("transfer_result", "get"): 302,
    ("transfer_discard", "post"): 302,
    ("transfer_export", "get"): 200,
    ("transfer_template", "get"): 200,
}


def _call(client, name: str, method: str):
    url = reverse(f"web:{name}", args=["acme"])
    if method == "get":
        return client.get(url)
    upload = io.BytesIO(csv_file([["new@x.test", "New"]], ["email", "name"]))
    upload.name = "people.csv"
    return client.post(url, {"file": upload, "digest": "x"})


@pytest.mark.parametrize("persona", ["owner", "admin", "member", "coach", "viewer", "outsider"])
@pytest.mark.parametrize(("name", "method"), ROUTES)
def test_route_matrix(persona, name, method, client_for, world, in_org):
    response = _call(client_for(persona), name, method)
    if persona == "outsider":
        expected = 404
    elif persona in ("owner", "admin"):
        expected = ADMIN_STATUS[(name, method)]
    elif persona == "member" and (name, method) == ("transfer_discard", "post"):
        expected = 302  # members import scorecard values, so they may discard an upload
    else:
        expected = 200 if (name, method) in READ_ROUTES else 403
    assert response.status_code == expected
    with in_org():
        assert not Person.objects.filter(user__email="new@x.test").exists()


@pytest.mark.parametrize(("name", "method"), ROUTES)
def test_anonymous_visitors_are_sent_to_sign_in(name, method, world):
    response = _call(Client(), name, method)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["coach", "viewer"])
def test_readers_see_export_links_but_no_import_form(persona, client_for, world):
    response = client_for(persona).get(reverse("web:transfer", args=["acme"]))
    assert b"?format=xlsx" in response.content
    assert b'type="file"' not in response.content


def test_members_see_only_the_scorecard_values_import_form(client_for, world):
    response = client_for("member").get(reverse("web:transfer", args=["acme"]))
    assert b"?format=xlsx" in response.content
    assert response.content.count(b'type="file"') == 1
    assert b'value="measurable_values"' in response.content


def test_admins_see_the_import_form(client_for, world):
    response = client_for("admin").get(reverse("web:transfer", args=["acme"]))
    assert b'type="file"' in response.content


def test_an_upload_is_kept_for_its_uploader_only(client_for, world, in_org):
    admin = Flow(client_for("admin"))
    owner = Flow(client_for("owner"))
    assert admin.upload(csv_file([["new@x.test"]], ["email"])).status_code == 302

    assert owner.preview().status_code == 302
    assert owner.client.post(owner.url("transfer_apply"), {"digest": "x"}).status_code == 302
    assert admin.preview().context["counts"]["people_created"] == 1
    with in_org():
        assert not Person.objects.filter(user__email="new@x.test").exists()


def test_an_upload_in_one_organization_is_not_visible_in_another(client_for, world, in_org):
    from leados.core import services

    with in_org(world.other_org):
        services.person_add(organization=world.other_org, user=world.admin_user, role="admin")
    acme = Flow(client_for("admin"))
    globex = Flow(client_for("admin"), slug="globex")
    assert acme.upload(csv_file([["new@x.test"]], ["email"])).status_code == 302
    assert globex.preview().status_code == 302


def test_discard_forgets_the_upload(flow, world):
    assert flow.upload(csv_file([["new@x.test"]], ["email"])).status_code == 302
    assert flow.client.post(flow.url("transfer_discard")).status_code == 302
    assert flow.preview().status_code == 302
