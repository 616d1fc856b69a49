"""API fixtures: a client per persona, a person in both organizations."""

import pytest

from leados.core import services
from leados.core.models import OrgRole
from leados.core.tenancy import org_scope
from tests.api.helpers import Api


@pytest.fixture
def api_for(world, token_for):
    """``api_for("admin")``; ``api_for("admin", organization=org)`` for a scoped token."""

    def make(persona: str, organization=None) -> Api:
        return Api(token_for(persona, organization=organization))

    return make


@pytest.fixture
def admin_in_both(world):
    """Acme's admin is also a member of Globex (as consultants are)."""
    with org_scope(world.other_org):
        services.person_add(
            organization=world.other_org, user=world.admin_user, role=OrgRole.MEMBER
        )
    return world.admin_user
