"""The values API: one value, a batch, one period's value, the bulk push across
measurables; all or nothing, versions, notes on red values, formulas, permissions."""

from __future__ import annotations

import datetime

import pytest
from django_scopes import scopes_disabled

from leados.core.models import HistoryEntry
from leados.operate.models import MeasurableValue
from leados.operate.services.measurables import value_set
from tests.api.helpers import assert_error_shape, field_errors, if_match

BASE = "orgs/acme/measurables"
DAY = datetime.timedelta(days=1)


def _errors(response, status: int) -> dict:
    assert_error_shape(response, status)
    return field_errors(response)


def _values(measurable=None) -> list[tuple]:
    with scopes_disabled():
        rows = MeasurableValue.objects.order_by("measurable_id", "period_start")
        if measurable is not None:
            rows = rows.filter(measurable=measurable)
        return list(rows.values_list("period_start", "value", "note", "version", "source"))


def _history() -> int:
    with scopes_disabled():
        return HistoryEntry.objects.count()


# --- one value, or many, of one measurable ----------------------------------------------


def test_the_owner_enters_one_value(world, api_for, make, weeks):
    m = make(target=10)
    response = api_for("member").post(
        f"{BASE}/{m.pk}/values",
        {"period_start": weeks(1).isoformat(), "value": 12, "note": "Big week"},
    )
    assert response.status_code == 200, response.content
    assert response["ETag"] == 'W/"1"'
    body = response.json()
    assert (body["value"], body["colour"], body["target"], body["computed"]) == (
        12.0,
        "green",
        10.0,
        False,
    )
    assert _values(m) == [(weeks(1), 12.0, "Big week", 1, "api")]


def test_a_late_value_replaces_the_old_one_and_the_history_keeps_it(world, api_for, make, weeks):
    m = make(target=10)
    api = api_for("member")
    api.post(f"{BASE}/{m.pk}/values", {"period_start": weeks(5).isoformat(), "value": 4})
    again = api.post(f"{BASE}/{m.pk}/values", {"period_start": weeks(5).isoformat(), "value": 9})
    assert again.status_code == 200 and again.json()["version"] == 2
    assert _values(m) == [(weeks(5), 9.0, "", 2, "api")]
    with scopes_disabled():
        entry = HistoryEntry.objects.get(object_type="measurablevalue", action="update")
    assert entry.changes["value"] == [4.0, 9.0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"value": 3}, "period_start"),
        ({"period_start": "2027-01-05", "value": 3}, "period_start"),  # a Tuesday
        ({"period_start": "next week", "value": 3}, "period_start"),
        ({"period_start": "2027-01-04"}, "value"),
        ({"period_start": "2027-01-04", "value": "lots"}, "value"),
        ({"period_start": "2027-01-04", "value": "NaN"}, "value"),
        ({"period_start": "2027-01-04", "value": 1e16}, "value"),
        ({"period_start": "2027-01-04", "value": 3, "colour": "red"}, "colour"),
        ({"period_start": "2027-01-04", "value": 3, "note": "x" * 2001}, "note"),
    ],
)
def test_a_bad_value_is_refused_and_nothing_is_written(world, api_for, make, body, field):
    m = make(target=10)
    before = _history()
    response = api_for("member").post(f"{BASE}/{m.pk}/values", body)
    assert field in _errors(response, 422), response.json()
    assert _values() == [] and _history() == before


def test_a_red_value_needs_a_note_when_the_measurable_asks_for_one(world, api_for, make, weeks):
    m = make(target=10, require_red_note=True)
    api = api_for("member")
    refused = api.post(f"{BASE}/{m.pk}/values", {"period_start": weeks(1).isoformat(), "value": 2})
    assert "red" in _errors(refused, 422)["note"]
    assert _values() == []
    ok = api.post(
        f"{BASE}/{m.pk}/values",
        {"period_start": weeks(1).isoformat(), "value": 2, "note": "Two reps out sick"},
    )
    assert ok.status_code == 200 and ok.json()["colour"] == "red"


