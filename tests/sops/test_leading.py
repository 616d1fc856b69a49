"""Leading vs. doing: the weekly check-in, targets by level, drift, My week, the drift
alert (really received by a local SMTP server), the time-checkins API and the leading
targets in the organization settings.

Time stands still on Wednesday 25 November 2026 (UTC; weeks start on Monday): this week
starts on 23 November, last week on 16 November.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine

from leados.core import services
from leados.core.models import Level, Organization
from leados.sops.models import DriftShare, SopPreferences, TimeCheckin
from leados.sops.selectors.leading import (
    drift_of,
    leading_series,
    leading_target_for,
    person_level,
)
from leados.sops.services.time_checkins import time_checkin_save
from leados.sops.tasks import sop_drift_alerts
from tests.api.helpers import Api, assert_error_shape, if_match

pytestmark = pytest.mark.django_db

NOW = "2026-11-25 12:00Z"
TODAY = datetime.date(2026, 11, 25)
THIS_WEEK = datetime.date(2026, 11, 23)
WEEK = datetime.timedelta(days=7)


def weeks_ago(n: int) -> datetime.date:
    return THIS_WEEK - WEEK * n


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def checkin(world, in_org):
    """``checkin(person, week, leading)``: leading split as structure/operate/perfect, the
    rest is the team's own work."""

    def make(person, week, leading, **extra):
        third = leading // 3
        shares = {
            "structure": leading - 2 * third,
            "operate": third,
            "perfect": third,
            "doing": 100 - leading,
            "other": 0,
        }
        with in_org():
            return time_checkin_save(person=person, week_start=week, shares=shares, **extra)

    return make


@pytest.fixture
def api_for(world, token_for):
    return lambda persona: Api(token_for(persona))


def share_form(week=THIS_WEEK, note="", **shares) -> dict:
    values = {"structure": 30, "operate": 20, "perfect": 10, "doing": 30, "other": 10}
    values.update(shares)
    return {"week": week.isoformat(), **{k: str(v) for k, v in values.items()}, "note": note}


def checkins_of(person, in_org):
    with in_org():
        return list(TimeCheckin.objects.filter(person=person).order_by("week_start"))


# ---------------------------------------------------------------------------- check-in page


def test_a_leader_checks_in_for_this_week_and_sees_the_trend(world, client_for, in_org):
    client = client_for("member")
    page = client.get("/o/acme/sops/week/")
    assert page.status_code == 200
    assert "Week of Monday 23 November 2026" in page.content.decode()
    response = client.post("/o/acme/sops/week/", share_form(note="Hiring week"))
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/sops/leading/"
    [saved] = checkins_of(world.member, in_org)
    assert (saved.week_start, saved.leading_pct, saved.note) == (THIS_WEEK, 60, "Hiring week")
    trend = client.get("/o/acme/sops/leading/").content.decode()
    assert "60 % leading (your target: 70 %)" in trend
    assert "Target: <strong>70 %</strong>" in trend
    assert "<svg" in trend and 'class="seg-structure"' in trend


def test_shares_that_do_not_add_up_to_100_are_refused_and_nothing_is_saved(
    world, client_for, in_org
):
    response = client_for("member").post("/o/acme/sops/week/", share_form(other=0))
    assert response.status_code == 422
    assert "The shares add up to 90 %, not 100 %." in response.content.decode()
    assert checkins_of(world.member, in_org) == []


def test_a_share_outside_0_to_100_is_refused(world, client_for, in_org):
    response = client_for("member").post("/o/acme/sops/week/", share_form(doing=-10, other=50))
    assert response.status_code == 422
    assert "Give a whole per cent from 0 to 100." in response.content.decode()
    assert checkins_of(world.member, in_org) == []


def test_a_future_week_is_refused(world, client_for, in_org):
    response = client_for("member").post("/o/acme/sops/week/", share_form(week=weeks_ago(-1)))
    assert response.status_code == 422
    assert "Choose one of the weeks offered" in response.content.decode()
    assert checkins_of(world.member, in_org) == []


