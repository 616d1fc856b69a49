"""The values section of the import and export page: upload → preview → apply, a bad row
refusing the file, who may import, and the export."""

from __future__ import annotations

import io

import pytest
from django_scopes import scopes_disabled

from leados.operate.models import MeasurableValue
from tests.transfer.conftest import Flow, csv_file

HEADER = ["measurable", "period_start", "value", "note"]


@pytest.fixture(autouse=True)
def _own_uploads_dir(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


class ValuesFlow(Flow):
    def upload(self, data: bytes, filename: str = "values.csv"):
        upload = io.BytesIO(data)
        upload.name = filename
        return self.client.post(
            self.url("transfer"), {"file": upload, "subject": "measurable_values"}
        )


def _values() -> list[tuple]:
    with scopes_disabled():
        return list(MeasurableValue.objects.values_list("period_start", "value", "source"))


def test_the_page_previews_and_applies_a_values_file(world, client_for, make, weeks):
    make(key="deals", target=10)
    flow = ValuesFlow(client_for("member"))
    page = flow.client.get(flow.url("transfer"))
    assert b"Import scorecard values" in page.content
    rows = [["deals", weeks(2).isoformat(), "8", ""], ["deals", weeks(1).isoformat(), "11", ""]]
    assert flow.upload(csv_file(rows, HEADER)).status_code == 302
    preview = flow.preview()
    assert preview.status_code == 200 and b"New values" in preview.content
    assert _values() == []
    applied = flow.apply()
    assert applied.status_code == 302
    assert sorted(_values()) == [(weeks(2), 8.0, "import"), (weeks(1), 11.0, "import")]
    assert b"New values" in flow.client.get(applied["Location"]).content


def test_a_bad_row_is_shown_and_nothing_can_be_applied(world, client_for, make, weeks):
    make(key="deals")
    flow = ValuesFlow(client_for("member"))
    rows = [["deals", weeks(1).isoformat(), "8", ""], ["deals", weeks(2).isoformat(), "lots", ""]]
    flow.upload(csv_file(rows, HEADER))
    preview = flow.preview()
    assert b"Enter a number" in preview.content
    assert b"Apply these changes" not in preview.content
    refused = flow.apply()
    assert refused.status_code == 400
    assert _values() == []


def test_a_file_without_its_columns_is_a_message_on_the_page(world, client_for):
    flow = ValuesFlow(client_for("member"))
    response = flow.upload(csv_file([["x"]], ["kpi"]))
    assert response.status_code == 400
    assert b"period_start" in response.content


@pytest.mark.parametrize("persona", ["coach", "viewer"])
def test_read_only_personas_export_but_do_not_import(world, client_for, make, persona, weeks):
    make(key="deals")
    flow = ValuesFlow(client_for(persona))
    assert b"Import scorecard values" not in flow.client.get(flow.url("transfer")).content
    response = flow.upload(csv_file([["deals", weeks(1).isoformat(), "1", ""]], HEADER))
    assert response.status_code == 403
    assert _values() == []
    exported = flow.client.get(flow.url("transfer_export_values"))
    assert exported.status_code == 200
    assert exported.content.decode("utf-8-sig").startswith("measurable,name,unit")
