"""The measurables API: settings, archive, per-period targets, permissions, versions."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scopes_disabled

from leados.core.models import HistoryEntry
from leados.operate.models import Measurable, MeasurableTarget
from leados.operate.services.measurables import value_set
from tests.api.helpers import assert_error_shape, field_errors, if_match

BASE = "orgs/acme/measurables"


def _history() -> int:
    with scopes_disabled():
        return HistoryEntry.objects.count()


def _get(pk) -> Measurable:
    with scopes_disabled():
        return Measurable.objects.get(pk=pk)


def _errors(response, status: int) -> dict:
    assert_error_shape(response, status)
    return field_errors(response)


def _count() -> int:
    with scopes_disabled():
        return Measurable.objects.count()


# --- creating ---------------------------------------------------------------------------


def test_a_units_lead_creates_a_measurable(world, api_for):
    response = api_for("member").post(
        BASE,
        {
            "name": "Win rate",
            "unit": world.sales.pk,
            "key": "win_rate",
            "category": "sales",
            "kind": "percent",
            "decimals": 1,
            "better": "higher",
            "target": 40,
            "threshold_mode": "absolute",
            "green_bound": 40,
            "red_bound": 30,
            "require_red_note": True,
        },
    )
    assert response.status_code == 201, response.content
    assert response["ETag"] == 'W/"1"'
    body = response.json()
    assert response["Location"] == f"/api/v1/{BASE}/{body['id']}"
    assert body["unit"]["id"] == world.sales.pk
    assert body["owner"] == {"id": world.member.pk, "name": world.member.name}
    assert (body["kind"], body["target"], body["latest"], body["archived"]) == (
        "percent",
        40.0,
        None,
        False,
    )
    m = _get(body["id"])
    assert (m.key, m.green_bound, m.red_bound, m.require_red_note) == ("win_rate", 40, 30, True)
    with scopes_disabled():
        assert HistoryEntry.objects.filter(object_id=m.pk, action="create").exists()


def test_without_a_unit_it_is_the_callers_own(world, api_for):
    response = api_for("member").post(BASE, {"name": "Deep work hours", "kind": "duration"})
    assert response.status_code == 201, response.content
    m = _get(response.json()["id"])
    assert m.unit_id is None and m.owner_id == world.member.pk


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "colour": "red"}, "colour"),
        ({"name": "X", "target": "lots"}, "target"),
        ({"name": "X", "target": 1e16}, "target"),
        ({"name": "X", "kind": "currency"}, "currency"),
        ({"name": "X", "category": "vibes"}, "category"),
        ({"name": "X", "better": "range", "target": 10, "target_max": 5}, "target_max"),
        ({"name": "X", "formula": "won / nobody"}, "formula"),
        ({"name": "X", "formula": "__import__('os')"}, "formula"),
        ({"name": "X", "key": "Not A Key"}, "key"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_created(world, api_for, body, field):
    before = _history()
    response = api_for("admin").post(BASE, {"unit": world.sales.pk, **body})
    assert_error_shape(response, 422)
    assert field in field_errors(response), response.json()
    assert _count() == 0 and _history() == before


def test_another_organizations_unit_is_not_found(world, api_for):
    response = api_for("admin").post(BASE, {"name": "X", "unit": world.other_unit.pk})
    assert _errors(response, 422) == {"unit": "Not found."}
    assert _count() == 0


@pytest.mark.parametrize("persona", ["coach", "viewer"])
def test_read_only_personas_cannot_create(world, api_for, persona):
    response = api_for(persona).post(BASE, {"name": "X", "unit": world.sales.pk})
    assert_error_shape(response, 403)
    assert _count() == 0


def test_a_member_creates_only_where_they_lead_or_manage(world, api_for):
    assert_error_shape(api_for("member").post(BASE, {"name": "X", "unit": world.ops.pk}), 403)
    assert _count() == 0


def test_a_key_is_unique(world, api_for, make):
    make(key="deals")
    response = api_for("admin").post(BASE, {"name": "Other", "unit": world.ops.pk, "key": "deals"})
    assert "key" in _errors(response, 422)
    assert _count() == 1


def test_a_formula_that_would_loop_is_refused(world, api_for, make):
    a = make(name="A", key="a")
    make(name="B", key="b", formula="a * 2")
    response = api_for("admin").patch(f"{BASE}/{a.pk}", {"formula": "b + 1"}, headers=if_match(1))
    assert_error_shape(response, 422)
    assert "loop" in field_errors(response)["formula"]
    assert _get(a.pk).formula == ""


# --- reading ----------------------------------------------------------------------------


def test_list_filters_and_shows_the_latest_value_and_colour(world, api_for, make, in_org, weeks):
    deals = make(name="Deals won", category="sales", target=10)
    nps = make(name="NPS", category="customer_satisfaction", unit=world.ops, owner=world.admin)
    make(name="Old", category="sales")
    with in_org():
        value_set(measurable=deals, period_start=weeks(2), value=12, author=world.member)
        value_set(measurable=deals, period_start=weeks(1), value=5, author=world.member)
    api = api_for("viewer")
    body = api.get(BASE).json()
    assert body["count"] == 3
    row = next(m for m in body["items"] if m["id"] == deals.pk)
    assert row["latest"]["period_start"] == weeks(1).isoformat()
    assert (row["latest"]["value"], row["latest"]["colour"]) == (5.0, "red")
    for params, expected in [
        ({"unit": world.ops.pk}, [nps.pk]),
        ({"category": "customer_satisfaction"}, [nps.pk]),
        ({"owner": world.admin.pk}, [nps.pk]),
        ({"q": "deal"}, [deals.pk]),
        ({"archived": "true"}, []),
    ]:
        got = api.get(BASE, params).json()
        assert [m["id"] for m in got["items"]] == expected, params
    assert_error_shape(api.get(BASE, {"category": "vibes"}), 422)
    assert_error_shape(api.get(BASE, {"unit": "x"}), 422)


def test_list_reads_a_fixed_number_of_queries(
    world, api_for, make, in_org, weeks, django_assert_max_num_queries
):
    def fill(count):
        for n in range(count):
            m = make(name=f"Measure {n}", frequency=["weekly", "monthly"][n % 2])
            if m.frequency == "weekly":
                with in_org():
                    value_set(measurable=m, period_start=weeks(1), value=n, author=world.owner)

    api = api_for("member")
    fill(2)
    with django_assert_max_num_queries(14) as few:
        assert api.get(BASE).json()["count"] == 2
    fill(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(BASE).json()["count"] == 12


def test_get_answers_the_measurable_with_its_etag(world, api_for, make):
    m = make()
    response = api_for("coach").get(f"{BASE}/{m.pk}")
    assert response.status_code == 200 and response["ETag"] == 'W/"1"'
    assert response.json()["name"] == "Deals won"
    assert_error_shape(api_for("coach").get(f"{BASE}/987654321"), 404)


# --- changing ---------------------------------------------------------------------------


def test_patch_needs_the_version_and_refuses_a_stale_one(world, api_for, make):
    m = make(target=10)
    api = api_for("member")
    before = _history()
    assert_error_shape(api.patch(f"{BASE}/{m.pk}", {"target": 12}), 428)
    ok = api.patch(f"{BASE}/{m.pk}", {"target": 12}, headers=if_match(1))
    assert ok.status_code == 200 and ok["ETag"] == 'W/"2"'
    assert _get(m.pk).target == 12 and _history() == before + 1
    assert_error_shape(api.patch(f"{BASE}/{m.pk}", {"target": 13}, headers=if_match(1)), 412)
    assert_error_shape(api.patch(f"{BASE}/{m.pk}", {"target": 13, "version": 1}), 409)
    assert _get(m.pk).target == 12 and _history() == before + 1


def test_patch_refuses_unknown_fields_and_nulls(world, api_for, make):
    m = make(target=10)
    api = api_for("admin")
    assert "values" in _errors(api.patch(f"{BASE}/{m.pk}", {"values": 1, "version": 1}), 422)
    assert_error_shape(api.patch(f"{BASE}/{m.pk}", {"name": None, "version": 1}), 422)
    assert _get(m.pk).version == 1
    cleared = api.patch(f"{BASE}/{m.pk}", {"target": None, "version": 1})
    assert cleared.status_code == 200 and _get(m.pk).target is None


def test_a_member_may_not_change_another_units_measurable(world, api_for, make):
    m = make(unit=world.ops, owner=world.admin)
    response = api_for("member").patch(f"{BASE}/{m.pk}", {"name": "Mine"}, headers=if_match(1))
    assert_error_shape(response, 403)
    assert _get(m.pk).name == "Deals won"


def test_moving_to_a_unit_needs_the_right_to_create_there(world, api_for, make):
    m = make()
    response = api_for("member").patch(
        f"{BASE}/{m.pk}", {"unit": world.ops.pk}, headers=if_match(1)
    )
    assert_error_shape(response, 403)
    assert _get(m.pk).unit_id == world.sales.pk


def test_archive_unarchive_and_delete(world, api_for, make, in_org, weeks):
    m = make()
    api = api_for("member")
    archived = api.post(f"{BASE}/{m.pk}/archive", headers=if_match(1))
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert _get(m.pk).archived_at is not None
    assert [x["id"] for x in api.get(BASE, {"archived": "true"}).json()["items"]] == [m.pk]
    restored = api.post(f"{BASE}/{m.pk}/unarchive", {"version": 2})
    assert restored.status_code == 200 and _get(m.pk).archived_at is None
    with in_org():
        value_set(measurable=m, period_start=weeks(1), value=1, author=world.member)
    refused = api.delete(f"{BASE}/{m.pk}", headers=if_match(3))
    assert "archive" in assert_error_shape(refused, 409)["detail"]
    assert _count() == 1
    empty = make(name="Typo")
    assert api.delete(f"{BASE}/{empty.pk}", headers=if_match(1)).status_code == 204
    assert _count() == 1


# --- targets ----------------------------------------------------------------------------


def test_per_period_targets(world, api_for, make, weeks):
    m = make(target=10)
    api = api_for("member")
    put = api.request(
        "PUT", f"{BASE}/{m.pk}/targets", {"period_start": weeks(3).isoformat(), "target": 15}
    )
    assert put.status_code == 200, put.content
    assert put.json()["items"][0]["target"] == 15.0
    assert put.json()["usual"] == {"target": 10.0, "target_max": None}
    with scopes_disabled():
        assert MeasurableTarget.objects.get(measurable=m).target == 15
    listed = api_for("viewer").get(f"{BASE}/{m.pk}/targets").json()
    assert [t["period_start"] for t in listed["items"]] == [weeks(3).isoformat()]
    tuesday = weeks(3) + datetime.timedelta(days=1)
    wrong = api.request(
        "PUT", f"{BASE}/{m.pk}/targets", {"period_start": tuesday.isoformat(), "target": 1}
    )
    assert "does not start a weekly period" in _errors(wrong, 422)["period_start"]
    assert_error_shape(api.delete(f"{BASE}/{m.pk}/targets/{tuesday.isoformat()}"), 422)
    assert_error_shape(api.delete(f"{BASE}/{m.pk}/targets/{weeks(4).isoformat()}"), 404)
    assert_error_shape(api.delete(f"{BASE}/{m.pk}/targets/yesterday"), 404)
    assert api.delete(f"{BASE}/{m.pk}/targets/{weeks(3).isoformat()}").status_code == 204
    with scopes_disabled():
        assert not MeasurableTarget.objects.exists()
    assert_error_shape(
        api_for("viewer").request(
            "PUT", f"{BASE}/{m.pk}/targets", {"period_start": weeks(3).isoformat(), "target": 2}
        ),
        403,
    )
