"""Commitment panels that other pages embed: a unit's manage side, a person's record."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def unit_commitments(context, unit):
    return ""


@register.simple_tag(takes_context=True)
def person_commitments(context, subject):
    return ""
