"""List pages answer exactly what the single-object routes answer, and count right at
every offset."""

import pytest

from leados.core import services
from leados.core.models import HistoryEntry, Person, RoleAssignment, Unit
from leados.core.tenancy import org_scope
from tests.api.helpers import if_match


def _by_id(response) -> dict:
    assert response.status_code == 200, response.content
    return {item["id"]: item for item in response.json()["items"]}


def _with_a_deactivated_person_and_an_archived_unit(world, api):
    assert api.delete(f"orgs/acme/people/{world.viewer.pk}", headers=if_match(1)).status_code == 200
    assert api.delete(f"orgs/acme/units/{world.ops.pk}", headers=if_match(1)).status_code == 200


@pytest.mark.parametrize(
    ("collection", "model"),
    [
        ("people", Person),
        ("units", Unit),
        ("role-assignments", RoleAssignment),
        ("history", HistoryEntry),
    ],
)
def test_every_listed_item_equals_its_own_route(world, api_for, collection, model):
    api = api_for("admin")
    _with_a_deactivated_person_and_an_archived_unit(world, api)

    listed = _by_id(api.get(f"orgs/acme/{collection}", {"limit": 500}))

    with org_scope(world.org):
        ids = set(model.objects.filter(organization=world.org).values_list("id", flat=True))
    assert set(listed) == ids
    for pk, item in listed.items():
        single = api.get(f"orgs/acme/{collection}/{pk}")
        assert single.status_code == 200, single.content
        assert single.json() == item


def test_list_items_carry_times_nested_objects_and_roles_like_the_detail(world, api_for):
    api = api_for("admin")
    _with_a_deactivated_person_and_an_archived_unit(world, api)

    people = _by_id(api.get("orgs/acme/people"))
    units = _by_id(api.get("orgs/acme/units", {"archived": "true"}))

    viewer = people[world.viewer.pk]
    assert viewer["is_active"] is False and viewer["deactivated_at"].endswith("Z")
    assert people[world.member.pk]["manager"] == {"id": world.admin.pk, "name": "Adam Admin"}
    assert [(r["role"], r["unit"]["name"]) for r in people[world.member.pk]["roles"]] == [
        ("lead", "Sales")
    ]
    assert list(units) == [world.ops.pk]
    assert units[world.ops.pk]["is_archived"] is True
    assert units[world.ops.pk]["archived_at"].endswith("Z")


def test_count_is_the_total_on_every_page(world, api_for):
    api = api_for("viewer")
    with org_scope(world.org):
        total = Person.objects.count()
        for i in range(4):
            user = services.user_create(email=f"extra{i}@acme.test", name=f"Extra {i}")
            services.person_add(organization=world.org, user=user)
    total += 4

    pages = [
        api.get("orgs/acme/people", {"limit": 3, "offset": offset}).json()
        for offset in (0, 3, 6, total - 1, total, total + 10)
    ]

    assert [page["count"] for page in pages] == [total] * 6
    assert [len(page["items"]) for page in pages] == [3, 3, min(3, total - 6), 1, 0, 0]
    listed = [item["id"] for page in pages[:3] for item in page["items"]]
    assert listed == sorted(listed) and len(set(listed)) == len(listed)


def test_a_short_last_page_needs_no_count_query(world, api_for, django_assert_num_queries):
    api = api_for("viewer")
    api.get("orgs/acme")  # the token's first use is written once
    full = api.get("orgs/acme/units", {"limit": 1})
    assert full.json()["count"] > 1

    # token, membership, the page, its leads and managers: no COUNT
    with django_assert_num_queries(4):
        short = api.get("orgs/acme/units", {"limit": 500, "offset": 1})

    assert short.json()["count"] == full.json()["count"]
