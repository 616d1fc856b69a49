"""A lead drafts a financial plan, keeps its budget in place, and the leader above approves it."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from leados.operate.models import BudgetLine, Plan
from tests.browser.conftest import htmx_settled

PHONE = {"width": 390, "height": 844}


def _sideways_overflow(page: Page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def test_a_lead_drafts_a_budget_edits_it_in_place_and_the_owner_approves(world, browsing, in_org):
    lead = browsing.as_("member@acme.test")
    lead.goto("/o/acme/plans/")
    lead.get_by_role("link", name="New plan").click()
    lead.get_by_label("Unit").select_option(str(world.sales.pk))
    lead.get_by_label("Title").fill("Sales budget")
    lead.get_by_label("Kind").select_option("financial")
    lead.get_by_label("Period").select_option(index=1)
    lead.get_by_label("Currency").fill("eur")
    lead.get_by_role("button", name="Create draft").click()
    expect(lead.get_by_role("heading", level=1)).to_contain_text("Sales budget")
    with in_org():
        plan = Plan.objects.get()
    assert (plan.status, plan.currency, plan.owner_id) == ("draft", "EUR", world.member.pk)

    # Budget lines: added and edited without leaving the page.
    lead.evaluate("window.__sameDocument = true")
    add = lead.locator("form.plan-line-add")
    add.get_by_label("Category").fill("Travel")
    add.get_by_label("Planned").fill("1000")
    add.get_by_role("button", name="Add line").click()
    budget = lead.locator("#budget")
    expect(budget.get_by_role("status")).to_contain_text("Budget line “Travel” added.")
    htmx_settled(lead)
    expect(budget.locator("tfoot")).to_contain_text("1,000.00")

    budget.get_by_text("Edit", exact=False).first.click()
    row = lead.locator(".plan-line-edit form.form").first
    row.get_by_label("Actual").fill("1250.5")
    row.get_by_role("button", name="Save line").click()
    expect(budget.get_by_role("status")).to_contain_text("saved")
    htmx_settled(lead)
    expect(budget.locator("tfoot")).to_contain_text("+250.50")
    assert lead.evaluate("window.__sameDocument") is True
    with in_org():
        line = BudgetLine.objects.get()
    assert (str(line.planned), str(line.actual), line.version) == ("1000.00", "1250.50", 2)

    # A bad amount stays in the form with its message.
    browsing.watch.allow(r"status of 422")
    add = lead.locator("form.plan-line-add")
    add.get_by_label("Category").fill("Events")
    add.get_by_label("Planned").fill("12.345")
    add.get_by_role("button", name="Add line").click()
    expect(lead.locator("form.plan-line-add")).to_contain_text("two decimal places")
    with in_org():
        assert BudgetLine.objects.count() == 1

    # Mia cannot approve her own unit's plan; the owner (the leader above) can.
    expect(lead.get_by_role("button", name="Approve")).to_have_count(0)
    owner = browsing.as_("owner@acme.test")
    owner.goto(f"/o/acme/plans/{plan.pk}/")
    owner.get_by_role("button", name="Approve").click()
    expect(owner.get_by_role("status")).to_contain_text("The plan is now approved.")
    expect(owner.locator(".plan-lifecycle [aria-current=step]")).to_have_text(
        re.compile("Approved")
    )
    with in_org():
        plan = Plan.objects.get()
    assert (plan.status, plan.approved_by_id) == ("approved", world.owner.pk)


def test_the_plan_pages_fit_a_phone(world, browsing, in_org):
    import datetime

    from leados.core.models import PeriodKind
    from leados.core.periods import organization_today, period_for
    from leados.operate.services.plans import budget_line_create, plan_create

    with in_org():
        quarter = period_for(world.org, organization_today(world.org), PeriodKind.QUARTER)
        plan = plan_create(
            organization=world.org, actor=world.admin, unit=world.sales, period=quarter,
            kind="financial", title="Sales budget", currency="EUR",
        )  # fmt: skip
        for month_start in (quarter.start, quarter.start + datetime.timedelta(days=40)):
            month = period_for(world.org, month_start, PeriodKind.MONTH)
            budget_line_create(
                plan=plan, category="Travel and entertainment", period=month,
                planned="123456789.00", actual="98765432.10",
            )  # fmt: skip
    page = browsing.as_("member@acme.test", viewport=PHONE)
    for path in ["/o/acme/plans/", f"/o/acme/plans/{plan.pk}/", "/o/acme/plans/new/"]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert _sideways_overflow(page) <= 0, path
