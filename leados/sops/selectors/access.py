"""Access functions of SOPs and what hangs off them. A routine the viewer may not read
(``policy.SOP_READ``: private to its owner, admins, coaches and the owner's manager; a
unit's routine to the unit's people; an organization's to everyone) answers exactly like
one that does not exist, and so do its runs, versions and ideas."""

from __future__ import annotations

from django.db.models import Q

from leados.core import policy
from leados.core.access import as_id
from leados.core.errors import NotFound
from leados.core.models import Person, RoleAssignment
from leados.sops.models import (
    ImprovementIdea,
    Sop,
    SopRun,
    SopTemplate,
    SopVersion,
    TimeCheckin,
    Visibility,
)


def _one(queryset, viewer: Person, object_id):
    obj = queryset.filter(pk=as_id(object_id), organization_id=viewer.organization_id).first()
    if obj is None:
        raise NotFound()
    return obj


def _readable(viewer: Person, sop: Sop) -> None:
    if not policy.can(viewer, policy.SOP_READ, sop):
        raise NotFound()


def get_sop_for(viewer: Person, sop_id) -> Sop:
    sop = _one(Sop.objects.select_related("owner", "unit", "organization"), viewer, sop_id)
    _readable(viewer, sop)
    return sop


def get_run_for(viewer: Person, run_id) -> SopRun:
    run = _one(
        SopRun.objects.select_related(
            "sop__owner", "sop__unit", "sop__organization", "sop_version"
        ),
        viewer,
        run_id,
    )
    _readable(viewer, run.sop)
    return run


def get_version_for(viewer: Person, sop: Sop, number) -> SopVersion:
    version = SopVersion.objects.filter(sop=sop, number=as_id(number)).first()
    if version is None:
        raise NotFound()
    return version


def get_idea_for(viewer: Person, idea_id) -> ImprovementIdea:
    idea = _one(
        ImprovementIdea.objects.select_related("sop__owner", "sop__unit", "proposed_by", "run"),
        viewer,
        idea_id,
    )
    _readable(viewer, idea.sop)
    return idea


def get_org_template_for(viewer: Person, slug: str) -> SopTemplate:
    template = SopTemplate.objects.filter(
        organization_id=viewer.organization_id, slug=str(slug)[:80], is_archived=False
    ).first()
    if template is None:
        raise NotFound()
    return template


def get_time_checkin_for(viewer: Person, checkin_id) -> TimeCheckin:
    """A person's weekly split is theirs, their manager's, and admins' and coaches' to read."""
    checkin = _one(TimeCheckin.objects.select_related("person"), viewer, checkin_id)
    if not can_see_leading_of(viewer, checkin.person):
        raise NotFound()
    return checkin


def can_see_leading_of(viewer: Person, person: Person) -> bool:
    """Whether ``viewer`` may read ``person``'s leading-vs-doing check-ins and routines'
    measures: themselves, their manager, admins and coaches."""
    if viewer.organization_id != person.organization_id:
        return False
    if viewer.pk == person.pk or person.manager_id == viewer.pk:
        return True
    return viewer.role in (policy.OrgRole.OWNER, policy.OrgRole.ADMIN, policy.OrgRole.COACH)


def sops_visible_to(viewer: Person):
    """The live and archived SOPs ``viewer`` may read, as a queryset."""
    queryset = Sop.objects.filter(organization_id=viewer.organization_id)
    if viewer.role in (policy.OrgRole.OWNER, policy.OrgRole.ADMIN, policy.OrgRole.COACH):
        return queryset
    unit_ids = RoleAssignment.objects.filter(person=viewer).values_list("unit_id", flat=True)
    report_ids = Person.objects.filter(manager=viewer).values_list("pk", flat=True)
    return queryset.filter(
        Q(owner=viewer)
        | Q(visibility=Visibility.ORGANIZATION)
        | Q(visibility=Visibility.UNIT, unit_id__in=unit_ids)
        | Q(owner_id__in=report_ids)
    )
