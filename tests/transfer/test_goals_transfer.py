"""Import and export of goals: all or nothing, row errors, parents later in the file,
idempotent re-import, formula injection, and the export importing back unchanged."""

from __future__ import annotations

import csv
import datetime
import io

import openpyxl
import pytest
from django.test import Client
from django_scopes import scopes_disabled

from leados.core.models import Edge, HistoryEntry, PeriodKind
from leados.core.periods import period_for
from leados.operate.models import Agreement, CheckIn, Goal, Milestone
from leados.operate.services.goals import goal_create
from tests.transfer.conftest import Flow, csv_file, xlsx_file

pytestmark = pytest.mark.urls("tests.transfer.api_urls")

HEADER = [
    "key", "title", "unit", "person", "owner", "period", "parent", "kind",
    "start", "target", "current", "unit of measure", "milestones",
    "status override", "status override reason",
]  # fmt: skip
CASCADE = [
    # A child before its parent: parents may come later in the file.
    ["S1.1", "Win 40 accounts", "Leadership team/Sales", "", "member@acme.test", "2027 Q1",
     "S1", "metric", "0", "40", "12", "accounts", "", "", ""],
    ["S1", "Grow revenue", "Leadership team", "", "", "2027 Q1", "", "binary",
     "", "", "", "", "", "", ""],
    ["M1", "Call 100 prospects", "", "member@acme.test", "", "2027 Q1", "S1.1", "metric",
     "0", "100", "", "calls", "", "at_risk", "Started late"],
    ["O1", "Warehouse tidy", "Operations", "", "", "2027 Q1", "", "milestones",
     "", "", "", "", "Plan; [x] Clear aisles; Label shelves", "", ""],
]  # fmt: skip


def _client(token_for, persona: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(persona)}")


def _post(client, route: str, data: bytes, name: str = "goals.csv"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(f"/api/test/orgs/acme/transfer/goals/{route}", {"file": upload})


def _goals() -> dict[str, Goal]:
    with scopes_disabled():
        return {g.title: g for g in Goal.objects.filter(organization__slug="acme")}


def _state():
    with scopes_disabled():
        return (
            sorted(Goal.objects.values_list("id", "version", "title", "parent_id", "owner_id")),
            HistoryEntry.objects.count(),
        )


@pytest.fixture
def admin_api(token_for):
    return _client(token_for, "admin")


def test_preview_answers_what_would_change_and_changes_nothing(world, admin_api):
    before = _state()

    response = _post(admin_api, "preview", csv_file(CASCADE, HEADER))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counts"] == {
        "rows": 4,
        "goals_created": 4,
        "goals_updated": 0,
        "goals_unchanged": 0,
        "errors": 0,
    }
    assert [c["key"] for c in body["created"]] == ["S1", "S1.1", "M1", "O1"]
    assert _state() == before


def test_apply_creates_the_cascade_with_parents_later_in_the_file(world, admin_api):
    response = _post(admin_api, "apply", csv_file(CASCADE, HEADER))

    assert response.status_code == 200, response.content
    goals = _goals()
    top, sales = goals["Grow revenue"], goals["Win 40 accounts"]
    mine, tidy = goals["Call 100 prospects"], goals["Warehouse tidy"]
    assert sales.parent_id == top.pk and mine.parent_id == sales.pk
    assert (sales.unit_id, sales.owner_id, sales.current_value) == (
        world.sales.pk,
        world.member.pk,
        12,
    )
    assert (mine.level, mine.person_id, mine.aligned) == ("self", world.member.pk, True)
    assert (mine.status_override, mine.status_override_reason) == ("at_risk", "Started late")
    assert tidy.unit_id == world.ops.pk and tidy.aligned is False
    with scopes_disabled():
        assert list(Milestone.objects.filter(goal=tidy).values_list("title", "done")) == [
            ("Plan", False),
            ("Clear aisles", True),
            ("Label shelves", False),
        ]
        assert HistoryEntry.objects.filter(object_type="goal", edge=Edge.IMPORT).count() >= 4
        # A goal set for someone else still waits for their yes.
        assert Agreement.objects.filter(goal=sales, responder=world.member).exists()
    assert top.progress == pytest.approx(sales.progress)


def test_importing_the_same_file_again_changes_nothing(world, admin_api):
    _post(admin_api, "apply", csv_file(CASCADE, HEADER))
    before = _state()

    again = _post(admin_api, "apply", csv_file(CASCADE, HEADER))

    assert again.status_code == 200
    assert again.json()["counts"]["goals_unchanged"] == 4
    assert again.json()["counts"]["goals_created"] == 0
    assert _state() == before


