"""Scorecard panels that the unit and person pages embed: a link to the unit's or the
person's scorecard and how many measurables they keep."""

from django import template
from django.template.loader import render_to_string

from leados.core import policy
from leados.operate.models import Measurable, Scorecard, ScorecardKind

register = template.Library()


def _panel(request, *, scorecard, title, create_url, can_create, measurables_url, count):
    return render_to_string(
        "operate/scorecards/panel.html",
        {
            "scorecard": scorecard,
            "title": title,
            "create_url": create_url,
            "can_create": can_create,
            "measurables_url": measurables_url,
            "count": count,
        },
        request=request,
    )


@register.simple_tag(takes_context=True)
def unit_scorecard(context, unit):
    request = context["request"]
    slug = request.org.slug
    scorecard = Scorecard.objects.filter(
        kind=ScorecardKind.UNIT, unit=unit, archived_at__isnull=True
    ).first()
    return _panel(
        request,
        scorecard=scorecard,
        title="Scorecard",
        create_url=f"/o/{slug}/scorecards/new/?unit={unit.pk}",
        can_create=policy.can(request.person, policy.SCORECARD_CREATE, unit),
        measurables_url=f"/o/{slug}/measurables/?unit={unit.pk}",
        count=Measurable.objects.filter(unit=unit, archived_at__isnull=True).count(),
    )


@register.simple_tag(takes_context=True)
def person_scorecard(context, subject):
    request = context["request"]
    slug = request.org.slug
    scorecard = Scorecard.objects.filter(
        kind=ScorecardKind.PERSONAL, person=subject, archived_at__isnull=True
    ).first()
    return _panel(
        request,
        scorecard=scorecard,
        title="Personal scorecard",
        create_url=f"/o/{slug}/scorecards/new/",
        can_create=subject.pk == request.person.pk
        and policy.can(request.person, policy.SCORECARD_CREATE, subject),
        measurables_url=f"/o/{slug}/measurables/?owner={subject.pk}",
        count=Measurable.objects.filter(owner=subject, archived_at__isnull=True).count(),
    )
