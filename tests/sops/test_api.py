"""The SOP collections of the API: sops (versions, ideas), sop-runs and sop-templates."""

import datetime

import pytest
import time_machine
from django_scopes import scopes_disabled

from leados.core.models import Person
from leados.core.tenancy import org_scope
from leados.sops.models import ImprovementIdea, RunState, Sop, SopRun, SopTemplate, SopVersion
from leados.sops.services.runs import runs_generate
from leados.sops.services.sops import sop_create
from tests.api.helpers import Api, assert_error_shape, field_errors, if_match

TODAY = datetime.date(2026, 11, 25)  # a Wednesday


@pytest.fixture
def api_for(token_for):
    return lambda persona: Api(token_for(persona))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-25 12:00Z", tick=False):
        yield


def _sop(sop_id) -> Sop:
    with scopes_disabled():
        return Sop.objects.get(pk=sop_id)


def _run(run_id) -> SopRun:
    with scopes_disabled():
        return SopRun.objects.get(pk=run_id)


def _counts() -> tuple:
    with scopes_disabled():
        return (
            Sop.objects.count(),
            SopVersion.objects.count(),
            SopRun.objects.count(),
            ImprovementIdea.objects.count(),
            SopTemplate.objects.count(),
        )


@pytest.fixture
def member_sop(world, make_sop, in_org):
    """The member's weekly routine with its runs made (one due this Monday, still open)."""
    sop = make_sop()
    with in_org():
        runs_generate(organization=world.org)
    return sop


def _open_run(sop) -> SopRun:
    with scopes_disabled():
        return SopRun.objects.filter(sop=sop, state=RunState.DUE).order_by("due_on").first()


# --- the whole path ------------------------------------------------------------------------


