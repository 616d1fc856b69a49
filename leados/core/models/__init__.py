from leados.core.models.base import TenantModel, tenant_manager
from leados.core.models.history import Edge, HistoryAction, HistoryEntry
from leados.core.models.invitations import Invitation
from leados.core.models.organizations import Organization, OrgRole, Person
from leados.core.models.periodic import PeriodicRun
from leados.core.models.periods import Period, PeriodKind
from leados.core.models.tokens import ApiToken
from leados.core.models.units import Level, RoleAssignment, Unit, UnitRole
from leados.core.models.users import User

__all__ = [
    "ApiToken",
    "Edge",
    "HistoryAction",
    "HistoryEntry",
    "Invitation",
    "Level",
    "Organization",
    "OrgRole",
    "Period",
    "PeriodKind",
    "PeriodicRun",
    "Person",
    "RoleAssignment",
    "TenantModel",
    "Unit",
    "UnitRole",
    "User",
    "tenant_manager",
]
