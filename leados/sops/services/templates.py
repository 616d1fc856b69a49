"""The library: adopting a routine (built-in or the organization's), publishing one to the
organization's library, and a coach sharing one into a client organization."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.text import slugify

from leados.core.errors import NotFound
from leados.core.history import history_record
from leados.core.models import HistoryAction, Organization, OrgRole, Person, Unit
from leados.core.services._common import field_error
from leados.sops.cadence import validate_rrule
from leados.sops.models import SLUG_MAX, Sop, SopTemplate, Visibility
from leados.sops.services.sops import clean_steps, sop_create

BUILT_IN_SOURCE = "LeadOS library"


def template_content(slug: str, organization: Organization) -> dict:
    """The routine a template describes, by slug: the organization's own first, then the
    built-in library. ``NotFound`` when neither has it."""
    from leados.sops.library import template_by_slug

    own = SopTemplate.objects.filter(
        organization_id=organization.pk, slug=slug, is_archived=False
    ).first()
    if own is not None:
        return {
            "slug": own.slug,
            "title": own.title,
            "purpose": own.purpose,
            "domain": own.domain,
            "dimension": own.dimension,
            "levels": list(own.levels),
            "rrule": own.rrule,
            "duration_minutes": own.duration_minutes,
            "steps": list(own.steps),
        }
    spec = template_by_slug(slug)
    if spec is None:
        raise NotFound()
    return {
        "slug": spec.slug,
        "title": spec.title,
        "purpose": spec.purpose,
        "domain": spec.domain,
        "dimension": spec.dimension,
        "levels": list(spec.levels),
        "rrule": spec.rrule,
        "duration_minutes": spec.duration_minutes,
        "steps": [{"text": s.text, "link": s.link, "evidence": s.evidence} for s in spec.steps],
    }


@transaction.atomic
def template_adopt(
    *,
    organization: Organization,
    slug: str,
    owner: Person,
    made_by: Person,
    starts_on: datetime.date | None = None,
    time_of_day: datetime.time | None = None,
    unit: Unit | None = None,
    rrule: str | None = None,
    visibility: str = Visibility.PRIVATE,
) -> Sop:
    """Adopt a template: it becomes ``owner``'s own SOP (version 1), scheduled from
    ``starts_on`` (today by default), with its runs made at once."""
    from leados.sops.services.runs import runs_generate_for_new_sop

    content = template_content(slug, organization)
    sop = sop_create(
        organization=organization,
        owner=owner,
        made_by=made_by,
        title=content["title"],
        purpose=content["purpose"],
        domain=content["domain"],
        dimension=content["dimension"],
        levels=content["levels"],
        rrule=rrule or content["rrule"],
        starts_on=starts_on,
        time_of_day=time_of_day,
        duration_minutes=content["duration_minutes"],
        steps=content["steps"],
        unit=unit,
        visibility=visibility,
        template_slug=content["slug"],
    )
    runs_generate_for_new_sop(sop)
    return sop


def _free_slug(organization_id: int, title: str) -> str:
    from leados.sops.library import template_by_slug

    base = (slugify(title) or "routine")[: SLUG_MAX - 6]
    slug, number = base, 1
    while (
        template_by_slug(slug) is not None
        or SopTemplate.objects.filter(organization_id=organization_id, slug=slug).exists()
    ):
        number += 1
        slug = f"{base}-{number}"
    return slug


@transaction.atomic
def template_publish(
    *,
    organization: Organization,
    published_by: Person,
    title: str,
    domain: str,
    dimension: str,
    rrule: str,
    purpose: str = "",
    levels: list[str] | None = None,
    duration_minutes: int = 30,
    steps: list | None = None,
    shared_by_coach: bool = False,
    source_label: str = "",
) -> SopTemplate:
    """Publish a routine to the organization's library (adoptable by everyone in it)."""
    try:
        rrule = validate_rrule(rrule)
    except Exception as error:  # ValidationError with the reason
        raise field_error("rrule", getattr(error, "messages", [str(error)])[0]) from None
    template = SopTemplate(
        organization_id=organization.pk,
        slug=_free_slug(organization.pk, title or ""),
        title=(title or "").strip(),
        purpose=(purpose or "").strip(),
        domain=domain,
        dimension=dimension,
        levels=list(levels) if levels else ["self"],
        rrule=rrule,
        duration_minutes=duration_minutes,
        steps=clean_steps(steps),
        published_by=published_by,
        shared_by_coach=shared_by_coach,
        source_label=source_label[:200] or published_by.name,
    )
    template.full_clean(exclude=["organization"])
    from leados.sops.models import DOMAIN_OF

    if DOMAIN_OF.get(template.dimension) != template.domain:
        raise field_error("dimension", f"{dimension!r} is not a dimension of {domain!r}.")
    template.save()
    history_record(template, action=HistoryAction.CREATE)
    return template


def template_publish_sop(*, sop: Sop, published_by: Person) -> SopTemplate:
    """Publish an SOP's current version as a template of its organization."""
    return template_publish(
        organization=sop.organization,
        published_by=published_by,
        **sop.content(),
        domain=sop.domain,
        dimension=sop.dimension,
        levels=sop.levels,
        rrule=sop.rrule,
    )


def coach_client_memberships(coach_user) -> list[Person]:
    """The organizations a coach may share templates into: every active membership of the
    user with the coach (or an admin) role."""
    from leados.core.tenancy import scopes_disabled

    with scopes_disabled():
        return list(
            Person.objects.select_related("organization").filter(
                user=coach_user,
                is_active=True,
                role__in=[OrgRole.COACH, OrgRole.ADMIN, OrgRole.OWNER],
            )
        )


def template_share(*, coach: Person, content: dict, into: Organization) -> SopTemplate:
    """A coach shares a routine into a client organization they belong to as a coach (or
    admin). ``content`` is a template's content (``template_content``) from anywhere the
    coach can read. ``NotFound`` when the coach does not belong to ``into``."""
    from leados.core.tenancy import org_scope

    target = next(
        (m for m in coach_client_memberships(coach.user) if m.organization_id == into.pk), None
    )
    if target is None:
        raise NotFound()
    with org_scope(into):
        return template_publish(
            organization=into,
            published_by=target,
            title=content["title"],
            purpose=content.get("purpose", ""),
            domain=content["domain"],
            dimension=content["dimension"],
            levels=content.get("levels") or ["self"],
            rrule=content["rrule"],
            duration_minutes=content.get("duration_minutes", 30),
            steps=content.get("steps") or [],
            shared_by_coach=True,
            source_label=f"Shared by {target.name}, coach",
        )


@transaction.atomic
def template_archive(*, template: SopTemplate) -> SopTemplate:
    template.is_archived = True
    template.version += 1
    template.save(update_fields=["is_archived", "version", "updated_at"])
    history_record(template, action=HistoryAction.ARCHIVE, changes={"is_archived": [False, True]})
    return template
