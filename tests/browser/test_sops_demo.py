"""The leadership SOPs issue's whole path, in the demo organization, in a real browser.

A new leader browses the library and adopts three routines in different domains, finds
them on My week and in their calendar feed, completes a run step by step, proposes an
improvement that becomes version 2, does the weekly leading-vs-doing check-in, and sees
their coverage map and adherence.
"""

from __future__ import annotations

import re

from icalendar import Calendar
from playwright.sync_api import expect

from leados.core import services
from leados.core.demo import demo_create
from leados.core.models import Level, OrgRole, Person, Unit
from leados.core.tenancy import org_scope
from leados.sops.library import template_by_slug
from leados.sops.models import Sop, SopRun, SopVersion, TimeCheckin
from tests.conftest import PASSWORD

SLUG = "larkspur"
STRUCTURE = template_by_slug("weekly-recognition")
OPERATE = template_by_slug("weekly-scorecard-review")
PERFECT = template_by_slug("weekly-one-on-one")


def _new_leader():
    org, _owner, _password = demo_create(slug=SLUG)
    with org_scope(org):
        team = Unit.objects.filter(level=Level.FUNCTIONAL_TEAM).order_by("name").first()
        manager = Person.objects.filter(role=OrgRole.OWNER).first()
        user = services.user_create(email="nia@larkspur.test", password=PASSWORD, name="Nia New")
        nia = services.person_add(
            organization=org, user=user, role=OrgRole.MEMBER, title="Onboarding lead",
            manager=manager,
        )  # fmt: skip
        unit = services.unit_create(parent=team, level=Level.PROCESS, name="Customer onboarding")
        services.role_assignment_create(unit=unit, person=nia, role="lead")
    return org, nia


def test_a_new_leader_builds_routines_runs_one_improves_it_and_sees_the_measures(browsing):
    org, nia = _new_leader()
    assert {STRUCTURE.domain, OPERATE.domain, PERFECT.domain} == {
        "structure",
        "operate",
        "perfect",
    }
    page = browsing.as_("nia@larkspur.test")

    # The library, by domain: two routines adopted in one click each.
    page.goto(f"/o/{SLUG}/sops/library/")
    expect(page.get_by_role("heading", name="Library of routines")).to_be_visible()
    for spec in (STRUCTURE, PERFECT):
        page.get_by_role("button", name=f"Adopt “{spec.title}”").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(spec.title)
        page.goto(f"/o/{SLUG}/sops/library/")

    # The third from its page, made daily so that a run is due today.
    page.get_by_role("link", name=OPERATE.title).click()
    page.get_by_label("Repeats").select_option("daily")
    page.get_by_role("button", name="Adopt", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(OPERATE.title)
    with org_scope(org):
        mine = {sop.template_slug: sop for sop in Sop.objects.filter(owner=nia)}
        assert set(mine) == {STRUCTURE.slug, OPERATE.slug, PERFECT.slug}
        daily = mine[OPERATE.slug]
        assert daily.rrule == "FREQ=DAILY"
        today_run = SopRun.objects.filter(sop=daily).order_by("due_on").first()

    # My week lists today's run.
    page.goto(f"/o/{SLUG}/")
    today_section = page.locator(
        "section", has=page.get_by_role("heading", name="Today's routines")
    )
    expect(today_section.get_by_role("link", name=re.compile(OPERATE.title))).to_be_visible()

    # The calendar feed carries all three as recurring events.
    page.goto(f"/o/{SLUG}/sops/prompts/")
    page.get_by_role("button", name="Create my calendar address").click()
    feed_url = page.get_by_label("Your calendar address").input_value()
    feed = page.request.get(feed_url)
    assert feed.status == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    events = list(Calendar.from_ical(feed.body()).walk("VEVENT"))
    titles = {str(event["SUMMARY"]) for event in events}
    assert {STRUCTURE.title, OPERATE.title, PERFECT.title} <= titles
    assert all("RRULE" in event for event in events if str(event["SUMMARY"]) in titles)

    # The run, step by step.
    page.goto(f"/o/{SLUG}/")
    today_section.get_by_role("link", name=re.compile(OPERATE.title)).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(OPERATE.title)
    boxes = page.locator(".run-steps input[type=checkbox]")
    assert boxes.count() == len(OPERATE.steps)
    for index in range(boxes.count()):
        # Each tick is saved at once, on its own. (One at a time here: the test server
        # shares one in-memory SQLite connection between its threads.)
        with page.expect_response(lambda response: "/sops/runs/" in response.url) as answer:
            boxes.nth(index).check()
        assert answer.value.status == 200
    expect(page.locator("#run-status")).to_have_text("Saved.")
    for index, step in enumerate(OPERATE.steps):
        if step.evidence:
            page.locator(f"#step-note-{index}").fill("Win rate 31 %, two weeks below target")
    page.get_by_label("Time spent (minutes)").fill("25")
    page.get_by_role("button", name="Complete").click()
    expect(page.get_by_text(re.compile(r"^Done on"))).to_be_visible()
    with org_scope(org):
        today_run.refresh_from_db()
        assert today_run.state == "done"
        assert today_run.steps_done == [True] * len(OPERATE.steps)

    # An improvement, accepted as version 2.
    page.get_by_role("link", name="Propose a change").click()
    page.get_by_label("What to change, and why").fill(
        "Ask each owner for their forecast, not only the number"
    )
    page.locator("[data-step-row] input[name$='-text']").nth(len(OPERATE.steps)).fill(
        "Ask each owner whether their number will make it by the end of the quarter"
    )
    page.get_by_role("button", name="Propose").click()
    page.get_by_role("button", name=re.compile("Accept as version 2")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Version 2")
    expect(page.locator("ins").first).to_be_visible()
    with org_scope(org):
        v2 = SopVersion.objects.get(sop=daily, number=2)
        assert len(v2.steps) == len(OPERATE.steps) + 1
        today_run.refresh_from_db()
        assert today_run.sop_version.number == 1  # the run keeps the version it was done with

    # The weekly leading check-in.
    page.goto(f"/o/{SLUG}/sops/week/")
    shares = {"Structure": 20, "Operate": 30, "Perfect": 15, "The team's own work": 25}
    for label, value in {**shares, "Other": 10}.items():
        page.get_by_label(re.compile(f"^{label}")).fill(str(value))
    page.get_by_role("button", name="Save check-in").click()
    with org_scope(org):
        checkin = TimeCheckin.objects.get(person=nia)
        assert checkin.leading_pct == 65

    # The coverage map and adherence.
    page.goto(f"/o/{SLUG}/sops/coverage/")
    row = page.locator(f"#leader-{nia.pk}")
    expect(row).to_contain_text("3 / 16")
    page.goto(f"/o/{SLUG}/sops/measures/")
    adherence = page.locator(".sop-figure", has=page.get_by_text("Adherence", exact=True))
    expect(adherence).to_contain_text("100 %")
    expect(adherence).to_contain_text("1 done of 1 due")
