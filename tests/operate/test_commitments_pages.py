"""Commitment pages: the list tabs, the assign form, the commitment page with each side's
forms, panels on unit and person pages, and My week."""

from __future__ import annotations

import datetime

import pytest

from leados.core.models import HistoryEntry
from leados.core.periods import organization_today
from leados.operate.models import Agreement, Commitment
from leados.operate.services.agreements import agreement_accept
from leados.operate.services.commitments import (
    commitment_assign,
    commitment_complete,
    commitment_evaluate,
)
from tests.web.helpers import history_count, queries_for, text

LIST = "/o/acme/commitments/"


def url(commitment, action=""):
    return f"{LIST}{commitment.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def today(world):
    return organization_today(world.org)


@pytest.fixture
def make(world, in_org, today):
    """Assigned by Adam (admin) to Mia (member) unless told otherwise."""

    def make(*, by=None, to=None, due=None, accept=False, **fields):
        fields.setdefault("title", "Call ten customers")
        fields.setdefault("definition_of_done", "Ten calls logged")
        with in_org():
            commitment = commitment_assign(
                organization=world.org,
                assigned_by=by or world.admin,
                owner=to or world.member,
                due_date=due or today + datetime.timedelta(days=14),
                **fields,
            )
            if accept:
                agreement_accept(agreement=Agreement.objects.get(commitment=commitment))
            return Commitment.objects.get(pk=commitment.pk)

    return make


def _db(in_org, commitment) -> Commitment:
    with in_org():
        return Commitment.objects.get(pk=commitment.pk)


# --- assign --------------------------------------------------------------------------------


def test_a_leader_assigns_a_commitment_from_the_form(world, client_for, in_org, today):
    client = client_for("admin")
    assert client.get(f"{LIST}new/").status_code == 200
    due = (today + datetime.timedelta(days=10)).isoformat()
    response = client.post(
        f"{LIST}new/",
        {
            "owner": "member@acme.test",
            "title": "Visit three clients",
            "definition_of_done": "Notes filed",
            "due_date": due,
        },
    )
    assert response.status_code == 302
    with in_org():
        commitment = Commitment.objects.get()
    assert (commitment.owner, commitment.assigned_by, commitment.state) == (
        world.member,
        world.admin,
        "proposed",
    )
    assert response["Location"] == url(commitment)


def test_the_assign_form_shows_errors_in_the_page(client_for, in_org):
    response = client_for("admin").post(
        f"{LIST}new/", {"owner": "nobody@acme.test", "title": "", "due_date": "soon"}
    )
    assert response.status_code == 422
    page = text(response)
    assert "Nobody active in this organization has the email nobody@acme.test" in page
    assert "Enter a valid date" in page
    with in_org():
        assert not Commitment.objects.exists()


@pytest.mark.parametrize("persona", ["coach", "viewer"])
def test_coaches_and_viewers_do_not_assign(persona, client_for):
    assert client_for(persona).get(f"{LIST}new/").status_code == 403
    before = history_count()
    assert client_for(persona).post(f"{LIST}new/", {"owner": "member@acme.test"}).status_code == 403
    assert history_count() == before


# --- the commitment page: the owner's side ----------------------------------------------------


def test_the_owner_sees_the_question_and_accepts(make, client_for, in_org):
    commitment = make()
    client = client_for("member")
    page = text(client.get(url(commitment)))
    assert "Yes, it is mine" in page and "Propose a change" in page
    assert 'aria-current="step">Assign' in page
    assert "Evaluate</h3>" not in page
    response = client.post(url(commitment, "accept"), {"accept-version": 1})
    assert response.status_code == 302
    assert _db(in_org, commitment).state == "accepted"
    page = text(client.get(url(commitment)))
    assert "Report progress" in page and "Mark done" in page


def test_the_assigner_sees_no_accept_button(make, client_for):
    commitment = make()
    page = text(client_for("admin").get(url(commitment)))
    assert "Yes, it is mine" not in page
    assert "Rewrite the terms" in page and "Withdraw" in page
    assert (
        client_for("admin").post(url(commitment, "accept"), {"accept-version": 1}).status_code
        == 403
    )


