"""Organization settings, and the display words used across the pages."""

from __future__ import annotations

import re

import pytest

from leados.core.models import Organization
from tests.web.helpers import history_count, text


def _settings(**overrides):
    data = {
        "version": 1,
        "name": "Acme Corp",
        "time_zone": "Europe/Berlin",
        "fiscal_year_start_month": 4,
        "week_start_day": 6,
        "mfa_required": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", ["owner", "admin"])
def test_admins_change_settings(persona, world, client_for):
    response = client_for(persona).post(
        "/o/acme/settings/",
        _settings(term_unit_singular="Team", term_unit_plural="Teams"),
    )
    assert response.status_code == 302
    org = Organization.objects.get(pk=world.org.pk)
    assert (org.name, org.time_zone, org.fiscal_year_start_month, org.week_start_day) == (
        "Acme Corp",
        "Europe/Berlin",
        4,
        6,
    )
    assert org.terminology == {"unit": ["Team", "Teams"]}
    assert org.version == 2


def test_display_words_appear_in_navigation_and_headings(world, client_for):
    client = client_for("owner")
    client.post(
        "/o/acme/settings/",
        _settings(
            term_unit_singular="Team",
            term_unit_plural="Teams",
            term_person_singular="Colleague",
            term_person_plural="Colleagues",
        ),
    )
    tree = text(client.get("/o/acme/units/"))
    assert "<h1>Teams</h1>" in tree and ">Colleagues</a>" in tree and "Add team" in tree
    assert "<h1>Colleagues</h1>" in text(client.get("/o/acme/people/"))


def test_half_a_display_word_is_refused(world, client_for):
    before = history_count()
    response = client_for("owner").post("/o/acme/settings/", _settings(term_goal_singular="Rock"))
    assert response.status_code == 422
    assert "Give both the singular and the plural" in text(response)
    assert Organization.objects.get(pk=world.org.pk).name == "Acme"
    assert history_count() == before


def test_an_unknown_time_zone_is_refused(world, client_for):
    response = client_for("owner").post("/o/acme/settings/", _settings(time_zone="Mars/Olympus"))
    assert response.status_code == 422
    assert Organization.objects.get(pk=world.org.pk).time_zone == "UTC"


def test_a_stale_settings_form_is_refused(world, client_for):
    client = client_for("owner")
    assert client.post("/o/acme/settings/", _settings(name="First")).status_code == 302
    response = client.post("/o/acme/settings/", _settings(name="Second"))
    assert response.status_code == 409
    assert "Someone else changed this" in text(response)
    assert Organization.objects.get(pk=world.org.pk).name == "First"


def test_requiring_two_factor_is_a_setting(world, client_for):
    client_for("owner").post("/o/acme/settings/", _settings(mfa_required="on"))
    assert Organization.objects.get(pk=world.org.pk).mfa_required


@pytest.mark.parametrize("persona", ["member", "coach", "viewer"])
def test_others_read_settings_but_cannot_change_them(persona, world, client_for):
    client = client_for(persona)
    page = text(client.get("/o/acme/settings/"))
    assert "Only owners and admins change these settings" in page and "disabled" in page
    assert client.post("/o/acme/settings/", _settings()).status_code == 403
    assert Organization.objects.get(pk=world.org.pk).name == "Acme"


def test_the_saved_time_zone_is_the_one_selected_among_all_zones(world, client_for):
    client = client_for("owner")
    assert client.post("/o/acme/settings/", _settings()).status_code == 302
    response = client.get("/o/acme/settings/")
    assert response.status_code == 200
    select = text(response).split('name="time_zone"')[1].split("</select>")[0]
    assert '<option selected value="Europe/Berlin">' in select
    assert select.count("selected") == 1
    assert '<option value="Pacific/Auckland">' in select and '<option value="UTC">' in select


def test_viewers_see_the_time_zone_but_cannot_change_it(world, client_for):
    page = text(client_for("viewer").get("/o/acme/settings/"))
    select = re.search(r'<select[^>]*name="time_zone"[^>]*>', page)
    assert select is not None and "disabled" in select.group(0)
