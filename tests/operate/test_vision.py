"""The vision page, its API and My week, per persona."""

from __future__ import annotations

import json

import pytest

from leados.core.models import HistoryEntry
from leados.operate.models import CoreValue, Vision
from leados.operate.services import core_value_create, vision_update
from tests.web.helpers import history_count, text

EDITORS = ["owner", "admin"]
READERS = ["member", "coach", "viewer"]
VISION_URL = "/o/acme/vision/"
API = "/api/v1/orgs/acme"


def _vision(in_org):
    with in_org():
        return Vision.objects.first()


def _values(in_org):
    with in_org():
        return list(CoreValue.objects.order_by("position").values_list("name", flat=True))


def _api(client, token, method, path, body=None, **headers):
    return getattr(client, method)(
        API + path,
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **headers,
    )


@pytest.fixture
def written(world, in_org):
    with in_org():
        vision = vision_update(
            organization=world.org,
            expected_version=None,
            vision="Every roadrunner caught",
            mission="Gadgets that work",
            long_range="Ten factories",
            horizon_year=2029,
        )
        core_value_create(organization=world.org, name="Candour", description="Say it straight")
        core_value_create(organization=world.org, name="Craft")
    return vision


# --- page -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", EDITORS)
def test_owners_and_admins_write_the_first_vision(persona, world, client_for, in_org):
    response = client_for(persona).post(
        VISION_URL,
        {"version": 0, "vision": " Be the best ", "mission": "Serve", "long_range": "x"},
    )
    assert response.status_code == 302
    vision = _vision(in_org)
    assert (vision.vision, vision.mission, vision.version) == ("Be the best", "Serve", 1)
    with in_org():
        entry = HistoryEntry.objects.get(object_type="vision")
    assert entry.action == "create"
    assert entry.actor_id == world.user_for(persona).pk


@pytest.mark.parametrize("persona", READERS)
def test_other_members_read_the_vision_but_cannot_change_it(persona, written, client_for, in_org):
    client = client_for(persona)
    page = client.get(VISION_URL)
    assert page.status_code == 200
    assert "Every roadrunner caught" in text(page)
    assert "Candour" in text(page)
    assert "Save vision" not in text(page)
    before = history_count()
    response = client.post(VISION_URL, {"version": 1, "vision": "Mine now"})
    assert response.status_code == 403
    assert _vision(in_org).vision == "Every roadrunner caught"
    assert history_count() == before


def test_outsider_gets_404_on_the_vision_page(written, client_for):
    assert client_for("outsider").get(VISION_URL).status_code == 404


def test_a_stale_vision_edit_is_refused_with_a_conflict_message(written, client_for, in_org):
    client = client_for("admin")
    assert client.post(VISION_URL, {"version": 1, "vision": "First"}).status_code == 302
    response = client.post(VISION_URL, {"version": 1, "vision": "Second"})
    assert response.status_code == 409
    assert "Someone else changed the vision" in text(response)
    assert "Second" in text(response)
    vision = _vision(in_org)
    assert (vision.vision, vision.version) == ("First", 2)


def test_a_bad_horizon_year_is_shown_and_nothing_changes(written, client_for, in_org):
    before = history_count()
    response = client_for("owner").post(
        VISION_URL, {"version": 1, "vision": "Other", "horizon_year": "1066"}
    )
    assert response.status_code == 422
    assert 'id="id_horizon_year_error"' in text(response)
    assert _vision(in_org).vision == "Every roadrunner caught"
    assert history_count() == before


def test_admins_add_edit_reorder_and_remove_core_values(written, client_for, in_org):
    client = client_for("admin")
    response = client.post(
        VISION_URL + "values/new/", {"new-name": "Courage", "new-description": "Act"}
    )
    assert response.status_code == 302
    assert _values(in_org) == ["Candour", "Craft", "Courage"]
    with in_org():
        courage = CoreValue.objects.get(name="Courage")
        candour = CoreValue.objects.get(name="Candour")
    prefix = f"value-{candour.pk}-"
    response = client.post(
        f"{VISION_URL}values/{candour.pk}/",
        {prefix + "name": "Honesty", prefix + "description": "", prefix + "version": 1},
    )
    assert response.status_code == 302
    client.post(f"{VISION_URL}values/{courage.pk}/move/", {"direction": "up"})
    assert _values(in_org) == ["Honesty", "Courage", "Craft"]
    with in_org():
        courage.refresh_from_db()
    response = client.post(f"{VISION_URL}values/{courage.pk}/delete/", {"version": courage.version})
    assert response.status_code == 302
    assert _values(in_org) == ["Honesty", "Craft"]
    with in_org():
        actions = set(
            HistoryEntry.objects.filter(object_type="corevalue").values_list("action", flat=True)
        )
    assert actions == {"create", "update", "delete"}


def test_a_duplicate_core_value_name_is_refused(written, client_for, in_org):
    before = history_count()
    response = client_for("owner").post(VISION_URL + "values/new/", {"new-name": "candour"})
    assert response.status_code == 422
    assert "already a core value" in text(response)
    assert _values(in_org) == ["Candour", "Craft"]
    assert history_count() == before


def test_a_stale_core_value_removal_is_refused(written, client_for, in_org):
    with in_org():
        craft = CoreValue.objects.get(name="Craft")
    client = client_for("owner")
    prefix = f"value-{craft.pk}-"
    client.post(
        f"{VISION_URL}values/{craft.pk}/",
        {prefix + "name": "Craftsmanship", prefix + "version": 1},
    )
    response = client.post(f"{VISION_URL}values/{craft.pk}/delete/", {"version": 1})
    assert response.status_code == 409
    assert "in the meantime" in text(response)
    assert _values(in_org) == ["Candour", "Craftsmanship"]


