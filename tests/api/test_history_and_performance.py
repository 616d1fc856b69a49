"""Changes through the API are recorded (edge "api", the token's user); restoring from
history; list routes whose query count does not grow with the data; token last use."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from django_scopes import scopes_disabled

from leados.core import services
from leados.core.models import ApiToken, HistoryEntry, Level, Person, Unit
from leados.core.tenancy import org_scope
from tests.api.helpers import assert_error_shape, if_match


def _entries(**filters):
    with scopes_disabled():
        return list(HistoryEntry.objects.filter(**filters).order_by("id"))


def test_every_api_change_is_recorded_with_edge_api_and_the_tokens_user(world, api_for):
    api = api_for("admin")
    start = HistoryEntry.objects.with_scopes_disabled().order_by("-id").first().pk

    unit = api.post(
        "orgs/acme/units", {"parent": world.root.pk, "level": "process", "name": "Hiring"}
    ).json()
    api.patch(f"orgs/acme/units/{unit['id']}", {"name": "Recruiting"}, headers=if_match(1))
    person = api.post("orgs/acme/people", {"email": "rae@acme.test", "name": "Rae"}).json()
    assignment = api.post(
        "orgs/acme/role-assignments", {"person": person["id"], "unit": unit["id"], "role": "lead"}
    ).json()
    api.delete(f"orgs/acme/role-assignments/{assignment['id']}", headers=if_match(1))
    api.delete(f"orgs/acme/people/{person['id']}", headers=if_match(1))
    api.delete(f"orgs/acme/units/{unit['id']}", headers=if_match(2))
    api.patch("orgs/acme", {"name": "Acme Ltd"}, headers=if_match(1))

    entries = _entries(pk__gt=start)
    assert [(e.object_type, e.action) for e in entries] == [
        ("unit", "create"),
        ("unit", "update"),
        ("person", "create"),
        ("roleassignment", "create"),
        ("roleassignment", "delete"),
        ("person", "update"),
        ("unit", "archive"),
        ("organization", "update"),
    ]
    assert {(e.edge, e.actor_id, e.actor_label) for e in entries} == {
        ("api", world.admin_user.pk, "admin@acme.test")
    }
    assert entries[1].changes == {"name": ["Hiring", "Recruiting"]}


def test_history_filters(world, api_for):
    api = api_for("admin")
    api.patch(f"orgs/acme/units/{world.sales.pk}", {"name": "Sales EU"}, headers=if_match(1))
    viewer = api_for("viewer")

    of_sales = viewer.get(
        "orgs/acme/history", {"object_type": "unit", "object_id": world.sales.pk}
    ).json()
    by_api = viewer.get("orgs/acme/history", {"edge": "api"}).json()
    by_actor = viewer.get("orgs/acme/history", {"actor": world.admin_user.pk}).json()
    future = (timezone.now() + datetime.timedelta(hours=1)).isoformat()
    since = viewer.get("orgs/acme/history", {"since": future}).json()

    assert [e["action"] for e in of_sales["items"]] == ["update", "create"]
    assert by_api["count"] == 1 and by_api["items"][0]["changes"]["name"] == ["Sales", "Sales EU"]
    assert by_actor["count"] == 1
    assert since == {"items": [], "count": 0}
    globex_ids = {e.pk for e in _entries(organization=world.other_org)}
    everything = viewer.get("orgs/acme/history", {"limit": 500}).json()
    assert not globex_ids & {e["id"] for e in everything["items"]}


def test_restoring_a_unit_to_an_earlier_version(world, api_for):
    api = api_for("admin")
    api.patch(
        f"orgs/acme/units/{world.sales.pk}",
        {"name": "Sales EU", "description": "Europe only"},
        headers=if_match(1),
    )
    created = _entries(object_type="unit", object_id=world.sales.pk)[0]

    response = api.post(f"orgs/acme/history/{created.pk}/restore", headers=if_match(2))

    assert response.status_code == 200, response.content
    assert (response.json()["name"], response.json()["description"]) == ("Sales", "")
    assert response["ETag"] == 'W/"3"'
    latest = _entries(object_type="unit", object_id=world.sales.pk)[-1]
    assert (latest.action, latest.edge, latest.actor_id) == ("restore", "api", world.admin_user.pk)


def test_restoring_a_person_to_an_earlier_version(world, api_for):
    api = api_for("admin")
    api.patch(f"orgs/acme/people/{world.member.pk}", {"title": "VP Sales"}, headers=if_match(1))
    created = _entries(object_type="person", object_id=world.member.pk)[0]

    response = api.post(f"orgs/acme/history/{created.pk}/restore", {"version": 2})

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Sales lead"
    with org_scope(world.org):
        assert Person.objects.get(pk=world.member.pk).title == "Sales lead"


def test_restoring_from_a_stale_version_is_refused(world, api_for):
    api = api_for("admin")
    api.patch(f"orgs/acme/units/{world.sales.pk}", {"name": "Sales EU"}, headers=if_match(1))
    created = _entries(object_type="unit", object_id=world.sales.pk)[0]

    response = api.post(f"orgs/acme/history/{created.pk}/restore", headers=if_match(1))

    assert_error_shape(response, 412)
    with org_scope(world.org):
        assert Unit.objects.get(pk=world.sales.pk).name == "Sales EU"


def test_a_role_assignment_cannot_be_restored(world, api_for):
    entry = _entries(object_type="roleassignment", organization=world.org)[0]

    response = api_for("admin").post(f"orgs/acme/history/{entry.pk}/restore", {"version": 1})

    assert_error_shape(response, 422)


def _add_rows(world, n: int) -> None:
    with org_scope(world.org):
        for i in range(n):
            user = services.user_create(email=f"bulk{i}@acme.test", name=f"Bulk {i}")
            person = services.person_add(
                organization=world.org, user=user, title="Analyst", manager=world.admin
            )
            unit = services.unit_create(
                parent=world.sales, level=Level.PROCESS, name=f"Process {i}"
            )
            services.role_assignment_create(unit=unit, person=person, role="lead")
            services.role_assignment_create(unit=unit, person=world.admin, role="manage")


def _count_queries(api, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = api.get(path, {"limit": 500})
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    "path",
    ["orgs/acme/people", "orgs/acme/units", "orgs/acme/role-assignments", "orgs/acme/history"],
)
def test_list_routes_do_not_grow_in_queries_with_the_rows(
    world, api_for, django_assert_max_num_queries, path
):
    api = api_for("viewer")
    api.get("orgs/acme")  # the token's first use is written once
    few = _count_queries(api, path)
    _add_rows(world, 12)

    with django_assert_max_num_queries(few):
        response = api.get(path, {"limit": 500})

    assert response.json()["count"] >= 12
    assert len(response.json()["items"]) == response.json()["count"]


def test_token_last_use_is_written_at_most_once_a_minute(world, api_for):
    api = api_for("viewer")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        api.get("orgs/acme")
        first = ApiToken.objects.get().last_used_at
        clock.shift(datetime.timedelta(seconds=50))
        api.get("orgs/acme")
        unchanged = ApiToken.objects.get().last_used_at
        clock.shift(datetime.timedelta(seconds=20))
        api.get("orgs/acme")
        moved = ApiToken.objects.get().last_used_at

    assert first is not None
    assert unchanged == first
    assert moved - first == datetime.timedelta(seconds=70)
