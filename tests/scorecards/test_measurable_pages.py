"""The measurable pages: list and filters, create and edit with clear errors, targets,
archive and restore, the detail page with its chart, history, and compare."""

from __future__ import annotations

import datetime

import pytest

from leados.operate.models import Measurable, MeasurableTarget
from leados.operate.services.measurables import measurable_create, value_set
from tests.scorecards.conftest import LAST_MONDAY
from tests.web.helpers import history_count, text

LIST = "/o/acme/measurables/"


def _form(world, **changes) -> dict:
    data = {
        "name": "Calls made", "description": "", "unit": world.sales.pk,
        "owner": world.member.pk, "category": "sales", "kind": "number", "currency": "",
        "unit_label": "", "decimals": "0", "better": "higher", "frequency": "weekly",
        "target": "50", "target_max": "", "threshold_mode": "share", "green_bound": "",
        "red_bound": "", "time_aggregation": "sum", "unit_aggregation": "sum", "parent": "",
        "weight": "1", "key": "", "formula": "",
    }  # fmt: skip
    data.update(changes)
    return data


def test_the_list_filters_by_unit_category_and_owner(card, client_for, world):
    client = client_for("viewer")
    everything = text(client.get(LIST))
    assert "Orders" in everything and "Return rate" in everything
    sales_only = text(client.get(LIST, {"category": "sales"}))
    assert "Orders" in sales_only and "Returns" not in sales_only
    other_unit = text(client.get(LIST, {"unit": world.ops.pk}))
    assert "Orders" not in other_unit
    by_owner = text(client.get(LIST, {"owner": world.admin.pk}))
    assert "Orders" not in by_owner


def test_a_lead_creates_a_measurable_of_their_unit(card, client_for, in_org, world):
    response = client_for("member").post(f"{LIST}new/", _form(world))
    assert response.status_code == 302
    with in_org():
        m = Measurable.objects.get(name="Calls made")
    assert (m.unit_id, m.owner_id, m.target, m.category) == (world.sales.pk, world.member.pk,
                                                             50.0, "sales")  # fmt: skip


def test_a_bad_formula_is_explained_and_nothing_is_created(card, client_for, in_org, world):
    before = history_count()
    response = client_for("admin").post(
        f"{LIST}new/", _form(world, name="Odd", formula="orders / nothing_here", target="")
    )
    assert response.status_code == 422
    assert "No measurable has the key" in text(response)
    with in_org():
        assert not Measurable.objects.filter(name="Odd").exists()
    assert history_count() == before


def test_a_formula_loop_is_refused(card, client_for, in_org, world):
    with in_org():
        measurable_create(
            organization=world.org, actor=world.admin, name="Loop a", unit=world.sales,
            key="loop_a", formula="orders + 1",
        )  # fmt: skip
        a = Measurable.objects.get(key="loop_a")
        b = measurable_create(
            organization=world.org, actor=world.admin, name="Loop b", unit=world.sales,
            key="loop_b", formula="loop_a * 2",
        )  # fmt: skip
    response = client_for("admin").post(
        f"{LIST}{a.pk}/edit/",
        _form(world, name="Loop a", key="loop_a", formula="loop_b + 1", target="",
              version=a.version),
    )  # fmt: skip
    assert response.status_code == 422
    assert "loop" in text(response)
    with in_org():
        assert Measurable.objects.get(pk=a.pk).formula == "orders + 1"
    del b


def test_bad_thresholds_are_explained(card, client_for, in_org, world):
    response = client_for("admin").post(
        f"{LIST}new/",
        _form(world, name="Range", better="range", target="10", target_max="5"),
    )
    assert response.status_code == 422
    assert "high end of the range is below its low end" in text(response)
    with in_org():
        assert not Measurable.objects.filter(name="Range").exists()


def test_an_edit_is_saved_and_a_stale_one_refused(card, client_for, in_org, world):
    m = card["orders"]
    client = client_for("member")
    ok = client.post(
        f"{LIST}{m.pk}/edit/",
        _form(world, name="Orders shipped", key="orders", target="120", version=m.version),
    )
    assert ok.status_code == 302
    stale = client.post(
        f"{LIST}{m.pk}/edit/",
        _form(world, name="Orders lost", key="orders", target="1", version=m.version),
    )
    assert stale.status_code == 409
    assert "Someone else changed this measurable" in text(stale)
    with in_org():
        fresh = Measurable.objects.get(pk=m.pk)
    assert (fresh.name, fresh.target) == ("Orders shipped", 120.0)


