"""The measures page and its chart, through the page client."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from tests.sops.test_measures import HISTORY, put_runs

D = datetime.date
URL = "/o/acme/sops/measures/"


@pytest.fixture
def routine(world, in_org, make_sop):
    sop = make_sop(starts_on=D(2026, 8, 10))
    with in_org():
        put_runs(sop, HISTORY)
    return sop


@time_machine.travel("2026-11-25 12:00Z")
def test_my_measures_show_the_figures_chart_and_tables(client_for, routine):
    response = client_for("member").get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "66.7 %" in html  # adherence
    assert "75 %" in html  # on time
    assert "<svg" in html and "Adherence per week" in html
    assert "Weekly scorecard review" in html
    assert f'id="sop-row-{routine.pk}"' in html
    assert 'id="domain-operate"' in html


@time_machine.travel("2026-11-25 12:00Z")
def test_the_range_changes_the_series_and_htmx_gets_only_the_chart(client_for, routine):
    client = client_for("member")
    page = client.get(URL, {"weeks": 52}).content.decode()
    assert "Adherence per month" in page and "Nov 2026" in page
    partial = client.get(URL, {"weeks": 26}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert b'id="sop-chart"' in partial.content and b"<html" not in partial.content


@time_machine.travel("2026-11-25 12:00Z")
def test_a_bad_filter_gets_a_message_and_the_default(client_for, routine):
    response = client_for("member").get(URL, {"weeks": "forever", "domain": "sideways"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html and "The default is used instead." in html
    assert "66.7 %" in html


@time_machine.travel("2026-11-25 12:00Z")
def test_one_routine_and_a_unit(client_for, routine, world):
    client = client_for("admin")
    assert "66.7 %" in client.get(URL, {"sop": routine.pk}).content.decode()
    assert client.get(URL, {"unit": world.sales.pk}).status_code == 200


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member", 200), ("admin", 200), ("coach", 200), ("owner", 200), ("viewer", 404)],
)
def test_who_may_see_a_persons_measures(client_for, world, persona, status):
    # The member's manager is the admin; the viewer is no one's manager.
    assert client_for(persona).get(URL, {"person": world.member.pk}).status_code == status


def test_another_organizations_ids_are_not_found(client_for, world, make_sop):
    client = client_for("member")
    assert client.get(URL, {"person": world.outsider.pk}).status_code == 404
    assert client.get(URL, {"unit": world.other_unit.pk}).status_code == 404
    assert client.get(URL, {"sop": 999999}).status_code == 404


def test_a_private_routine_of_someone_else_is_not_found(client_for, make_sop):
    private = make_sop("admin", title="Private")
    assert client_for("member").get(URL, {"sop": private.pk}).status_code == 404
    assert client_for("admin").get(URL, {"sop": private.pk}).status_code == 200


def test_the_partial_for_a_routines_page(rf, world, in_org, routine):
    from django.template.loader import render_to_string

    from leados.sops.selectors.measures import sop_measures

    with in_org():
        measures = sop_measures(routine, today=D(2026, 11, 25))
    html = render_to_string(
        "sops/_sop_measures.html",
        {"sop_measures": measures, "sop": routine, "current_org": world.org},
    )
    assert "66.7 %" in html and f"?sop={routine.pk}" in html
