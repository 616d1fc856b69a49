"""The check-in rhythm per level: in Settings (five day fields, standards shown) and in the
organizations API (PATCH ``check_in_days``), with validation errors shown."""

from __future__ import annotations

import pytest

from leados.core.models import Organization
from leados.core.models.organizations import CHECK_IN_DAYS
from tests.api.helpers import Api, assert_error_shape, field_errors, if_match
from tests.web.helpers import history_count, text


def _settings(**overrides):
    data = {
        "version": 1,
        "name": "Acme",
        "time_zone": "UTC",
        "fiscal_year_start_month": 1,
        "week_start_day": 0,
        "mfa_required": "",
        **{f"check_in_{level}": "" for level in CHECK_IN_DAYS},
    }
    data.update(overrides)
    return data


@pytest.fixture
def api_for(token_for):
    return lambda persona: Api(token_for(persona))


def test_the_form_shows_the_standard_rhythm_for_each_level(world, client_for):
    page = text(client_for("owner").get("/o/acme/settings/"))
    assert "Check-in rhythm" in page
    for level, days in CHECK_IN_DAYS.items():
        assert f'name="check_in_{level}" value="{days}"' in page
        assert f"standard {days}" in page


def test_an_admin_sets_the_rhythm_and_it_is_kept_and_shown(world, client_for):
    client = client_for("admin")
    response = client.post(
        "/o/acme/settings/", _settings(check_in_strategy="21", check_in_self="7")
    )
    assert response.status_code == 302
    org = Organization.objects.get(pk=world.org.pk)
    assert org.check_in_days == {"strategy": 21}  # the standard 7 for self is not stored
    assert org.check_in_rhythm()["strategy"] == 21 and org.version == 2
    assert 'name="check_in_strategy" value="21"' in text(client.get("/o/acme/settings/"))


@pytest.mark.parametrize("value", ["0", "93", "-3", "weekly", "1.5"])
def test_a_bad_number_of_days_is_refused_with_a_message_and_changes_nothing(
    world, client_for, value
):
    before = history_count()
    response = client_for("owner").post(
        "/o/acme/settings/", _settings(check_in_functional_team=value)
    )
    assert response.status_code == 422
    page = text(response)
    assert 'id="id_check_in_functional_team_error"' in page
    org = Organization.objects.get(pk=world.org.pk)
    assert (org.check_in_days, org.version) == ({}, 1)
    assert history_count() == before


def test_a_member_sees_the_rhythm_but_cannot_change_it(world, client_for):
    client = client_for("member")
    page = text(client.get("/o/acme/settings/"))
    field = page[page.index('name="check_in_project"') :].split(">", 1)[0]
    assert 'value="7"' in field and "disabled" in field
    response = client.post("/o/acme/settings/", _settings(check_in_project="3"))
    assert response.status_code == 403
    assert Organization.objects.get(pk=world.org.pk).check_in_days == {}


def test_the_api_shows_the_full_rhythm_and_patch_replaces_it(world, api_for):
    api = api_for("admin")
    shown = api.get("orgs/acme").json()
    assert shown["check_in_days"] == CHECK_IN_DAYS

    response = api.patch(
        "orgs/acme", {"check_in_days": {"strategy": 60, "project": 3}}, headers=if_match(1)
    )
    assert response.status_code == 200
    assert response.json()["check_in_days"] == {**CHECK_IN_DAYS, "strategy": 60, "project": 3}
    org = Organization.objects.get(pk=world.org.pk)
    assert org.check_in_days == {"strategy": 60, "project": 3}

    again = api.patch("orgs/acme", {"check_in_days": {"self": 14}}, headers=if_match(2))
    assert again.json()["check_in_days"] == {**CHECK_IN_DAYS, "self": 14}


@pytest.mark.parametrize(
    "rhythm", [{"strategy": 0}, {"strategy": 93}, {"weekly": 7}, {"self": "7"}, {"self": 2.5}]
)
def test_the_api_refuses_a_bad_rhythm_with_a_field_error(world, api_for, rhythm):
    response = api_for("admin").patch("orgs/acme", {"check_in_days": rhythm}, headers=if_match(1))
    assert_error_shape(response, 422)
    assert any("check_in_days" in key for key in field_errors(response))
    org = Organization.objects.get(pk=world.org.pk)
    assert (org.check_in_days, org.version) == ({}, 1)


def test_only_admins_change_the_rhythm_through_the_api(world, api_for):
    response = api_for("member").patch(
        "orgs/acme", {"check_in_days": {"self": 3}}, headers=if_match(1)
    )
    assert_error_shape(response, 403)
    assert Organization.objects.get(pk=world.org.pk).check_in_days == {}
