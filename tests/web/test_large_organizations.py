"""What keeps the main pages cheap in a large organization still shows people what they
expect: search by any part of a name, email or title; counts that stop at a cap; the
history of one person or unit; a folded units tree with its leads, managers and members."""

from __future__ import annotations

import pytest
from django.db import connection

from leados.core import services
from leados.core.models import Level
from tests.web.helpers import text

HX = {"HTTP_HX_REQUEST": "true"}


def _add_people(world, count: int, *, title: str = "Engineer"):
    people = []
    for i in range(count):
        user = services.user_create(email=f"zed{i}@acme.test", name=f"Zed Person {i:02d}")
        people.append(services.person_add(organization=world.org, user=user, title=title))
    return people


@pytest.mark.parametrize(
    ("query", "found", "missing"),
    [
        ("ia", "Mia Member", "Vic Viewer"),  # two letters: matched row by row
        ("MIA MEM", "Mia Member", "Vic Viewer"),  # any case, part of the name
        ("ALES LE", "Mia Member", "Cora Coach"),  # part of the title
        ("BER@ACME", "Mia Member", "Vic Viewer"),  # part of the email
        ("dvis", "Vic Viewer", "Mia Member"),
    ],
)
def test_search_finds_any_part_of_name_title_or_email_in_any_case(
    query, found, missing, world, client_for
):
    response = client_for("viewer").get("/o/acme/people/", {"q": query})
    assert response.status_code == 200
    page = text(response)
    assert found in page and missing not in page


@pytest.mark.parametrize("query", ["globex", "outsider", "tt"])
def test_search_never_finds_people_of_another_organization(query, world, client_for):
    response = client_for("owner").get("/o/acme/people/", {"q": query})
    assert response.status_code == 200
    assert "Otto Outsider" not in text(response) and "Nobody matches." in text(response)


def test_suggestions_match_part_of_an_email_in_any_case(world, client_for):
    response = client_for("member").get("/o/acme/people/suggest/", {"q": "VIEWER@"})
    assert response.status_code == 200
    assert "viewer@acme.test" in text(response) and "member@acme.test" not in text(response)


def test_a_broad_search_counts_up_to_the_cap_and_pages_on(world, client_for, in_org, monkeypatch):
    from leados.web.views import people as people_views

    monkeypatch.setattr(people_views, "SEARCH_COUNT_CAP", 3)
    monkeypatch.setattr(people_views, "PAGE_SIZE", 2)
    with in_org():
        _add_people(world, 5)
    client = client_for("member")

    first = text(client.get("/o/acme/people/", {"q": "zed person"}))
    assert "More than 3 people match" in first
    assert "Zed Person 00" in first and "Zed Person 01" in first and "Zed Person 02" not in first
    assert "Page 1<" in first and "Page 1 of" not in first and 'rel="next"' in first

    last = text(client.get("/o/acme/people/", {"q": "zed person", "page": 3}))
    assert "Zed Person 04" in last and "Zed Person 03" not in last
    assert 'rel="next"' not in last and 'rel="prev"' in last

    past_the_end = text(client.get("/o/acme/people/", {"q": "zed person", "page": 9}))
    assert "Zed Person 00" in past_the_end

    # Within the cap the count is exact.
    narrow = text(client.get("/o/acme/people/", {"q": "person 04"}))
    assert "1 person<" in narrow and "Zed Person 04" in narrow and "More than" not in narrow


def test_the_whole_directory_is_counted_exactly(world, client_for, in_org, monkeypatch):
    from leados.web.views import people as people_views

    monkeypatch.setattr(people_views, "SEARCH_COUNT_CAP", 3)
    with in_org():
        _add_people(world, 5)
    page = text(client_for("member").get("/o/acme/people/"))
    assert "10 people" in page and "More than" not in page


