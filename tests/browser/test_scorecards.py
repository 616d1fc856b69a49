"""A lead opens the team's scorecard, sees the red cells, enters a week of values from the
keyboard, pastes a column copied from a spreadsheet, and is told when someone else changed
a value first."""

from __future__ import annotations

import datetime

from playwright.sync_api import Page, expect

from leados.core.periods import organization_today
from leados.operate import measures
from leados.operate.models import MeasurableValue
from leados.operate.services.measurables import ValueInput, measurable_create, values_set
from leados.operate.services.scorecards import scorecard_create

PHONE = {"width": 390, "height": 844}
WEEK = datetime.timedelta(days=7)


def _card(world, in_org):
    with in_org():
        today = organization_today(world.org)
        this_week = measures.period_of("weekly", today).start
        last_week = this_week - WEEK
        orders = measurable_create(
            organization=world.org, actor=world.admin, name="Orders", unit=world.sales,
            owner=world.member, target=100,
        )  # fmt: skip
        returns = measurable_create(
            organization=world.org, actor=world.admin, name="Returns", unit=world.sales,
            owner=world.member, target=10, better="lower",
        )  # fmt: skip
        calls = measurable_create(
            organization=world.org, actor=world.admin, name="Calls", unit=world.sales,
            owner=world.member, target=50,
        )  # fmt: skip
        values_set(
            measurable=orders,
            items=[ValueInput(last_week - WEEK, 60), ValueInput(last_week - 2 * WEEK, 105)],
            author=world.member,
        )
        scorecard = scorecard_create(
            organization=world.org, actor=world.admin, name="Sales numbers", kind="unit",
            unit=world.sales, measurables=[orders.pk, returns.pk, calls.pk],
        )  # fmt: skip
    return scorecard, orders, returns, calls, this_week, last_week


def _cell(page: Page, measurable, start: datetime.date):
    return page.locator(
        f'input.sc-input[data-measurable="{measurable.pk}"][data-period="{start.isoformat()}"]'
    )


def _value(in_org, measurable, start):
    with in_org():
        found = MeasurableValue.objects.filter(measurable=measurable, period_start=start).first()
        return None if found is None else (found.value, found.version)


def test_a_lead_enters_a_week_from_the_keyboard_and_pastes_a_column(world, browsing, in_org):
    scorecard, orders, returns, calls, this_week, last_week = _card(world, in_org)
    page = browsing.as_("member@acme.test")
    page.goto(f"/o/acme/scorecards/{scorecard.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sales numbers")

    # The red week says so in words, not only in colour.
    red = page.locator("td.sc-cell.colour-red")
    expect(red).to_have_count(1)
    expect(red).to_contain_text("off target")

    # Last week, from the keyboard: Enter goes down the column, each cell is saved.
    status = page.locator("#sc-status")
    first = _cell(page, orders, last_week)
    first.click()
    first.fill("120")
    page.keyboard.press("Enter")
    expect(_cell(page, returns, last_week)).to_be_focused()
    expect(status).to_have_text("Saved 1 value.")
    page.keyboard.type("12")
    page.keyboard.press("Enter")
    expect(_cell(page, calls, last_week)).to_be_focused()
    expect(_cell(page, returns, last_week).locator("xpath=..")).to_have_class("sc-cell colour-red")
    page.keyboard.type("55")
    page.keyboard.press("Shift+Tab")  # back along the row: the cell is saved on leaving
    expect(_cell(page, calls, last_week)).to_have_attribute("data-version", "1")
    assert _value(in_org, orders, last_week) == (120.0, 1)
    assert _value(in_org, returns, last_week) == (12.0, 1)
    assert _value(in_org, calls, last_week) == (55.0, 1)

    # A column copied from a spreadsheet fills this week for all three rows at once.
    top = _cell(page, orders, this_week)
    top.focus()
    page.evaluate(
        """([selector, text]) => {
          const data = new DataTransfer();
          data.setData("text/plain", text);
          document.querySelector(selector).dispatchEvent(
            new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true})
          );
        }""",
        [
            f'input.sc-input[data-measurable="{orders.pk}"][data-period="{this_week}"]',
            "101\n9\n48\n",
        ],
    )
    expect(status).to_have_text("Saved 3 values.")
    expect(_cell(page, calls, this_week)).to_have_value("48")
    assert _value(in_org, orders, this_week) == (101.0, 1)
    assert _value(in_org, returns, this_week) == (9.0, 1)
    assert _value(in_org, calls, this_week) == (48.0, 1)

    # A pasted column with one bad value saves nothing and marks the cell.
    browsing.watch.allow(r"status of 422")
    page.evaluate(
        """([selector, text]) => {
          const data = new DataTransfer();
          data.setData("text/plain", text);
          document.querySelector(selector).dispatchEvent(
            new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true})
          );
        }""",
        [
            f'input.sc-input[data-measurable="{orders.pk}"][data-period="{this_week}"]',
            "99\nmany\n",
        ],
    )
    expect(status).to_contain_text("Nothing was saved")
    expect(
        _cell(page, returns, this_week).locator("xpath=..").locator(".sc-error")
    ).to_contain_text("Enter a number")
    assert _value(in_org, orders, this_week) == (101.0, 1)

    # Someone else corrects last week's orders meanwhile: the lead's edit is refused.
    with in_org():
        values_set(measurable=orders, items=[ValueInput(last_week, 118)], author=world.admin)
    browsing.watch.allow(r"status of 409")
    stale = _cell(page, orders, last_week)
    stale.fill("125")
    page.keyboard.press("Enter")
    expect(stale.locator("xpath=..").locator(".sc-error")).to_contain_text(
        "Someone else changed this value"
    )
    assert _value(in_org, orders, last_week) == (118.0, 2)


def test_the_grid_scrolls_inside_its_box_on_a_phone(world, browsing, in_org):
    scorecard, *_ = _card(world, in_org)
    page = browsing.as_("member@acme.test", viewport=PHONE)
    page.goto(f"/o/acme/scorecards/{scorecard.pk}/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    overflow = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    box = page.locator(".sc-scroll").first
    assert box.evaluate("el => el.scrollWidth > el.clientWidth")


def test_the_chart_shows_a_tooltip_and_widens_its_range_in_place(world, browsing, in_org):
    scorecard, orders, *_ = _card(world, in_org)
    page = browsing.as_("viewer@acme.test")
    page.goto(f"/o/acme/measurables/{orders.pk}/")
    page.evaluate("window.__sameDocument = true")
    point = page.locator("svg.sc-chart .chart-point").first
    point.hover()
    tip = page.locator(".sc-tooltip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text("105 (target 100), on target")
    expect(page.locator("table.sc-values tbody tr")).to_have_count(13)
    page.get_by_role("link", name="Last 52").click()
    expect(page.locator("table.sc-values tbody tr")).to_have_count(52)
    assert page.evaluate("window.__sameDocument") is True
    for path in (f"/o/acme/measurables/{orders.pk}/", f"/o/acme/measurables/{orders.pk}/compare/"):
        phone = browsing.as_("member@acme.test", viewport=PHONE)
        phone.goto(path)
        expect(phone.get_by_role("heading", level=1)).to_be_visible()
        assert phone.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
