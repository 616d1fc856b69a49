"""Each kind of row error is reported with its row and column, and nothing changes."""

from __future__ import annotations

import pytest

from leados.core import services
from leados.core.models import HistoryEntry, Person, RoleAssignment, Unit
from tests.transfer.conftest import csv_file

ROOT = "Leadership team"


def _state(in_org):
    with in_org():
        return (
            Person.objects.count(),
            Unit.objects.count(),
            RoleAssignment.objects.count(),
            HistoryEntry.objects.count(),
        )


CASES = {
    "bad_email": (
        [["not-an-email", "Ann", "", "", "", "", "", ""]],
        (2, "email", "is not a valid email address"),
    ),
    "bad_manager_email": (
        [["ann@x.test", "Ann", "", "boss@", "", "", "", ""]],
        (2, "manager_email", "is not a valid email address"),
    ),
    "unknown_manager": (
        [["ann@x.test", "Ann", "", "ghost@x.test", "", "", "", ""]],
        (2, "manager_email", "ghost@x.test is neither in this file nor in Acme"),
    ),
    "own_manager": (
        [["ann@x.test", "Ann", "", "ann@x.test", "", "", "", ""]],
        (2, "manager_email", "cannot be their own manager"),
    ),
    "manager_loop_in_file": (
        [
            ["ann@x.test", "Ann", "", "bob@x.test", "", "", "", ""],
            ["bob@x.test", "Bob", "", "cid@x.test", "", "", "", ""],
            ["cid@x.test", "Cid", "", "ann@x.test", "", "", "", ""],
        ],
        (2, "manager_email", "Reporting lines would loop"),
    ),
    "manager_loop_with_existing_people": (
        # member@ reports to admin@ today; making admin@ report to member@ closes a loop.
        [["admin@acme.test", "", "", "member@acme.test", "", "", "", ""]],
        (2, "manager_email", "admin@acme.test → member@acme.test → admin@acme.test"),
    ),
    "unknown_level": (
        [["", "", "", "", f"{ROOT}/Sales/EMEA", "department", "", ""]],
        (2, "level", '"department" is not a known level'),
    ),
    "unknown_role": (
        [["ann@x.test", "Ann", "", "", f"{ROOT}/Sales", "", "boss", ""]],
        (2, "role", '"boss" is not a known role'),
    ),
    "unknown_org_role": (
        [["ann@x.test", "Ann", "", "", "", "", "", "superuser"]],
        (2, "org_role", '"superuser" is not a known org role'),
    ),
    "duplicate_email_with_different_name": (
        [
            ["ann@x.test", "Ann", "", "", "", "", "", ""],
            ["ANN@x.test", "Anne", "", "", "", "", "", ""],
        ],
        (3, "name", 'ann@x.test appears again with a different name: row 2 says "Ann"'),
    ),
    "duplicate_row": (
        [
            ["ann@x.test", "Ann", "", "", f"{ROOT}/Sales", "", "member", ""],
            ["ann@x.test", "Ann", "", "", f"{ROOT}/Sales", "", "member", ""],
        ],
        (3, "role", "Repeats row 2"),
    ),
    "lead_conflict_with_existing_lead": (
        [["ann@x.test", "Ann", "", "", f"{ROOT}/Sales", "", "lead", ""]],
        (2, "role", "Mia Member already leads Sales"),
    ),
    "lead_conflict_inside_the_file": (
        [
            ["ann@x.test", "Ann", "", "", f"{ROOT}/Marketing", "", "lead", ""],
            ["bob@x.test", "Bob", "", "", f"{ROOT}/Marketing", "", "lead", ""],
        ],
        (3, "role", "Row 2 already says ann@x.test leads Marketing"),
    ),
    "path_not_from_the_top": (
        [["ann@x.test", "Ann", "", "", "Sales/EMEA", "", "", ""]],
        (2, "unit_path", 'Unit paths start with the top unit, "Leadership team"'),
    ),
    "empty_name_in_path": (
        [["ann@x.test", "Ann", "", "", f"{ROOT}//EMEA", "", "", ""]],
        (2, "unit_path", "has an empty unit name"),
    ),
    "level_below_wrong_parent": (
        [
            ["", "", "", "", f"{ROOT}/Billing", "process", "", ""],
            ["", "", "", "", f"{ROOT}/Billing/Finance", "functional_team", "", ""],
        ],
        (3, "level", "A functional team cannot sit below a process (Billing)"),
    ),
    "changing_the_level_of_an_existing_unit": (
        [["", "", "", "", f"{ROOT}/Sales", "process", "", ""]],
        (2, "level", "Sales is a functional team; an import does not change the level"),
    ),
    "second_strategy_unit": (
        [["", "", "", "", f"{ROOT}/Board", "strategy", "", ""]],
        (2, "level", "Only the top unit is at the strategy level"),
    ),
    "role_without_email": (
        [["", "", "", "", f"{ROOT}/Sales", "", "lead", ""]],
        (2, "email", "no email"),
    ),
    "role_without_unit": (
        [["ann@x.test", "Ann", "", "", "", "", "lead", ""]],
        (2, "role", "role applies to the unit in unit_path, which is empty"),
    ),
    "admin_granting_ownership": (
        [["ann@x.test", "Ann", "", "", "", "", "", "owner"]],
        (2, "org_role", "Only an owner can grant or remove ownership"),
    ),
    "name_too_long": (
        [["ann@x.test", "A" * 151, "", "", "", "", "", ""]],
        (2, "name", "Use at most 150 characters"),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_preview_reports_the_row_error_and_changes_nothing(case, flow, world, in_org):
    rows, (row, column, message) = CASES[case]
    before = _state(in_org)

    errors = flow.errors(csv_file(rows))

    assert any(r == row and c == column and message in m for r, c, m in errors), errors
    assert flow.apply().status_code == 400
    assert _state(in_org) == before


def test_a_project_needs_an_end_date_and_only_projects_have_dates(flow, world):
    header = ["unit_path", "level", "start_date", "end_date"]
    errors = flow.errors(
        csv_file(
            [
                [f"{ROOT}/Launch", "project", "2025-01-01", ""],
                [f"{ROOT}/Billing", "process", "", "2025-06-30"],
                [f"{ROOT}/Move", "project", "2025-05-01", "2025-02-01"],
                [f"{ROOT}/Expo", "project", "", "next spring"],
            ],
            header,
        )
    )
    assert (2, "end_date", "A new project needs an end date (end_date, YYYY-MM-DD).") in errors
    assert (3, "end_date", "Only projects have start and end dates.") in errors
    assert (4, "end_date", "The end date is before the start date.") in errors
    assert any(r == 5 and c == "end_date" and "is not a date" in m for r, c, m in errors)


def test_a_deactivated_manager_outside_the_file_is_refused(flow, world, in_org):
    with in_org():
        services.person_deactivate(person=world.coach)
    errors = flow.errors(csv_file([["ann@x.test", "Ann", "", "coach@acme.test", "", "", "", ""]]))
    assert errors == [
        (
            2,
            "manager_email",
            "Cora Coach (coach@acme.test) is deactivated and cannot be a manager; add them to "
            "the file to reactivate them.",
        )
    ]


def test_an_archived_unit_on_the_path_is_refused(flow, world, in_org):
    with in_org():
        services.unit_archive(unit=world.ops, expected_version=None)
    errors = flow.errors(
        csv_file([["ann@x.test", "Ann", "", "", f"{ROOT}/Operations", "", "", ""]])
    )
    assert errors == [
        (
            2,
            "unit_path",
            "Operations (below Leadership team) is archived; unarchive it first or "
            "use another name.",
        )
    ]


def test_an_owner_cannot_remove_the_last_owner(owner_flow, world):
    errors = owner_flow.errors(csv_file([["owner@acme.test", "", "", "", "", "", "", "admin"]]))
    assert errors == [(2, "org_role", "Acme would be left without an owner.")]


def test_a_row_without_email_or_unit_is_an_error(flow, world):
    errors = flow.errors(csv_file([["", "", "Engineer", "", "", "", "", ""]]))
    assert errors == [(2, "email", "This row gives title but no email: say whose row it is.")]


def test_preview_reads_the_organization_in_a_fixed_number_of_queries(
    flow, world, django_assert_max_num_queries
):
    rows = [
        [f"p{i}@x.test", f"P {i}", "Rep", "admin@acme.test", f"{ROOT}/Sales/T{i % 7}", "", "", ""]
        for i in range(300)
    ]
    assert flow.upload(csv_file(rows)).status_code == 302
    with django_assert_max_num_queries(20):
        response = flow.preview()
    assert response.context["counts"]["people_created"] == 300


def test_two_units_with_the_same_name_make_a_path_ambiguous(flow, world, in_org):
    with in_org():
        services.unit_create(parent=world.root, level="functional_team", name="sales")
    errors = flow.errors(csv_file([["ann@x.test", "Ann", "", "", f"{ROOT}/Sales", "", "", ""]]))
    assert errors == [
        (
            2,
            "unit_path",
            '2 units below Leadership team are called "Sales"; rename one so the path is clear.',
        )
    ]


def test_an_existing_projects_dates_are_not_changed_by_import(flow, world, in_org):
    import datetime

    with in_org():
        services.unit_create(
            parent=world.ops, level="project", name="Move", end_date=datetime.date(2026, 3, 1)
        )
    header = ["unit_path", "level", "start_date", "end_date"]
    errors = flow.errors(
        csv_file([[f"{ROOT}/Operations/Move", "project", "", "2026-04-01"]], header)
    )
    assert errors == [
        (
            2,
            "end_date",
            "Move has end date 2026-03-01; change the dates of an existing unit on its page.",
        )
    ]


def test_missing_units_in_the_middle_of_a_path_get_a_level_that_fits(flow, world):
    header = ["unit_path", "level", "end_date"]
    response = flow.upload(
        csv_file(
            [
                [f"{ROOT}/Billing", "process", ""],
                [f"{ROOT}/Billing/Invoicing/Dunning", "process", ""],
                [f"{ROOT}/Sales/DACH/Key accounts", "", ""],
                [f"{ROOT}/Launch", "project", "2026-06-30"],
                [f"{ROOT}/Launch/Phase 1/Kickoff", "project", "2026-03-01"],
            ],
            header,
        ),
        "units.csv",
    )
    assert response.status_code == 302
    plan = flow.preview().context["plan"]
    assert [(e.row, e.column) for e in plan.errors] == [(6, "level")]
    assert "sits below a project" in plan.errors[0].message
    levels = {u.path: u.level for u in plan.units_create}
    assert levels == {
        f"{ROOT}/Billing": "process",
        f"{ROOT}/Billing/Invoicing": "process",
        f"{ROOT}/Billing/Invoicing/Dunning": "process",
        f"{ROOT}/Sales/DACH": "functional_team",
        f"{ROOT}/Sales/DACH/Key accounts": "functional_team",
        f"{ROOT}/Launch": "project",
    }