def test_a_formula_measurable_takes_no_values_but_shows_computed_ones(
    world, api_for, make, in_org, weeks
):
    won = make(name="Won", key="won")
    leads = make(name="Leads", key="leads")
    rate = make(name="Win rate", key="win_rate", formula="won / leads", target=0.3)
    with in_org():
        value_set(measurable=won, period_start=weeks(1), value=3, author=world.owner)
        value_set(measurable=leads, period_start=weeks(1), value=12, author=world.owner)
    api = api_for("member")
    refused = api.post(
        f"{BASE}/{rate.pk}/values", {"period_start": weeks(1).isoformat(), "value": 1}
    )
    assert "formula" in _errors(refused, 422)["value"]
    listed = api.get(f"{BASE}/{rate.pk}/values").json()
    assert [
        (v["period_start"], v["value"], v["computed"], v["version"]) for v in listed["items"]
    ] == [(weeks(1).isoformat(), 0.25, True, 0)]
    assert listed["items"][0]["colour"] == "red"
    one = api.get(f"{BASE}/{rate.pk}/values/{weeks(1).isoformat()}")
    assert one.status_code == 200 and one.json()["value"] == 0.25
    assert len(_values()) == 2


def test_a_batch_is_all_or_nothing_with_errors_per_item(world, api_for, make, weeks):
    m = make(target=10)
    api = api_for("member")
    bad = api.post(
        f"{BASE}/{m.pk}/values",
        {
            "items": [
                {"period_start": weeks(3).isoformat(), "value": 8},
                {"period_start": weeks(2).isoformat(), "value": "lots"},
                {"period_start": (weeks(1) + DAY).isoformat(), "value": 3},
            ]
        },
    )
    assert set(_errors(bad, 422)) == {"items.1.value", "items.2.period_start"}
    assert _values() == []
    good = api.post(
        f"{BASE}/{m.pk}/values",
        {"items": [{"period_start": weeks(n).isoformat(), "value": n} for n in (3, 2, 1)]},
    )
    assert good.json() == {"created": 3, "updated": 0, "unchanged": 0}
    assert [v[1] for v in _values(m)] == [3.0, 2.0, 1.0]
    mixed = api.post(
        f"{BASE}/{m.pk}/values",
        {"items": [{"period_start": weeks(1).isoformat(), "value": 1}], "value": 3},
    )
    assert "items" in _errors(mixed, 422)
    with_note = api.post(
        f"{BASE}/{m.pk}/values",
        {"items": [{"period_start": weeks(1).isoformat(), "value": 1}], "note": "x"},
    )
    assert "items" in _errors(with_note, 422)
    assert [v[1] for v in _values(m)] == [3.0, 2.0, 1.0]


def test_a_batch_item_with_a_stale_version_refuses_the_batch(world, api_for, make, weeks):
    m = make()
    api = api_for("member")
    api.post(f"{BASE}/{m.pk}/values", {"period_start": weeks(1).isoformat(), "value": 1})
    response = api.post(
        f"{BASE}/{m.pk}/values",
        {
            "items": [
                {"period_start": weeks(2).isoformat(), "value": 5, "version": 0},
                {"period_start": weeks(1).isoformat(), "value": 7, "version": 0},
            ]
        },
    )
    assert_error_shape(response, 409)
    assert _values(m) == [(weeks(1), 1.0, "", 1, "api")]


@pytest.mark.parametrize("persona", ["coach", "viewer"])
def test_read_only_personas_read_values_but_cannot_enter_them(world, api_for, make, weeks, persona):
    m = make()
    api = api_for(persona)
    assert api.get(f"{BASE}/{m.pk}/values").status_code == 200
    body = {"period_start": weeks(1).isoformat(), "value": 1}
    assert_error_shape(api.post(f"{BASE}/{m.pk}/values", body), 403)
    assert_error_shape(
        api.request("PUT", f"{BASE}/{m.pk}/values/{weeks(1).isoformat()}", {"value": 1}),
        403,
    )
    assert _values() == []


def test_a_member_enters_values_only_of_measurables_they_own_or_lead(world, api_for, make, weeks):
    theirs = make(unit=world.ops, owner=world.admin)
    response = api_for("member").post(
        f"{BASE}/{theirs.pk}/values", {"period_start": weeks(1).isoformat(), "value": 1}
    )
    assert_error_shape(response, 403)
    assert _values() == []


