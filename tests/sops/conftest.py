"""SOP fixtures: a leader's routine in Acme, built through the services."""

import datetime

import pytest
from django.test import override_settings

from leados.sops.services.sops import sop_create
from tests.support.smtp import smtp  # noqa: F401 - a fixture

STEPS = [
    {"text": "Open the scorecard", "link": "scorecards"},
    {"text": "Write down the one number to talk about", "evidence": "The number and why"},
    {"text": "Send the note to the team"},
]


@pytest.fixture
def make_sop(world, in_org):
    """Create an SOP for a persona (default: the member, who leads Sales)."""

    def make(persona="member", **fields):
        owner = getattr(world, persona)
        values = {
            "title": "Weekly scorecard review",
            "purpose": "Know where the numbers stand before the team meeting.",
            "domain": "operate",
            "dimension": "accountability",
            "rrule": "FREQ=WEEKLY;BYDAY=MO",
            "starts_on": datetime.date(2026, 11, 2),
            "steps": STEPS,
            "levels": ["functional_team"],
        }
        values.update(fields)
        with in_org():
            return sop_create(organization=world.org, owner=owner, made_by=owner, **values)

    return make


@pytest.fixture
def smtp_inbox(request):
    """A real SMTP server on a local port; Django's SMTP backend sends to it."""
    controller, inbox = request.getfixturevalue("smtp")
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=controller.port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        LEADOS_BASE_URL="https://leados.example.com",
    ):
        yield inbox