def test_a_new_leader_adopts_three_routines_runs_one_and_improves_it(world, api_for):
    api = api_for("member")

    library = api.get("orgs/acme/sop-templates", {"limit": 500}).json()
    assert library["count"] >= 44
    assert {t["source"] for t in library["items"]} == {"builtin"}
    assert {t["domain"] for t in library["items"]} == {"structure", "operate", "perfect"}
    operate = api.get("orgs/acme/sop-templates", {"domain": "operate", "q": "accountability"})
    assert "daily-accountability-check" in [t["slug"] for t in operate.json()["items"]]

    adopted = {}
    for slug in ("weekly-goal-check-in", "daily-accountability-check", "weekly-one-on-one"):
        response = api.post(f"orgs/acme/sop-templates/{slug}/adopt", {})
        assert response.status_code == 201, response.content
        body = response.json()
        assert response["Location"] == f"/api/v1/orgs/acme/sops/{body['id']}"
        assert body["template_slug"] == slug and body["version_number"] == 1
        assert body["owner"]["id"] == world.member.pk
        adopted[body["domain"]] = body
    assert set(adopted) == {"structure", "operate", "perfect"}
    daily = adopted["operate"]
    assert daily["cadence_text"] == "Every working day"
    assert daily["next_run"]["due_on"] == "2026-11-25"

    runs = api.get("orgs/acme/sop-runs").json()
    assert {r["sop"]["id"] for r in runs["items"]} == {s["id"] for s in adopted.values()}
    due_dates = [r["due_on"] for r in runs["items"]]
    assert due_dates == sorted(due_dates)

    run_id = daily["next_run"]["id"]
    run = api.get(f"orgs/acme/sop-runs/{run_id}")
    steps = run.json()["steps"]
    assert [s["position"] for s in steps] == [1, 2, 3, 4]
    assert not any(s["done"] for s in steps)
    etag = run["ETag"]
    for number in range(1, len(steps) + 1):
        ticked = [n <= number for n in range(1, len(steps) + 1)]
        response = api.patch(
            f"orgs/acme/sop-runs/{run_id}", {"steps_done": ticked}, headers={"If-Match": etag}
        )
        assert response.status_code == 200, response.content
        assert [s["done"] for s in response.json()["steps"]] == ticked
        etag = response["ETag"]
    done = api.post(
        f"orgs/acme/sop-runs/{run_id}/complete",
        {"minutes_spent": 12, "note": "Two commitments at risk."},
        headers={"If-Match": etag},
    )
    assert done.status_code == 200, done.content
    assert done.json()["state"] == "done" and done.json()["on_time"] is True
    assert _run(run_id).minutes_spent == 12

    idea = api.post(
        f"orgs/acme/sops/{daily['id']}/ideas",
        {
            "summary": "Ask each owner for their next step.",
            "run": run_id,
            "proposal": {
                "steps": [*[{"text": s["text"], "link": s["link"]} for s in steps], {
                    "text": "Ask each owner of an at-risk commitment for the next step."
                }],
            },
        },
    )  # fmt: skip
    assert idea.status_code == 201, idea.content
    assert idea.json()["state"] == "proposed" and idea.json()["run"] == run_id

    accepted = api.post(
        f"orgs/acme/sops/{daily['id']}/ideas/{idea.json()['id']}/accept",
        {"note": "Yes"},
        headers={"If-Match": idea["ETag"]},
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == "accepted"
    assert accepted.json()["resulting_version"] == 2

    versions = api.get(f"orgs/acme/sops/{daily['id']}/versions").json()
    assert [v["number"] for v in versions["items"]] == [2, 1]
    assert versions["items"][0]["current"] is True
    v2 = api.get(f"orgs/acme/sops/{daily['id']}/versions/2").json()
    assert v2["change_note"] == "Ask each owner for their next step."
    assert v2["idea"] == idea.json()["id"]
    assert v2["diff"]["previous"] == 1
    assert v2["diff"]["fields"] == []
    added = v2["diff"]["steps"]["added"]
    assert [(a["position"], a["step"]["text"]) for a in added] == [
        (5, "Ask each owner of an at-risk commitment for the next step.")
    ]
    assert v2["diff"]["steps"]["removed"] == v2["diff"]["steps"]["changed"] == []
    assert _run(run_id).sop_version.number == 1  # the done run keeps its version
    assert api.get(f"orgs/acme/sops/{daily['id']}").json()["version_number"] == 2


# --- sops ----------------------------------------------------------------------------------


def test_creating_a_routine_from_fields_with_a_friendly_cadence(world, api_for):
    response = api_for("member").post(
        "orgs/acme/sops",
        {
            "title": "Team pulse",
            "purpose": "Hear how the team is doing.",
            "dimension": "explore",
            "cadence": {"kind": "weekly", "interval": 2, "weekdays": ["TH", "MO"]},
            "levels": ["functional_team"],
            "unit": world.sales.pk,
            "visibility": "unit",
            "steps": [{"text": "Ask one open question", "evidence": "The answers"}],
            "duration_minutes": 20,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["domain"] == "perfect"
    assert body["rrule"] == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"
    assert body["cadence"]["kind"] == "weekly" and body["cadence"]["weekdays"] == ["MO", "TH"]
    assert body["cadence_text"] == "Every other week on Monday and Thursday"
    assert body["unit"]["name"] == "Sales" and body["visibility"] == "unit"
    assert body["steps"][0]["evidence"] == "The answers"
    assert body["counts"]["due"] >= 1
    assert response["ETag"] == 'W/"1"'


def test_a_sop_shows_cadence_next_run_counts_and_step_links(world, api_for, member_sop):
    body = api_for("member").get(f"orgs/acme/sops/{member_sop.pk}").json()

    assert body["cadence_text"] == "Every week on Monday"
    assert body["next_run"]["due_on"] == "2026-11-23"
    assert body["next_due_on"] == "2026-11-30"
    assert body["counts"] == {"due": 2, "done": 0, "skipped": 0, "missed": 3, "ideas_open": 0}
    assert body["steps"][0]["link"] == "scorecards"
    assert body["steps"][0]["url"] == "/o/acme/scorecards/"


def test_listing_filters_by_owner_domain_level_and_archived(world, api_for, make_sop):
    make_sop(title="Mine, operate")
    make_sop(title="Mine, perfect", domain="perfect", dimension="master", levels=["self"])
    make_sop("admin", title="The admin's", visibility="organization")
    make_sop("admin", title="The admin's private")
    api = api_for("member")

    def titles(**params):
        response = api.get("orgs/acme/sops", params)
        assert response.status_code == 200, response.content
        return [s["title"] for s in response.json()["items"]]

    assert titles() == ["Mine, operate", "Mine, perfect", "The admin's"]
    assert titles(owner="me") == ["Mine, operate", "Mine, perfect"]
    assert titles(owner=world.admin.pk) == ["The admin's"]
    assert titles(domain="perfect") == ["Mine, perfect"]
    assert titles(dimension="accountability") == ["Mine, operate", "The admin's"]
    assert titles(level="self") == ["Mine, perfect"]
    assert titles(q="perf") == ["Mine, perfect"]
    assert titles(archived="true") == []
    assert "The admin's private" in [
        s["title"] for s in api_for("coach").get("orgs/acme/sops").json()["items"]
    ]


def test_a_content_change_makes_a_version_with_a_diff(world, api_for, member_sop):
    api = api_for("member")
    steps = [
        {"text": "Read last week's note"},
        {"text": "Open the scorecard", "link": "scorecards"},
        {"text": "Write down the one number to talk about", "evidence": "The number, and why"},
    ]

    response = api.patch(
        f"orgs/acme/sops/{member_sop.pk}",
        {"title": "Monday numbers", "steps": steps, "change_note": "Sharper"},
        headers=if_match(1),
    )

    assert response.status_code == 200, response.content
    assert response.json()["version_number"] == 2 and response["ETag"] == 'W/"2"'
    diff = api.get(f"orgs/acme/sops/{member_sop.pk}/versions/2").json()["diff"]
    assert diff["fields"] == [
        {"field": "title", "before": "Weekly scorecard review", "after": "Monday numbers"}
    ]
    changed = diff["steps"]["changed"]
    assert [c["position"] for c in changed] == [3]
    assert changed[0]["before"]["evidence"] == "The number and why"
    assert changed[0]["after"]["evidence"] == "The number, and why"
    removed = [(r["position"], r["step"]["text"]) for r in diff["steps"]["removed"]]
    assert removed == [(3, "Send the note to the team")]
    added = [(a["position"], a["step"]["text"]) for a in diff["steps"]["added"]]
    assert added == [(1, "Read last week's note")]
    first = api.get(f"orgs/acme/sops/{member_sop.pk}/versions/1").json()
    assert first["diff"] == {
        "previous": None,
        "fields": [],
        "steps": {"added": [], "removed": [], "changed": []},
    }
    assert api.get(f"orgs/acme/sops/{member_sop.pk}/versions/3").status_code == 404


def test_a_settings_change_keeps_the_version_and_dimension_moves_the_domain(
    world, api_for, member_sop
):
    response = api_for("member").patch(
        f"orgs/acme/sops/{member_sop.pk}",
        {"dimension": "culture", "time_of_day": "09:30", "cadence": {"kind": "daily"}},
        headers=if_match(1),
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["domain"], body["dimension"], body["rrule"]) == (
        "structure",
        "culture",
        "FREQ=DAILY",
    )
    assert body["version_number"] == 1 and body["time_of_day"] == "09:30:00"


def test_archive_and_unarchive(world, api_for, member_sop):
    api = api_for("member")

    archived = api.post(f"orgs/acme/sops/{member_sop.pk}/archive", headers=if_match(1))
    again = api.post(f"orgs/acme/sops/{member_sop.pk}/archive", headers=if_match(2))
    listed = api.get("orgs/acme/sops", {"archived": "true"}).json()["items"]
    back = api.post(f"orgs/acme/sops/{member_sop.pk}/unarchive", {"version": 2})

    assert archived.status_code == 200 and archived.json()["is_archived"] is True
    assert archived.json()["next_run"] is None
    assert_error_shape(again, 422)
    assert [s["id"] for s in listed] == [member_sop.pk]
    assert back.status_code == 200, back.content
    assert back.json()["is_archived"] is False and back.json()["next_run"] is not None


# --- bad input -----------------------------------------------------------------------------

VALID = {"title": "Pulse", "dimension": "explore", "rrule": "FREQ=WEEKLY;BYDAY=MO"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": 5}, "title"),
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "a\x00b"}, "title"),
        ({"dimension": "vibes"}, "dimension"),
        ({"dimension": None}, "dimension"),
        ({"domain": "operate"}, "dimension"),
        ({"domain": "leisure"}, "domain"),
        ({"rrule": "FREQ=HOURLY"}, "rrule"),
        ({"rrule": "not a rule"}, "rrule"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=XX"}, "rrule"),
        ({"rrule": "FREQ=DAILY;BYHOUR=9"}, "rrule"),
        ({"rrule": None}, "rrule"),
        ({"rrule": None, "cadence": {"kind": "weekly"}}, "cadence"),
        ({"rrule": None, "cadence": {"kind": "monthly_day", "month_day": 31}}, "cadence.month_day"),
        ({"rrule": None, "cadence": {"kind": "fortnightly"}}, "cadence.kind"),
        ({"cadence": {"kind": "daily"}}, "cadence"),
        ({"steps": [{"text": f"Step {n}"} for n in range(31)]}, "steps"),
        ({"steps": [{"text": "ok", "link": "nowhere"}]}, "steps"),
        ({"steps": [{"text": "ok", "colour": "red"}]}, "steps.0.colour"),
        ({"steps": "do it"}, "steps"),
        ({"duration_minutes": -5}, "duration_minutes"),
        ({"duration_minutes": 481}, "duration_minutes"),
        ({"duration_minutes": "long"}, "duration_minutes"),
        ({"levels": []}, "levels"),
        ({"levels": ["galaxy"]}, "levels.0"),
        ({"starts_on": "soon"}, "starts_on"),
        ({"time_of_day": "25:00"}, "time_of_day"),
        ({"visibility": "public"}, "visibility"),
        ({"unit": 0}, "unit"),
        ({"unit": 999999}, "unit"),
        ({"owner": "you"}, "owner"),
        ({"owner": 999999}, "owner"),
        ({"salary": 1}, "salary"),
    ],
)
def test_bad_input_to_create_is_refused_and_changes_nothing(world, api_for, change, field):
    before = _counts()

    response = api_for("member").post("orgs/acme/sops", {**VALID, **change})

    assert_error_shape(response, 422)
    assert field in field_errors(response), response.content
    assert _counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"template": "no-such-template"}, "template"),
        ({"template": "weekly-one-on-one", "title": "Mine"}, "title"),
        ({"template": "weekly-one-on-one", "steps": []}, "steps"),
        ({"template": "weekly-one-on-one", "rrule": "FREQ=SOMETIMES"}, "rrule"),
    ],
)
def test_bad_adoption_through_create_is_refused(world, api_for, body, field):
    before = _counts()

    response = api_for("member").post("orgs/acme/sops", body)

    assert_error_shape(response, 422)
    assert field in field_errors(response), response.content
    assert _counts() == before