def test_values_window_and_a_fixed_number_of_queries(
    world, api_for, make, in_org, weeks, django_assert_max_num_queries
):
    m = make(target=10)
    api = api_for("viewer")
    with in_org():
        value_set(measurable=m, period_start=weeks(1), value=1, author=world.owner)
    with django_assert_max_num_queries(10) as few:
        assert api.get(f"{BASE}/{m.pk}/values").json()["count"] == 1
    with in_org():
        for n in range(2, 60):
            value_set(measurable=m, period_start=weeks(n), value=n, author=world.owner)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = api.get(f"{BASE}/{m.pk}/values").json()
    assert body["count"] == 12  # the last 13 weeks; this week has none yet
    wide = api.get(
        f"{BASE}/{m.pk}/values", {"from": weeks(59).isoformat(), "to": weeks(0).isoformat()}
    ).json()
    assert wide["count"] == 59
    assert [v["value"] for v in wide["items"][:2]] == [59.0, 58.0]
    assert "from" in _errors(
        api.get(
            f"{BASE}/{m.pk}/values", {"from": weeks(0).isoformat(), "to": weeks(2).isoformat()}
        ),
        422,
    )
    assert_error_shape(api.get(f"{BASE}/{m.pk}/values", {"from": "soon"}), 422)


# --- one period's value -----------------------------------------------------------------


def test_put_needs_a_version_and_zero_means_no_value_yet(world, api_for, make, weeks):
    m = make(target=10)
    api = api_for("member")
    path = f"{BASE}/{m.pk}/values/{weeks(2).isoformat()}"
    assert_error_shape(api.request("PUT", path, {"value": 4}), 428)
    assert_error_shape(api.get(path), 404)
    created = api.request("PUT", path, {"value": 4}, headers=if_match(0))
    assert created.status_code == 200 and created["ETag"] == 'W/"1"'
    assert_error_shape(api.request("PUT", path, {"value": 5}, headers=if_match(0)), 412)
    assert_error_shape(api.request("PUT", path, {"value": 5, "version": 0}), 409)
    changed = api.request("PUT", path, {"value": 11, "note": "Late", "version": 1})
    assert changed.status_code == 200 and changed.json()["colour"] == "green"
    assert _values(m) == [(weeks(2), 11.0, "Late", 2, "api")]
    read = api_for("viewer").get(path)
    assert read["ETag"] == 'W/"2"' and read.json()["note"] == "Late"


def test_a_path_that_is_not_a_period_start(world, api_for, make, weeks):
    m = make()
    api = api_for("member")
    tuesday = (weeks(1) + DAY).isoformat()
    wrong = api.request("PUT", f"{BASE}/{m.pk}/values/{tuesday}", {"value": 1, "version": 0})
    assert weeks(1).isoformat() in _errors(wrong, 422)["period_start"]
    assert_error_shape(api.get(f"{BASE}/{m.pk}/values/not-a-day"), 404)
    assert_error_shape(api.get(f"{BASE}/987654321/values/{weeks(1).isoformat()}"), 404)
    assert _values() == []


def test_delete_removes_a_value_with_the_version_it_was_based_on(
    world, api_for, make, in_org, weeks
):
    m = make()
    with in_org():
        value_set(measurable=m, period_start=weeks(1), value=1, author=world.owner)
    api = api_for("member")
    path = f"{BASE}/{m.pk}/values/{weeks(1).isoformat()}"
    assert_error_shape(api.delete(path), 428)
    assert_error_shape(api.delete(path, headers=if_match(7)), 412)
    assert _values(m) != []
    assert api.delete(path, headers=if_match(1)).status_code == 204
    assert _values(m) == []
    with scopes_disabled():
        assert HistoryEntry.objects.filter(object_type="measurablevalue", action="delete").exists()
    assert_error_shape(api.delete(path, headers=if_match(1)), 404)


def test_an_archived_measurable_takes_no_values(world, api_for, make, weeks):
    m = make()
    api = api_for("member")
    api.post(f"{BASE}/{m.pk}/archive", headers=if_match(1))
    response = api.post(f"{BASE}/{m.pk}/values", {"period_start": weeks(1).isoformat(), "value": 1})
    assert "archived" in assert_error_shape(response, 409)["detail"]
    assert _values() == []


# --- the bulk push across measurables ---------------------------------------------------


def test_the_push_writes_many_measurables_at_once(world, api_for, make, weeks):
    a, b = make(name="A"), make(name="B", frequency="monthly")
    month = weeks(0).replace(day=1)
    items = [
        {"measurable": a.pk, "period_start": weeks(n).isoformat(), "value": n} for n in range(1, 4)
    ] + [{"measurable": b.pk, "period_start": month.isoformat(), "value": 7, "note": "Est."}]
    response = api_for("member").post(f"{BASE}/values", {"items": items})
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 4, "updated": 0, "unchanged": 0}
    assert [v[1] for v in _values(a)] == [3.0, 2.0, 1.0]
    assert _values(b) == [(month, 7.0, "Est.", 1, "api")]