def test_a_late_check_in_for_last_week_is_allowed(world, client_for, in_org):
    client = client_for("member")
    assert "Last week (from Mon 16 Nov)" in client.get("/o/acme/sops/week/").content.decode()
    response = client.post("/o/acme/sops/week/", share_form(week=weeks_ago(1)))
    assert response.status_code == 302
    assert [c.week_start for c in checkins_of(world.member, in_org)] == [weeks_ago(1)]


def test_the_form_is_prefilled_from_the_week_before(world, client_for, checkin):
    checkin(world.member, weeks_ago(1), 45)
    page = client_for("member").get("/o/acme/sops/week/").content.decode()
    assert "Filled in from your week of 16 Nov" in page
    assert 'name="doing" value="55"' in page


def test_changing_a_week_keeps_its_version_and_a_stale_edit_is_refused(
    world, client_for, checkin, in_org
):
    saved = checkin(world.member, THIS_WEEK, 40)
    client = client_for("member")
    page = client.get("/o/acme/sops/week/").content.decode()
    assert 'name="version" value="1"' in page
    # Meanwhile the same week is changed elsewhere (another tab, the API).
    with in_org():
        time_checkin_save(
            person=world.member,
            week_start=THIS_WEEK,
            shares={"structure": 50, "operate": 20, "perfect": 10, "doing": 20, "other": 0},
            expected_version=1,
        )
    response = client.post("/o/acme/sops/week/", {**share_form(), "version": "1"})
    assert response.status_code == 409
    assert "changed since you opened the page (it now says 80 % leading)" in (
        response.content.decode()
    )
    [current] = checkins_of(world.member, in_org)
    assert (current.pk, current.version, current.leading_pct) == (saved.pk, 2, 80)
    response = client.post("/o/acme/sops/week/", {**share_form(), "version": "2"})
    assert response.status_code == 302
    [current] = checkins_of(world.member, in_org)
    assert (current.version, current.leading_pct) == (3, 60)


def test_a_week_created_meanwhile_is_not_overwritten(world, client_for, checkin, in_org):
    client = client_for("member")
    client.get("/o/acme/sops/week/")  # the page is opened before any check-in exists
    checkin(world.member, THIS_WEEK, 40)
    response = client.post("/o/acme/sops/week/", share_form())
    assert response.status_code == 409
    assert "was saved meanwhile" in response.content.decode()
    assert [c.leading_pct for c in checkins_of(world.member, in_org)] == [40]


def test_a_viewer_cannot_check_in(world, client_for):
    assert client_for("viewer").get("/o/acme/sops/week/").status_code == 403
    assert client_for("viewer").post("/o/acme/sops/week/", share_form()).status_code == 403


# ---------------------------------------------------------------------------- trend page


def test_the_trend_shows_gaps_and_the_range_can_be_chosen(world, client_for, checkin):
    checkin(world.member, weeks_ago(3), 50)
    checkin(world.member, weeks_ago(1), 65)
    page = client_for("member").get("/o/acme/sops/leading/?weeks=26").content.decode()
    assert 'aria-current="true">Last 26 weeks' in page
    assert page.count('class="week gap"') == 24
    assert "Week of 9 Nov 2026: no check-in" in page
    assert "Week of 16 Nov 2026: 65 % leading" in page
    # A range not offered falls back to 12 weeks.
    page = client_for("member").get("/o/acme/sops/leading/?weeks=7").content.decode()
    assert 'aria-current="true">Last 12 weeks' in page


def test_someone_who_leads_nothing_has_no_target(world, client_for):
    page = client_for("coach").get("/o/acme/sops/leading/").content.decode()
    assert "No leading target" in page
    assert "You lead or manage no unit" in page


