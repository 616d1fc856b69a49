"""The coverage map: leaders × the 16 dimensions, its cells, who sees whom, and queries."""

from __future__ import annotations

import datetime

import pytest

from leados.core import services as core_services
from leados.core.models import OrgRole
from leados.sops.selectors.coverage import coverage_map, leaders_for
from leados.sops.services.sops import sop_archive, sop_update
from tests.conftest import PASSWORD
from tests.sops.test_measures import DONE, MISSED, SKIPPED, put_runs

D = datetime.date
TODAY = D(2026, 11, 25)
URL = "/o/acme/sops/coverage/"


def _cells(coverage, person):
    row = next(r for r in coverage.rows if r.person.pk == person.pk)
    return {cell.dimension: cell for cell in row.cells}, row


def test_cells_count_live_routines_and_their_adherence(world, in_org, make_sop):
    a = make_sop()  # operate / accountability
    b = make_sop(title="Second accountability routine")
    make_sop(title="Culture walk", domain="structure", dimension="culture")
    archived = make_sop(title="Old", domain="perfect", dimension="master")
    with in_org():
        put_runs(a, [(D(2026, 11, 2), DONE, D(2026, 11, 2)), (D(2026, 11, 9), MISSED, None)])
        put_runs(b, [(D(2026, 11, 2), SKIPPED, None), (D(2026, 11, 9), DONE, D(2026, 11, 9))])
        put_runs(a, [(D(2026, 8, 3), MISSED, None)])  # before the 12 weeks
        sop_archive(sop=archived, expected_version=None)
        coverage = coverage_map(world.admin, today=TODAY)
    cells, row = _cells(coverage, world.member)
    assert cells["accountability"].routines == 2
    assert (cells["accountability"].done, cells["accountability"].due) == (2, 4)
    assert cells["accountability"].adherence == 50.0 and cells["accountability"].band == "low"
    assert cells["culture"].routines == 1 and cells["culture"].band == "none"
    assert cells["master"].routines == 0 and cells["master"].band == "gap"
    assert row.covered == 2 and row.gaps == 14
    totals = {column.dimension: column.leaders for column in coverage.columns}
    assert totals["accountability"] == 1 and totals["master"] == 0
    assert [c.dimension for c in coverage.columns][:2] == ["strategies", "culture"]
    assert [g[0] for g in coverage.groups] == ["structure", "operate", "perfect"]


def test_runs_count_for_the_leader_who_ran_them_after_a_hand_over(world, in_org, make_sop):
    sop = make_sop()  # the member's accountability routine
    with in_org():
        put_runs(sop, [(D(2026, 11, 2), DONE, D(2026, 11, 2)), (D(2026, 11, 9), MISSED, None)])
        sop_update(sop=sop, made_by=world.admin, expected_version=sop.version, owner=world.admin)
        coverage = coverage_map(world.admin, today=TODAY)
    before, _ = _cells(coverage, world.member)
    after, _ = _cells(coverage, world.admin)
    # The member ran it twice and no longer keeps it; the admin keeps it and ran it never.
    assert (before["accountability"].routines, before["accountability"].done) == (0, 1)
    assert before["accountability"].due == 2
    assert (after["accountability"].routines, after["accountability"].due) == (1, 0)


def test_leaders_are_unit_leads_managers_and_routine_owners(world, in_org, make_sop):
    make_sop("coach", title="Coach's routine")
    with in_org():
        names = {p.pk for p in leaders_for(world.admin)}
    # The member leads Sales; the coach owns a routine; the viewer does neither.
    assert world.member.pk in names and world.coach.pk in names
    assert world.viewer.pk not in names


