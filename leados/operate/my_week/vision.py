"""The organization's direction at the top of My week."""

from __future__ import annotations

from django.urls import reverse

from leados.core import policy
from leados.core.models import Person
from leados.operate.selectors import core_values_list, vision_get
from leados.web.my_week import Section, section


@section(order=5)
def vision_and_values(person: Person) -> Section | None:
    vision = vision_get()
    values = list(core_values_list().only("name", "description"))
    if (vision is None or vision.is_empty) and not values:
        if not policy.can(person, policy.ORG_CHANGE):
            return None
    return Section(
        key="vision",
        title="Where we are going",
        template="operate/my_week_vision.html",
        context={
            "vision": vision,
            "values": values,
            "url": reverse("web:vision", args=[person.organization.slug]),
        },
    )