@pytest.mark.parametrize("persona", ["viewer", "coach"])
def test_read_only_people_cannot_create_or_edit(card, client_for, in_org, world, persona):
    client = client_for(persona)
    assert client.post(f"{LIST}new/", _form(world)).status_code == 403
    m = card["orders"]
    assert client.post(f"{LIST}{m.pk}/edit/", _form(world, version=m.version)).status_code == 403
    with in_org():
        assert not Measurable.objects.filter(name="Calls made").exists()


def test_a_period_gets_its_own_target(card, client_for, in_org):
    m = card["orders"]
    client = client_for("member")
    response = client.post(
        f"{LIST}{m.pk}/targets/", {"period_start": LAST_MONDAY.isoformat(), "target": "150"}
    )
    assert response.status_code == 302
    with in_org():
        assert MeasurableTarget.objects.get(measurable=m).target == 150
    bad = client.post(
        f"{LIST}{m.pk}/targets/", {"period_start": "2027-01-13", "target": "150"}
    )  # a Wednesday: no week starts there
    assert bad.status_code == 422
    assert "No weekly period starts on 2027-01-13" in text(bad) or "period" in text(bad)
    with in_org():
        assert MeasurableTarget.objects.filter(measurable=m).count() == 1


def test_archive_and_restore(card, client_for, in_org):
    m = card["returns"]
    client = client_for("admin")
    assert client.post(f"{LIST}{m.pk}/archive/", {"version": m.version}).status_code == 302
    with in_org():
        archived = Measurable.objects.get(pk=m.pk)
    assert archived.archived_at is not None
    stale = client.post(f"{LIST}{m.pk}/unarchive/", {"version": m.version})
    assert stale.status_code == 409
    ok = client.post(f"{LIST}{m.pk}/unarchive/", {"version": archived.version})
    assert ok.status_code == 302
    with in_org():
        assert Measurable.objects.get(pk=m.pk).archived_at is None


def test_the_detail_page_draws_the_chart_with_target_and_bands(card, client_for):
    m = card["orders"]
    client = client_for("viewer")
    body = text(client.get(f"{LIST}{m.pk}/"))
    assert 'class="sc-chart"' in body
    assert 'class="target-line"' in body
    for colour in ("green", "yellow", "red"):
        assert f'class="band-{colour}"' in body
    assert "W01 2027: 70 (target 100), off target" in body
    wide = client.get(f"{LIST}{m.pk}/", {"periods": "52"}, HTTP_HX_REQUEST="true")
    assert wide.status_code == 200
    assert "<html" not in text(wide)
    assert text(wide).count("<tr>") > 50


def test_the_history_lists_settings_and_values(card, client_for):
    body = text(client_for("viewer").get(f"{LIST}{card['orders'].pk}/history/"))
    assert "History of Orders" in body


def test_compare_across_units_ranks_the_children(card, client_for, in_org, world):
    with in_org():
        total = measurable_create(
            organization=world.org, actor=world.admin, name="Revenue", unit=world.root,
            target=100,
        )  # fmt: skip
        for unit, value in ((world.sales, 80), (world.ops, 120)):
            child = measurable_create(
                organization=world.org, actor=world.admin, name=f"Revenue {unit.name}",
                unit=unit, parent=total, target=100, owner=world.admin,
            )  # fmt: skip
            value_set(measurable=child, period_start=LAST_MONDAY, value=value, author=world.admin)
    body = text(client_for("viewer").get(f"{LIST}{total.pk}/compare/"))
    assert body.index("Operations") < body.index("Sales</a>")
    assert "Quarter over quarter" in body
    assert "Same quarter last year" in body


def test_compare_quarter_over_quarter_adds_up_the_weeks(card, client_for, in_org, world):
    with in_org():
        value_set(
            measurable=card["orders"], period_start=datetime.date(2026, 10, 5), value=40,
            author=world.member,
        )  # fmt: skip
    body = text(client_for("viewer").get(f"{LIST}{card['orders'].pk}/compare/"))
    rows = body[body.index("Quarter over quarter") :]
    # last quarter: the weeks of 5 October and 28 December; this quarter so far: 4 January
    assert rows.index("Last quarter") < rows.index(">150<") < rows.index("This quarter")
    assert rows.index("This quarter") < rows.index(">70<")


def test_another_organizations_measurable_is_not_found(card, client_for):
    assert client_for("outsider").get(f"{LIST}{card['orders'].pk}/").status_code == 404
