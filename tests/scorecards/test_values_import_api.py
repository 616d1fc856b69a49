"""Import and export of measurables' values over the API: preview, all or nothing, row
errors, measurables named by #id, key or name within a unit, XLSX dates, permissions, and
the export importing back unchanged."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest
from django.test import Client
from django_scopes import scopes_disabled

from leados.core.models import Edge, HistoryEntry
from leados.operate.models import MeasurableValue
from leados.operate.services.measurables import value_set
from leados.operate.services.scorecards import scorecard_create
from tests.transfer.conftest import csv_file, xlsx_file

BASE = "/api/v1/orgs/acme/transfer/measurable-values"
HEADER = ["measurable", "unit", "period_start", "value", "note"]


def _client(token_for, persona: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(persona)}")


def _post(client, route: str, data: bytes, name: str = "values.csv"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(f"{BASE}/{route}", {"file": upload})


def _state():
    with scopes_disabled():
        return (
            sorted(
                MeasurableValue.objects.values_list(
                    "measurable_id", "period_start", "value", "note", "version"
                )
            ),
            HistoryEntry.objects.count(),
        )


@pytest.fixture
def kpis(world, make):
    deals = make(name="Deals won", key="deals_won", target=10)
    sales_nps = make(name="NPS", target=40)
    ops_nps = make(name="NPS", unit=world.ops, owner=world.member, target=40)
    return deals, sales_nps, ops_nps


def _rows(kpis, weeks):
    deals, sales_nps, ops_nps = kpis
    return [
        [f"#{deals.pk}", "", weeks(2).isoformat(), "8", "Short week"],
        ["deals_won", "", weeks(1).isoformat(), "12", ""],
        ["NPS", "Sales", weeks(1).isoformat(), "41", ""],
        ["nps", "Leadership team/Operations", weeks(1).isoformat(), "38", ""],
    ]


def test_preview_changes_nothing_and_apply_writes_every_row(world, token_for, kpis, weeks):
    deals, sales_nps, ops_nps = kpis
    client = _client(token_for, "admin")
    data = csv_file(_rows(kpis, weeks), HEADER)
    before = _state()
    preview = _post(client, "preview", data)
    assert preview.status_code == 200, preview.content
    body = preview.json()
    assert body["counts"] == {
        "rows": 4, "values_created": 4, "values_updated": 0, "values_unchanged": 0, "errors": 0,
    }  # fmt: skip
    assert [c["row"] for c in body["created"]] == [2, 3, 4, 5]
    assert _state() == before
    applied = _post(client, "apply", data)
    assert applied.status_code == 200, applied.content
    with scopes_disabled():
        got = {
            (v.measurable_id, v.period_start): (v.value, v.note, v.source)
            for v in MeasurableValue.objects.all()
        }
        assert HistoryEntry.objects.filter(edge=Edge.IMPORT, action="create").count() == 4
    assert got == {
        (deals.pk, weeks(2)): (8.0, "Short week", "import"),
        (deals.pk, weeks(1)): (12.0, "", "import"),
        (sales_nps.pk, weeks(1)): (41.0, "", "import"),
        (ops_nps.pk, weeks(1)): (38.0, "", "import"),
    }
    # The same file again changes nothing.
    after = _state()
    again = _post(client, "apply", data).json()
    assert again["counts"]["values_unchanged"] == 4 and _state() == after


def test_one_bad_row_refuses_the_whole_file(world, token_for, kpis, weeks):
    deals, *_ = kpis
    rows = _rows(kpis, weeks) + [
        ["NPS", "", weeks(1).isoformat(), "40", ""],  # two measurables are called NPS
        ["deals_won", "", (weeks(3) + datetime.timedelta(days=2)).isoformat(), "5", ""],
        ["deals_won", "", "last week", "5", ""],
        ["deals_won", "", weeks(4).isoformat(), "lots", ""],
        ["#987654321", "", weeks(1).isoformat(), "1", ""],
        ["Nobody", "", weeks(1).isoformat(), "1", ""],
    ]
    before = _state()
    response = _post(_client(token_for, "admin"), "apply", csv_file(rows, HEADER))
    assert response.status_code == 422, response.content
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {
        "rows.6.measurable",
        "rows.7.period_start",
        "rows.8.period_start",
        "rows.9.value",
        "rows.10.measurable",
        "rows.11.measurable",
    }
    assert "nothing was changed" in response.json()["detail"]
    assert _state() == before
    preview = _post(_client(token_for, "admin"), "preview", csv_file(rows, HEADER)).json()
    assert preview["counts"]["errors"] == 6
    assert [e["row"] for e in preview["errors"]] == [6, 7, 8, 9, 10, 11]


def test_a_red_value_without_the_note_it_needs_is_a_row_error(world, token_for, make, weeks):
    make(name="Uptime", key="uptime", target=99, require_red_note=True)
    rows = [["uptime", "", weeks(1).isoformat(), "50", ""]]
    response = _post(_client(token_for, "member"), "apply", csv_file(rows, HEADER))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "rows.2.note"
    assert _state()[0] == []


def test_xlsx_dates_and_numbers_are_read(world, token_for, kpis, weeks):
    deals, *_ = kpis
    rows = [[f"#{deals.pk}", "", datetime.datetime.combine(weeks(1), datetime.time()), 7, "x"]]
    response = _post(
        _client(token_for, "member"), "apply", xlsx_file(rows, HEADER), name="values.xlsx"
    )
    assert response.status_code == 200, response.content
    with scopes_disabled():
        assert MeasurableValue.objects.get().value == 7.0


def test_a_member_imports_only_values_they_may_enter(world, token_for, make, weeks):
    make(name="Ops cost", key="ops_cost", unit=world.ops, owner=world.admin)
    make(name="Mine", key="mine")
    rows = [
        ["mine", "", weeks(1).isoformat(), "1", ""],
        ["ops_cost", "", weeks(1).isoformat(), "1", ""],
    ]
    response = _post(_client(token_for, "member"), "apply", csv_file(rows, HEADER))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["rows.3.measurable"]
    assert _state()[0] == []


@pytest.mark.parametrize("persona", ["coach", "viewer"])
def test_read_only_personas_cannot_import(world, token_for, kpis, weeks, persona):
    data = csv_file(_rows(kpis, weeks), HEADER)
    for route in ("preview", "apply"):
        assert _post(_client(token_for, persona), route, data).status_code == 403
    assert _state()[0] == []


def test_a_file_without_the_needed_columns_is_refused(world, token_for, kpis):
    response = _post(
        _client(token_for, "admin"), "apply", csv_file([["#1", "3"]], ["kpi", "value"])
    )
    assert response.status_code == 422
    assert "period_start" in response.json()["detail"]


def test_the_export_imports_back_unchanged(world, token_for, kpis, in_org, weeks):
    deals, sales_nps, ops_nps = kpis
    with in_org():
        value_set(measurable=deals, period_start=weeks(2), value=8, note="=cmd", author=world.owner)
        value_set(measurable=deals, period_start=weeks(1), value=12.5, author=world.owner)
        value_set(measurable=ops_nps, period_start=weeks(1), value=38, author=world.owner)
        card = scorecard_create(
            organization=world.org, actor=world.admin, name="Ops", measurables=[ops_nps.pk]
        )
    client = _client(token_for, "viewer")
    everything = client.get(f"{BASE}/export")
    assert everything.status_code == 200
    assert "values" in everything["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(everything.content.decode("utf-8-sig"))))
    assert rows[0] == ["measurable", "name", "unit", "period_start", "value", "note"]
    assert rows[1] == [
        f"#{deals.pk}",
        "Deals won",
        "Leadership team/Sales",
        weeks(2).isoformat(),
        "8",
        "'=cmd",
    ]
    assert len(rows) == 4
    one = client.get(f"{BASE}/export", {"measurable": deals.pk, "from": weeks(1).isoformat()})
    assert len(list(csv.reader(io.StringIO(one.content.decode("utf-8-sig"))))) == 2
    of_card = client.get(f"{BASE}/export", {"scorecard": card.pk, "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(of_card.content)).active
    assert [c.value for c in list(sheet.iter_rows())[1]][:2] == [f"#{ops_nps.pk}", "NPS"]
    assert client.get(f"{BASE}/export", {"measurable": 987654321}).status_code == 422
    before = _state()
    again = _post(_client(token_for, "admin"), "apply", everything.content)
    assert again.status_code == 200, again.content
    assert again.json()["counts"]["values_unchanged"] == 3
    assert _state() == before
