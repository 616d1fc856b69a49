"""Every page of the web UI for each persona: who may open what, and who may change what."""

from __future__ import annotations

import pytest

from tests.conftest import PERSONAS
from tests.web.helpers import history_count

# page -> personas who get 403 (everyone else in Acme gets 200; the outsider gets 404)
PAGES = {
    "/o/acme/": set(),
    "/o/acme/units/": set(),
    "/o/acme/units/?archived=1": set(),
    "/o/acme/units/new/": {"member", "coach", "viewer"},
    "/o/acme/units/{sales}/": set(),
    "/o/acme/units/{sales}/edit/": {"coach", "viewer"},
    "/o/acme/units/{ops}/edit/": {"member", "coach", "viewer"},
    "/o/acme/units/{sales}/move/": {"member", "coach", "viewer"},
    "/o/acme/units/{sales}/history/": set(),
    "/o/acme/people/": set(),
    "/o/acme/people/suggest/?q=mi": set(),
    "/o/acme/people/invite/": {"member", "coach", "viewer"},
    "/o/acme/people/invitations/": {"member", "coach", "viewer"},
    "/o/acme/people/{member}/": set(),
    "/o/acme/people/{member}/edit/": {"coach", "viewer"},
    "/o/acme/people/{admin}/edit/": {"member", "coach", "viewer"},
    "/o/acme/people/{member}/history/": set(),
    "/o/acme/settings/": set(),
    "/o/acme/history/": set(),
    "/o/acme/history/?type=unit&edge=web&actor=owner": set(),
}


def _url(template: str, world) -> str:
    return template.format(
        sales=world.sales.pk, ops=world.ops.pk, member=world.member.pk, admin=world.admin.pk
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_page_status_for_each_persona(persona, world, client_for):
    client = client_for(persona)
    got, expected = {}, {}
    for page, refused in PAGES.items():
        got[page] = client.get(_url(page, world)).status_code
        expected[page] = 404 if persona == "outsider" else 403 if persona in refused else 200
    assert got == expected


# Every form of the UI, posted by a persona that may not use it: refused, nothing recorded.
WRITES = [
    ("/o/acme/units/new/", {"parent": "{root}", "level": "process", "name": "X"}),
    ("/o/acme/units/{ops}/rename/", {"name": "X", "version": 1}),
    ("/o/acme/units/{ops}/edit/", {"name": "X", "version": 1}),
    ("/o/acme/units/{sales}/move/", {"parent": "{ops}", "version": 1}),
    ("/o/acme/units/{sales}/archive/", {"version": 1}),
    ("/o/acme/units/{ops}/roles/", {"person": "viewer@acme.test", "role": "member"}),
    ("/o/acme/people/{admin}/edit/", {"name": "X", "version": 1}),
    ("/o/acme/people/{admin}/role/", {"role": "viewer", "version": 1}),
    ("/o/acme/people/{admin}/deactivate/", {"version": 1}),
    ("/o/acme/people/invite/", {"email": "x@acme.test", "role": "member"}),
    (
        "/o/acme/settings/",
        {
            "name": "X",
            "time_zone": "UTC",
            "fiscal_year_start_month": 1,
            "week_start_day": 0,
            "version": 1,
        },
    ),
]


def _data(data: dict, world) -> dict:
    fill = {"root": world.root.pk, "ops": world.ops.pk}
    return {k: (v.format(**fill) if isinstance(v, str) else v) for k, v in data.items()}


@pytest.mark.parametrize(
    ("persona", "expected"), [("member", 403), ("coach", 403), ("viewer", 403), ("outsider", 404)]
)
def test_forms_refuse_those_who_may_not_use_them(persona, expected, world, client_for):
    client = client_for(persona)
    before = history_count()
    got = {
        page: client.post(_url(page, world), _data(data, world), HTTP_HX_REQUEST="true").status_code
        for page, data in WRITES
    }
    assert got == {page: expected for page, _ in WRITES}
    assert history_count() == before