# --- My week ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "viewer"])
def test_my_week_shows_the_vision_and_values_at_the_top(persona, written, client_for):
    page = text(client_for(persona).get("/o/acme/"))
    assert "Every roadrunner caught" in page
    assert "Candour" in page
    assert page.index("Every roadrunner caught") < page.index("Where you lead and manage")


def test_my_week_invites_admins_to_write_a_vision_and_hides_it_from_others(world, client_for):
    assert "The vision page" in text(client_for("admin").get("/o/acme/"))
    assert 'id="section-vision"' not in text(client_for("member").get("/o/acme/"))


# --- API --------------------------------------------------------------------------------


def test_the_vision_before_anyone_writes_it_is_empty_at_version_0(world, client, token_for):
    response = _api(client, token_for("viewer"), "get", "/vision")
    assert response.status_code == 200
    assert response["ETag"] == 'W/"0"'
    assert response.json()["vision"] == ""


@pytest.mark.parametrize("persona", EDITORS)
def test_owners_and_admins_patch_the_vision_with_if_match(
    persona, written, client, token_for, in_org
):
    response = _api(
        client,
        token_for(persona),
        "patch",
        "/vision",
        {"mission": "Better gadgets"},
        HTTP_IF_MATCH='W/"1"',
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == 'W/"2"'
    assert _vision(in_org).mission == "Better gadgets"


@pytest.mark.parametrize("persona", READERS)
def test_other_members_read_but_cannot_write_through_the_api(
    persona, written, client, token_for, in_org
):
    token = token_for(persona)
    assert _api(client, token, "get", "/vision").json()["mission"] == "Gadgets that work"
    values = _api(client, token, "get", "/core-values").json()
    assert [v["name"] for v in values["items"]] == ["Candour", "Craft"]
    before = history_count()
    assert (
        _api(client, token, "patch", "/vision", {"mission": "x", "version": 1}).status_code == 403
    )
    assert _api(client, token, "post", "/core-values", {"name": "Mine"}).status_code == 403
    assert history_count() == before
    assert _vision(in_org).mission == "Gadgets that work"


def test_outsider_gets_404_from_the_vision_api(written, client, token_for):
    assert _api(client, token_for("outsider"), "get", "/vision").status_code == 404
    assert _api(client, token_for("outsider"), "get", "/core-values").status_code == 404


def test_a_stale_vision_patch_is_refused(written, client, token_for, in_org):
    token = token_for("owner")
    assert _api(client, token, "patch", "/vision", {"vision": "A", "version": 1}).status_code == 200
    stale = _api(client, token, "patch", "/vision", {"vision": "B", "version": 1})
    assert stale.status_code == 409
    assert "now at version 2" in stale.json()["detail"]
    header = _api(client, token, "patch", "/vision", {"vision": "B"}, HTTP_IF_MATCH='W/"1"')
    assert header.status_code == 412
    assert _vision(in_org).vision == "A"


def test_a_vision_patch_without_a_version_is_refused(written, client, token_for):
    response = _api(client, token_for("owner"), "patch", "/vision", {"vision": "B"})
    assert response.status_code == 428


def test_core_values_through_the_api(written, client, token_for, in_org):
    token = token_for("admin")
    created = _api(client, token, "post", "/core-values", {"name": "Courage", "description": "x"})
    assert created.status_code == 201
    value_id = created.json()["id"]
    patched = _api(
        client, token, "patch", f"/core-values/{value_id}", {"name": "Bravery", "version": 1}
    )
    assert patched.status_code == 200
    assert patched.json()["version"] == 2
    ids = [v["id"] for v in _api(client, token, "get", "/core-values").json()["items"]]
    order = _api(client, token, "post", "/core-values/order", {"order": ids[::-1]})
    assert order.status_code == 200
    assert _values(in_org) == ["Bravery", "Craft", "Candour"]
    stale = _api(client, token, "delete", f"/core-values/{value_id}", {}, HTTP_IF_MATCH='W/"2"')
    assert stale.status_code == 412
    deleted = _api(client, token, "delete", f"/core-values/{value_id}", {}, HTTP_IF_MATCH='W/"3"')
    assert deleted.status_code == 204
    assert _values(in_org) == ["Craft", "Candour"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "candour"}, "name"),
        ({"name": "x" * 81}, "name"),
        ({"name": "Ok", "colour": "red"}, "colour"),
    ],
)
def test_bad_core_values_are_refused_and_nothing_changes(
    body, field, written, client, token_for, in_org
):
    before = history_count()
    response = _api(client, token_for("owner"), "post", "/core-values", body)
    assert response.status_code in (400, 422), response.content
    assert field in json.dumps(response.json()["errors"])
    assert _values(in_org) == ["Candour", "Craft"]
    assert history_count() == before


def test_a_reorder_must_name_every_value_once(written, client, token_for, in_org):
    token = token_for("owner")
    ids = [v["id"] for v in _api(client, token, "get", "/core-values").json()["items"]]
    response = _api(client, token, "post", "/core-values/order", {"order": [ids[0], ids[0]]})
    assert response.status_code == 422
    assert _values(in_org) == ["Candour", "Craft"]


def test_another_organizations_core_value_is_404(written, world, client, token_for, in_org):
    with in_org(world.other_org):
        other = core_value_create(organization=world.other_org, name="Theirs")
    response = _api(client, token_for("owner"), "patch", f"/core-values/{other.pk}", {"version": 1})
    assert response.status_code == 404
    with in_org(world.other_org):
        assert CoreValue.objects.filter(pk=other.pk).exists()