def test_a_manager_sees_a_report_and_the_list_of_reports(world, client_for, checkin):
    for n in (1, 2, 3):
        checkin(world.member, weeks_ago(n), 40)
    client = client_for("admin")
    page = client.get(f"/o/acme/sops/leading/?person={world.member.pk}").content.decode()
    assert "Leading vs. doing: Mia Member" in page
    assert "Drifting into doing" in page
    overview = client.get("/o/acme/sops/leading/").content.decode()
    assert "Leaders in the organization" in overview
    assert "Mia Member" in overview and "drifting" in overview


def test_people_may_not_see_others_trends_unless_allowed(world, client_for, in_org):
    member = client_for("member")
    assert member.get(f"/o/acme/sops/leading/?person={world.owner.pk}").status_code == 404
    assert member.get("/o/acme/sops/leading/?person=abc").status_code == 404
    assert member.get("/o/acme/sops/leading/?person=99999999").status_code == 404
    assert member.get(f"/o/acme/sops/leading/?person={world.outsider.pk}").status_code == 404
    coach = client_for("coach")
    assert coach.get(f"/o/acme/sops/leading/?person={world.member.pk}").status_code == 200
    assert client_for("outsider").get("/o/acme/sops/leading/").status_code == 404


def test_the_overview_reads_a_flat_number_of_queries(
    world, client_for, checkin, in_org, django_assert_max_num_queries
):
    with in_org():
        for i in range(12):
            user = services.user_create(email=f"lead{i}@acme.test", password="x" * 12)
            person = services.person_add(organization=world.org, user=user, manager=world.admin)
            unit = services.unit_create(parent=world.root, level=Level.PROCESS, name=f"P{i}")
            services.role_assignment_create(unit=unit, person=person, role="lead")
            checkin(person, weeks_ago(1), 30 + i)
    client = client_for("admin")
    client.get("/o/acme/sops/leading/")
    with django_assert_max_num_queries(15):
        page = client.get("/o/acme/sops/leading/")
    assert page.content.decode().count('<a href="?person=') == 14


# ---------------------------------------------------------------------------- targets


def test_the_target_follows_the_highest_level_led_or_managed(world, in_org):
    with in_org():
        assert person_level(world.owner) == Level.STRATEGY
        assert leading_target_for(world.owner) == 80
        assert person_level(world.member) == Level.FUNCTIONAL_TEAM
        assert leading_target_for(world.member) == 70
        assert person_level(world.coach) is None
        assert leading_target_for(world.coach) is None
        project = services.unit_create(parent=world.sales, level=Level.PROJECT, name="Launch",
            start_date=TODAY, end_date=TODAY + WEEK * 10,
        )  # fmt: skip
        services.role_assignment_create(unit=project, person=world.coach, role="manage")
        assert leading_target_for(world.coach) == 50
        # A member's seat does not count; an archived unit does not either.
        process = services.unit_create(parent=world.ops, level=Level.PROCESS, name="Billing")
        services.role_assignment_create(unit=process, person=world.viewer, role="member")
        assert person_level(world.viewer) is None
        services.role_assignment_create(unit=world.ops, person=world.coach, role="lead")
        assert person_level(world.coach) == Level.FUNCTIONAL_TEAM
        ops = type(world.ops).objects.get(pk=world.ops.pk)
        services.unit_archive(unit=ops, expected_version=ops.version)
        assert person_level(world.coach) == Level.PROJECT


def test_the_organization_sets_its_own_targets(world, in_org):
    with in_org():
        org = Organization.objects.get(pk=world.org.pk)
        services.organization_update(
            organization=org, expected_version=org.version, leading_targets={"functional_team": 55}
        )
        member = type(world.member).objects.select_related("organization").get(pk=world.member.pk)
        assert leading_target_for(member) == 55


# ---------------------------------------------------------------------------- drift


