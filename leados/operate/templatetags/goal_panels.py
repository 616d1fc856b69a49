"""Goal panels that other pages embed: a unit's goals (the lead side), a person's goals."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def unit_goals(context, unit):
    return ""


@register.simple_tag(takes_context=True)
def person_goals(context, subject):
    return ""
