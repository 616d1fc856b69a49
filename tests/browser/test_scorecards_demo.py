"""The scorecards issue's whole path, in the demo organization, in a real browser.

The CEO opens the leadership scorecard and sees which numbers are red and which will still
make it by the end of the quarter; the Director of Wholesale enters this week's deals from
the keyboard and the formula built on them follows; a spreadsheet of values is imported
with a preview; and the marketing lead wires a measurable to a report that the worker
pulls on schedule.
"""

from __future__ import annotations

import json

from playwright.sync_api import expect

from leados.core.demo import demo_create
from leados.core.periods import organization_today
from leados.core.schedule import run_ticks
from leados.core.tenancy import org_scope
from leados.operate import measures
from leados.operate.models import Feed, Measurable, MeasurableValue, Scorecard
from tests.conftest import PASSWORD


def _demo():
    org, _owner, _password = demo_create(slug="larkspur")
    with org_scope(org):
        people = {
            key: Measurable.objects.select_related("owner__user").get(key=key).owner
            for key in ("revenue", "deals_won", "conversion")
        }
        ceo = Scorecard.objects.select_related("owner__user").get(name="Leadership scorecard")
        people["ceo"] = ceo.owner
    for person in people.values():
        person.user.set_password(PASSWORD)
        person.user.save()
    return org, {k: p.user.email for k, p in people.items()}


def _value(org, key, start):
    with org_scope(org):
        found = MeasurableValue.objects.filter(measurable__key=key, period_start=start).first()
        return None if found is None else found.value


def test_a_leader_reads_the_scorecard_enters_imports_and_wires_a_feed(browsing, tmp_path, settings):
    settings.LEADOS_FEED_FILE_DIR = tmp_path
    org, emails = _demo()
    today = organization_today(org)
    this_week = measures.period_of("weekly", today, org.fiscal_year_start_month).start
    with org_scope(org):
        leadership = Scorecard.objects.get(name="Leadership scorecard")
        wholesale = Scorecard.objects.get(name="Wholesale scorecard")
        deals = Measurable.objects.get(key="deals_won")
        conversion = Measurable.objects.get(key="conversion")

    # Red numbers, and which ones will still make it by the end of the quarter.
    ceo = browsing.as_(emails["ceo"])
    ceo.goto(f"/o/larkspur/scorecards/{leadership.pk}/")
    expect(ceo.get_by_role("heading", level=1)).to_have_text("Leadership scorecard")
    expect(ceo.locator("td.sc-cell.colour-red").first).to_contain_text("off target")
    on_time = ceo.locator("tr", has=ceo.get_by_role("link", name="On-time delivery"))
    expect(on_time.locator(".sc-status")).to_have_text("Off track")
    expect(ceo.locator(".sc-status.status-on_track").first).to_be_visible()
    on_time.locator(".sc-reach summary").click()
    expect(on_time.locator(".sc-reach p")).to_contain_text("At the pace of the last 8 weeks")

    # This week's deals, from the keyboard; the win rate formula follows.
    lead = browsing.as_(emails["deals_won"])
    lead.goto(f"/o/larkspur/scorecards/{wholesale.pk}/")
    cell = lead.locator(
        f'input.sc-input[data-measurable="{deals.pk}"][data-period="{this_week.isoformat()}"]'
    )
    cell.click()
    cell.fill("6")
    lead.keyboard.press("Enter")
    expect(lead.locator("#sc-status")).to_have_text("Saved 1 value.")
    assert _value(org, "deals_won", this_week) == 6
    lead.reload()
    win_rate = lead.locator("tr", has=lead.get_by_role("link", name="Win rate")).first
    expect(win_rate.locator("td.sc-cell").last).not_to_have_text("")

    # A spreadsheet of last week's leads, previewed and applied.
    last_week = measures.period_of(
        "weekly", this_week - measures.DAY, org.fiscal_year_start_month
    ).start
    sheet = tmp_path / "leads.csv"
    sheet.write_text(f"measurable,period_start,value,note\nwholesale_leads,{last_week},23,Fair\n")
    lead.goto("/o/larkspur/transfer/")
    lead.locator("#values-file").set_input_files(str(sheet))
    lead.locator("#values-file").locator("xpath=ancestor::form").get_by_role(
        "button", name="Upload and preview"
    ).click()
    expect(lead.get_by_role("heading", name="Values to change")).to_be_visible()
    assert _value(org, "wholesale_leads", last_week) != 23
    lead.get_by_role("button", name="Apply these changes").click()
    expect(lead.get_by_role("heading", name="leads.csv was imported")).to_be_visible()
    assert _value(org, "wholesale_leads", last_week) == 23

    # The website report lands in the feed folder; the worker pulls it on schedule.
    report = tmp_path / "weekly-web.json"
    report.write_text(json.dumps({"week": {"conversion": 2.47}}))
    marketing = browsing.as_(emails["conversion"])
    marketing.goto(f"/o/larkspur/measurables/{conversion.pk}/feed/")
    marketing.get_by_label("Scheduled pull of CSV or JSON from a URL").check()
    marketing.get_by_label("URL", exact=True).fill(report.as_uri())
    marketing.get_by_label("Format").select_option("json")
    marketing.get_by_label("JSON path").fill("$.week.conversion")
    marketing.get_by_role("button", name="Save the feed").click()
    expect(marketing.locator("[data-feed-status]")).to_have_text("Not run yet")
    with org_scope(org):
        feed = Feed.objects.get(measurable=conversion)
    assert feed.pk in run_ticks()["operate.feeds"]
    marketing.reload()
    expect(marketing.locator("[data-feed-status]")).to_have_text("Succeeded")
    assert _value(org, "conversion", this_week) == 2.47