def test_a_member_sees_themselves_and_their_reports(world, in_org):
    with in_org():
        report = core_services.person_add(
            organization=world.org,
            user=core_services.user_create(email="rep@acme.test", password=PASSWORD, name="Rep"),
            role=OrgRole.MEMBER,
            manager=world.member,
        )
        seen = {row.person.pk for row in coverage_map(world.member, today=TODAY).rows}
        assert seen == {world.member.pk, report.pk}
        assert not coverage_map(world.member, today=TODAY).organization_wide
        assert {r.person.pk for r in coverage_map(world.viewer, today=TODAY).rows} == {
            world.viewer.pk
        }


def test_filters_unit_level_and_only_gaps(world, in_org, make_sop):
    make_sop("admin", title="Ops routine", unit=world.ops)
    with in_org():
        in_sales = {p.pk for p in leaders_for(world.admin, unit=world.sales)}
        in_ops = {p.pk for p in leaders_for(world.admin, unit=world.ops)}
        functional = {p.pk for p in leaders_for(world.admin, level="functional_team")}
        gaps = {p.pk for p in leaders_for(world.admin, only_gaps=True)}
    assert in_sales == {world.member.pk}
    assert in_ops == {world.admin.pk}
    assert world.member.pk in functional and world.admin.pk not in functional
    assert world.member.pk in gaps


def test_a_leader_covering_every_dimension_has_no_gaps(world, in_org, make_sop):
    from leados.sops.models import DOMAIN_OF

    for dimension, domain in DOMAIN_OF.items():
        make_sop(title=f"Routine {dimension}", domain=domain, dimension=dimension)
    with in_org():
        assert world.member.pk not in {p.pk for p in leaders_for(world.admin, only_gaps=True)}
        cells, row = _cells(coverage_map(world.admin, today=TODAY), world.member)
    assert row.covered == 16 and row.gaps == 0


def _add_leaders(world, in_org, make_sop, count, start):
    with in_org():
        for n in range(start, start + count):
            person = core_services.person_add(
                organization=world.org,
                user=core_services.user_create(
                    email=f"leader{n}@acme.test", password=PASSWORD, name=f"Leader {n}"
                ),
                role=OrgRole.MEMBER,
            )
            world.__dict__[f"leader{n}"] = person
    for n in range(start, start + count):
        sop = make_sop(f"leader{n}", title=f"Leader {n} routine")
        with in_org():
            put_runs(sop, [(D(2026, 11, 2), DONE, D(2026, 11, 2))])


def test_the_page_takes_the_same_queries_for_more_leaders(
    world, in_org, make_sop, client_for, django_assert_max_num_queries
):
    client = client_for("admin")
    _add_leaders(world, in_org, make_sop, 2, 0)
    with django_assert_max_num_queries(30) as few:
        assert client.get(URL).status_code == 200
    _add_leaders(world, in_org, make_sop, 8, 2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert response.status_code == 200
    # Ten leaders with routines, the member (leads Sales) and the owner (leads the top unit).
    assert response.content.decode().count('id="leader-') == 12


@pytest.mark.parametrize("persona", ["admin", "owner", "coach", "member", "viewer"])
def test_the_page_answers_every_persona(client_for, persona):
    assert client_for(persona).get(URL).status_code == 200


def test_the_page_shows_gaps_with_words_not_colour_only(client_for, world, make_sop):
    make_sop()
    html = client_for("admin").get(URL).content.decode()
    assert "Accountability routine" in html  # "1 Accountability routine," for screen readers
    assert "Master: gap" in html
    assert "1 / 16" in html


def test_a_bad_unit_filter_gets_a_message(client_for, world):
    html = client_for("admin").get(URL, {"unit": world.other_unit.pk}).content.decode()
    assert "Choose a unit from the list." in html
    response = client_for("admin").get(URL, {"unit": world.ops.pk, "level": "process"})
    assert response.status_code == 200


def test_paging_keeps_a_hundred_rows(world, in_org):
    from leados.sops.selectors.coverage import coverage_map as cmap

    with in_org():
        coverage = cmap(world.admin, today=TODAY, per_page=1, page=2)
    assert len(coverage.rows) == 1 and coverage.page.number == 2