def test_a_body_that_is_not_json_is_refused(world, api_for):
    response = api_for("member").post("orgs/acme/sops", raw="{not json")

    assert_error_shape(response, 400)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"steps_done": [True]}, "steps_done"),
        ({"steps_done": ["maybe", False, False]}, "steps_done.0"),
        ({"step_notes": [1, 2, 3]}, "step_notes.0"),
        ({"minutes_spent": -1}, "minutes_spent"),
        ({"minutes_spent": 1441}, "minutes_spent"),
        ({"note": None}, "note"),
        ({"state": "done"}, "state"),
    ],
)
def test_bad_progress_on_a_run_is_refused(world, api_for, member_sop, body, field):
    run = _open_run(member_sop)

    response = api_for("member").patch(f"orgs/acme/sop-runs/{run.pk}", body, headers=if_match(run))

    assert_error_shape(response, 422)
    assert field in field_errors(response), response.content
    assert _run(run.pk).version == run.version


def test_a_missed_run_cannot_be_completed(world, api_for, member_sop):
    with scopes_disabled():
        missed = SopRun.objects.filter(sop=member_sop, state=RunState.MISSED).first()

    response = api_for("member").post(
        f"orgs/acme/sop-runs/{missed.pk}/complete", headers=if_match(missed)
    )

    assert "state" in field_errors(response)
    assert_error_shape(response, 422)
    assert _run(missed.pk).state == RunState.MISSED


