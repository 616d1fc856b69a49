"""Whole-file problems get one clear message and nothing is kept or changed."""

from __future__ import annotations

import codecs

import pytest

from leados.core.models import Person
from leados.core.transfer import MAX_BYTES, MAX_ROWS
from tests.transfer.conftest import HEADER, csv_file, xlsx_file


def _refused(flow, data: bytes, filename: str) -> str:
    response = flow.upload(data, filename)
    assert response.status_code == 400
    assert flow.preview().status_code == 302  # nothing kept for a preview
    return response.context["error"]


def test_a_file_over_the_size_limit_is_refused(flow, world):
    data = csv_file([["a@x.test", "x" * 100, "", "", "", "", "", ""]] * (MAX_BYTES // 100))
    assert len(data) > MAX_BYTES
    assert "the limit is 5 MB" in _refused(flow, data, "big.csv")


def test_a_file_over_the_row_limit_is_refused(flow, world):
    data = csv_file([[f"p{i}@x.test"] for i in range(MAX_ROWS + 1)], ["email"])
    assert "more than 20,000 rows" in _refused(flow, data, "many.csv")


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png", "not a CSV or XLSX file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "people.xls", "old Excel (.xls)"),
        (b"email,name\na@x.test,A\n", "people.xlsx", "named .xlsx but is not an Excel workbook"),
        (b"PK\x03\x04 not really a zip", "people.xlsx", "not a readable Excel workbook"),
        ("email,name\nzoe@x.test,Zoë\n".encode("latin-1"), "people.csv", "not UTF-8 text"),
        (b"", "people.csv", "The file is empty."),
        (b" \r\n\r\n", "people.csv", "The file is empty."),
        (b"email,name\r\n", "people.csv", "no rows below them"),
        (b"first,last\r\nAda,Lovelace\r\n", "people.csv", "Neither an email nor a unit_path"),
        (b"email,E-mail\r\na@x.test,b@x.test\r\n", "people.csv", '"email" and "E-mail" both'),
    ],
)
def test_an_unreadable_file_gets_a_clear_message(flow, world, in_org, data, filename, message):
    with in_org():
        before = Person.objects.count()
    assert message in _refused(flow, data, filename)
    with in_org():
        assert Person.objects.count() == before


def test_no_file_at_all_is_refused(flow, world):
    response = flow.client.post(flow.url("transfer"), {})
    assert response.status_code == 400
    assert response.context["error"] == "Choose a CSV or XLSX file to upload."


@pytest.mark.parametrize(
    "data",
    [
        csv_file([["zoe@x.test", "Zoë Ærø"]], ["email", "name"], bom=True),
        csv_file([["zoe@x.test", "Zoë Ærø"]], ["email", "name"]),
        csv_file([["zoe@x.test", "Zoë Ærø"]], ["email", "name"], delimiter=";"),
        codecs.BOM_UTF16_LE + "email\tname\r\nzoe@x.test\tZoë Ærø\r\n".encode("utf-16-le"),
    ],
    ids=["utf8-bom", "utf8", "semicolons", "utf16-tabs"],
)
def test_utf8_with_or_without_bom_and_common_dialects_are_read(flow, world, in_org, data):
    flow.run(data, "people.csv")
    with in_org():
        assert Person.objects.get(user__email="zoe@x.test").name == "Zoë Ærø"


def test_xlsx_dates_numbers_and_blank_rows_are_read(flow, world, in_org):
    import datetime

    header = ["unit_path", "level", "start_date", "end_date", "notes"]
    data = xlsx_file(
        [
            [
                "Leadership team/Launch 2026",
                "project",
                datetime.date(2026, 1, 5),
                datetime.datetime(2026, 6, 30),  # noqa: DTZ001 - Excel has no time zones
            ],
            [None, None, None, None],
            ["Leadership team/Team 42", "functional_team", None, None, 42],
        ],
        header,
    )
    response = flow.upload(data, "units.xlsx")
    assert response.status_code == 302
    preview = flow.preview()
    assert preview.context["parsed"].ignored_columns == ["notes"]
    assert preview.context["plan"].errors == []
    units = {u.names[-1]: u for u in preview.context["plan"].units_create}
    assert units["Launch 2026"].end_date == datetime.date(2026, 6, 30)
    assert list(units) == ["Launch 2026", "Team 42"]


def test_header_only_after_blank_lines_keeps_spreadsheet_row_numbers(flow, world):
    data = b"\r\n" + csv_file([["bad"], ["ok@x.test"], ["worse"]], ["email"])
    errors = flow.errors(data)
    assert [(r, c) for r, c, _m in errors] == [(3, "email"), (5, "email")]


def test_the_template_imports_cleanly(flow, world, in_org):
    template = flow.client.get(flow.url("transfer_template"))
    assert template.status_code == 200
    assert flow.errors(template.content, "template.csv") == []
    assert HEADER == template.content.decode("utf-8-sig").splitlines()[0].split(",")[:8]
