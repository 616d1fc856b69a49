"""History pages and restoring an earlier version of a person or unit."""

from __future__ import annotations

import pytest

from leados.core import services
from leados.core.context import change_context
from leados.core.models import Edge, HistoryEntry, Person, Unit
from tests.web.helpers import history_count, text


def _entry(in_org, **filters):
    with in_org():
        return HistoryEntry.objects.filter(**filters).order_by("id").first()


def test_org_history_lists_changes_with_actor_and_edge(world, client_for, in_org):
    client_for("owner").post(f"/o/acme/units/{world.ops.pk}/rename/", {"name": "Ops", "version": 1})
    page = text(client_for("viewer").get("/o/acme/history/"))
    assert "Ops" in page and "Olivia Owner" in page and "Web" in page
    assert "Globex" not in page


def test_org_history_filters_by_type_edge_and_actor(world, client_for, in_org):
    with in_org(), change_context(actor=world.admin_user, edge=Edge.API):
        services.unit_update(unit=world.ops, expected_version=1, name="Operations (API)")
    client = client_for("coach")
    api_only = text(client.get("/o/acme/history/?edge=api"))
    assert "Operations (API)" in api_only and "Mia Member" not in api_only
    by_actor = text(client.get("/o/acme/history/?actor=admin%40acme"))
    assert "Operations (API)" in by_actor
    people = text(client.get("/o/acme/history/?type=person"))
    assert "Mia Member" in people and "Operations (API)" not in people


def test_unit_history_includes_role_changes(world, client_for):
    page = text(client_for("member").get(f"/o/acme/units/{world.sales.pk}/history/"))
    assert "Role: Mia Member leads Sales" in page


def test_admin_restores_an_earlier_unit_name(world, client_for, in_org):
    with in_org():
        services.unit_update(unit=world.ops, expected_version=1, name="Ops (renamed)")
    first = _entry(in_org, object_type="unit", object_id=world.ops.pk)
    client = client_for("admin")
    page = text(client.get(f"/o/acme/units/{world.ops.pk}/history/"))
    assert f"/o/acme/history/{first.pk}/restore/" in page
    response = client.post(f"/o/acme/history/{first.pk}/restore/", {"version": 2})
    assert response.status_code == 302
    with in_org():
        unit = Unit.objects.get(pk=world.ops.pk)
        assert unit.name == "Operations" and unit.version == 3
        assert HistoryEntry.objects.filter(object_id=unit.pk, action="restore").exists()


def test_a_stale_restore_is_refused(world, client_for, in_org):
    with in_org():
        services.person_update(person=world.member, expected_version=1, title="VP")
        services.person_update(person=world.member, expected_version=2, title="SVP")
    first = _entry(in_org, object_type="person", object_id=world.member.pk)
    before = history_count()
    response = client_for("owner").post(f"/o/acme/history/{first.pk}/restore/", {"version": 2})
    assert response.status_code == 409
    assert "Someone else changed this" in text(response)
    assert history_count() == before
    with in_org():
        assert Person.objects.get(pk=world.member.pk).title == "SVP"


@pytest.mark.parametrize("persona", ["member", "coach", "viewer"])
def test_only_admins_restore(persona, world, client_for, in_org):
    with in_org():
        services.unit_update(unit=world.sales, expected_version=1, name="Sales 2")
    first = _entry(in_org, object_type="unit", object_id=world.sales.pk)
    client = client_for(persona)
    assert "/restore/" not in text(client.get(f"/o/acme/units/{world.sales.pk}/history/"))
    response = client.post(f"/o/acme/history/{first.pk}/restore/", {"version": 2})
    assert response.status_code == 403
    with in_org():
        assert Unit.objects.get(pk=world.sales.pk).name == "Sales 2"


def test_restoring_a_role_entry_is_404(world, client_for, in_org):
    entry = _entry(in_org, object_type="roleassignment")
    response = client_for("owner").post(f"/o/acme/history/{entry.pk}/restore/", {"version": 1})
    assert response.status_code == 404


def test_an_admin_cannot_restore_away_someones_ownership(world, client_for, in_org):
    with in_org():
        services.person_update(person=world.member, expected_version=1, role="owner")
    first = _entry(in_org, object_type="person", object_id=world.member.pk)
    response = client_for("admin").post(f"/o/acme/history/{first.pk}/restore/", {"version": 2})
    assert response.status_code == 403
    assert "Only an owner can grant or remove ownership" in text(response)
    with in_org():
        assert Person.objects.get(pk=world.member.pk).role == "owner"
