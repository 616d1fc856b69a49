"""Every write in LeadOS goes through a service: validated, transactional, recorded."""

from leados.core.services.history import history_restore
from leados.core.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_lookup,
    invitation_revoke,
)
from leados.core.services.organizations import organization_create, organization_update
from leados.core.services.people import (
    person_add,
    person_deactivate,
    person_reactivate,
    person_update,
)
from leados.core.services.tokens import token_authenticate, token_create, token_revoke
from leados.core.services.units import (
    role_assignment_create,
    role_assignment_delete,
    unit_archive,
    unit_create,
    unit_move,
    unit_unarchive,
    unit_update,
)
from leados.core.services.users import user_create, user_set_password

__all__ = [
    "history_restore",
    "invitation_accept",
    "invitation_create",
    "invitation_lookup",
    "invitation_revoke",
    "organization_create",
    "organization_update",
    "person_add",
    "person_deactivate",
    "person_reactivate",
    "person_update",
    "role_assignment_create",
    "role_assignment_delete",
    "token_authenticate",
    "token_create",
    "token_revoke",
    "unit_archive",
    "unit_create",
    "unit_move",
    "unit_unarchive",
    "unit_update",
    "user_create",
    "user_set_password",
]
