"""The scorecards API: create (unit, personal, custom), rows, versions, archive, the grid."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django_scopes import scopes_disabled

from leados.core.models import Organization
from leados.operate.models import Scorecard, ScorecardItem
from leados.operate.services.measurables import value_set
from leados.operate.services.scorecards import scorecard_create
from tests.api.helpers import assert_error_shape, field_errors, if_match

BASE = "orgs/acme/scorecards"


def _errors(response, status: int) -> dict:
    assert_error_shape(response, status)
    return field_errors(response)


def _scorecards() -> list[tuple]:
    with scopes_disabled():
        return list(Scorecard.objects.order_by("pk").values_list("name", "kind", "version"))


def _rows(scorecard_id) -> list[int]:
    with scopes_disabled():
        return list(
            ScorecardItem.objects.filter(scorecard_id=scorecard_id)
            .order_by("position")
            .values_list("measurable_id", flat=True)
        )


@pytest.fixture
def sales_card(world, in_org, make):
    a, b = make(name="Deals won", target=10), make(name="Pipeline", frequency="monthly")
    with in_org():
        card = scorecard_create(
            organization=world.org, actor=world.member, name="Sales", kind="unit",
            unit=world.sales, measurables=[a.pk, b.pk],
        )  # fmt: skip
    return card, a, b


def test_a_units_lead_creates_its_scorecard(world, api_for, make):
    m = make()
    response = api_for("member").post(
        BASE, {"name": "Sales", "kind": "unit", "unit": world.sales.pk, "measurables": [m.pk]}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["ETag"] == 'W/"1"'
    assert (body["kind"], body["unit"]["id"], body["measurables"]) == (
        "unit",
        world.sales.pk,
        [m.pk],
    )
    assert body["rows"][0]["name"] == "Deals won"
    assert _rows(body["id"]) == [m.pk]
    again = api_for("admin").post(BASE, {"name": "Again", "kind": "unit", "unit": world.sales.pk})
    assert "already has a scorecard" in _errors(again, 422)["unit"]
    assert len(_scorecards()) == 1


def test_personal_and_custom_scorecards(world, api_for):
    personal = api_for("member").post(BASE, {"name": "Mine", "kind": "personal"})
    assert personal.status_code == 201 and personal.json()["person"]["id"] == world.member.pk
    custom = api_for("member").post(BASE, {"name": "Watch list"})
    assert custom.status_code == 201 and custom.json()["kind"] == "custom"
    for_other = api_for("member").post(
        BASE, {"name": "Theirs", "kind": "personal", "person": world.admin.pk}
    )
    assert_error_shape(for_other, 403)
    confused = api_for("member").post(BASE, {"name": "X", "unit": world.sales.pk})
    assert "kind" in _errors(confused, 422)
    assert [s[1] for s in _scorecards()] == ["personal", "custom"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "colour": "red"}, "colour"),
        ({"name": ""}, "name"),
        ({"name": "X", "kind": "team"}, "kind"),
        ({"name": "X", "kind": "unit"}, "unit"),
        ({"name": "X", "measurables": [987654321]}, "measurables"),
        ({"name": "X", "measurables": ["one"]}, "measurables.0"),
    ],
)
def test_bad_scorecards_are_refused(world, api_for, body, field):
    response = api_for("admin").post(BASE, body)
    assert field in _errors(response, 422), response.json()
    assert _scorecards() == []


def test_another_organizations_measurable_cannot_be_a_row(world, api_for, make, in_org):
    with in_org(world.other_org):
        from leados.operate.services.measurables import measurable_create

        foreign = measurable_create(
            organization=world.other_org, actor=world.outsider, name="Secret",
            unit=world.other_unit,
        )  # fmt: skip
    response = api_for("admin").post(BASE, {"name": "X", "measurables": [foreign.pk]})
    assert "measurables" in _errors(response, 422)
    assert _scorecards() == []


@pytest.mark.parametrize("persona", ["coach", "viewer"])
def test_read_only_personas_read_but_do_not_create(world, api_for, sales_card, persona):
    card, *_ = sales_card
    api = api_for(persona)
    assert api.get(BASE).json()["count"] == 1
    assert api.get(f"{BASE}/{card.pk}").status_code == 200
    assert api.get(f"{BASE}/{card.pk}/grid").status_code == 200
    assert_error_shape(api.post(BASE, {"name": "Mine"}), 403)
    assert_error_shape(api.patch(f"{BASE}/{card.pk}", {"name": "X"}, headers=if_match(1)), 403)
    assert len(_scorecards()) == 1


def test_list_filters(world, api_for, sales_card):
    card, *_ = sales_card
    api_for("admin").post(BASE, {"name": "Mine", "kind": "personal"})
    api = api_for("viewer")
    assert [s["id"] for s in api.get(BASE, {"kind": "unit"}).json()["items"]] == [card.pk]
    assert [s["id"] for s in api.get(BASE, {"unit": world.sales.pk}).json()["items"]] == [card.pk]
    assert api.get(BASE, {"person": world.admin.pk}).json()["count"] == 1
    assert api.get(BASE, {"archived": "true"}).json()["count"] == 0
    assert_error_shape(api.get(BASE, {"kind": "team"}), 422)


def test_rename_and_reorder_need_the_version(world, api_for, sales_card):
    card, a, b = sales_card
    api = api_for("member")
    assert_error_shape(api.patch(f"{BASE}/{card.pk}", {"name": "Sales team"}), 428)
    renamed = api.patch(f"{BASE}/{card.pk}", {"name": "Sales team"}, headers=if_match(1))
    assert renamed.status_code == 200 and renamed["ETag"] == 'W/"2"'
    path = f"{BASE}/{card.pk}/measurables"
    stale = api.request("PUT", path, {"measurables": [b.pk, a.pk]}, headers=if_match(1))
    assert_error_shape(stale, 412)
    assert _rows(card.pk) == [a.pk, b.pk]
    ok = api.request("PUT", path, {"measurables": [b.pk, a.pk], "version": 2})
    assert ok.status_code == 200 and ok.json()["measurables"] == [b.pk, a.pk]
    assert _rows(card.pk) == [b.pk, a.pk]
    assert_error_shape(api.request("PUT", path, {"measurables": [a.pk], "version": 2}), 409)
    assert _scorecards() == [("Sales team", "unit", 3)]


def test_a_member_may_not_change_another_units_scorecard(world, api_for, in_org, make):
    with in_org():
        card = scorecard_create(
            organization=world.org, actor=world.admin, name="Ops", kind="unit", unit=world.ops
        )
    response = api_for("member").patch(f"{BASE}/{card.pk}", {"name": "X"}, headers=if_match(1))
    assert_error_shape(response, 403)
    assert _scorecards() == [("Ops", "unit", 1)]


def test_a_units_scorecard_is_archived_before_it_is_deleted(world, api_for, sales_card):
    card, *_ = sales_card
    api = api_for("member")
    assert (
        "archive"
        in assert_error_shape(api.delete(f"{BASE}/{card.pk}", headers=if_match(1)), 409)["detail"]
    )
    archived = api.post(f"{BASE}/{card.pk}/archive", {"version": 1})
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert api.delete(f"{BASE}/{card.pk}", headers=if_match(2)).status_code == 204
    assert _scorecards() == []


def test_the_grid_has_sections_cells_and_figures(world, api_for, in_org, sales_card, weeks):
    card, a, b = sales_card
    with in_org():
        for n in range(1, 6):
            value_set(measurable=a, period_start=weeks(n), value=6 + n, author=world.member)
    response = api_for("viewer").get(f"{BASE}/{card.pk}/grid", {"periods": 8})
    assert response.status_code == 200, response.content
    body = response.json()
    assert [s["frequency"] for s in body["sections"]] == ["weekly", "monthly"]
    weekly = body["sections"][0]
    assert len(weekly["periods"]) == 8 and weekly["periods"][-1]["start"] == weeks(0).isoformat()
    [row] = weekly["rows"]
    assert row["measurable"]["id"] == a.pk and row["editable"] is False
    cells = {c["period_start"]: c for c in row["cells"]}
    assert (cells[weeks(1).isoformat()]["value"], cells[weeks(1).isoformat()]["colour"]) == (
        7.0,
        "red",
    )
    assert cells[weeks(5).isoformat()]["colour"] == "green"
    assert cells[weeks(0).isoformat()]["value"] is None
    assert row["trend"] == "worsening"
    assert [t["label"] for t in row["to_date"]] == ["Quarter to date", "Year to date"]
    assert (
        api_for("member").get(f"{BASE}/{card.pk}/grid").json()["sections"][0]["rows"][0]["editable"]
    )
    assert_error_shape(api_for("viewer").get(f"{BASE}/{card.pk}/grid", {"periods": 0}), 422)
    assert_error_shape(api_for("viewer").get(f"{BASE}/{card.pk}/grid", {"periods": 54}), 422)


def test_the_grid_reads_a_fixed_number_of_queries(
    world, api_for, in_org, make, weeks, django_assert_max_num_queries
):
    def card_with(count):
        ids = []
        for n in range(count):
            m = make(name=f"M{count}-{n}", target=10)
            with in_org():
                value_set(measurable=m, period_start=weeks(1), value=n, author=world.member)
            ids.append(m.pk)
        with in_org():
            return scorecard_create(
                organization=world.org, actor=world.member, name=f"C{count}", measurables=ids
            )

    api = api_for("member")
    small, large = card_with(2), card_with(15)
    # The forecasts read the grid's own values, with no queries of their own.
    with django_assert_max_num_queries(9) as few:
        assert api.get(f"{BASE}/{small.pk}/grid").status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = api.get(f"{BASE}/{large.pk}/grid").json()
    assert len(body["sections"][0]["rows"]) == 15


def test_the_grid_says_whether_each_row_will_make_it(world, api_for, in_org, sales_card, weeks):
    card, a, _ = sales_card
    with in_org():
        for n in range(1, 10):
            value_set(measurable=a, period_start=weeks(n), value=12, author=world.member)
    [row] = api_for("viewer").get(f"{BASE}/{card.pk}/grid").json()["sections"][0]["rows"]
    assert row["forecast"]["status"] == "on_track"
    assert row["forecast"]["sentence"]


def test_the_grid_is_dated_where_the_organization_is_and_roll_ups_take_no_values(
    world, api_for, in_org, make
):
    with scopes_disabled():
        Organization.objects.filter(pk=world.org.pk).update(time_zone="Pacific/Kiritimati")
    total = make(name="Revenue", unit=world.root, target=100, owner=world.admin)
    child = make(name="Revenue Sales", parent=total, target=50, owner=world.admin)
    with in_org():
        card = scorecard_create(
            organization=world.org, actor=world.admin, name="Revenue",
            measurables=[total.pk, child.pk],
        )  # fmt: skip
    # 20:00 on Sunday 17 January in UTC is already Monday 18 January at UTC+14.
    with time_machine.travel(datetime.datetime(2027, 1, 17, 20, tzinfo=datetime.UTC), tick=False):
        body = api_for("admin").get(f"{BASE}/{card.pk}/grid").json()
    assert body["today"] == "2027-01-18"
    weekly = body["sections"][0]
    assert weekly["periods"][-1]["start"] == "2027-01-18"
    editable = {row["measurable"]["id"]: row["editable"] for row in weekly["rows"]}
    assert editable == {total.pk: False, child.pk: True}  # the total is rolled up
