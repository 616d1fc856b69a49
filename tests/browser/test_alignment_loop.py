"""The alignment issue's whole path, in the demo organization, in a real browser.

A leader opens the alignment tree and follows a goal up to the vision, finds the orphan,
checks in on a self goal and sees the roll-up move at every level above, and assigns a
commitment that the other person accepts and completes and the leader evaluates.
"""

from __future__ import annotations

import datetime
import re

from playwright.sync_api import expect

from leados.core.demo import demo_create
from leados.core.periods import organization_today
from leados.core.tenancy import org_scope
from leados.operate.models import Commitment, Goal
from tests.browser.conftest import htmx_settled
from tests.conftest import PASSWORD

# The COO's self goal: under the Northgate project goal, the café team's goal and the
# strategy goal, none of which has a metric of its own, so each takes its progress from
# the goals under it.
SELF_GOAL = "Weekly Northgate site walk with the contractor"
COLLEAGUE_GOAL = "Match our profiles on the new roaster"
ORPHAN = "Redesign the coffee bags"


def _people_and_chain():
    """The demo's COO (whose self goal we check in on), a roaster to assign work to, and
    the self goal's ancestors from the root down."""
    org, _owner, _password = demo_create(slug="larkspur")
    with org_scope(org):
        goal = Goal.objects.select_related("person__user").get(title=SELF_GOAL)
        colleague = Goal.objects.select_related("person__user").get(title=COLLEAGUE_GOAL).person
        chain = list(Goal.objects.filter(pk__in=goal.ancestor_ids).order_by("depth"))
    for person in (goal.person, colleague):
        person.user.set_password(PASSWORD)
        person.user.save()
    return org, goal, colleague, chain


def test_a_leader_follows_a_goal_to_the_vision_checks_in_and_closes_the_loop(browsing):
    org, goal, colleague, chain = _people_and_chain()
    assert len(chain) >= 3  # project → functional team → strategy
    assert all(ancestor.rolls_up for ancestor in chain)
    leader_email, colleague_email = goal.person.user.email, colleague.user.email
    leader = browsing.as_(leader_email)

    # The tree opens with the vision on top; a strategy goal expands in place.
    leader.goto("/o/larkspur/alignment/")
    expect(leader.locator(".al-vision")).to_be_visible()
    top = chain[0]
    toggle = leader.locator(f"#goal-{top.pk} > .al-row .al-toggle")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    htmx_settled(leader)
    expect(leader.locator(f"#goal-{top.pk} > .al-row .al-toggle")).to_have_attribute(
        "aria-expanded", "true"
    )
    expect(leader.locator(f"#kids-{top.pk}")).to_contain_text(chain[1].title)

    # Search finds the self goal with its chain up to the vision.
    leader.get_by_label("Search titles").fill("Northgate site walk")
    leader.get_by_role("button", name="Filter").click()
    crumbs = leader.get_by_role("navigation", name="Up to the vision").first
    expect(crumbs).to_contain_text("Vision")
    for ancestor in chain:
        expect(crumbs).to_contain_text(ancestor.title)

    # The orphan is there to be found.
    leader.get_by_role("navigation", name="Alignment views").get_by_role(
        "link", name="Orphans"
    ).click()
    expect(leader.get_by_role("main")).to_contain_text(ORPHAN)

    # A check-in on the self goal moves the roll-up at every level above.
    with org_scope(org):
        before = {g.pk: g.progress for g in Goal.objects.filter(pk__in=goal.ancestor_ids)}
        current = Goal.objects.get(pk=goal.pk).current_value
    leader.goto(f"/o/larkspur/goals/{goal.pk}/")
    leader.get_by_label(re.compile(r"^Current value")).fill(str(goal.target_value))
    leader.get_by_label("Confidence (0–10)").fill("9")
    leader.get_by_role("button", name="Save check-in").click()
    rollup = leader.locator(".rollup")
    expect(rollup).to_contain_text("the roll-up moved")
    for ancestor in chain:
        expect(rollup).to_contain_text(ancestor.title)
    with org_scope(org):
        after = {g.pk: g.progress for g in Goal.objects.filter(pk__in=goal.ancestor_ids)}
        assert Goal.objects.get(pk=goal.pk).current_value == goal.target_value != current
    for ancestor in chain:
        assert after[ancestor.pk] > before[ancestor.pk], ancestor.title

    # The leader assigns a commitment; the roaster accepts and completes it.
    due = (organization_today(org) + datetime.timedelta(days=5)).isoformat()
    leader.goto("/o/larkspur/commitments/new/")
    leader.get_by_label("Owner").fill(colleague_email)
    leader.get_by_label("What").fill("Dial in the decaf profile")
    leader.get_by_label("Definition of done").fill("Three cupped batches within spec")
    leader.get_by_label("Due").fill(due)
    leader.get_by_role("button", name="Assign").click()
    expect(leader.get_by_role("status")).to_contain_text("waits for their yes")

    roaster = browsing.as_(colleague_email)
    roaster.goto("/o/larkspur/")
    waiting = roaster.locator(
        "section", has=roaster.locator("#section-commitments_waiting_for_my_yes")
    )
    waiting.get_by_role("link", name="Dial in the decaf profile").click()
    roaster.get_by_role("button", name="Yes, it is mine").click()
    expect(roaster.get_by_role("status")).to_contain_text("it is yours")
    roaster.get_by_role("button", name="Mark done").click()
    expect(roaster.get_by_role("status")).to_contain_text("waits for evaluation")

    # The leader evaluates it from My week.
    leader.goto("/o/larkspur/")
    to_evaluate = leader.locator("section", has=leader.locator("#section-commitments_to_evaluate"))
    to_evaluate.get_by_role("link", name="Dial in the decaf profile").click()
    leader.get_by_label("Met", exact=True).check()
    leader.get_by_role("button", name="Evaluate").click()
    expect(leader.get_by_role("status")).to_contain_text("Evaluated")
    with org_scope(org):
        commitment = Commitment.objects.get(title="Dial in the decaf profile")
    assert (commitment.owner_id, commitment.assigned_by_id) == (colleague.pk, goal.person_id)
    assert (commitment.state, commitment.evaluation) == ("evaluated", "met")
    assert commitment.met_on_time