def test_row_errors_are_reported_and_nothing_is_changed(world, admin_api):
    rows = [
        *CASCADE,
        ["B1", "", "Leadership team", "", "", "2027 Q1", "", "binary", *[""] * 7],
        ["B2", "Ghost owner", "Sales", "", "ghost@acme.test", "2027 Q1", "", "binary",
         *[""] * 7],
        ["B3", "No such unit", "Marketing", "", "", "2027 Q1", "", "binary", *[""] * 7],
        ["B4", "Bad period", "Sales", "", "", "Someday", "", "binary", *[""] * 7],
        ["B5", "Bad numbers", "Sales", "", "", "2027 Q1", "", "metric", "zero", "10",
         *[""] * 5],
        ["B6", "Orphan parent", "Sales", "", "", "2027 Q1", "NOPE", "binary", *[""] * 7],
        ["S1", "Duplicate key", "Sales", "", "", "2027 Q1", "", "binary", *[""] * 7],
        ["B7", "Self goal up high", "Leadership team", "", "", "2027 Q1", "M1", "binary",
         *[""] * 7],
        ["B8", "Metric without target", "Sales", "", "", "2027 Q1", "", "metric", "0",
         *[""] * 6],
        ["B9", "Wrong kind", "Sales", "", "", "2027 Q1", "", "okr", *[""] * 7],
    ]  # fmt: skip
    before = _state()

    response = _post(admin_api, "apply", csv_file(rows, HEADER))

    assert response.status_code == 422, response.content
    fields = {e["field"] for e in response.json()["errors"]}
    assert {
        "rows.6.title",
        "rows.7.owner",
        "rows.8.unit",
        "rows.9.period",
        "rows.10.start",
        "rows.11.parent",
        "rows.12.key",
        "rows.13.parent",
        "rows.14.target",
        "rows.15.kind",
    } <= fields, fields
    assert _state() == before


def test_a_loop_of_parents_is_a_row_error(world, admin_api):
    rows = [
        ["A", "Alpha", "Sales", "", "", "2027 Q1", "B", "binary", *[""] * 7],
        ["B", "Beta", "Sales", "", "", "2027 Q1", "A", "binary", *[""] * 7],
    ]

    response = _post(admin_api, "preview", csv_file(rows, HEADER))

    assert {e["column"] for e in response.json()["errors"]} == {"parent"}
    assert not _goals()


def test_the_export_imports_back_unchanged_in_both_formats(world, admin_api):
    _post(admin_api, "apply", csv_file(CASCADE, HEADER))
    before = _state()

    for fmt in ("csv", "xlsx"):
        exported = admin_api.get(f"/api/test/orgs/acme/transfer/goals/export?format={fmt}")
        assert exported.status_code == 200
        assert "goals" in exported["Content-Disposition"]
        again = _post(admin_api, "apply", exported.content, f"goals.{fmt}")
        assert again.status_code == 200, again.content
        assert again.json()["counts"]["goals_unchanged"] == 4, again.json()
    assert _state() == before


def test_an_exported_file_edited_in_a_spreadsheet_changes_those_goals(world, admin_api):
    _post(admin_api, "apply", csv_file(CASCADE, HEADER))
    exported = admin_api.get("/api/test/orgs/acme/transfer/goals/export").content
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    header = rows[0]
    for row in rows[1:]:
        if row[header.index("title")] == "Win 40 accounts":
            row[header.index("title")] = "Win 45 accounts"
            row[header.index("target")] = "45"
            row[header.index("current")] = "20"
    edited = csv_file(rows[1:], header)

    response = _post(admin_api, "apply", edited)

    assert response.status_code == 200, response.content
    assert response.json()["counts"]["goals_updated"] == 1
    (update,) = response.json()["updated"]
    assert set(update["changes"]) == {"title", "target", "current"}
    goal = _goals()["Win 45 accounts"]
    assert (goal.target_value, goal.current_value) == (45, 20)
    with scopes_disabled():
        assert CheckIn.objects.filter(goal=goal, value=20).exists()