def test_completing_needs_the_evidence_a_ticked_step_asks_for(world, api_for, member_sop):
    run = _open_run(member_sop)
    api = api_for("member")

    without = api.post(
        f"orgs/acme/sop-runs/{run.pk}/complete",
        {"steps_done": [True, True, True]},
        headers=if_match(run),
    )
    future = api.post(
        f"orgs/acme/sop-runs/{run.pk}/complete",
        {"completed_on": "2026-12-25"},
        headers=if_match(run),
    )
    with_it = api.post(
        f"orgs/acme/sop-runs/{run.pk}/complete",
        {"steps_done": [True, True, True], "step_notes": ["", "Pipeline: 1.2M", None]},
        headers=if_match(run),
    )

    assert "step_notes" in field_errors(without)
    assert "completed_on" in field_errors(future)
    assert with_it.status_code == 200, with_it.content
    assert with_it.json()["steps"][1]["note"] == "Pipeline: 1.2M"


def test_skip_needs_a_reason_and_reopen_undoes_it(world, api_for, member_sop):
    run = _open_run(member_sop)
    api = api_for("member")

    no_reason = api.post(f"orgs/acme/sop-runs/{run.pk}/skip", {}, headers=if_match(run))
    skipped = api.post(
        f"orgs/acme/sop-runs/{run.pk}/skip", {"reason": "Offsite"}, headers=if_match(run)
    )
    reopened = api.post(
        f"orgs/acme/sop-runs/{run.pk}/reopen", headers={"If-Match": skipped["ETag"]}
    )

    assert "reason" in field_errors(no_reason)
    assert skipped.json()["state"] == "skipped" and skipped.json()["skip_reason"] == "Offsite"
    assert reopened.status_code == 200 and reopened.json()["state"] == "due"


