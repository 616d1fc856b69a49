"""The agreements inbox: what waits for my answer, what I wait for, and every answer."""

from __future__ import annotations

import datetime

import pytest

from leados.core.models import PeriodKind
from leados.core.periods import organization_today, period_for
from leados.operate.models import Agreement, Commitment, Goal, GoalLink
from leados.operate.services.commitments import commitment_assign
from leados.operate.services.goals import goal_create, goal_link_create
from tests.web.helpers import history_count, text

INBOX = "/o/acme/goals/agreements/"


@pytest.fixture
def proposed(world, in_org):
    """The owner sets a Sales goal for the member, links an Operations goal to it and
    assigns the member a commitment: three agreements waiting for the member."""
    with in_org():
        quarter = period_for(world.org, organization_today(world.org), PeriodKind.QUARTER)
        goal = goal_create(
            organization=world.org, actor=world.owner, title="Win ten accounts",
            unit=world.sales, owner=world.member, period=quarter, kind="metric",
            start_value=0, target_value=10,
        )  # fmt: skip
        ops_goal = goal_create(
            organization=world.org, actor=world.owner, title="Deliver in a week",
            unit=world.ops, period=quarter, kind="binary",
        )  # fmt: skip
        link = goal_link_create(source=ops_goal, target=goal, actor=world.owner)
        commitment = commitment_assign(
            organization=world.org, assigned_by=world.owner, owner=world.member,
            title="Call the top five", definition_of_done="Five calls logged",
            due_date=organization_today(world.org) + datetime.timedelta(days=14),
        )  # fmt: skip
        return {
            "goal": Agreement.objects.get(goal=goal),
            "link": Agreement.objects.get(link=link),
            "commitment": Agreement.objects.get(commitment=commitment),
        }


def act(agreement, action):
    return f"/o/acme/goals/agreements/{agreement.pk}/{action}/"


def state(in_org, agreement):
    with in_org():
        return Agreement.objects.get(pk=agreement.pk).state


def test_the_inbox_lists_what_waits_for_me_and_what_i_wait_for(world, client_for, proposed):
    mine = text(client_for("member").get(INBOX))
    awaiting = mine.split('id="awaiting-h"')[1].split('id="waiting-h"')[0]
    for words in ("Win ten accounts", "contributes to", "Call the top five"):
        assert words in awaiting
    assert awaiting.count("Accept</button>") == 3
    theirs = text(client_for("owner").get(INBOX))
    waiting = theirs.split('id="waiting-h"')[1]
    assert "Win ten accounts" in waiting and "Call the top five" in waiting
    assert "Nothing waits for your answer." in theirs


def test_accepting_a_goal_settles_it(world, client_for, proposed, in_org):
    agreement = proposed["goal"]
    response = client_for("member").post(act(agreement, "accept"), {"version": 1})
    assert response.status_code == 302 and response["Location"] == INBOX
    assert state(in_org, agreement) == "accepted"


def test_accepting_a_link_makes_it_count(world, client_for, proposed, in_org):
    agreement = proposed["link"]
    goal_page = f"/o/acme/goals/{agreement.link.target_id}/"
    assert "Accept</button>" in text(client_for("member").get(goal_page))
    response = client_for("member").post(
        act(agreement, "accept"), {"version": 1, "next": goal_page}
    )
    assert response["Location"] == goal_page
    with in_org():
        assert GoalLink.objects.get(pk=agreement.link_id).state == "accepted"


def test_declining_needs_a_reason(world, client_for, proposed, in_org):
    agreement = proposed["commitment"]
    before = history_count()
    response = client_for("member").post(act(agreement, "decline"), {"version": 1})
    assert response.status_code == 422
    assert "Say why" in text(response)
    assert state(in_org, agreement) == "proposed" and history_count() == before
    response = client_for("member").post(
        act(agreement, "decline"), {"version": 1, "reason": "On leave that week"}
    )
    assert response.status_code == 302
    assert state(in_org, agreement) == "declined"
    with in_org():
        assert Commitment.objects.get(pk=agreement.commitment_id).state == "closed"


def test_a_proposed_change_is_accepted_by_the_requester_and_applied(
    world, client_for, proposed, in_org
):
    agreement = proposed["goal"]
    response = client_for("member").post(
        act(agreement, "propose"), {"version": 1, "target_value": "8", "reason": "Too many"}
    )
    assert response.status_code == 302
    assert state(in_org, agreement) == "change_proposed"
    inbox = text(client_for("owner").get(INBOX))
    assert "Accept the change</button>" in inbox and "target_value → 8.0" in inbox
    response = client_for("owner").post(act(agreement, "accept-change"), {"version": 2})
    assert response.status_code == 302
    assert state(in_org, agreement) == "accepted"
    with in_org():
        assert Goal.objects.get(pk=agreement.goal_id).target_value == 8


def test_a_rejected_change_asks_the_responder_again(world, client_for, proposed, in_org):
    agreement = proposed["commitment"]
    client_for("member").post(act(agreement, "propose"), {"version": 1, "title": "Call three"})
    response = client_for("owner").post(
        act(agreement, "reject-change"), {"version": 2, "reason": "Five it is"}
    )
    assert response.status_code == 302
    assert state(in_org, agreement) == "proposed"
    with in_org():
        assert Commitment.objects.get(pk=agreement.commitment_id).title == "Call the top five"


def test_an_empty_proposal_says_what_to_fill_in(world, client_for, proposed, in_org):
    response = client_for("member").post(act(proposed["goal"], "propose"), {"version": 1})
    assert response.status_code == 422
    assert "Say what you would change" in text(response)
    assert state(in_org, proposed["goal"]) == "proposed"


@pytest.mark.parametrize("persona", ["owner", "admin", "coach", "viewer"])
def test_only_the_party_who_must_answer_may_answer(persona, world, client_for, proposed, in_org):
    response = client_for(persona).post(act(proposed["goal"], "accept"), {"version": 1})
    assert response.status_code == 403
    assert state(in_org, proposed["goal"]) == "proposed"


def test_another_organizations_agreement_is_not_found(world, client_for, proposed):
    assert (
        client_for("outsider").post(act(proposed["goal"], "accept"), {"version": 1}).status_code
        == 404
    )


def test_a_stale_or_settled_agreement_is_a_conflict_with_a_message(
    world, client_for, proposed, in_org
):
    agreement = proposed["goal"]
    client = client_for("member")
    client.post(act(agreement, "propose"), {"version": 1, "weight": "2"})
    response = client_for("owner").post(act(agreement, "accept-change"), {"version": 1})
    assert response.status_code == 409
    assert "Someone else changed this" in text(response)
    client_for("owner").post(act(agreement, "accept-change"), {"version": 2})
    response = client.post(act(agreement, "accept"), {"version": 3})
    assert response.status_code == 409
    assert "no longer waiting" in text(response)


def test_answering_needs_a_post(world, client_for, proposed):
    assert client_for("member").get(act(proposed["goal"], "accept")).status_code == 405
