"""SOP pages through the page client: the list, create with every cadence, edit (stale
refused), the routine's page, adopt from the library, the run page, ideas becoming versions,
a coach sharing into a client organization, and who may do what."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from leados.core import services as core_services
from leados.core.models import OrgRole
from leados.core.tenancy import org_scope
from leados.sops.models import IdeaState, ImprovementIdea, RunState, Sop, SopRun, SopTemplate
from leados.sops.services.ideas import idea_propose
from leados.sops.services.runs import runs_generate
from tests.web.helpers import history_count, text

BASE = "/o/acme/sops/"
TODAY = "2026-11-25 10:00Z"  # a Wednesday


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def form_data(**overrides) -> dict:
    data = {
        "title": "Friday recognition round",
        "purpose": "Notice what went well before the week ends.",
        "domain": "structure",
        "dimension": "rewards_recognition",
        "levels": ["functional_team"],
        "kind": "weekly",
        "interval": "1",
        "weekdays": ["FR"],
        "month_day": "1",
        "nth": "1",
        "weekday": "MO",
        "month": "1",
        "rule": "",
        "starts_on": "2026-11-25",
        "time_of_day": "16:00",
        "duration_minutes": "20",
        "unit": "",
        "visibility": "private",
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "30",
        "steps-0-text": "Read the week's wins",
        "steps-0-link": "commitments",
        "steps-0-evidence": "",
        "steps-0-ORDER": "2",
        "steps-1-text": "Thank one person by name",
        "steps-1-link": "",
        "steps-1-evidence": "Who and for what",
        "steps-1-ORDER": "1",
        "steps-2-text": "",
        "steps-2-link": "",
        "steps-2-evidence": "",
        "steps-2-ORDER": "",
    }
    data.update(overrides)
    return data


def _sop(in_org, **filters) -> Sop:
    with in_org():
        return Sop.objects.get(**filters)


# --- create --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "rrule"),
    [
        ({"kind": "daily"}, "FREQ=DAILY"),
        ({"kind": "weekdays"}, "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"),
        ({"kind": "weekly", "weekdays": ["TU", "TH"]}, "FREQ=WEEKLY;BYDAY=TU,TH"),
        (
            {"kind": "weekly", "interval": "2", "weekdays": ["WE"]},
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
        ),
        ({"kind": "monthly_day", "month_day": "15"}, "FREQ=MONTHLY;BYMONTHDAY=15"),
        ({"kind": "monthly_weekday", "nth": "-1", "weekday": "FR"}, "FREQ=MONTHLY;BYDAY=-1FR"),
        ({"kind": "quarterly", "month_day": "-1"}, "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1"),
        (
            {"kind": "yearly", "month": "12", "month_day": "1"},
            "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=1",
        ),
        (
            {"kind": "custom", "rule": "FREQ=MONTHLY;INTERVAL=2;BYDAY=2WE"},
            "FREQ=MONTHLY;INTERVAL=2;BYDAY=2WE",
        ),
    ],
)
def test_it_creates_a_routine_with_each_cadence(world, client_for, in_org, overrides, rrule):
    response = client_for("member").post(f"{BASE}new/", form_data(**overrides))
    assert response.status_code == 302, text(response)[:3000]
    sop = _sop(in_org, title="Friday recognition round")
    assert sop.rrule == rrule
    assert sop.owner_id == world.member.pk
    assert response["Location"] == f"{BASE}{sop.pk}/"
    # The steps keep the chosen order, their links and evidence notes; empty rows are dropped.
    assert sop.steps == [
        {"text": "Thank one person by name", "link": "", "evidence": "Who and for what"},
        {"text": "Read the week's wins", "link": "commitments", "evidence": ""},
    ]
    with in_org():
        assert sop.versions.count() == 1
    page = client_for("member").get(response["Location"])
    assert "Thank one person by name" in text(page)


def test_the_new_routine_has_its_runs_at_once(world, client_for, in_org):
    client_for("member").post(f"{BASE}new/", form_data(kind="daily"))
    sop = _sop(in_org, title="Friday recognition round")
    with in_org():
        assert SopRun.objects.filter(sop=sop).count() == 8  # today and a week ahead


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"dimension": "planning"}, "Planning is a dimension of Operate, not of Structure"),
        ({"title": ""}, "This field is required"),
        ({"levels": []}, "Choose at least one level"),
        ({"kind": "weekly", "weekdays": []}, "Choose at least one day of the week"),
        ({"kind": "custom", "rule": "FREQ=HOURLY"}, "A cadence repeats daily, weekly"),
        ({"kind": "monthly_day", "month_day": "31"}, "Select a valid choice"),
        ({"duration_minutes": "0"}, "greater than or equal to 1"),
        ({"steps-0-link": "nowhere"}, "Select a valid choice"),
    ],
)
def test_bad_input_shows_a_message_and_creates_nothing(
    world, client_for, in_org, overrides, message
):
    before = history_count()
    response = client_for("member").post(f"{BASE}new/", form_data(**overrides))
    assert response.status_code == 422
    assert message in text(response)
    with in_org():
        assert not Sop.objects.exists()
    assert history_count() == before


def test_a_manager_sets_a_routine_up_for_a_report_but_not_for_others(world, client_for, in_org):
    # Rae reports to Mia; Adam (Mia's own manager) and Vic (a viewer reporting to Mia)
    # do not get routines from her: a viewer owns none.
    with in_org():
        rae_user = core_services.user_create(email="rae@acme.test", name="Rae Report")
        rae = core_services.person_add(
            organization=world.org, user=rae_user, role=OrgRole.MEMBER, manager=world.member
        )
        core_services.person_update(
            person=world.viewer, expected_version=None, manager=world.member
        )
    client = client_for("member")
    response = client.post(f"{BASE}new/", form_data(owner=str(rae.pk)))
    assert response.status_code == 302
    assert _sop(in_org, title="Friday recognition round").owner_id == rae.pk
    for other in (world.admin, world.viewer, world.coach):
        response = client.post(f"{BASE}new/", form_data(owner=str(other.pk), title="Not hers"))
        assert response.status_code == 422
    with in_org():
        assert not Sop.objects.filter(title="Not hers").exists()


def test_a_viewer_cannot_create_a_routine(world, client_for, in_org):
    assert client_for("viewer").get(f"{BASE}new/").status_code == 403
    assert client_for("viewer").post(f"{BASE}new/", form_data()).status_code == 403
    with in_org():
        assert not Sop.objects.exists()


# --- list ----------------------------------------------------------------------------------


def test_the_list_groups_my_routines_and_shows_what_others_share(
    world, client_for, make_sop, in_org
):
    make_sop("member", title="Mia accountability review")
    make_sop("member", title="Mia culture walk", domain="structure", dimension="culture")
    make_sop("admin", title="Adam shared planning", visibility="organization",
             dimension="planning")  # fmt: skip
    make_sop("admin", title="Adam private routine")
    make_sop("coach", title="Cora unit routine", visibility="unit", unit=world.sales)
    with in_org():
        runs_generate(organization=world.org)
    page = text(client_for("member").get(BASE))
    assert "Mia accountability review" in page and "Mia culture walk" in page
    assert page.index("Structure") < page.index("Operate") or "Operate" in page
    assert "Adam shared planning" in page  # organization-wide
    assert "Cora unit routine" in page  # her unit's
    assert "Adam private routine" not in page
    # Filters narrow the routines of others.
    filtered = text(client_for("member").get(f"{BASE}?owner={world.coach.pk}"))
    assert "Cora unit routine" in filtered and "Adam shared planning" not in filtered
    # A manager sees their reports' private routines.
    assert "Mia culture walk" in text(client_for("admin").get(BASE))


def test_the_list_reads_a_fixed_number_of_queries(
    world, client_for, make_sop, in_org, django_assert_max_num_queries
):
    for number in range(12):
        make_sop("member", title=f"Routine {number}")
        make_sop("admin", title=f"Shared {number}", visibility="organization")
    with in_org():
        runs_generate(organization=world.org)
    client = client_for("member")
    client.get(BASE)
    with django_assert_max_num_queries(14):
        response = client.get(BASE)
    assert response.status_code == 200


def test_archived_routines_are_behind_a_toggle(world, client_for, make_sop, in_org):
    sop = make_sop("member", title="Old habit")
    client = client_for("member")
    response = client.post(f"{BASE}{sop.pk}/archive/", {"version": sop.version})
    assert response.status_code == 302
    link = f'href="{BASE}{sop.pk}/"'
    assert link not in text(client.get(BASE))
    assert link in text(client.get(f"{BASE}?archived=on"))
    sop = _sop(in_org, pk=sop.pk)
    assert sop.is_archived
    response = client.post(f"{BASE}{sop.pk}/unarchive/", {"version": sop.version})
    assert response.status_code == 302
    assert not _sop(in_org, pk=sop.pk).is_archived


# --- the routine, edit ---------------------------------------------------------------------


def test_the_routine_page_shows_steps_with_their_links_and_runs(
    world, client_for, make_sop, in_org
):
    sop = make_sop("member", unit=world.sales)
    with in_org():
        runs_generate(organization=world.org)
    page = text(client_for("member").get(f"{BASE}{sop.pk}/"))
    assert "Every week on Monday" in page
    assert "Open the scorecard" in page and "Scorecards →" in page
    assert "The number and why" in page  # the evidence asked
    assert "Open runs" in page and "Monday 30 November" in page
    assert "How it is going" in page and "Adherence" in page


def edit_data(sop, **overrides) -> dict:
    data = form_data(
        title=sop.title, purpose=sop.purpose, domain=sop.domain, dimension=sop.dimension,
        levels=sop.levels, weekdays=["MO"], starts_on=sop.starts_on.isoformat(),
        time_of_day="", duration_minutes=str(sop.duration_minutes), version=str(sop.version),
        owner=str(sop.owner_id), change_note="",
    )  # fmt: skip
    data.update({"steps-TOTAL_FORMS": str(len(sop.steps)), "steps-INITIAL_FORMS": "0"})
    for key in [k for k in data if k.startswith("steps-") and k[6].isdigit()]:
        del data[key]
    for index, step in enumerate(sop.steps):
        data[f"steps-{index}-text"] = step["text"]
        data[f"steps-{index}-link"] = step.get("link", "")
        data[f"steps-{index}-evidence"] = step.get("evidence", "")
        data[f"steps-{index}-ORDER"] = str(index + 1)
    data.update(overrides)
    return data


def test_editing_the_content_makes_a_version_with_the_note(world, client_for, make_sop, in_org):
    sop = make_sop("member")
    data = edit_data(sop, title="Monday numbers", change_note="Shorter name")
    data["steps-2-DELETE"] = "on"
    response = client_for("member").post(f"{BASE}{sop.pk}/edit/", data)
    assert response.status_code == 302, text(response)[:2000]
    sop = _sop(in_org, pk=sop.pk)
    assert sop.title == "Monday numbers" and sop.version_number == 2
    assert len(sop.steps) == 2
    with in_org():
        assert sop.versions.get(number=2).change_note == "Shorter name"


def test_a_stale_edit_is_refused_and_changes_nothing(world, client_for, make_sop, in_org):
    sop = make_sop("member")
    stale = edit_data(sop, title="Mine")
    client_for("member").post(f"{BASE}{sop.pk}/edit/", edit_data(sop, title="Theirs"))
    response = client_for("member").post(f"{BASE}{sop.pk}/edit/", stale)
    assert response.status_code == 409
    assert "changed this routine while you were editing" in text(response)
    assert _sop(in_org, pk=sop.pk).title == "Theirs"


def test_only_the_owner_or_an_admin_edits(world, client_for, make_sop, in_org):
    sop = make_sop("member", visibility="organization")
    for persona in ("coach", "viewer"):
        assert client_for(persona).get(f"{BASE}{sop.pk}/edit/").status_code == 403
        response = client_for(persona).post(f"{BASE}{sop.pk}/edit/", edit_data(sop, title="X"))
        assert response.status_code == 403
        assert (
            client_for(persona).post(f"{BASE}{sop.pk}/archive/", {"version": 1}).status_code == 403
        )
    assert _sop(in_org, pk=sop.pk).title == "Weekly scorecard review"
    assert client_for("admin").get(f"{BASE}{sop.pk}/edit/").status_code == 200


def test_a_member_cannot_see_anothers_private_routine(world, client_for, make_sop, in_org):
    sop = make_sop("admin", title="Adam private routine")
    with in_org():
        runs_generate(organization=world.org)
        run = SopRun.objects.filter(sop=sop).first()
    client = client_for("member")
    for url in (f"{BASE}{sop.pk}/", f"{BASE}{sop.pk}/history/", f"{BASE}{sop.pk}/versions/1/",
                f"{BASE}runs/{run.pk}/", f"{BASE}{sop.pk}/ideas/new/"):  # fmt: skip
        assert client.get(url).status_code == 404, url


# --- versions and history ------------------------------------------------------------------


def test_an_idea_accepted_becomes_version_2_with_a_readable_diff(
    world, client_for, make_sop, in_org
):
    sop = make_sop("member", visibility="organization")
    data = {
        "summary": "Look at the forecast too",
        "title": sop.title,
        "purpose": "Know where the numbers stand and where they are heading.",
        "duration_minutes": "45",
        "steps-TOTAL_FORMS": "4",
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "30",
        "steps-0-text": "Open the scorecard",
        "steps-0-link": "scorecards",
        "steps-1-text": "Write down the two numbers to talk about",
        "steps-1-evidence": "The number and why",
        "steps-2-text": "Check each forecast",
        "steps-2-link": "measurables",
        "steps-3-text": "",
    }
    response = client_for("coach").post(f"{BASE}{sop.pk}/ideas/new/", data)
    assert response.status_code == 302, text(response)[:2000]
    with in_org():
        idea = ImprovementIdea.objects.get(sop=sop)
    assert set(idea.proposal) == {"purpose", "duration_minutes", "steps"}
    page = text(client_for("member").get(f"{BASE}{sop.pk}/"))
    assert "Look at the forecast too" in page and "Accept as version 2" in page
    # Only the owner decides.
    assert client_for("coach").post(f"{BASE}ideas/{idea.pk}/accept/").status_code == 403
    response = client_for("member").post(
        f"{BASE}ideas/{idea.pk}/accept/", {"version": idea.version}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{sop.pk}/versions/2/"
    page = text(client_for("member").get(response["Location"]))
    assert "What changed since version 1" in page
    assert '<ins><span class="visually-hidden">added: </span>' in page
    assert "<del>" in page and "removed" in page
    assert "Send the note to the team" in page  # the removed step
    assert "Check each forecast" in page  # the added one
    assert "30 min</del>" in page and "45 min</ins>" in page
    assert _sop(in_org, pk=sop.pk).version_number == 2


def test_declining_needs_a_reason(world, client_for, make_sop, in_org):
    sop = make_sop("member")
    with in_org():
        idea = idea_propose(sop=sop, proposed_by=world.admin, summary="Drop step 3")
    client = client_for("member")
    response = client.post(f"{BASE}ideas/{idea.pk}/decline/", {"version": idea.version})
    assert response.status_code == 422
    assert "Say why not." in text(response)
    with in_org():
        assert ImprovementIdea.objects.get(pk=idea.pk).state == IdeaState.PROPOSED
    response = client.post(
        f"{BASE}ideas/{idea.pk}/decline/", {"version": idea.version, "note": "The team needs it"}
    )
    assert response.status_code == 302
    with in_org():
        idea = ImprovementIdea.objects.get(pk=idea.pk)
    assert idea.state == IdeaState.DECLINED and idea.decision_note == "The team needs it"


def test_the_history_page_lists_the_routines_changes(world, client_for, make_sop):
    sop = make_sop("member")
    client_for("member").post(f"{BASE}{sop.pk}/archive/", {"version": sop.version})
    page = text(client_for("member").get(f"{BASE}{sop.pk}/history/"))
    assert "Weekly scorecard review" in page and "action-archive" in page


# --- library -------------------------------------------------------------------------------


def test_the_library_groups_templates_and_filters(world, client_for):
    page = text(client_for("member").get(f"{BASE}library/"))
    for heading in ("Structure", "Operate", "Perfect", "Rewards &amp; recognition", "Master"):
        assert heading in page
    only = text(client_for("member").get(f"{BASE}library/?domain=perfect&dimension=explore"))
    assert "Explore" in only and 'id="domain-structure"' not in only
    assert "No routine matches" in text(client_for("member").get(f"{BASE}library/?q=zzzz"))


def test_adopting_from_the_library_makes_the_routine_with_runs(world, client_for, in_org):
    from leados.sops.library import LIBRARY

    spec = LIBRARY[0]
    client = client_for("member")
    page = client.get(f"{BASE}library/{spec.slug}/")
    assert page.status_code == 200 and spec.title in text(page)
    response = client.post(
        f"{BASE}library/{spec.slug}/",
        {"starts_on": "2026-11-25", "time_of_day": "09:00", "unit": str(world.sales.pk),
         "visibility": "unit", "kind": "daily"},
    )  # fmt: skip
    assert response.status_code == 302
    sop = _sop(in_org, template_slug=spec.slug)
    assert sop.owner_id == world.member.pk and sop.unit_id == world.sales.pk
    assert sop.rrule == "FREQ=DAILY"
    assert response["Location"] == f"{BASE}{sop.pk}/"
    with in_org():
        assert SopRun.objects.filter(sop=sop).exists()


def test_one_click_adopt_keeps_the_templates_cadence(world, client_for, in_org):
    from leados.sops.library import LIBRARY

    spec = LIBRARY[-1]
    response = client_for("member").post(
        f"{BASE}library/{spec.slug}/", {"starts_on": "2026-11-25", "visibility": "private"}
    )
    assert response.status_code == 302
    assert _sop(in_org, template_slug=spec.slug).rrule == spec.rrule


def test_adopt_with_bad_input_changes_nothing(world, client_for, in_org):
    from leados.sops.library import LIBRARY

    response = client_for("member").post(
        f"{BASE}library/{LIBRARY[0].slug}/", {"starts_on": "", "visibility": "private"}
    )
    assert response.status_code == 422
    with in_org():
        assert not Sop.objects.exists()
    assert client_for("member").get(f"{BASE}library/no-such-template/").status_code == 404


def test_an_admin_publishes_a_routine_and_others_adopt_it(world, client_for, make_sop, in_org):
    sop = make_sop("admin", title="Adam planning hour", dimension="planning")
    assert client_for("member").post(f"{BASE}{sop.pk}/publish/").status_code == 404  # private
    response = client_for("admin").post(f"{BASE}{sop.pk}/publish/")
    assert response.status_code == 302
    with in_org():
        template = SopTemplate.objects.get()
    assert response["Location"] == f"{BASE}library/{template.slug}/"
    assert "Adam planning hour" in text(client_for("member").get(f"{BASE}library/"))
    mine = make_sop("member")
    assert client_for("member").post(f"{BASE}{mine.pk}/publish/").status_code == 403


def test_a_coach_shares_a_template_into_a_client_organization(world, client_for, in_org):
    from leados.sops.library import LIBRARY

    spec = LIBRARY[3]
    assert client_for("coach").get(f"{BASE}library/{spec.slug}/share/").status_code == 403
    with org_scope(world.other_org):
        core_services.person_add(
            organization=world.other_org, user=world.coach_user, role=OrgRole.COACH
        )
    client = client_for("coach")
    page = client.get(f"{BASE}library/{spec.slug}/")
    assert "Share with a client organization" in text(page)
    form = client.get(f"{BASE}library/{spec.slug}/share/")
    assert "Globex" in text(form)
    response = client.post(
        f"{BASE}library/{spec.slug}/share/", {"organization": str(world.other_org.pk)}
    )
    assert response.status_code == 302
    with org_scope(world.other_org):
        shared = SopTemplate.objects.get()
    assert shared.title == spec.title and shared.shared_by_coach
    # An organization the coach does not belong to is not a choice.
    response = client.post(f"{BASE}library/{spec.slug}/share/", {"organization": "987654"})
    assert response.status_code == 422


# --- the run page --------------------------------------------------------------------------


@pytest.fixture
def run(world, make_sop, in_org):
    sop = make_sop("member", starts_on=datetime.date(2026, 11, 2))
    with in_org():
        runs_generate(organization=world.org)
        return SopRun.objects.select_related("sop").get(sop=sop, due_on=datetime.date(2026, 11, 23))


def _run(in_org, run) -> SopRun:
    with in_org():
        return SopRun.objects.get(pk=run.pk)


def test_ticking_a_step_in_place_changes_only_that_step(world, client_for, in_org, run):
    client = client_for("member")
    url = f"{BASE}runs/{run.pk}/"
    response = client.post(
        url, {"action": "tick", "step": "0", "done": ["0"]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    saved = _run(in_org, run)
    assert saved.steps_done == [True, False, False]
    assert f'value="{saved.version}" id="run-version"' in text(response)
    # A tick from a tab that has not seen the first one ticks its own step and leaves the
    # first alone (the tab only knew of its own box).
    response = client.post(
        url, {"action": "tick", "step": "2", "done": ["2"]}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert _run(in_org, run).steps_done == [True, False, True]
    # Unticking is one step too.
    client.post(url, {"action": "tick", "step": "0", "done": ["2"]}, HTTP_HX_REQUEST="true")
    assert _run(in_org, run).steps_done == [False, False, True]


@pytest.mark.parametrize("step", ["", "x", "3", "-1"])
def test_a_tick_of_no_step_is_refused_and_changes_nothing(world, client_for, in_org, run, step):
    response = client_for("member").post(
        f"{BASE}runs/{run.pk}/",
        {"action": "tick", "step": step, "done": ["0"]},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "Not saved" in text(response)
    assert _run(in_org, run).steps_done in ([], [False, False, False])


def test_a_tick_without_htmx_that_is_refused_shows_why_on_the_run_page(
    world, client_for, in_org, run
):
    response = client_for("member").post(
        f"{BASE}runs/{run.pk}/", {"action": "tick", "step": "7", "done": ["7"]}
    )
    assert response.status_code == 422
    page = text(response)
    assert "This run has no such step." in page
    assert "Progress saved" not in page
    assert _run(in_org, run).steps_done in ([], [False, False, False])


def test_completing_asks_for_evidence_then_offers_an_idea(world, client_for, in_org, run):
    client = client_for("member")
    url = f"{BASE}runs/{run.pk}/"
    page = text(client.get(url))
    assert "Evidence: The number and why" in page
    data = {"action": "complete", "version": run.version, "done": ["0", "1", "2"],
            "step_note_0": "", "step_note_1": "", "step_note_2": "", "note": "Good",
            "minutes_spent": "25"}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 422
    assert "Step 2 asks for evidence" in text(response)
    assert _run(in_org, run).state == RunState.DUE
    data["step_note_1"] = "Pipeline coverage: 2.1×"
    response = client.post(url, data)
    assert response.status_code == 302
    done = _run(in_org, run)
    assert done.state == RunState.DONE and done.minutes_spent == 25
    assert done.step_notes[1] == "Pipeline coverage: 2.1×"
    page = text(client.get(url))
    assert "Anything to improve?" in page
    assert f"ideas/new/?run={run.pk}" in page
    # Reopen while the window is open.
    response = client.post(url, {"action": "reopen", "version": done.version})
    assert response.status_code == 302
    assert _run(in_org, run).state == RunState.DUE


def test_skipping_needs_a_reason(world, client_for, in_org, run):
    client = client_for("member")
    url = f"{BASE}runs/{run.pk}/"
    response = client.post(url, {"action": "skip", "version": run.version, "reason": ""})
    assert response.status_code == 422 and "Say why it is skipped." in text(response)
    assert _run(in_org, run).state == RunState.DUE
    response = client.post(url, {"action": "skip", "version": run.version, "reason": "Offsite"})
    assert response.status_code == 302
    skipped = _run(in_org, run)
    assert skipped.state == RunState.SKIPPED and skipped.skip_reason == "Offsite"


def test_others_see_a_run_read_only(world, client_for, in_org, run):
    page = client_for("admin").get(f"{BASE}runs/{run.pk}/")
    assert page.status_code == 200  # Mia's manager (and an admin)
    assert client_for("coach").get(f"{BASE}runs/{run.pk}/").status_code == 200
    for persona in ("coach", "viewer"):
        response = client_for(persona).post(
            f"{BASE}runs/{run.pk}/", {"action": "complete", "version": run.version}
        )
        assert response.status_code in (403, 404)
    coach_page = text(client_for("coach").get(f"{BASE}runs/{run.pk}/"))
    assert "read only" in coach_page and "Complete</button>" not in coach_page
    assert _run(in_org, run).state == RunState.DUE


def test_an_idea_from_a_run_is_linked_to_it(world, client_for, in_org, run):
    client = client_for("member")
    page = client.get(f"{BASE}{run.sop_id}/ideas/new/?run={run.pk}")
    assert page.status_code == 200 and "Open the scorecard" in text(page)
    response = client.post(
        f"{BASE}{run.sop_id}/ideas/new/",
        {"summary": "Shorter", "title": "Weekly scorecard review", "purpose": "",
         "duration_minutes": "15", "run": str(run.pk), "steps-TOTAL_FORMS": "0",
         "steps-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    with in_org():
        idea = ImprovementIdea.objects.get()
    assert idea.run_id == run.pk
    response = client.post(
        f"{BASE}{run.sop_id}/ideas/new/",
        {"summary": "", "title": "x", "duration_minutes": "15", "steps-TOTAL_FORMS": "0",
         "steps-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 422 and "Say what to change and why." in text(response)


def test_the_routine_page_and_the_library_read_a_fixed_number_of_queries(
    world, client_for, make_sop, in_org, django_assert_max_num_queries
):
    sop = make_sop("member", starts_on=datetime.date(2026, 6, 1), rrule="FREQ=DAILY")
    with in_org():
        runs_generate(organization=world.org)
        for number in range(6):
            idea_propose(sop=sop, proposed_by=world.admin, summary=f"Idea {number}")
    client = client_for("member")
    client.get(f"{BASE}{sop.pk}/")
    with django_assert_max_num_queries(20):
        assert client.get(f"{BASE}{sop.pk}/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(f"{BASE}library/").status_code == 200