def test_stale_versions_are_refused(world, api_for, member_sop):
    api = api_for("member")
    api.patch(f"orgs/acme/sops/{member_sop.pk}", {"title": "A"}, headers=if_match(1))
    run = _open_run(member_sop)

    header = api.patch(f"orgs/acme/sops/{member_sop.pk}", {"title": "B"}, headers=if_match(1))
    body = api.patch(f"orgs/acme/sops/{member_sop.pk}", {"title": "B", "version": 1})
    missing = api.patch(f"orgs/acme/sops/{member_sop.pk}", {"title": "B"})
    garbled = api.patch(
        f"orgs/acme/sops/{member_sop.pk}", {"title": "B"}, headers={"If-Match": "yesterday"}
    )
    stale_run = api.post(
        f"orgs/acme/sop-runs/{run.pk}/skip", {"reason": "x"}, headers=if_match(run.version + 1)
    )

    assert "now at version 2" in assert_error_shape(header, 412)["detail"]
    assert_error_shape(body, 409)
    assert_error_shape(missing, 428)
    assert_error_shape(garbled, 412)
    assert_error_shape(stale_run, 412)
    assert _sop(member_sop.pk).title == "A"
    assert _run(run.pk).state == RunState.DUE


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("sops", {"owner": "someone"}),
        ("sops", {"dimension": "vibes"}),
        ("sops", {"level": "galaxy"}),
        ("sops", {"archived": "sometimes"}),
        ("sops", {"limit": 501}),
        ("sop-runs", {"state": "late"}),
        ("sop-runs", {"due_from": "tomorrow"}),
        ("sop-runs", {"sop": -1}),
        ("sop-templates", {"source": "internet"}),
        ("sop-templates", {"domain": "leisure"}),
    ],
)
def test_bad_list_parameters_answer_422(world, api_for, path, params):
    response = api_for("member").get(f"orgs/acme/{path}", params)

    body = assert_error_shape(response, 422)
    assert body["errors"][0]["field"] == next(iter(params))


