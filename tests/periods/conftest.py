"""Period fixtures: an API client for a persona, and an organization's fiscal year."""

import pytest
from django_scopes import scopes_disabled

from leados.core.models import Organization
from tests.api.helpers import Api


@pytest.fixture
def api_for(world, token_for):
    return lambda persona: Api(token_for(persona))


@pytest.fixture
def fiscal_year_starts(world):
    """``fiscal_year_starts(4)``: Acme's fiscal year starts in April from now on."""

    def set_month(month: int, time_zone: str | None = None) -> None:
        changes = {"fiscal_year_start_month": month}
        if time_zone:
            changes["time_zone"] = time_zone
        with scopes_disabled():
            Organization.objects.filter(pk=world.org.pk).update(**changes)
        world.org.refresh_from_db()

    return set_month