def test_three_complete_weeks_below_target_is_a_drift(world, checkin, in_org):
    for n, share in ((3, 60), (2, 50), (1, 65)):
        checkin(world.member, weeks_ago(n), share)
    with in_org():
        drift = drift_of(world.member, TODAY)
    assert drift.drifting
    assert drift.shares == [60, 50, 65]
    assert [w.week_start for w in drift.weeks] == [weeks_ago(3), weeks_ago(2), weeks_ago(1)]
    assert drift.since == weeks_ago(3)


def test_the_drift_episode_starts_at_the_first_week_below_target(world, checkin, in_org):
    for n in (5, 4, 3, 2, 1):
        checkin(world.member, weeks_ago(n), 40)
    checkin(world.member, weeks_ago(6), 90)
    with in_org():
        assert drift_of(world.member, TODAY).since == weeks_ago(5)


def test_a_week_at_target_is_not_below_it(world, checkin, in_org):
    for n, share in ((3, 60), (2, 70), (1, 60)):
        checkin(world.member, weeks_ago(n), share)
    with in_org():
        assert not drift_of(world.member, TODAY).drifting


def test_a_week_without_a_check_in_breaks_the_run(world, checkin, in_org):
    for n in (4, 3, 1):
        checkin(world.member, weeks_ago(n), 40)
    with in_org():
        drift = drift_of(world.member, TODAY)
    assert not drift.drifting
    assert drift.shares == [40, None, 40]


def test_this_week_counts_once_it_has_a_check_in(world, checkin, in_org):
    for n in (3, 2, 1):
        checkin(world.member, weeks_ago(n), 40)
    checkin(world.member, THIS_WEEK, 75)
    with in_org():
        assert not drift_of(world.member, TODAY).drifting  # back above target this week
    checkin(world.member, THIS_WEEK, 45)
    with in_org():
        drift = drift_of(world.member, TODAY)
    assert drift.drifting
    assert drift.shares == [40, 40, 45]
    assert drift.since == weeks_ago(3)


def test_someone_without_a_target_never_drifts(world, checkin, in_org):
    for n in (3, 2, 1):
        checkin(world.coach, weeks_ago(n), 5)
    with in_org():
        drift = drift_of(world.coach, TODAY)
    assert not drift.drifting and drift.target is None


def test_the_series_has_a_point_per_week_with_gaps(world, checkin, in_org):
    checkin(world.member, weeks_ago(2), 40)
    with in_org():
        series = leading_series(world.member, weeks=12, today=TODAY)
    assert len(series) == 12
    assert series[-1].week_start == THIS_WEEK
    assert [p.leading_pct for p in series[-3:]] == [40, None, None]
    assert series[-3].below_target and not series[-2].below_target


# ---------------------------------------------------------------------------- My week


def test_my_week_asks_for_this_weeks_check_in_until_it_is_done(world, client_for, checkin):
    client = client_for("member")
    page = client.get("/o/acme/").content.decode()
    assert "This week&#x27;s leading check-in" in page or "This week's leading check-in" in page
    assert 'href="/o/acme/sops/week/"' in page
    checkin(world.member, THIS_WEEK, 75)
    page = client.get("/o/acme/").content.decode()
    assert "leading check-in" not in page
    assert "Checked in this week: 75 % leading" in page


def test_my_week_warns_of_a_drift_with_the_weeks_shares(world, client_for, checkin):
    for n, share in ((3, 60), (2, 50), (1, 40)):
        checkin(world.member, weeks_ago(n), share)
    page = client_for("member").get("/o/acme/").content.decode()
    assert "You are drifting into doing" in page
    assert "leading share 60 %, 50 %, 40 % in the last three weeks" in page
    manager = client_for("admin").get("/o/acme/").content.decode()
    assert "Your reports drifting into doing" in manager
    assert f"/o/acme/sops/leading/?person={world.member.pk}" in manager


def test_my_week_leaves_out_the_check_in_for_people_who_lead_nothing(world, client_for):
    assert "leading check-in" not in client_for("coach").get("/o/acme/").content.decode()
    assert "Leading vs. doing" not in client_for("viewer").get("/o/acme/").content.decode()