# --- isolation and permissions ----------------------------------------------------------------


@pytest.fixture
def globex_objects(world):
    """A Globex routine with a run, an idea and a template."""
    with org_scope(world.other_org):
        from leados.sops.services.ideas import idea_propose
        from leados.sops.services.templates import template_publish

        sop = sop_create(
            organization=world.other_org, owner=world.outsider, made_by=world.outsider,
            title="Globex review", domain="operate", dimension="planning",
            rrule="FREQ=DAILY", starts_on=TODAY, visibility="organization",
        )  # fmt: skip
        runs_generate(organization=world.other_org)
        run = SopRun.objects.filter(sop=sop).first()
        idea = idea_propose(sop=sop, proposed_by=world.outsider, summary="Shorter")
        template = template_publish(
            organization=world.other_org, published_by=world.outsider, title="Globex secret",
            domain="perfect", dimension="master", rrule="FREQ=MONTHLY;BYMONTHDAY=1",
        )  # fmt: skip
    return {"sop": sop, "run": run, "idea": idea, "template": template}


def test_another_organizations_ids_answer_404(world, api_for, globex_objects, member_sop):
    sop, run, idea = globex_objects["sop"], globex_objects["run"], globex_objects["idea"]
    slug = globex_objects["template"].slug
    api = api_for("admin")
    before = _counts()

    answers = [
        api.get(f"orgs/acme/sops/{sop.pk}"),
        api.patch(f"orgs/acme/sops/{sop.pk}", {"title": 5}, headers=if_match(1)),
        api.get(f"orgs/acme/sops/{sop.pk}/versions/1"),
        api.post(f"orgs/acme/sops/{sop.pk}/ideas", {"summary": "x"}),
        api.post(f"orgs/acme/sops/{member_sop.pk}/ideas/{idea.pk}/accept", headers=if_match(1)),
        api.post(
            f"orgs/acme/sops/{member_sop.pk}/ideas/{idea.pk}/decline",
            {"reason": 5, "salary": 1},
            headers=if_match(1),
        ),
        api.get(f"orgs/acme/sop-runs/{run.pk}"),
        api.post(f"orgs/acme/sop-runs/{run.pk}/complete", headers=if_match(1)),
        api.get(f"orgs/acme/sop-templates/{slug}"),
        api.post(f"orgs/acme/sop-templates/{slug}/adopt", {}),
    ]

    for response in answers:
        assert_error_shape(response, 404)
    assert _counts() == before
    assert sop.pk not in [s["id"] for s in api.get("orgs/acme/sops").json()["items"]]
    assert slug not in [t["slug"] for t in api.get("orgs/acme/sop-templates").json()["items"]]
    runs = api.get("orgs/acme/sop-runs", {"owner": "all"}).json()["items"]
    assert run.pk not in [r["id"] for r in runs]
    refer = api.post(f"orgs/acme/sops/{member_sop.pk}/ideas", {"summary": "x", "run": run.pk})
    assert field_errors(refer) == {"run": "Not found."}


def test_an_idea_of_another_routine_answers_404(world, api_for, make_sop, member_sop):
    other = make_sop(title="Another")
    api = api_for("member")
    idea = api.post(f"orgs/acme/sops/{other.pk}/ideas", {"summary": "Shorter"}).json()

    response = api.post(
        f"orgs/acme/sops/{member_sop.pk}/ideas/{idea['id']}/decline",
        {"reason": "No"},
        headers=if_match(1),
    )

    assert_error_shape(response, 404)


