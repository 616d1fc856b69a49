"""The one place that answers "may this person do this action on this object?".

Every page, API route and command asks here. Organization roles:
owner and admin manage people, units and settings; members edit what they own
(the units they lead or manage); coaches read everything and comment; viewers
read. Everyone edits their own profile (name and title).
"""

from __future__ import annotations

from leados.core.models import OrgRole, Person, RoleAssignment, Unit, UnitRole

ADMINS = {OrgRole.OWNER, OrgRole.ADMIN}
COMMENTERS = {OrgRole.OWNER, OrgRole.ADMIN, OrgRole.MEMBER, OrgRole.COACH}

# Actions that need no object.
READ = "read"
COMMENT = "comment"
ORG_CHANGE = "org.change"
PEOPLE_MANAGE = "people.manage"  # invite, change roles, deactivate, import
UNIT_CREATE = "unit.create"
# Actions on an object.
PERSON_CHANGE = "person.change"
UNIT_CHANGE = "unit.change"  # rename, describe, dates
UNIT_RESTRUCTURE = "unit.restructure"  # move, archive, lead/manage assignments
UNIT_STAFF = "unit.staff"  # add or remove members of the unit
HISTORY_RESTORE = "history.restore"
OWNERSHIP_TRANSFER = "ownership.transfer"
# Alignment and the accountability loop.
GOAL_CREATE = "goal.create"  # obj: the Unit, or the Person whose Self it is
GOAL_CHANGE = "goal.change"  # obj: Goal; edit, move, archive, link, override status
GOAL_CHECK_IN = "goal.check_in"  # obj: Goal
COMMITMENT_ASSIGN = "commitment.assign"  # obj: the Person who will own it
COMMITMENT_UPDATE = "commitment.update"  # obj: Commitment; the owner's side
COMMITMENT_EVALUATE = "commitment.evaluate"  # obj: Commitment; the assigner's side
PLAN_CHANGE = "plan.change"  # obj: the Unit or the Plan
PLAN_APPROVE = "plan.approve"  # obj: Plan
AGREEMENT_RESPOND = "agreement.respond"  # obj: Agreement
# Scorecards.
MEASURABLE_CREATE = "measurable.create"  # obj: the Unit, or the Person whose own it is
MEASURABLE_CHANGE = "measurable.change"  # obj: Measurable; settings, targets, feed, archive
MEASURABLE_ENTER = "measurable.enter"  # obj: Measurable; enter, correct or remove values
SCORECARD_CREATE = "scorecard.create"  # obj: the Unit, the Person, or None (custom)
SCORECARD_CHANGE = "scorecard.change"  # obj: Scorecard
# Leadership SOPs.
SOP_READ = "sop.read"  # obj: Sop; by its visibility
SOP_CREATE = "sop.create"  # obj: the Person who will own it
SOP_CHANGE = "sop.change"  # obj: Sop; edit, version, archive, decide on ideas
SOP_RUN = "sop.run"  # obj: Sop; tick steps, complete, skip its runs
SOP_IDEA = "sop.idea"  # obj: Sop; propose an improvement
SOP_TEMPLATE_PUBLISH = "sop.template.publish"  # obj: None; publish to the org's library
TIME_CHECKIN = "time.checkin"  # obj: the Person whose week it is

ACTIONS = {
    READ,
    COMMENT,
    ORG_CHANGE,
    PEOPLE_MANAGE,
    UNIT_CREATE,
    PERSON_CHANGE,
    UNIT_CHANGE,
    UNIT_RESTRUCTURE,
    UNIT_STAFF,
    HISTORY_RESTORE,
    OWNERSHIP_TRANSFER,
    GOAL_CREATE,
    GOAL_CHANGE,
    GOAL_CHECK_IN,
    COMMITMENT_ASSIGN,
    COMMITMENT_UPDATE,
    COMMITMENT_EVALUATE,
    PLAN_CHANGE,
    PLAN_APPROVE,
    AGREEMENT_RESPOND,
    MEASURABLE_CREATE,
    MEASURABLE_CHANGE,
    MEASURABLE_ENTER,
    SCORECARD_CREATE,
    SCORECARD_CHANGE,
    SOP_READ,
    SOP_CREATE,
    SOP_CHANGE,
    SOP_RUN,
    SOP_IDEA,
    SOP_TEMPLATE_PUBLISH,
    TIME_CHECKIN,
}