# ---------------------------------------------------------------------------- drift alert


def share_drift(world, in_org, how, coach=None):
    with in_org():
        return SopPreferences.objects.create(
            organization=world.org, person=world.member, drift_share=how, coach=coach
        )


def test_the_drift_alert_reaches_the_manager_and_coach_once(world, checkin, in_org, smtp_inbox):
    share_drift(world, in_org, DriftShare.BOTH, coach=world.coach)
    for n in (2, 1):
        checkin(world.member, weeks_ago(n), 40)
    assert sop_drift_alerts.call(world.org.pk) == []  # two weeks are not a drift yet
    checkin(world.member, weeks_ago(3), 40)
    assert sop_drift_alerts.call(world.org.pk) == [world.member.pk]
    assert sorted(m["To"] for m in smtp_inbox.messages) == ["admin@acme.test", "coach@acme.test"]
    message = smtp_inbox.messages[0]
    assert message["Subject"] == "Mia Member is drifting into doing (Acme)"
    body = smtp_inbox.body(0)
    assert "below their target of 70 %" in body
    assert "Week of 16 Nov 2026: 40 % leading" in body
    assert f"/o/acme/sops/leading/?person={world.member.pk}" in body
    # The next days, and the next week still drifting: the same episode, no new email.
    assert sop_drift_alerts.call(world.org.pk) == []
    checkin(world.member, THIS_WEEK, 30)
    with time_machine.travel("2026-12-01 12:00Z", tick=False):
        assert sop_drift_alerts.call(world.org.pk) == []
    assert len(smtp_inbox.messages) == 2
    with in_org():
        assert SopPreferences.objects.get(person=world.member).last_drift_alert_on == TODAY


def test_a_new_drift_after_recovering_is_alerted_again(world, checkin, in_org, smtp_inbox):
    share_drift(world, in_org, DriftShare.MANAGER)
    for n in (3, 2, 1):
        checkin(world.member, weeks_ago(n), 40)
    assert sop_drift_alerts.call(world.org.pk) == [world.member.pk]
    checkin(world.member, THIS_WEEK, 80)  # back on target
    with time_machine.travel("2026-12-21 12:00Z", tick=False):
        for n in (-1, -2, -3):
            checkin(world.member, weeks_ago(n), 30)
        assert sop_drift_alerts.call(world.org.pk) == [world.member.pk]
    assert [m["To"] for m in smtp_inbox.messages] == ["admin@acme.test", "admin@acme.test"]


@pytest.mark.parametrize(
    ("how", "expected"),
    [
        (DriftShare.NOBODY, []),
        (DriftShare.MANAGER, ["admin@acme.test"]),
        (DriftShare.COACH, ["coach@acme.test"]),
    ],
)
def test_the_alert_goes_only_to_whom_the_leader_chose(
    world, checkin, in_org, smtp_inbox, how, expected
):
    share_drift(world, in_org, how, coach=world.coach)
    for n in (3, 2, 1):
        checkin(world.member, weeks_ago(n), 40)
    sop_drift_alerts.call(world.org.pk)
    assert [m["To"] for m in smtp_inbox.messages] == expected


def test_the_alert_job_runs_only_where_someone_shares(world, in_org):
    from leados.sops.tasks import _with_drift_sharing

    ids = [world.org.pk, world.other_org.pk]
    assert _with_drift_sharing(ids) == set()
    share_drift(world, in_org, DriftShare.COACH, coach=world.coach)
    assert _with_drift_sharing(ids) == {world.org.pk}
    assert sop_drift_alerts.call(987654) == []


# ---------------------------------------------------------------------------- API

SHARES = {"structure": 30, "operate": 20, "perfect": 10, "doing": 30, "other": 10}