def test_a_private_routine_is_not_found_by_those_who_may_not_read_it(world, api_for, member_sop):
    with org_scope(world.org):
        hers = sop_create(
            organization=world.org, owner=world.owner, made_by=world.owner, title="Private",
            domain="operate", dimension="planning", rrule="FREQ=DAILY", starts_on=TODAY,
        )  # fmt: skip

    assert_error_shape(api_for("member").get(f"orgs/acme/sops/{hers.pk}"), 404)
    assert_error_shape(api_for("viewer").get(f"orgs/acme/sops/{member_sop.pk}"), 404)
    run = _open_run(member_sop)
    assert_error_shape(api_for("viewer").get(f"orgs/acme/sop-runs/{run.pk}"), 404)
    # The member's manager (the admin), admins and coaches read it.
    assert api_for("admin").get(f"orgs/acme/sops/{member_sop.pk}").status_code == 200
    assert api_for("coach").get(f"orgs/acme/sops/{member_sop.pk}").status_code == 200
    # Runs of routines one may not read are not listed either.
    assert api_for("viewer").get("orgs/acme/sop-runs", {"owner": "all"}).json()["count"] == 0


def test_who_may_do_what(world, api_for, member_sop):
    before = _counts()
    run = _open_run(member_sop)
    sop_path = f"orgs/acme/sops/{member_sop.pk}"

    refused = [
        api_for("viewer").post("orgs/acme/sops", VALID),
        api_for("member").post("orgs/acme/sops", {**VALID, "owner": world.owner.pk}),
        api_for("coach").patch(sop_path, {"title": "Coach's"}, headers=if_match(1)),
        api_for("coach").post(f"{sop_path}/archive", headers=if_match(1)),
        api_for("coach").post(f"orgs/acme/sop-runs/{run.pk}/skip", {"reason": "x"}),
        api_for("member").post("orgs/acme/sop-templates", {**VALID}),
        api_for("viewer").post("orgs/acme/sop-templates/weekly-one-on-one/adopt", {}),
    ]

    for response in refused:
        assert_error_shape(response, 403)
    assert _counts() == before

    for_report = api_for("admin").post("orgs/acme/sops", {**VALID, "owner": world.member.pk})
    assert for_report.status_code == 201 and for_report.json()["owner"]["id"] == world.member.pk
    idea = api_for("coach").post(f"{sop_path}/ideas", {"summary": "Add the forecast"})
    assert idea.status_code == 201, idea.content
    coach_cannot_accept = api_for("coach").post(
        f"{sop_path}/ideas/{idea.json()['id']}/accept", headers=if_match(1)
    )
    assert_error_shape(coach_cannot_accept, 403)
    declined = api_for("member").post(
        f"{sop_path}/ideas/{idea.json()['id']}/decline", {"reason": "Not now", "version": 1}
    )
    assert declined.json()["state"] == "declined"
    assert declined.json()["decided_by"]["id"] == world.member.pk
    listed = api_for("member").get(f"{sop_path}/ideas", {"state": "declined"}).json()
    assert [i["id"] for i in listed["items"]] == [idea.json()["id"]]


def test_publishing_templates(world, api_for, member_sop):
    coach = api_for("coach").post(
        "orgs/acme/sop-templates",
        {"title": "Coaching check", "dimension": "master", "cadence": {"kind": "monthly_weekday"}},
    )
    from_sop = api_for("admin").post("orgs/acme/sop-templates", {"sop": member_sop.pk})
    both = api_for("admin").post("orgs/acme/sop-templates", {"sop": member_sop.pk, "title": "x"})

    assert coach.status_code == 201, coach.content
    assert coach.json()["source"] == "coach" and coach.json()["domain"] == "perfect"
    assert coach.json()["cadence_text"] == "Every month on the first Monday"
    assert from_sop.status_code == 201, from_sop.content
    assert from_sop.json()["source"] == "organization"
    assert from_sop.json()["title"] == "Weekly scorecard review"
    assert len(from_sop.json()["steps"]) == 3
    assert_error_shape(both, 422)

    api = api_for("member")
    own = api.get("orgs/acme/sop-templates", {"source": "organization"}).json()["items"]
    assert [t["slug"] for t in own] == [from_sop.json()["slug"]]
    slug = coach.json()["slug"]
    assert api.get(f"orgs/acme/sop-templates/{slug}").json()["source"] == "coach"
    adopted = api.post(
        f"orgs/acme/sop-templates/{slug}/adopt",
        {"starts_on": "2026-12-01", "time_of_day": "08:00", "visibility": "organization"},
    )
    assert adopted.status_code == 201, adopted.content
    assert adopted.json()["template_slug"] == slug
    assert adopted.json()["starts_on"] == "2026-12-01"