def preload_unit_roles(person: Person) -> Person:
    """Load once which units ``person`` leads or manages, so that a page checking many
    units asks the database once; a role change later in the same request is not seen."""
    person._lead_manage_unit_ids = set(
        RoleAssignment.objects.filter(
            person=person, role__in=[UnitRole.LEAD, UnitRole.MANAGE]
        ).values_list("unit_id", flat=True)
    )
    return person


def _leads_or_manages(person: Person, unit: Unit) -> bool:
    preloaded = getattr(person, "_lead_manage_unit_ids", None)
    if preloaded is not None:
        return unit.pk in preloaded
    return RoleAssignment.objects.filter(
        person=person, unit=unit, role__in=[UnitRole.LEAD, UnitRole.MANAGE]
    ).exists()


def can(person: Person | None, action: str, obj=None) -> bool:
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}.")
    if person is None or not person.is_active or not person.user.is_active:
        return False
    if obj is not None and getattr(obj, "organization_id", person.organization_id) != (
        person.organization_id
    ):
        return False
    role = person.role
    if action == READ:
        return True
    if action == COMMENT:
        return role in COMMENTERS
    if action == AGREEMENT_RESPOND:
        # Only the party who must answer: nobody says yes on someone else's behalf.
        return _answers(person, obj)
    if action in _SOP_ACTIONS:
        return _can_sop(person, action, obj, admin=role in ADMINS)
    if action in _OPERATE_ACTIONS:
        if role not in ADMINS and role != OrgRole.MEMBER:
            return False  # coaches and viewers read; they do not set goals or assign work
        return _can_operate(person, action, obj, admin=role in ADMINS)
    if role in ADMINS:
        if action == OWNERSHIP_TRANSFER:
            return role == OrgRole.OWNER
        return True
    if action == PERSON_CHANGE:
        # Everyone keeps their own name and title up to date.
        return isinstance(obj, Person) and obj.pk == person.pk
    if role != OrgRole.MEMBER:
        return False
    if action in (UNIT_CHANGE, UNIT_STAFF):
        return isinstance(obj, Unit) and not obj.is_archived and _leads_or_manages(person, obj)
    return False


_OPERATE_ACTIONS = {
    GOAL_CREATE,
    GOAL_CHANGE,
    GOAL_CHECK_IN,
    COMMITMENT_ASSIGN,
    COMMITMENT_UPDATE,
    COMMITMENT_EVALUATE,
    PLAN_CHANGE,
    PLAN_APPROVE,
    MEASURABLE_CREATE,
    MEASURABLE_CHANGE,
    MEASURABLE_ENTER,
    SCORECARD_CREATE,
    SCORECARD_CHANGE,
}


def _answers(person: Person, agreement) -> bool:
    from leados.operate.models import AgreementState

    if agreement is None or person.role == OrgRole.VIEWER:
        return False
    if agreement.state == AgreementState.PROPOSED:
        return agreement.responder_id == person.pk
    if agreement.state == AgreementState.CHANGE_PROPOSED:
        return agreement.requester_id == person.pk
    return False


def _is_manager_of(person: Person, other_id: int | None) -> bool:
    return other_id is not None and (
        Person.objects.filter(pk=other_id, manager_id=person.pk).exists()
    )


def _can_operate(person: Person, action: str, obj, *, admin: bool) -> bool:
    """Members act on what they own, lead or manage; admins on everything live."""
    from leados.operate.models import Commitment, Goal, Plan

    if action == GOAL_CREATE:
        if isinstance(obj, Unit):
            return not obj.is_archived and (admin or _leads_or_manages(person, obj))
        if isinstance(obj, Person):
            return obj.is_active and (
                admin or obj.pk == person.pk or _is_manager_of(person, obj.pk)
            )
        return False
    if action in (GOAL_CHANGE, GOAL_CHECK_IN):
        if not isinstance(obj, Goal):
            return False
        if admin or obj.owner_id == person.pk:
            return True
        if obj.unit_id is not None:
            return _leads_or_manages(person, obj.unit)
        return obj.person_id == person.pk or _is_manager_of(person, obj.person_id)
    if action == COMMITMENT_ASSIGN:
        return isinstance(obj, Person) and obj.is_active
    if action == COMMITMENT_UPDATE:
        return isinstance(obj, Commitment) and (admin or obj.owner_id == person.pk)
    if action == COMMITMENT_EVALUATE:
        return isinstance(obj, Commitment) and (
            admin or person.pk in (obj.assigned_by_id, obj.escalated_to_id)
        )
    if action == PLAN_CHANGE:
        unit = obj.unit if isinstance(obj, Plan) else obj
        return (
            isinstance(unit, Unit)
            and not unit.is_archived
            and (admin or _leads_or_manages(person, unit))
        )
    if action in _SCORECARD_ACTIONS:
        return _can_score(person, action, obj, admin=admin)
    if action == PLAN_APPROVE:
        if not isinstance(obj, Plan):
            return False
        if admin:
            return True
        # The leader one level up approves; the strategy unit's lead approves its own.
        approver_unit = obj.unit.parent or obj.unit
        return RoleAssignment.objects.filter(
            person=person, unit=approver_unit, role=UnitRole.LEAD
        ).exists()
    return False


