"""A lead wires a measurable to a JSON report that the worker pulls on schedule, then
switches it to push and sends a value with the token the page shows once."""

from __future__ import annotations

import json
import urllib.request

from playwright.sync_api import expect

from leados.core.schedule import run_ticks
from leados.core.tenancy import scopes_disabled
from leados.operate.models import Feed, MeasurableValue
from leados.operate.services.measurables import measurable_create


def values():
    with scopes_disabled():
        return sorted(MeasurableValue.objects.values_list("value", "source"))


def test_a_lead_wires_a_pull_feed_the_worker_runs_it_then_a_push_token(
    world, browsing, in_org, httpserver, live_server
):
    httpserver.expect_request("/orders.json").respond_with_json({"data": {"shipped": 87}})
    with in_org():
        measurable = measurable_create(
            organization=world.org, actor=world.owner, unit=world.sales, name="Orders shipped",
            target=100,
        )  # fmt: skip
    lead = browsing.as_("member@acme.test")
    lead.goto(f"/o/acme/measurables/{measurable.pk}/feed/")

    lead.get_by_label("Scheduled pull of CSV or JSON from a URL").check()
    lead.get_by_label("URL", exact=True).fill(httpserver.url_for("/orders.json"))
    lead.get_by_label("Format").select_option("json")
    lead.get_by_label("JSON path").fill("$.data.shipped")
    lead.get_by_label("Run every (minutes)").fill("15")
    lead.get_by_role("button", name="Save the feed").click()

    expect(lead.get_by_role("status")).to_contain_text("the worker runs it at its next look")
    expect(lead.locator("[data-feed-status]")).to_have_text("Not run yet")
    with scopes_disabled():
        assert Feed.objects.get().interval_minutes == 15

    # The worker's scheduler finds the feed due and runs it (the test queue runs at once).
    assert run_ticks()["operate.feeds"] == [measurable.feed.pk]
    lead.reload()
    expect(lead.locator("[data-feed-status]")).to_have_text("Succeeded")
    assert values() == [(87.0, "pull")]

    # A bad path: the run says why and records nothing more.
    lead.get_by_label("JSON path").fill("$.data.missing")
    lead.get_by_role("button", name="Save the feed").click()
    lead.get_by_role("button", name="Run now").click()
    expect(lead.locator(".feed-error")).to_contain_text("found nothing")
    assert values() == [(87.0, "pull")]

    # Push: a token shown once, with a curl line that works.
    lead.get_by_label("Push (ingest token)").check()
    lead.get_by_role("button", name="Save the feed").click()
    lead.get_by_role("button", name="Create a token").click()
    token = lead.get_by_role("textbox", name="Ingest token").input_value()
    assert token.startswith("lfi_")
    expect(lead.locator("#curl-example")).to_contain_text(f"Authorization: Bearer {token}")

    request = urllib.request.Request(  # noqa: S310 - the live test server
        f"{live_server.url}/api/v1/ingest/measurables",
        data=json.dumps({"value": 91, "note": "from the depot"}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as response:  # noqa: S310
        assert json.load(response)["updated"] == 1
    assert values() == [(91.0, "push")]

    lead.reload()
    expect(lead.locator("[data-feed-status]")).to_have_text("Succeeded")
    # Shown only that once.
    expect(lead.get_by_role("textbox", name="Ingest token")).to_have_count(0)