def test_one_bad_item_in_a_push_writes_nothing(world, api_for, make, weeks):
    a, b = make(name="A"), make(name="B", key="b")
    formula = make(name="F", key="f", formula="b * 2")
    items = [
        {"measurable": a.pk, "period_start": weeks(1).isoformat(), "value": 1},
        {"measurable": b.pk, "period_start": (weeks(1) + DAY).isoformat(), "value": 1},
        {"measurable": a.pk, "period_start": weeks(2).isoformat(), "value": "x"},
        {"measurable": formula.pk, "period_start": weeks(1).isoformat(), "value": 1},
        {"measurable": 987654321, "period_start": weeks(1).isoformat(), "value": 1},
    ]
    before = _history()
    response = api_for("admin").post(f"{BASE}/values", {"items": items})
    assert set(_errors(response, 422)) == {"items.4.measurable"}
    response = api_for("admin").post(f"{BASE}/values", {"items": items[:4]})
    assert set(_errors(response, 422)) == {
        "items.1.period_start",
        "items.2.value",
        "items.3.measurable",
    }
    assert _values() == [] and _history() == before


def test_the_push_checks_the_right_to_enter_per_measurable(world, api_for, make, weeks):
    mine = make(name="Mine")
    theirs = make(name="Theirs", unit=world.ops, owner=world.admin)
    item = {"period_start": weeks(1).isoformat(), "value": 1}
    api = api_for("member")
    mixed = api.post(
        f"{BASE}/values",
        {"items": [{"measurable": mine.pk, **item}, {"measurable": theirs.pk, **item}]},
    )
    assert "permission" in _errors(mixed, 422)["items.1.measurable"]
    only_theirs = api.post(f"{BASE}/values", {"items": [{"measurable": theirs.pk, **item}]})
    assert_error_shape(only_theirs, 403)
    viewer = api_for("viewer").post(f"{BASE}/values", {"items": [{"measurable": mine.pk, **item}]})
    assert_error_shape(viewer, 403)
    foreign = api_for("admin").post(f"{BASE}/values", {"items": [{"extra": 1, **item}]})
    assert_error_shape(foreign, 422)
    assert _values() == []


def test_the_push_costs_a_few_queries_per_measurable_not_per_value(
    world, api_for, make, weeks, django_assert_max_num_queries
):
    a, b = make(name="A"), make(name="B")
    api = api_for("member")

    def push(first, count):
        items = [
            {"measurable": m.pk, "period_start": weeks(n).isoformat(), "value": n}
            for m in (a, b)
            for n in range(first, first + count)
        ]
        return api.post(f"{BASE}/values", {"items": items})

    with django_assert_max_num_queries(30) as few:
        assert push(1, 2).json()["created"] == 4
    # Within one insert batch (SQLite's limit on parameters splits larger ones), the count
    # does not grow with the number of values.
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert push(3, 60).json()["created"] == 120
    assert len(_values()) == 124


# --- in reach? --------------------------------------------------------------------------


def test_the_forecast_says_whether_the_quarter_will_make_it(world, api_for, make, in_org, weeks):
    steady = make(name="Steady", target=10)
    sinking = make(name="Sinking", target=10)
    with in_org():
        for n in range(1, 10):
            value_set(measurable=steady, period_start=weeks(n), value=12, author=world.owner)
            value_set(measurable=sinking, period_start=weeks(n), value=n, author=world.owner)
    api = api_for("viewer")
    good = api.get(f"{BASE}/{steady.pk}/forecast").json()
    assert good["forecast"]["status"] == "on_track" and good["forecast"]["probability"] > 0.7
    assert good["forecast"]["low"] <= good["forecast"]["value"] <= good["forecast"]["high"]
    assert "target" in good["forecast"]["sentence"]
    bad = api.get(f"{BASE}/{sinking.pk}/forecast").json()
    assert bad["forecast"]["status"] == "off_track"
    empty = make(name="New", target=1)
    none = api.get(f"{BASE}/{empty.pk}/forecast").json()
    assert none["forecast"] is None and "three" in none["reason"]
    assert_error_shape(api.get(f"{BASE}/{steady.pk}/forecast", {"on": "someday"}), 422)
    assert_error_shape(api.get(f"{BASE}/987654321/forecast"), 404)
