"""The import/export API routes: same rules as the pages, stateless preview and apply."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from leados.core.models import Edge, HistoryEntry, Person, Unit
from tests.transfer.conftest import csv_file, xlsx_file

pytestmark = pytest.mark.urls("tests.transfer.api_urls")

GOOD = [
    ["ann@x.test", "Ann", "Rep", "member@acme.test", "Leadership team/Sales/EMEA", "", "", ""],
]
BAD = [*GOOD, ["bob@x.test", "Bob", "", "ghost@x.test", "", "", "", ""]]


def _client(token_for, persona: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(persona)}")


def _post(client, route: str, data: bytes, name: str = "people.csv", org: str = "acme"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(f"/api/test/orgs/{org}/transfer/{route}", {"file": upload})


def test_preview_answers_counts_and_row_errors_and_changes_nothing(token_for, world, in_org):
    response = _post(_client(token_for, "admin"), "preview", csv_file(BAD))
    assert response.status_code == 200
    body = response.json()
    assert body["counts"]["people_created"] == 2
    assert body["counts"]["units_created"] == 1
    assert body["units_created"] == [
        {"unit_path": "Leadership team/Sales/EMEA", "level": "functional_team"}
    ]
    assert body["errors"] == [
        {
            "row": 3,
            "column": "manager_email",
            "message": "ghost@x.test is neither in this file nor in Acme.",
        }
    ]
    with in_org():
        assert not Person.objects.filter(user__email="ann@x.test").exists()


def test_apply_with_a_bad_row_answers_422_in_the_error_shape(token_for, world, in_org):
    response = _post(_client(token_for, "admin"), "apply", xlsx_file(BAD), "people.xlsx")
    assert response.status_code == 422
    assert response.json() == {
        "detail": "The file has 1 error(s); nothing was changed.",
        "errors": [
            {
                "field": "rows.3.manager_email",
                "message": "ghost@x.test is neither in this file nor in Acme.",
            }
        ],
    }
    with in_org():
        assert not Person.objects.filter(user__email="ann@x.test").exists()
        assert not Unit.objects.filter(name="EMEA").exists()


def test_apply_imports_with_edge_import_and_twice_is_a_no_op(token_for, world, in_org):
    client = _client(token_for, "admin")
    first = _post(client, "apply", csv_file(GOOD))
    assert first.status_code == 200
    assert first.json()["counts"]["people_created"] == 1
    with in_org():
        ann = Person.objects.get(user__email="ann@x.test")
        entries = HistoryEntry.objects.filter(object_type="person", object_id=ann.pk)
        assert [(e.edge, e.actor_id) for e in entries] == [(Edge.IMPORT, world.admin_user.pk)]
        history = HistoryEntry.objects.count()

    second = _post(client, "apply", csv_file(GOOD))

    assert second.status_code == 200
    assert second.json()["counts"]["people_unchanged"] == 1
    with in_org():
        assert HistoryEntry.objects.count() == history


def test_a_file_problem_is_a_422_on_the_file_field(token_for, world):
    response = _post(_client(token_for, "admin"), "preview", b"", "empty.csv")
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "file", "message": "The file is empty."}]


def test_a_missing_file_is_a_422(token_for, world):
    response = _client(token_for, "admin").post("/api/test/orgs/acme/transfer/preview", {})
    assert response.status_code == 422


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_viewers_export(kind, token_for, world):
    response = _client(token_for, "viewer").get(
        f"/api/test/orgs/acme/transfer/export?format={kind}"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{kind}"')
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0][:2] == ["email", "name"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("owner", 200), ("admin", 200), ("member", 403), ("coach", 403), ("viewer", 403)],
)
@pytest.mark.parametrize("route", ["preview", "apply"])
def test_only_people_managers_import(persona, status, route, token_for, world, in_org):
    response = _post(_client(token_for, persona), route, csv_file(GOOD))
    assert response.status_code == status
    with in_org():
        created = Person.objects.filter(user__email="ann@x.test").exists()
    assert created == (status == 200 and route == "apply")


@pytest.mark.parametrize("route", ["preview", "apply", "export"])
def test_outsiders_and_org_limited_tokens_get_404(route, token_for, world, in_org):
    outsider = _client(token_for, "outsider")
    limited = Client(HTTP_AUTHORIZATION=f"Bearer {token_for('admin', organization=world.org)}")
    for client, org in ((outsider, "acme"), (limited, "globex"), (outsider, "nope")):
        if route == "export":
            response = client.get(f"/api/test/orgs/{org}/transfer/export")
        else:
            response = _post(client, route, csv_file(GOOD), org=org)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "errors": []}
    with in_org():
        assert not Person.objects.filter(user__email="ann@x.test").exists()


def test_no_token_is_a_401(world):
    response = Client().get("/api/test/orgs/acme/transfer/export")
    assert response.status_code == 401
