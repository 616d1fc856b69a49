"""Template helpers for LeadOS pages: the organization's display words, and small labels."""

from __future__ import annotations

from django import template
from django.utils.http import urlencode

from leados.core.models import Level
from leados.core.models.organizations import TERMS

register = template.Library()

LEVEL_LABELS = dict(Level.choices)


def _org_from(context):
    org = context.get("current_org")
    if org is None:
        request = context.get("request")
        org = getattr(request, "org", None)
    return org


@register.simple_tag(takes_context=True)
def term(context, key: str, plural: bool = False, lower: bool = False) -> str:
    """The organization's word for a main term: ``{% term "unit" plural=True %}``."""
    if key not in TERMS:
        raise template.TemplateSyntaxError(f"{key!r} is not a term ({', '.join(TERMS)}).")
    org = _org_from(context)
    word = org.word(key, plural) if org is not None else TERMS[key][1 if plural else 0]
    return word.lower() if lower else word


@register.filter
def level_label(value: str) -> str:
    return LEVEL_LABELS.get(value, value)


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with ``changes`` applied (empty values removed)."""
    request = context["request"]
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted(params.lists()), doseq=True) if params else "?"