def test_person_page_history_shows_their_role_changes_including_removed_roles(
    world, client_for, in_org
):
    with in_org():
        assignment = services.role_assignment_create(
            unit=world.ops, person=world.viewer, role="member"
        )
        services.role_assignment_delete(assignment=assignment)
        services.role_assignment_create(unit=world.ops, person=world.coach, role="member")
    client = client_for("admin")
    page = text(client.get(f"/o/acme/people/{world.viewer.pk}/"))
    assert page.count("Role: Vic Viewer") == 2
    assert "Cora Coach" not in page.split("Recent history")[1]
    full = text(client.get(f"/o/acme/people/{world.viewer.pk}/history/"))
    assert full.count("Role: Vic Viewer") == 2 and "Role: Cora Coach" not in full


def test_unit_history_lists_every_entry_when_there_are_many(world, client_for, in_org, monkeypatch):
    from leados.web import selectors

    monkeypatch.setattr(selectors, "HISTORY_IDS_LISTED", 1)
    with in_org():
        services.role_assignment_create(unit=world.sales, person=world.viewer, role="member")
        services.role_assignment_create(unit=world.ops, person=world.coach, role="member")
    page = text(client_for("member").get(f"/o/acme/units/{world.sales.pk}/history/"))
    assert "Role: Mia Member leads Sales" in page and "Role: Vic Viewer" in page
    assert "Role: Cora Coach" not in page


def test_a_folded_tree_shows_lead_manager_and_members_of_the_shown_units(
    world, client_for, in_org, monkeypatch
):
    from leados.web.views import units as unit_views

    monkeypatch.setattr(unit_views, "TREE_LIMIT", 3)
    with in_org():
        services.role_assignment_create(unit=world.sales, person=world.admin, role="manage")
        for person in (world.viewer, world.coach):
            services.role_assignment_create(unit=world.sales, person=person, role="member")
        review = services.unit_create(parent=world.sales, level=Level.PROCESS, name="Deal review")
        services.role_assignment_create(unit=review, person=world.viewer, role="lead")
    client = client_for("viewer")
    page = text(client.get("/o/acme/units/"))
    sales = page.split(">Sales<")[1].split("tree-item")[0]
    assert "Mia Member" in sales and "Adam Admin" in sales and "2 members" in sales
    assert "Deal review" not in page and "Show the 1 inside Sales" in page
    branch = text(client.get(f"/o/acme/units/{world.sales.pk}/subtree/", **HX))
    review_row = branch.split("Deal review")[1]
    assert "Vic Viewer" in review_row and "0 members" in review_row


def test_search_and_history_indexes_are_in_the_database(world):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"history_snapshot_person", "history_snapshot_unit"} <= names
    trigram = {"person_name_trgm", "person_title_trgm", "user_email_trgm"}
    if connection.vendor == "postgresql":
        assert trigram <= names
    else:
        assert not trigram & names


@pytest.mark.parametrize("sort_in_python", [200, 1])
def test_my_week_lists_the_first_people_and_units_needing_attention_by_name(
    sort_in_python, world, client_for, in_org, monkeypatch
):
    from leados.web import my_week

    monkeypatch.setattr(my_week, "SORT_IN_PYTHON", sort_in_python)
    monkeypatch.setattr(my_week, "LIST_LIMIT", 2)
    with in_org():
        _add_people(world, 3)
        for name in ("Zulu team", "Alpha team"):
            services.unit_create(parent=world.root, level=Level.FUNCTIONAL_TEAM, name=name)
    response = client_for("admin").get("/o/acme/")
    assert response.status_code == 200
    page = text(response)
    people = page.split("People without a manager")[1].split("</section>")[0]
    # Adam Admin, Cora Coach, Vic Viewer and three Zeds have no manager.
    assert '<span class="count">6</span>' in people
    assert people.index("Adam Admin") < people.index("Cora Coach")
    assert "Vic Viewer" not in people and "Zed Person" not in people and "4 more" in people
    units = page.split("Units without a lead or manager")[1].split("</section>")[0]
    assert '<span class="count">4</span>' in units
    assert units.index("Alpha team") < units.index("Operations")
    assert "Zulu team" not in units and "Sales" not in units
