"""The commitments API: the whole loop, versions, refusals, lists and follow-through."""

from __future__ import annotations

import datetime

import pytest

from leados.core.periods import organization_today
from leados.operate.models import Agreement, AgreementState, Commitment
from leados.operate.services.commitments import commitment_assign
from tests.api.helpers import Api, assert_error_shape, field_errors, fingerprint, if_match

BASE = "orgs/acme/commitments"


@pytest.fixture
def api_for(token_for):
    return lambda persona: Api(token_for(persona))


@pytest.fixture
def today(world):
    return organization_today(world.org)


@pytest.fixture
def make(world, in_org, today):
    def make(*, by=None, to=None, due=None, **fields):
        fields.setdefault("title", "Call ten customers")
        fields.setdefault("definition_of_done", "Ten calls logged")
        with in_org():
            return commitment_assign(
                organization=world.org,
                assigned_by=by or world.admin,
                owner=to or world.member,
                due_date=due or today + datetime.timedelta(days=14),
                **fields,
            )

    return make


def _db(in_org, pk) -> Commitment:
    with in_org():
        return Commitment.objects.get(pk=pk)


def test_the_whole_loop_through_the_api(api_for, world, in_org, today):
    admin, member = api_for("admin"), api_for("member")
    due = (today + datetime.timedelta(days=7)).isoformat()
    created = admin.post(
        BASE,
        {
            "owner": world.member.pk,
            "title": "Ship the price list",
            "definition_of_done": "Sent to every customer",
            "due_date": due,
            "unit": world.sales.pk,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "proposed"
    assert body["pending_agreement"]["responder"]["id"] == world.member.pk
    assert created["ETag"] == 'W/"1"'
    pk = body["id"]

    accepted = member.post(f"{BASE}/{pk}/accept", headers=if_match(1))
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["state"] == "accepted"
    assert accepted.json()["pending_agreement"] is None
    version = accepted.json()["version"]

    risky = member.post(f"{BASE}/{pk}/update", {"state": "at_risk"}, headers=if_match(version))
    assert_error_shape(risky, 422)
    assert "status_note" in field_errors(risky)
    risky = member.post(
        f"{BASE}/{pk}/update",
        {"state": "at_risk", "status_note": "Printer broken"},
        headers=if_match(version),
    )
    assert risky.status_code == 200
    assert _db(in_org, pk).state == "at_risk"

    completed = member.post(f"{BASE}/{pk}/complete", {"version": risky.json()["version"]})
    assert completed.status_code == 200
    assert completed.json()["completed_on"] == today.isoformat()
    assert completed.json()["awaiting_evaluation"] is True

    listed = admin.get(BASE, {"awaiting_evaluation": "true", "assigned_by": world.admin.pk})
    assert [i["id"] for i in listed.json()["items"]] == [pk]

    evaluated = admin.post(
        f"{BASE}/{pk}/evaluate",
        {"evaluation": "met"},
        headers=if_match(completed.json()["version"]),
    )
    assert evaluated.status_code == 200, evaluated.content
    assert evaluated.json()["met_on_time"] is True

    renewed = admin.post(
        f"{BASE}/{pk}/act",
        {"action": "renew", "due_date": (today + datetime.timedelta(days=40)).isoformat()},
        headers=if_match(evaluated.json()["version"]),
    )
    assert renewed.status_code == 200, renewed.content
    assert (renewed.json()["state"], renewed.json()["action"]) == ("closed", "renew")
    with in_org():
        renewal = Commitment.objects.get(renewed_from_id=pk)
    assert renewal.state == "accepted"
    listed = admin.get(BASE, {"owner": world.member.pk, "open": "true"})
    assert [(i["id"], i["renewed_from"]) for i in listed.json()["items"]] == [(renewal.pk, pk)]

    record = admin.get(f"orgs/acme/people/{world.member.pk}/follow-through")
    assert record.status_code == 200
    assert (record.json()["count"], record.json()["met_on_time"], record.json()["rate"]) == (
        1,
        1,
        1.0,
    )
    assert len(record.json()["buckets"]) == 3


def test_versions_are_required_and_stale_ones_refused(api_for, make, in_org):
    commitment = make()
    member = api_for("member")
    assert_error_shape(member.post(f"{BASE}/{commitment.pk}/accept"), 428)
    assert_error_shape(member.post(f"{BASE}/{commitment.pk}/accept", headers=if_match(5)), 412)
    stale = member.post(f"{BASE}/{commitment.pk}/accept", {"version": 5})
    assert_error_shape(stale, 409)
    assert "version 1" in stale.json()["detail"]
    assert _db(in_org, commitment.pk).state == "proposed"


def test_illegal_transitions_answer_409_with_a_reason(api_for, make, in_org):
    commitment = make()
    member, admin = api_for("member"), api_for("admin")
    update = member.post(
        f"{BASE}/{commitment.pk}/update", {"state": "in_progress"}, headers=if_match(1)
    )
    assert "Accept this commitment" in assert_error_shape(update, 409)["detail"]
    evaluate = admin.post(
        f"{BASE}/{commitment.pk}/evaluate", {"evaluation": "met"}, headers=if_match(1)
    )
    assert "nothing to evaluate" in assert_error_shape(evaluate, 409)["detail"]
    act = admin.post(f"{BASE}/{commitment.pk}/act", {"action": "close"}, headers=if_match(1))
    assert "evaluate it before" in assert_error_shape(act, 409)["detail"]
    assert _db(in_org, commitment.pk).version == 1


def test_each_side_acts_only_on_its_own_steps(api_for, make, in_org):
    commitment = make()
    admin, member, coach = api_for("admin"), api_for("member"), api_for("coach")
    # Only the owner answers; the assigner cannot accept on the owner's behalf.
    assert_error_shape(admin.post(f"{BASE}/{commitment.pk}/accept", headers=if_match(1)), 403)
    member.post(f"{BASE}/{commitment.pk}/accept", headers=if_match(1))
    version = _db(in_org, commitment.pk).version
    # The owner cannot evaluate or act on their own commitment; a coach changes nothing.
    evaluate = member.post(
        f"{BASE}/{commitment.pk}/evaluate", {"evaluation": "met"}, headers=if_match(version)
    )
    assert_error_shape(evaluate, 403)
    assert_error_shape(
        coach.post(f"{BASE}/{commitment.pk}/complete", headers=if_match(version)), 403
    )
    assert_error_shape(coach.post(BASE, {"owner": 1, "title": "x", "definition_of_done": "y"}), 403)
    assert _db(in_org, commitment.pk).version == version


def test_propose_a_change_then_the_assigner_accepts_it(api_for, make, in_org, today):
    commitment = make()
    member, admin = api_for("member"), api_for("admin")
    new_due = (today + datetime.timedelta(days=30)).isoformat()
    proposed = member.post(
        f"{BASE}/{commitment.pk}/propose-change",
        {"due_date": new_due, "reason": "Holidays"},
        headers=if_match(1),
    )
    assert proposed.status_code == 200, proposed.content
    pending = proposed.json()["pending_agreement"]
    assert pending["state"] == "change_proposed"
    assert pending["proposed_change"] == {"due_date": new_due}
    # Now it is the assigner's turn: the owner cannot accept their own proposal.
    assert_error_shape(member.post(f"{BASE}/{commitment.pk}/accept", headers=if_match(1)), 403)
    accepted = admin.post(f"{BASE}/{commitment.pk}/accept", headers=if_match(1))
    assert accepted.status_code == 200, accepted.content
    assert (accepted.json()["state"], accepted.json()["due_date"]) == ("accepted", new_due)


def test_declining_needs_a_reason_and_closes_it(api_for, make, in_org):
    commitment = make()
    member = api_for("member")
    refused = member.post(f"{BASE}/{commitment.pk}/decline", headers=if_match(1))
    assert "reason" in field_errors(assert_error_shape(refused, 422) and refused)
    declined = member.post(
        f"{BASE}/{commitment.pk}/decline", {"reason": "Not my area"}, headers=if_match(1)
    )
    assert declined.json()["state"] == "closed"
    with in_org():
        assert Agreement.objects.get(commitment=commitment).state == AgreementState.DECLINED


def test_the_assigner_rewrites_terms_while_proposed_and_can_withdraw(api_for, make, in_org):
    commitment = make()
    admin = api_for("admin")
    patched = admin.patch(
        f"{BASE}/{commitment.pk}", {"title": "Call twelve customers"}, headers=if_match(1)
    )
    assert patched.status_code == 200, patched.content
    assert patched["ETag"] == 'W/"2"'
    assert _db(in_org, commitment.pk).title == "Call twelve customers"
    empty = admin.patch(f"{BASE}/{commitment.pk}", {"title": None}, headers=if_match(2))
    assert_error_shape(empty, 422)
    assert_error_shape(api_for("member").patch(f"{BASE}/{commitment.pk}", {"title": "x"}), 403)
    withdrawn = admin.post(
        f"{BASE}/{commitment.pk}/withdraw", {"reason": "Done elsewhere"}, headers=if_match(2)
    )
    assert withdrawn.json()["state"] == "closed"
    again = admin.patch(f"{BASE}/{commitment.pk}", {"title": "x"}, headers=if_match(3))
    assert_error_shape(again, 409)


def test_create_refuses_bad_input_and_other_organizations_references(api_for, world, in_org):
    admin = api_for("admin")
    before = fingerprint()
    missing = admin.post(BASE, {"title": "x"})
    assert "owner" in field_errors(assert_error_shape(missing, 422) and missing)
    foreign = admin.post(
        BASE,
        {
            "owner": world.outsider.pk,
            "title": "x",
            "definition_of_done": "y",
            "due_date": "2027-01-01",
        },
    )
    assert "owner" in field_errors(assert_error_shape(foreign, 422) and foreign)
    no_due = admin.post(BASE, {"owner": world.member.pk, "title": "x", "definition_of_done": "y"})
    assert "due_date" in field_errors(assert_error_shape(no_due, 422) and no_due)
    unknown = admin.post(BASE, {"owner": world.member.pk, "colour": "red"})
    assert_error_shape(unknown, 422)
    assert fingerprint() == before
    with in_org():
        assert not Commitment.objects.exists()


def test_another_organizations_commitment_is_not_found(api_for, make):
    commitment = make()
    outsider = api_for("outsider")
    assert_error_shape(outsider.get(f"{BASE}/{commitment.pk}"), 404)
    assert_error_shape(outsider.get(f"orgs/globex/commitments/{commitment.pk}"), 404)
    assert_error_shape(api_for("owner").get(f"orgs/acme/people/{987654}/follow-through"), 404)


def test_list_filters_and_a_flat_query_count(
    api_for, make, world, today, django_assert_max_num_queries
):
    late = make(due=today - datetime.timedelta(days=2))
    soon = make(to=world.viewer)
    for _ in range(5):
        make(to=world.owner, unit=world.sales)
    admin = api_for("admin")
    overdue = admin.get(BASE, {"overdue": "true"}).json()
    assert [i["id"] for i in overdue["items"]] == [late.pk]
    assert overdue["items"][0]["overdue"] is True
    assert admin.get(BASE, {"owner": world.viewer.pk}).json()["items"][0]["id"] == soon.pk
    assert admin.get(BASE, {"unit": world.sales.pk}).json()["count"] == 5
    assert admin.get(BASE, {"state": "proposed", "limit": 2}).json()["count"] == 7
    assert_error_shape(admin.get(BASE, {"state": "lost"}), 422)
    with django_assert_max_num_queries(8):
        body = admin.get(BASE).json()
    assert body["count"] == 7
    assert all(i["pending_agreement"] for i in body["items"])
