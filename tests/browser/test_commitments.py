"""A leader assigns a commitment; the owner accepts and marks it done; the leader
evaluates and recognizes it. The commitment pages fit a phone."""

from __future__ import annotations

import datetime

from playwright.sync_api import Page, expect

from leados.core.periods import organization_today
from leados.operate.models import Commitment
from leados.operate.services.commitments import commitment_assign

PHONE = {"width": 390, "height": 844}


def _sideways_overflow(page: Page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def test_assign_accept_complete_evaluate_and_recognize(world, browsing, in_org):
    due = (organization_today(world.org) + datetime.timedelta(days=7)).isoformat()
    leader = browsing.as_("admin@acme.test")
    leader.goto("/o/acme/commitments/")
    leader.get_by_role("link", name="Assign", exact=True).click()
    leader.get_by_label("Owner").fill("member@acme.test")
    leader.get_by_label("What").fill("Call ten customers")
    leader.get_by_label("Definition of done").fill("Ten calls logged in the CRM")
    leader.get_by_label("Due").fill(due)
    leader.get_by_role("button", name="Assign").click()
    expect(leader.get_by_role("status")).to_contain_text("waits for their yes")
    with in_org():
        commitment = Commitment.objects.get()
    assert (commitment.state, commitment.owner_id) == ("proposed", world.member.pk)

    owner = browsing.as_("member@acme.test")
    owner.goto("/o/acme/")
    waiting = owner.locator("section", has=owner.locator("#section-commitments_waiting_for_my_yes"))
    waiting.get_by_role("link", name="Call ten customers").click()
    owner.get_by_role("button", name="Yes, it is mine").click()
    expect(owner.get_by_role("status")).to_contain_text("it is yours")
    owner.get_by_role("button", name="Mark done").click()
    expect(owner.get_by_role("status")).to_contain_text("waits for evaluation")

    leader.goto("/o/acme/")
    to_evaluate = leader.locator("section", has=leader.locator("#section-commitments_to_evaluate"))
    to_evaluate.get_by_role("link", name="Call ten customers").click()
    leader.get_by_label("Met", exact=True).check()
    leader.get_by_role("button", name="Evaluate").click()
    expect(leader.get_by_role("status")).to_contain_text("Evaluated")
    leader.get_by_label("Recognize").check()
    leader.get_by_label("Note").fill("Done early, every call logged")
    leader.get_by_role("button", name="Act").click()
    expect(leader.locator(".commitment-loop [aria-current=step]")).to_have_text("Act")
    expect(leader.locator(".page-head")).to_contain_text("Closed")
    with in_org():
        commitment = Commitment.objects.get()
    assert (commitment.state, commitment.evaluation, commitment.action) == (
        "closed",
        "met",
        "recognize",
    )
    assert commitment.met_on_time

    owner.goto(f"/o/acme/people/{world.member.pk}/")
    expect(owner.locator(".follow-through")).to_contain_text("100%")


def test_the_commitment_pages_fit_a_phone(world, browsing, in_org):
    with in_org():
        commitment = commitment_assign(
            organization=world.org, assigned_by=world.admin, owner=world.member,
            title="A rather long commitment title that has to wrap on a narrow screen",
            definition_of_done="Done", due_date=organization_today(world.org),
            unit=world.sales,
        )  # fmt: skip
    page = browsing.as_("member@acme.test", viewport=PHONE)
    for path in [
        "/o/acme/commitments/",
        "/o/acme/commitments/?show=team",
        "/o/acme/commitments/new/",
        f"/o/acme/commitments/{commitment.pk}/",
    ]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert _sideways_overflow(page) <= 0, path