def test_declining_without_a_reason_shows_the_error_and_changes_nothing(make, client_for, in_org):
    commitment = make()
    response = client_for("member").post(url(commitment, "decline"), {"decline-version": 1})
    assert response.status_code == 422
    assert "This field is required" in text(response)
    assert _db(in_org, commitment).state == "proposed"
    response = client_for("member").post(
        url(commitment, "decline"), {"decline-version": 1, "decline-reason": "Not mine"}
    )
    assert response.status_code == 302
    assert _db(in_org, commitment).state == "closed"


def test_a_proposed_change_is_answered_by_the_assigner(make, client_for, in_org, today):
    commitment = make()
    new_due = (today + datetime.timedelta(days=30)).isoformat()
    response = client_for("member").post(
        url(commitment, "propose-change"),
        {"propose-version": 1, "propose-due_date": new_due, "propose-reason": "Holidays"},
    )
    assert response.status_code == 302
    page = text(client_for("admin").get(url(commitment)))
    assert "A change is proposed" in page and new_due in page and "Agree to the change" in page
    response = client_for("admin").post(url(commitment, "accept"), {"accept-version": 1})
    assert response.status_code == 302
    found = _db(in_org, commitment)
    assert (found.state, found.due_date.isoformat()) == ("accepted", new_due)


def test_a_stale_form_shows_a_conflict_and_changes_nothing(make, client_for, in_org):
    commitment = make(accept=True)
    response = client_for("member").post(
        url(commitment, "update"), {"update-version": 1, "update-state": "in_progress"}
    )
    assert response.status_code == 409
    assert "Someone else changed this commitment" in text(response)
    assert _db(in_org, commitment).state == "accepted"


def test_an_illegal_step_explains_itself(make, client_for, in_org):
    commitment = make()
    response = client_for("admin").post(
        url(commitment, "evaluate"), {"evaluate-version": 1, "evaluate-evaluation": "met"}
    )
    assert response.status_code == 409
    assert "nothing to evaluate yet" in text(response)


def test_at_risk_without_a_note_is_refused_in_the_page(make, client_for, in_org):
    commitment = make(accept=True)
    version = commitment.version
    response = client_for("member").post(
        url(commitment, "update"), {"update-version": version, "update-state": "at_risk"}
    )
    assert response.status_code == 422
    assert "what puts it at risk" in text(response)
    response = client_for("member").post(
        url(commitment, "update"),
        {"update-version": version, "update-state": "at_risk", "update-status_note": "Ill"},
    )
    assert response.status_code == 302
    assert _db(in_org, commitment).state == "at_risk"


def test_the_whole_loop_through_the_pages(make, client_for, in_org, today):
    commitment = make(accept=True)
    member, admin = client_for("member"), client_for("admin")
    assert (
        member.post(
            url(commitment, "complete"), {"complete-version": commitment.version}
        ).status_code
        == 302
    )
    found = _db(in_org, commitment)
    assert found.completed_on == today
    page = text(admin.get(url(commitment)))
    assert "Evaluate</h3>" in page
    assert (
        admin.post(
            url(commitment, "evaluate"),
            {"evaluate-version": found.version, "evaluate-evaluation": "met"},
        ).status_code
        == 302
    )
    found = _db(in_org, commitment)
    assert found.state == "evaluated"
    response = admin.post(
        url(commitment, "act"),
        {
            "act-version": found.version,
            "act-action": "recognize",
            "act-note": "Every call logged early",
        },
    )
    assert response.status_code == 302
    found = _db(in_org, commitment)
    assert (found.state, found.action) == ("closed", "recognize")
    page = text(member.get(url(commitment)))
    assert "Every call logged early" in page
    assert "Your next step" not in page
    with in_org():
        assert (
            HistoryEntry.objects.filter(object_type="commitment", object_id=found.pk).count() == 5
        )


def test_renewing_from_the_page_links_both(make, client_for, in_org, today):
    commitment = make(accept=True, due=today - datetime.timedelta(days=1))
    admin = client_for("admin")
    admin.post(
        url(commitment, "evaluate"),
        {"evaluate-version": 2, "evaluate-evaluation": "missed", "evaluate-note": "No calls"},
    )
    new_due = (today + datetime.timedelta(days=20)).isoformat()
    missing_date = admin.post(url(commitment, "act"), {"act-version": 3, "act-action": "renew"})
    assert missing_date.status_code == 422
    assert "new due date" in text(missing_date)
    response = admin.post(
        url(commitment, "act"), {"act-version": 3, "act-action": "renew", "act-due_date": new_due}
    )
    assert response.status_code == 302
    with in_org():
        renewal = Commitment.objects.get(renewed_from=commitment)
    assert "Renewed as" in text(admin.get(url(commitment)))
    assert "Renews" in text(admin.get(url(renewal)))


