"""Sample SOP objects in one organization: a routine of the first person with a done and
an open run, an improvement idea, version 1, an organization template and a leading-vs-
doing check-in.

Used by the route matrices, which need one object of every kind in each organization.
Route parameters: ``sop_id``, ``run_id``, ``idea_id``, ``number`` (a version),
``template_slug`` and ``checkin_id``.
"""

from __future__ import annotations

import datetime

import time_machine

from leados.core.models import Person
from leados.core.tenancy import org_scope
from leados.sops.models import SopRun
from leados.sops.services.ideas import idea_propose
from leados.sops.services.runs import run_complete, runs_generate
from leados.sops.services.sops import sop_create
from leados.sops.services.templates import template_publish
from leados.sops.services.time_checkins import time_checkin_save


def sop_samples(org, world) -> dict:
    """Ids of one of each SOP object in ``org``, keyed by route parameter."""
    with org_scope(org), time_machine.travel("2026-11-25 12:00Z", tick=False):
        owner = Person.objects.order_by("pk").first()
        sop = sop_create(
            organization=org, owner=owner, made_by=owner, title="Monday scorecard review",
            domain="operate", dimension="accountability", rrule="FREQ=WEEKLY;BYDAY=MO",
            starts_on=datetime.date(2026, 11, 2), visibility="organization",
            steps=[{"text": "Open the scorecard", "link": "scorecards"}],
        )  # fmt: skip
        runs_generate(organization=org)
        done = SopRun.objects.get(sop=sop, due_on=datetime.date(2026, 11, 23))
        run_complete(run=done, expected_version=None)
        idea = idea_propose(sop=sop, proposed_by=owner, summary="Add the forecast", run=done)
        template = template_publish(
            organization=org, published_by=owner, title=f"{org.name} team health check",
            domain="perfect", dimension="explore", rrule="FREQ=MONTHLY;BYDAY=1TU",
            steps=["Ask each person one open question"],
        )  # fmt: skip
        checkin = time_checkin_save(
            person=owner,
            shares={"structure": 20, "operate": 30, "perfect": 10, "doing": 30, "other": 10},
        )
    return {
        "sop_id": sop.pk,
        "run_id": done.pk,
        "idea_id": idea.pk,
        "number": 1,
        "template_slug": template.slug,
        "checkin_id": checkin.pk,
    }