def test_api_creates_a_check_in_and_refuses_a_second_for_the_week(world, api_for, in_org):
    api = api_for("member")
    response = api.post("orgs/acme/time-checkins", {**SHARES, "note": "Quarter planning"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["week_start"] == "2026-11-23"
    assert (body["leading_pct"], body["target"], body["below_target"]) == (60, 70, True)
    assert response["ETag"] == 'W/"1"'
    assert response["Location"].endswith(f"/time-checkins/{body['id']}")
    again = api.post("orgs/acme/time-checkins", {**SHARES, "week_start": "2026-11-26"})
    error = assert_error_shape(again, 409)
    assert f"PATCH time-checkins/{body['id']}" in error["detail"]
    assert [c.note for c in checkins_of(world.member, in_org)] == ["Quarter planning"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**SHARES, "other": 0}, "shares"),
        ({**SHARES, "doing": 101}, "doing"),
        ({**SHARES, "doing": "30"}, "doing"),
        ({**SHARES, "week_start": "2026-12-01"}, "week_start"),
        ({**SHARES, "week_start": "not a day"}, "week_start"),
        ({**SHARES, "leading": 3}, "leading"),
    ],
)
def test_api_refuses_bad_check_ins(world, api_for, in_org, body, field):
    response = api_for("member").post("orgs/acme/time-checkins", body)
    error = assert_error_shape(response, 422)
    assert field in [e["field"].split(".")[-1] for e in error["errors"]], error
    assert checkins_of(world.member, in_org) == []


def test_api_lists_with_visibility_and_week_filters(world, api_for, checkin):
    for n in (3, 2, 1):
        checkin(world.member, weeks_ago(n), 40)
    checkin(world.owner, weeks_ago(1), 90)
    mine = api_for("member").get("orgs/acme/time-checkins").json()
    assert [r["week_start"] for r in mine["items"]] == ["2026-11-16", "2026-11-09", "2026-11-02"]
    assert mine["count"] == 3 and all(r["below_target"] for r in mine["items"])
    filtered = api_for("admin").get(
        "orgs/acme/time-checkins",
        {"person": world.member.pk, "from": "2026-11-09", "to": "2026-11-09"},
    )
    assert [r["week_start"] for r in filtered.json()["items"]] == ["2026-11-09"]
    assert (
        api_for("coach").get("orgs/acme/time-checkins", {"person": world.member.pk}).json()["count"]
        == 3
    )
    # A member may not read the owner's weeks; it reads as not found.
    refused = api_for("member").get("orgs/acme/time-checkins", {"person": world.owner.pk})
    assert_error_shape(refused, 422)
    bad = api_for("member").get("orgs/acme/time-checkins", {"from": "yesterday"})
    assert_error_shape(bad, 422)


def test_api_isolates_check_ins(world, api_for, checkin):
    theirs = checkin(world.owner, weeks_ago(1), 90)
    assert api_for("member").get(f"orgs/acme/time-checkins/{theirs.pk}").status_code == 404
    assert api_for("outsider").get(f"orgs/acme/time-checkins/{theirs.pk}").status_code == 404
    assert api_for("outsider").get(f"orgs/globex/time-checkins/{theirs.pk}").status_code == 404
    assert api_for("admin").get(f"orgs/acme/time-checkins/{theirs.pk}").status_code == 200
    with_person = api_for("outsider").get("orgs/globex/time-checkins", {"person": world.member.pk})
    assert_error_shape(with_person, 422)


def test_api_changes_a_check_in_with_its_version(world, api_for, checkin, in_org):
    saved = checkin(world.member, weeks_ago(1), 40)
    api = api_for("member")
    path = f"orgs/acme/time-checkins/{saved.pk}"
    assert_error_shape(api.patch(path, {"doing": 50, "structure": 24}), 428)
    changed = api.patch(path, {"doing": 50, "structure": 24}, headers=if_match(1))
    assert changed.status_code == 200, changed.content
    assert (changed.json()["leading_pct"], changed.json()["version"]) == (50, 2)
    assert_error_shape(api.patch(path, {"note": "late"}, headers=if_match(1)), 412)
    assert_error_shape(api.patch(path, {"doing": 10}, headers=if_match(2)), 422)
    assert_error_shape(api.patch(path, {"note": None}, headers=if_match(2)), 422)
    # The manager reads it but does not change it.
    assert_error_shape(api_for("admin").patch(path, {"note": "x"}, headers=if_match(2)), 403)
    [current] = checkins_of(world.member, in_org)
    assert (current.version, current.leading_pct, current.note) == (2, 50, "")