def test_adopting_into_another_cadence_or_for_a_report(world, api_for):
    response = api_for("admin").post(
        "orgs/acme/sops",
        {
            "template": "weekly-one-on-one",
            "owner": world.member.pk,
            "rrule": "FREQ=WEEKLY;BYDAY=TU",
        },
    )
    bad = api_for("member").post(
        "orgs/acme/sop-templates/weekly-one-on-one/adopt",
        {"cadence": {"kind": "yearly", "month": 13}},
    )

    assert response.status_code == 201, response.content
    assert response.json()["cadence_text"] == "Every week on Tuesday"
    assert response.json()["owner"]["id"] == world.member.pk
    assert "cadence.month" in field_errors(bad)


# --- lists cost a fixed number of queries --------------------------------------------------


def _many(world, count: int, start: int = 0):
    with org_scope(world.org):
        owner = Person.objects.get(pk=world.member.pk)
        for n in range(start, start + count):
            sop = sop_create(
                organization=world.org, owner=owner, made_by=owner, title=f"Routine {n:02}",
                domain="operate", dimension="planning", rrule="FREQ=DAILY",
                starts_on=TODAY - datetime.timedelta(days=3), visibility="unit", unit=world.sales,
                steps=[{"text": "Look", "link": "scorecards"}, {"text": "Write"}],
            )  # fmt: skip
            ImprovementIdea.objects.create(
                organization=world.org, sop=sop, proposed_by=owner, summary="x", base_version=1
            )
        runs_generate(organization=world.org)


@pytest.mark.parametrize(
    ("path", "params", "persona"),
    [
        ("orgs/acme/sops", {}, "member"),
        ("orgs/acme/sops", {}, "admin"),
        ("orgs/acme/sop-runs", {}, "member"),
        ("orgs/acme/sop-runs", {"owner": "all"}, "viewer"),
        ("orgs/acme/sop-templates", {}, "member"),
    ],
)
def test_list_queries_do_not_grow_with_rows(
    world, api_for, django_assert_max_num_queries, path, params, persona
):
    api = api_for(persona)
    _many(world, 2)
    with django_assert_max_num_queries(9):
        small = api.get(path, params)
    _many(world, 12, start=2)
    with django_assert_max_num_queries(9):
        large = api.get(path, params)

    assert small.status_code == large.status_code == 200
    if persona != "viewer" and "templates" not in path:
        assert large.json()["count"] > small.json()["count"]


def test_version_and_idea_lists_cost_a_fixed_number_of_queries(
    world, api_for, member_sop, django_assert_max_num_queries
):
    api = api_for("member")
    for n in range(5):
        sop = _sop(member_sop.pk)
        api.patch(f"orgs/acme/sops/{sop.pk}", {"title": f"T{n}"}, headers=if_match(sop))
        api.post(f"orgs/acme/sops/{sop.pk}/ideas", {"summary": f"Idea {n}"})

    with django_assert_max_num_queries(8):
        versions = api.get(f"orgs/acme/sops/{member_sop.pk}/versions")
    with django_assert_max_num_queries(8):
        ideas = api.get(f"orgs/acme/sops/{member_sop.pk}/ideas")

    assert versions.json()["count"] == 6
    assert ideas.json()["count"] == 5