def test_escalated_leader_may_evaluate(make, client_for, in_org, today, world):
    # Mia assigns to the viewer; Mia's manager is Adam.
    commitment = make(
        by=world.member, to=world.admin, accept=True, due=today - datetime.timedelta(days=1)
    )
    member = client_for("member")
    member.post(
        url(commitment, "evaluate"),
        {"evaluate-version": 2, "evaluate-evaluation": "missed", "evaluate-note": "Late"},
    )
    response = member.post(
        url(commitment, "act"), {"act-version": 3, "act-action": "escalate", "act-note": "Help"}
    )
    assert response.status_code == 302
    assert _db(in_org, commitment).escalated_to == world.admin
    page = text(client_for("admin").get("/o/acme/"))
    assert "waiting for your evaluation" in page and "escalated to you" in page


def test_other_organizations_commitment_is_404(make, client_for):
    commitment = make()
    assert client_for("outsider").get(url(commitment)).status_code == 404
    assert client_for("outsider").post(url(commitment, "accept")).status_code == 404


# --- lists, panels, My week ---------------------------------------------------------------


def test_my_commitments_tabs_flag_overdue(make, client_for, world, today):
    late = make(accept=True, due=today - datetime.timedelta(days=3), title="Late report")
    make(title="Fresh idea")
    member = client_for("member")
    page = text(member.get(LIST))
    assert "Late report" in page and "Overdue" in page and "Fresh idea" in page
    assigned = text(client_for("admin").get(f"{LIST}?show=assigned"))
    assert "Late report" in assigned and "To evaluate" in assigned
    team = text(client_for("admin").get(f"{LIST}?show=team"))
    assert "Late report" in team and "1 overdue" in team
    assert late.pk


def test_list_pages_read_a_flat_number_of_queries(make, client_for, world, today):
    make(accept=True)
    admin = client_for("admin")
    admin.get("/o/acme/")  # the first page of a session also writes the session
    counts = [queries_for(admin, f"{LIST}?show={show}") for show in ("assigned", "team")]
    for _ in range(6):
        make(accept=True, due=today - datetime.timedelta(days=2))
        make(to=world.viewer)
    assert [queries_for(admin, f"{LIST}?show={show}") for show in ("assigned", "team")] == counts
    detail = make()
    assert queries_for(admin, url(detail)) <= 30


def test_unit_and_person_panels_keep_their_query_count(make, client_for, world, in_org, today):
    admin = client_for("admin")
    unit_page = f"/o/acme/units/{world.sales.pk}/"
    person_page = f"/o/acme/people/{world.member.pk}/"
    make(unit=world.sales, accept=True)
    admin.get("/o/acme/")  # the first page of a session also writes the session
    before = (queries_for(admin, unit_page), queries_for(admin, person_page))
    for _ in range(5):
        done = make(unit=world.sales, accept=True, due=today - datetime.timedelta(days=1))
        with in_org():
            done = commitment_complete(commitment=done, today=today - datetime.timedelta(days=2))
            commitment_evaluate(commitment=done, evaluator=world.admin, evaluation="met")
        make(unit=world.sales, accept=True, due=today - datetime.timedelta(days=4))
    assert (queries_for(admin, unit_page), queries_for(admin, person_page)) == before
    unit_text = text(admin.get(unit_page))
    assert "Manage: commitments" in unit_text and "5 overdue" in unit_text
    assert "Recently evaluated" in unit_text
    person_text = text(admin.get(person_page))
    assert "Follow-through" in person_text and "100%" in person_text
    assert "5 of 5 evaluated" in person_text


def test_my_week_shows_what_waits_for_me(make, client_for, world, today):
    make(title="Answer me")
    make(title="Working on it", accept=True, due=today - datetime.timedelta(days=1))
    member_week = text(client_for("member").get("/o/acme/"))
    assert "Commitments waiting for your yes" in member_week and "Answer me" in member_week
    assert "Your open commitments" in member_week and "overdue since" in member_week
    admin_week = text(client_for("admin").get("/o/acme/"))
    assert "Commitments waiting for your evaluation or action" in admin_week
    assert "Working on it" in admin_week