def test_api_refuses_a_viewer_checking_in(world, api_for, checkin):
    assert_error_shape(api_for("viewer").post("orgs/acme/time-checkins", SHARES), 403)
    theirs = checkin(world.member, weeks_ago(1), 40)
    path = f"orgs/acme/time-checkins/{theirs.pk}"
    assert_error_shape(api_for("viewer").patch(path, {"note": "x"}, headers=if_match(1)), 403)


def test_api_summary_tells_target_level_and_drift(world, api_for, checkin):
    for n in (3, 2, 1):
        checkin(world.member, weeks_ago(n), 40)
    body = (
        api_for("admin").get("orgs/acme/time-checkins/summary", {"person": world.member.pk}).json()
    )
    assert (body["level"], body["target"], body["drifting"]) == ("functional_team", 70, True)
    assert body["drift_since"] == "2026-11-02"
    assert [w["leading_pct"] for w in body["drift_weeks"]] == [40, 40, 40]
    assert len(body["weeks"]) == 12 and body["weeks"][-1]["checkin"] is None
    assert body["average_leading_pct"] == 40
    mine = api_for("coach").get("orgs/acme/time-checkins/summary").json()
    assert (mine["level"], mine["target"], mine["drifting"]) == (None, None, False)
    assert_error_shape(api_for("member").get("orgs/acme/time-checkins/summary", {"weeks": 5}))
    refused = api_for("member").get("orgs/acme/time-checkins/summary", {"person": world.owner.pk})
    assert_error_shape(refused, 422)


# ---------------------------------------------------------------------------- settings


def test_admins_set_leading_targets_in_the_settings_page(world, client_for):
    client = client_for("admin")
    page = client.get("/o/acme/settings/").content.decode()
    assert "Leading targets" in page
    assert 'name="leading_strategy" value="80"' in page
    form = {
        "version": "1",
        "name": "Acme",
        "time_zone": "UTC",
        "fiscal_year_start_month": "1",
        "week_start_day": "0",
        "leading_project": "40",
        "leading_strategy": "80",
    }
    assert client.post("/o/acme/settings/", form).status_code == 302
    world.org.refresh_from_db()
    assert world.org.leading_targets == {"project": 40}
    assert world.org.leading_target()["project"] == 40
    refused = client.post("/o/acme/settings/", {**form, "version": "2", "leading_process": "101"})
    assert refused.status_code == 422
    world.org.refresh_from_db()
    assert world.org.leading_targets == {"project": 40}


def test_admins_set_leading_targets_through_the_api(world, api_for):
    api = api_for("admin")
    assert api.get("orgs/acme").json()["leading_targets"] == {
        "strategy": 80,
        "functional_team": 70,
        "process": 60,
        "project": 50,
    }
    response = api.patch("orgs/acme", {"leading_targets": {"process": 65}}, headers=if_match(1))
    assert response.status_code == 200, response.content
    assert response.json()["leading_targets"]["process"] == 65
    for bad in ({"self": 10}, {"process": 101}, {"process": "65"}, {"process": -1}):
        refused = api.patch("orgs/acme", {"leading_targets": bad}, headers=if_match(2))
        assert_error_shape(refused, 422)
    assert_error_shape(
        api_for("member").patch(
            "orgs/acme", {"leading_targets": {"process": 1}}, headers=if_match(2)
        ),
        403,
    )
    world.org.refresh_from_db()
    assert world.org.leading_targets == {"process": 65}