def test_formulas_are_neutralized_in_the_export_and_read_back_as_text(world, admin_api, in_org):
    with in_org():
        quarter = period_for(world.org, datetime.date(2027, 1, 15), PeriodKind.QUARTER)
        goal_create(
            organization=world.org, actor=world.owner, title="=HYPERLINK(\"http://x\")",
            unit=world.root, period=quarter, kind="binary",
        )  # fmt: skip

    exported = admin_api.get("/api/test/orgs/acme/transfer/goals/export?format=xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(exported)).active
    titles = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ['\'=HYPERLINK("http://x")']
    again = _post(admin_api, "apply", exported, "goals.xlsx")
    assert again.json()["counts"]["goals_unchanged"] == 1


def test_xlsx_files_import_like_csv(world, admin_api):
    response = _post(admin_api, "apply", xlsx_file(CASCADE, HEADER), "goals.xlsx")

    assert response.status_code == 200, response.content
    assert len(_goals()) == 4


def test_a_file_without_a_title_column_is_refused(world, admin_api):
    response = _post(admin_api, "preview", csv_file([["x"]], ["key"]))

    assert response.status_code == 422
    assert "title" in response.json()["detail"] + str(response.json()["errors"])


@pytest.mark.parametrize("persona", ["member", "coach", "viewer"])
def test_only_admins_import_goals_but_every_member_exports(world, token_for, persona):
    client = _client(token_for, persona)

    assert _post(client, "apply", csv_file(CASCADE, HEADER)).status_code == 403
    assert client.get("/api/test/orgs/acme/transfer/goals/export").status_code == 200
    assert not _goals()


def test_the_outsider_gets_404(world, token_for):
    client = _client(token_for, "outsider")
    assert _post(client, "preview", csv_file(CASCADE, HEADER)).status_code == 404
    assert client.get("/api/test/orgs/acme/transfer/goals/export").status_code == 404


# --------------------------------------------------------------------------- pages


class GoalFlow(Flow):
    def upload(self, data: bytes, filename: str = "goals.csv"):
        upload = io.BytesIO(data)
        upload.name = filename
        return self.client.post(self.url("transfer"), {"file": upload, "subject": "goals"})


def test_the_page_previews_and_applies_a_goals_file(world, client_for):
    flow = GoalFlow(client_for("admin"))

    assert flow.upload(csv_file(CASCADE, HEADER)).status_code == 302
    preview = flow.preview()
    assert preview.status_code == 200
    assert b"Goals to create" in preview.content
    assert not _goals()
    applied = flow.apply()

    assert applied.status_code == 302
    assert len(_goals()) == 4
    assert b"goals" in flow.client.get(applied["Location"]).content.lower()


def test_the_page_shows_row_errors_in_the_preview(world, client_for):
    flow = GoalFlow(client_for("admin"))
    rows = [["B1", "Bad", "Nowhere", "", "", "2027 Q1", "", "binary", *[""] * 7]]

    flow.upload(csv_file(rows, HEADER))
    preview = flow.preview()

    assert b"No live unit is called" in preview.content
    assert b"Apply these changes" not in preview.content


def test_the_page_offers_the_goals_export(world, client_for):
    client = client_for("viewer")
    page = client.get(Flow(client).url("transfer"))
    assert b"transfer/export/goals" in page.content or b"goals" in page.content
    exported = client.get(Flow(client).url("transfer_export_goals"))
    assert exported.status_code == 200
    assert exported.content.decode("utf-8-sig").startswith("key,title")


def test_done_or_not_done_survives_the_round_trip(world, admin_api):
    rows = [
        ["B1", "Launch the podcast", "Leadership team", "", "", "2027 Q1", "", "binary",
         "", "", "done", "", "", "", ""],
        ["B2", "Move the warehouse", "Operations", "", "", "2027 Q1", "", "binary",
         "", "", "not done", "", "", "", ""],
    ]  # fmt: skip
    response = _post(admin_api, "apply", csv_file(rows, HEADER))
    assert response.status_code == 200, response.content
    goals = _goals()
    assert goals["Launch the podcast"].is_done and goals["Launch the podcast"].progress == 1
    assert not goals["Move the warehouse"].is_done
    before = _state()

    exported = admin_api.get("/api/test/orgs/acme/transfer/goals/export").content
    assert _post(admin_api, "apply", exported).json()["counts"]["goals_unchanged"] == 2
    assert _state() == before

    rows[1][10] = "done"
    changed = _post(admin_api, "apply", csv_file(rows, HEADER)).json()
    assert changed["counts"]["goals_updated"] == 1
    assert _goals()["Move the warehouse"].is_done


def test_done_is_refused_for_a_metric_goal(world, admin_api):
    rows = [
        ["M1", "Win 40 accounts", "Leadership team", "", "", "2027 Q1", "", "metric",
         "0", "40", "done", "", "", "", ""],
    ]  # fmt: skip
    before = _state()
    response = _post(admin_api, "apply", csv_file(rows, HEADER))
    assert response.status_code == 422, response.content
    (error,) = response.json()["errors"]
    assert error["field"] == "rows.2.current" and "done / not done" in error["message"]
    assert _state() == before
