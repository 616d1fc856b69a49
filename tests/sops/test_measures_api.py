"""The sop-measures and sop-coverage API: figures, series, visibility and isolation."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from tests.api.helpers import Api
from tests.sops.test_measures import HISTORY, put_runs

D = datetime.date
MEASURES = "orgs/acme/sop-measures"
COVERAGE = "orgs/acme/sop-coverage"


@pytest.fixture
def api(token_for):
    return lambda persona: Api(token_for(persona))


@pytest.fixture
def routine(world, in_org, make_sop):
    sop = make_sop(starts_on=D(2026, 8, 10))
    with in_org():
        put_runs(sop, HISTORY)
    return sop


@time_machine.travel("2026-11-25 12:00Z")
def test_my_measures(api, world, routine):
    response = api("member").get(MEASURES)
    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == "person" and body["subject_id"] == world.member.pk
    assert body["interval"] == "week" and len(body["series"]) == 12
    figures = body["figures"]
    assert figures["adherence"] == 66.7 and figures["on_time_rate"] == 75.0
    assert (figures["skipped"], figures["missed"], figures["due"]) == (2, 2, 12)
    assert (figures["current_streak"], figures["best_streak"]) == (3, 6)
    assert figures["repetitions"] == 12 and figures["predictability"] == 48.3
    assert body["domains"]["operate"]["routines"] == 1
    assert body["sops"][0]["sop"] == routine.pk
    assert body["series"][0] == {
        "start": "2026-09-07", "end": "2026-09-13", "label": "7 Sep",
        "done": 1, "due": 1, "adherence": 100.0,
    }  # fmt: skip


@time_machine.travel("2026-11-25 12:00Z")
def test_one_routine_a_year_by_month_and_a_domain(api, routine, world):
    admin = api("admin")
    body = admin.get(MEASURES, {"sop": routine.pk, "weeks": 52}).json()
    assert body["subject"] == "sop" and body["interval"] == "month"
    assert body["figures"]["due"] == 16
    perfect = admin.get(MEASURES, {"person": world.member.pk, "domain": "perfect"}).json()
    assert perfect["figures"]["routines"] == 0


def test_a_units_measures(api, world, make_sop):
    make_sop(unit=world.sales, visibility="organization")
    body = api("viewer").get(MEASURES, {"unit": world.sales.pk}).json()
    assert body["subject"] == "unit" and body["figures"]["routines"] == 1


@pytest.mark.parametrize(
    ("params", "field"),
    [({"weeks": 5}, "weeks"), ({"domain": "sideways"}, "domain"), ({"person": "x"}, "person")],
)
def test_bad_filters_are_refused(api, params, field):
    response = api("member").get(MEASURES, params)
    assert response.status_code == 422
    assert field in {error["field"] for error in response.json()["errors"]}


def test_not_visible_or_other_organizations_ids_are_not_found(api, world, make_sop):
    private = make_sop("admin", title="Private")
    member = api("member")
    assert member.get(MEASURES, {"person": world.owner.pk}).status_code == 404
    assert member.get(MEASURES, {"person": world.outsider.pk}).status_code == 404
    assert member.get(MEASURES, {"unit": world.other_unit.pk}).status_code == 404
    assert member.get(MEASURES, {"sop": private.pk}).status_code == 404
    assert api("admin").get(MEASURES, {"person": world.member.pk}).status_code == 200
    assert api("outsider").get(MEASURES).status_code == 404  # not a member of Acme


def test_coverage_for_an_admin_and_a_member(api, world, make_sop):
    make_sop()
    body = api("admin").get(COVERAGE).json()
    assert body["organization_wide"] is True
    member_row = next(row for row in body["items"] if row["person"] == world.member.pk)
    assert member_row["covered"] == 1
    cell = next(c for c in member_row["cells"] if c["dimension"] == "accountability")
    assert cell["routines"] == 1 and cell["gap"] is False
    assert len(member_row["cells"]) == 16 and len(body["columns"]) == 16
    mine = api("member").get(COVERAGE).json()
    assert mine["organization_wide"] is False
    assert [row["person"] for row in mine["items"]] == [world.member.pk]


def test_coverage_filters(api, world, make_sop):
    admin = api("admin")
    assert admin.get(COVERAGE, {"unit": world.sales.pk}).json()["count"] == 1
    assert admin.get(COVERAGE, {"unit": world.other_unit.pk}).status_code == 404
    assert admin.get(COVERAGE, {"level": "moon"}).status_code == 422
    assert admin.get(COVERAGE, {"page": 0}).status_code == 422
    assert admin.get(COVERAGE, {"gaps": "true", "level": "functional_team"}).status_code == 200