_SCORECARD_ACTIONS = {
    MEASURABLE_CREATE,
    MEASURABLE_CHANGE,
    MEASURABLE_ENTER,
    SCORECARD_CREATE,
    SCORECARD_CHANGE,
}


def _can_score(person: Person, action: str, obj, *, admin: bool) -> bool:
    """Measurables and scorecards: admins; the leads and managers of the unit; the owner;
    a person (and their manager) for their own."""
    from leados.operate.models import Measurable, Scorecard

    if action in (MEASURABLE_CREATE, SCORECARD_CREATE):
        if isinstance(obj, Unit):
            return not obj.is_archived and (admin or _leads_or_manages(person, obj))
        if isinstance(obj, Person):
            return obj.is_active and (
                admin or obj.pk == person.pk or _is_manager_of(person, obj.pk)
            )
        return action == SCORECARD_CREATE and obj is None  # a custom selection: anyone
    if action in (MEASURABLE_CHANGE, MEASURABLE_ENTER):
        if not isinstance(obj, Measurable):
            return False
        if admin or obj.owner_id == person.pk:
            return True
        return obj.unit_id is not None and _leads_or_manages(person, obj.unit)
    if action == SCORECARD_CHANGE:
        if not isinstance(obj, Scorecard):
            return False
        if admin or obj.owner_id == person.pk or obj.person_id == person.pk:
            return True
        return obj.unit_id is not None and _leads_or_manages(person, obj.unit)
    return False


_SOP_ACTIONS = {
    SOP_READ,
    SOP_CREATE,
    SOP_CHANGE,
    SOP_RUN,
    SOP_IDEA,
    SOP_TEMPLATE_PUBLISH,
    TIME_CHECKIN,
}


def _can_sop(person: Person, action: str, obj, *, admin: bool) -> bool:
    """A leader's routines are their own: they (and admins) change and run them; their
    manager may set one up for them; whoever may read one and comment may propose an
    improvement. Coaches and viewers own no routines and keep no weekly check-in here.
    Private routines are read by their owner, admins and coaches; unit routines by the
    unit's people too; organization routines by everyone."""
    from leados.sops.models import Sop, Visibility

    role = person.role
    # Coaches advise: they read, propose improvements and share templates, but keep their
    # own routines and weeks in their own organization, not in their clients'.
    leader = role in (OrgRole.OWNER, OrgRole.ADMIN, OrgRole.MEMBER)
    if action == SOP_CREATE:
        return (
            isinstance(obj, Person)
            and obj.is_active
            and leader
            and obj.role in (OrgRole.OWNER, OrgRole.ADMIN, OrgRole.MEMBER)
            and (admin or obj.pk == person.pk or _is_manager_of(person, obj.pk))
        )
    if action == TIME_CHECKIN:
        return isinstance(obj, Person) and obj.pk == person.pk and leader
    if action == SOP_TEMPLATE_PUBLISH:
        return admin or role == OrgRole.COACH
    if not isinstance(obj, Sop):
        return False
    if action == SOP_READ:
        if admin or role == OrgRole.COACH or obj.owner_id == person.pk:
            return True
        if obj.visibility == Visibility.ORGANIZATION:
            return True
        if obj.visibility == Visibility.UNIT and obj.unit_id is not None:
            return RoleAssignment.objects.filter(person=person, unit_id=obj.unit_id).exists()
        return _is_manager_of(person, obj.owner_id)
    if action == SOP_IDEA:
        return role in COMMENTERS and _can_sop(person, SOP_READ, obj, admin=admin)
    if obj.is_archived and action == SOP_RUN:
        return False
    return admin or obj.owner_id == person.pk


def require(person: Person | None, action: str, obj=None) -> None:
    """Raise ``Forbidden`` unless ``can(person, action, obj)``."""
    from leados.core.errors import Forbidden

    if not can(person, action, obj):
        raise Forbidden()
