"""The alignment tree, its lazy levels, focus, filters and search; orphans; coverage."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine

from leados.core import services as core_services
from leados.core.models import Level, PeriodKind
from leados.core.periods import period_for
from leados.operate.models import LEVEL_RANK, Goal
from leados.operate.selectors import alignment as selectors
from leados.operate.services import vision_update
from leados.operate.services.goals import goal_archive, goal_create, goal_update
from tests.web.helpers import history_count, text

DAY = datetime.date(2027, 1, 15)
NOW = datetime.datetime(2027, 1, 15, 12, tzinfo=datetime.UTC)
TREE = "/o/acme/alignment/"
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def quarter(world, in_org):
    with in_org():
        return period_for(world.org, DAY, PeriodKind.QUARTER)


@pytest.fixture
def make(world, in_org, quarter):
    def make(title, *, unit=None, person=None, parent=None, **fields):
        fields.setdefault("period", quarter)
        fields.setdefault("kind", "binary")
        with in_org():
            return goal_create(
                organization=world.org,
                actor=fields.pop("actor", world.owner),
                title=title,
                unit=unit if unit is not None or person is not None else world.root,
                person=person,
                parent=parent,
                today=DAY,
                **fields,
            )

    return make


@pytest.fixture
def cascade(world, in_org, make):
    """Vision → strategy goal → Sales goal → Mia's self goal; two orphans beside it."""
    with in_org():
        vision_update(
            organization=world.org,
            expected_version=None,
            vision="Every roadrunner caught",
            mission="Gadgets that work",
        )
    grow = make("Grow revenue")
    sales = make("Sales doubles", unit=world.sales, parent=grow)  # Mia leads Sales
    calls = make("Call ten customers", person=world.member, parent=sales)
    warehouse = make("Tidy the warehouse", unit=world.ops, owner=world.admin)
    reading = make("Read two books", person=world.admin, actor=world.admin)
    return {
        "grow": grow,
        "sales": sales,
        "calls": calls,
        "warehouse": warehouse,
        "reading": reading,
    }


def _override(world, in_org, goal, status):
    with in_org():
        goal_update(
            goal=Goal.objects.get(pk=goal.pk),
            actor=world.admin,
            expected_version=None,
            status_override=status,
            status_override_reason="The forklift broke",
            today=DAY,
        )


def _children_url(goal, **query):
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    return f"{TREE}goals/{goal.pk}/children/" + (f"?{suffix}" if suffix else "")


def _titles(body: str) -> list[str]:
    """The goals shown as rows (not in breadcrumbs), in order."""
    return re.findall(r'<a class="al-title" href="[^"]*">([^<]+)</a>', body)


def _position(body: str, title: str) -> int:
    index = body.find(title)
    assert index >= 0, title
    return index


# --- the tree ---------------------------------------------------------------------------


def test_the_tree_opens_at_the_vision_and_the_roots(cascade, client_for):
    for persona in ("member", "coach", "viewer"):
        assert client_for(persona).get(TREE).status_code == 200
    response = client_for("owner").get(TREE)
    assert response.status_code == 200
    body = text(response)
    assert "Every roadrunner caught" in body
    assert "Gadgets that work" in body
    # Strategy goals first, then the goals that hang from nothing.
    assert _position(body, "Grow revenue") < _position(body, "Tidy the warehouse")
    assert _position(body, "Tidy the warehouse") < _position(body, "Read two books")
    # Children wait until their goal is opened.
    assert "Sales doubles" not in body
    assert 'aria-expanded="false"' in body
    assert "1 under it" in body


def test_a_row_shows_level_unit_owner_progress_status_and_confidence(
    world, cascade, client_for, in_org
):
    _override(world, in_org, cascade["warehouse"], "at_risk")
    body = text(client_for("owner").get(TREE))
    row = body[body.index(f'id="goal-{cascade["warehouse"].pk}"') :][:3000]
    assert "Functional team" in row
    assert "Operations" in row
    assert "Adam Admin" in row
    assert '<progress max="100" value="0"' in row
    assert "al-status-at_risk" in row and "At risk" in row
    assert "(set by owner)" in row
    assert "No check-in yet" in row


def test_opening_a_goal_returns_one_level_of_children(cascade, client_for):
    client = client_for("member")
    response = client.get(_children_url(cascade["grow"]), **HX)
    assert response.status_code == 200
    body = text(response)
    assert body.lstrip().startswith(f'<li class="al-node" id="goal-{cascade["grow"].pk}"')
    assert "Sales doubles" in body
    assert "Call ten customers" not in body
    assert 'aria-expanded="true"' in body
    assert f'aria-controls="kids-{cascade["grow"].pk}"' in body
    assert "autofocus" in body
    # And closing it again.
    closed = text(client.get(_children_url(cascade["grow"], collapse=1), **HX))
    assert "Sales doubles" not in closed
    assert 'aria-expanded="false"' in closed


def test_without_javascript_a_goals_children_are_a_page_of_their_own(cascade, client_for):
    client = client_for("viewer")
    response = client.get(_children_url(cascade["sales"]))
    assert response.status_code == 200
    body = text(response)
    assert "<html" in body
    assert "Call ten customers" in body
    assert "Grow revenue" in body  # the chain up to the vision
    # The toggles submit the tree's GET form: the tree opened at that goal.
    top = text(client.get(_children_url(cascade["grow"])))
    toggle = re.search(r'<button type="submit" form="al-nav" name="focus"[^>]*>', top).group(0)
    assert f'value="{cascade["sales"].pk}"' in toggle
    assert '<form id="al-nav" method="get" action="/o/acme/alignment/">' in top


def test_archived_goals_are_left_out(world, cascade, client_for, in_org):
    with in_org():
        goal_archive(goal=Goal.objects.get(pk=cascade["warehouse"].pk), expected_version=None)
    assert "Tidy the warehouse" not in text(client_for("owner").get(TREE))


def test_focus_opens_every_ancestor_of_the_goal(cascade, client_for):
    response = client_for("coach").get(f"{TREE}?focus={cascade['calls'].pk}")
    assert response.status_code == 200
    body = text(response)
    tree = body[body.index('<ul class="al-tree"') :]
    grow, sales, calls = (_position(tree, t) for t in ("Grow revenue", "Sales doubles", "Call"))
    assert grow < sales < calls
    assert f'class="al-node al-focused" id="goal-{cascade["calls"].pk}"' in body
    assert body.count('aria-expanded="true"') == 2
    # The other roots stay closed beside the opened chain.
    assert "Tidy the warehouse" in body


def test_focus_on_a_goal_past_the_first_page_still_shows_it(
    world, cascade, make, client_for, monkeypatch
):
    monkeypatch.setattr(selectors, "PAGE", 2)
    for n in range(3):
        make(f"A sales step {n}", unit=world.sales, parent=cascade["sales"])
    late = make("Zebra step", unit=world.sales, parent=cascade["sales"])
    body = text(client_for("owner").get(f"{TREE}?focus={late.pk}"))
    assert "Zebra step" in body
    assert "A sales step 0" in body and "A sales step 2" not in body
    # "Show more" continues after the first page and leaves out the goal already shown.
    more = re.search(r'hx-get="([^"]*children/\?offset=2&amp;exclude=(\d+))"', body)
    assert more and int(more.group(2)) == late.pk
    rest = text(client_for("owner").get(more.group(1).replace("&amp;", "&"), **HX))
    assert "Zebra step" not in rest
    assert "A sales step 1" in rest or "A sales step 2" in rest


def test_show_more_pages_through_many_children(world, cascade, make, client_for, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE", 3)
    for n in range(4):
        make(f"Step {n}", unit=world.sales, parent=cascade["sales"])
    client = client_for("owner")
    first = text(client.get(_children_url(cascade["sales"]), **HX))
    # Team goals before the self goal, by title.
    assert _titles(first)[1:] == ["Step 0", "Step 1", "Step 2"]
    assert "Show more under Sales doubles" in first
    second = text(client.get(_children_url(cascade["sales"], offset=3), **HX))
    assert _titles(second) == ["Step 3", "Call ten customers"]
    assert "Show more" not in second
    # Without JavaScript the same rows are a page of their own.
    page = text(client.get(_children_url(cascade["sales"], offset=3)))
    assert "Step 3" in page and "<html" in page


def test_more_roots_load_on_demand(world, make, client_for, monkeypatch, in_org):
    monkeypatch.setattr(selectors, "PAGE", 2)
    for title in ("Alpha", "Bravo", "Charlie"):
        make(title)
    client = client_for("owner")
    body = text(client.get(TREE))
    assert "Alpha" in body and "Bravo" in body and "Charlie" not in body
    assert "Show more top-level goals" in body
    rest = text(client.get(f"{TREE}?offset=2", **HX))
    assert "Charlie" in rest and "<html" not in rest
    # Focused below a root past the first page: that root is shown, and left out of "more".
    with in_org():
        charlie = Goal.objects.get(title="Charlie")
    step = make("Charlie step", parent=charlie)
    focused = text(client.get(f"{TREE}?focus={step.pk}"))
    assert _titles(focused) == ["Alpha", "Bravo", "Charlie", "Charlie step"]
    more = re.search(r'hx-get="([^"]*\?offset=2&amp;exclude=(\d+))"', focused)
    assert more and int(more.group(2)) == charlie.pk
    assert _titles(text(client.get(more.group(1).replace("&amp;", "&"), **HX))) == []


def test_levels_below_strategy_sort_by_name_in_rank_order():
    # The tree reads "strategy goals, then the others by level" off an index on the level's
    # key: that is the display order only while the other keys sort in rank order.
    below = [level for level in LEVEL_RANK if level != Level.STRATEGY]
    assert sorted(below) == sorted(below, key=LEVEL_RANK.get)


def test_every_page_of_roots_follows_the_display_order(world, make, in_org, monkeypatch):
    for title in ("Delta", "Alpha", "Echo", "Bravo"):
        make(title)  # strategy goals
    for title in ("Mango", "Kiwi"):
        make(title, unit=world.sales)
    make("Lime", unit=world.ops)
    for title in ("Fig", "Apple"):
        make(title, person=world.member, actor=world.member)
    with in_org():
        expected = [
            g.title
            for g in sorted(
                Goal.objects.live().roots(),
                key=lambda g: (LEVEL_RANK[g.level], g.title, g.pk),
            )
        ]
        assert expected[:4] == ["Alpha", "Bravo", "Delta", "Echo"]
        for size in range(1, len(expected) + 2):
            monkeypatch.setattr(selectors, "PAGE", size)
            shown = []
            for page in range(len(expected) + 1):
                rows, more = selectors.tree_roots(offset=page * size)
                shown += [row.goal.title for row in rows]
                if not more:
                    break
            assert shown == expected, size


# --- isolation --------------------------------------------------------------------------


def _globex_goal(world, in_org):
    with in_org(world.other_org):
        quarter = period_for(world.other_org, DAY, PeriodKind.QUARTER)
        return goal_create(
            organization=world.other_org,
            actor=world.outsider,
            title="Globex secret",
            unit=world.other_root,
            period=quarter,
            kind="binary",
            today=DAY,
        )


def test_another_organizations_goal_is_not_found_on_the_partials(
    world, cascade, client_for, in_org
):
    secret = _globex_goal(world, in_org)
    client = client_for("owner")
    for headers in (HX, {}):
        for url in (_children_url(secret), _children_url(secret, offset=50)):
            assert client.get(url, **headers).status_code == 404
            assert (
                client.get(url.replace(str(secret.pk), "987654321"), **headers).status_code == 404
            )
    assert client.get(f"{TREE}?focus={secret.pk}").status_code == 404
    assert client.get(f"{TREE}?focus=abc").status_code == 404
    assert "Globex secret" not in text(client.get(f"{TREE}?q=secret"))
    assert "Globex secret" not in text(client.get(f"{TREE}orphans/"))


def test_outsider_cannot_open_any_alignment_page(cascade, client_for):
    client = client_for("outsider")
    for url in (TREE, f"{TREE}orphans/", f"{TREE}coverage/", _children_url(cascade["grow"])):
        assert client.get(url, **HX).status_code == 404


def test_the_pages_only_read(cascade, client_for):
    before = history_count()
    client = client_for("owner")
    assert client.post(TREE).status_code == 405
    assert client.post(_children_url(cascade["grow"])).status_code == 405
    assert history_count() == before


# --- filters and search -----------------------------------------------------------------


def test_search_shows_each_match_with_its_chain_up_to_the_vision(cascade, client_for):
    response = client_for("member").get(f"{TREE}?q=customers")
    assert response.status_code == 200
    body = text(response)
    assert "1 matching goal" in body
    crumbs = re.search(r'<nav class="breadcrumbs al-crumbs".*?</nav>', body, re.S).group(0)
    assert crumbs.index("Vision") < crumbs.index("Grow revenue") < crumbs.index("Sales doubles")
    assert "Call ten customers" in body
    assert "Tidy the warehouse" not in body


def test_a_match_that_traces_to_nothing_says_so(cascade, client_for):
    body = text(client_for("member").get(f"{TREE}?q=warehouse"))
    assert "does not trace up to a strategy goal" in body


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("level=self", ["Call ten customers", "Read two books"], ["Grow revenue"]),
        ("level=functional_team", ["Sales doubles", "Tidy the warehouse"], ["Read two books"]),
        ("owner=admin%40acme.test", ["Tidy the warehouse", "Read two books"], ["Sales doubles"]),
        ("status=at_risk", ["Tidy the warehouse"], ["Sales doubles"]),
        ("status=off_track", ["Sales doubles"], ["Tidy the warehouse"]),
    ],
)
def test_filters_narrow_the_goals(query, shown, hidden, world, cascade, client_for, in_org):
    _override(world, in_org, cascade["warehouse"], "at_risk")
    _override(world, in_org, cascade["sales"], "off_track")
    response = client_for("viewer").get(f"{TREE}?{query}")
    assert response.status_code == 200
    titles = _titles(text(response))
    for title in shown:
        assert title in titles, title
    for title in hidden:
        assert title not in titles, title


def test_the_unit_filter_takes_the_whole_subtree(world, cascade, client_for, in_org):
    with in_org():
        inbound = core_services.unit_create(
            parent=world.sales, level=Level.PROCESS, name="Inbound leads"
        )
    make_goal = goal_create
    with in_org():
        make_goal(
            organization=world.org,
            actor=world.owner,
            title="Answer within an hour",
            unit=inbound,
            owner=world.owner,
            parent=Goal.objects.get(pk=cascade["sales"].pk),
            period=None,
            kind="binary",
            today=DAY,
        )
    sales = _titles(text(client_for("owner").get(f"{TREE}?unit={world.sales.pk}")))
    assert sorted(sales) == ["Answer within an hour", "Sales doubles"]
    everything = _titles(text(client_for("owner").get(f"{TREE}?unit={world.root.pk}")))
    assert len(everything) == 4  # every unit goal; self goals belong to no unit


def test_the_unit_filter_lists_units_as_they_change(world, client_for, in_org):
    client = client_for("owner")
    assert f'<option value="{world.sales.pk}">— Sales</option>' in text(client.get(TREE))
    with in_org():
        core_services.unit_update(unit=world.sales, expected_version=None, name="Revenue")
        added = core_services.unit_create(parent=world.sales, level=Level.PROCESS, name="Dispatch")
        core_services.unit_archive(unit=world.ops, expected_version=None)
    body = text(client.get(f"{TREE}?unit={world.sales.pk}"))
    assert f'<option value="{world.sales.pk}" selected>— Revenue</option>' in body
    assert f'<option value="{added.pk}">— — Dispatch</option>' in body
    assert f'<option value="{world.ops.pk}">' not in body
    # An archived unit is no longer a choice: said in the page, not a 500.
    response = client.get(f"{TREE}?unit={world.ops.pk}")
    assert response.status_code == 200
    assert "Choose a unit from the list." in text(response)


def test_the_period_filter_includes_the_periods_inside_it(world, cascade, make, client_for, in_org):
    with in_org():
        year = period_for(world.org, DAY, PeriodKind.YEAR)
        later = period_for(world.org, DAY + datetime.timedelta(days=200), PeriodKind.QUARTER)
    make("Next half plan", period=later)
    body = text(client_for("owner").get(f"{TREE}?period={cascade['grow'].period_id}"))
    assert "Grow revenue" in body and "Next half plan" not in body
    whole_year = text(client_for("owner").get(f"{TREE}?period={year.pk}"))
    assert "Grow revenue" in whole_year
    assert ("Next half plan" in whole_year) == (later.end <= year.end)


def test_bad_filter_values_are_shown_in_the_page_not_a_500(cascade, client_for):
    client = client_for("owner")
    response = client.get(f"{TREE}?owner=nobody%40nowhere.test")
    assert response.status_code == 200
    assert "Nobody active in this organization has the email" in text(response)
    for query in ("level=galaxy", "period=999999", "unit=abc", "status=?", "page=x", "offset=-4"):
        assert client.get(f"{TREE}?{query}").status_code == 200, query


# --- orphans ----------------------------------------------------------------------------


def test_orphans_are_grouped_by_unit_and_person_with_a_way_to_align_them(cascade, client_for):
    response = client_for("member").get(f"{TREE}orphans/")
    assert response.status_code == 200
    body = text(response)
    assert "Tidy the warehouse" in body and "Read two books" in body
    for aligned in ("Grow revenue", "Sales doubles", "Call ten customers"):
        assert aligned not in body
    assert _position(body, "Operations") < _position(body, "Tidy the warehouse")
    assert _position(body, "Self · ") < _position(body, "Read two books")
    assert "Adam Admin" in body[_position(body, "Self · ") :]
    assert "2 goals" in body
    assert "Align it" in body


def test_a_goal_under_an_orphan_is_an_orphan_too(world, cascade, make, client_for):
    make("Sweep aisle 3", unit=world.ops, parent=cascade["warehouse"], owner=world.admin)
    body = text(client_for("owner").get(f"{TREE}orphans/"))
    assert "Sweep aisle 3" in body
    assert "Under “Tidy the warehouse”" in body


# --- coverage ---------------------------------------------------------------------------


def _coverage_row(body: str, key: str) -> list[str]:
    row = re.search(rf'<tr id="coverage-{key}".*?</tr>', body, re.S).group(0)
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


@time_machine.travel(NOW, tick=False)
def test_coverage_per_unit_and_for_the_organization(world, cascade, make, client_for, in_org):
    # Adam is Operations' lead; Operations' member Cora has no self goal.
    with in_org():
        core_services.role_assignment_create(unit=world.ops, person=world.admin, role="lead")
        core_services.role_assignment_create(unit=world.ops, person=world.coach, role="member")
    response = client_for("viewer").get(f"{TREE}coverage/")
    assert response.status_code == 200
    body = text(response)
    sales = _coverage_row(body, f"unit-{world.sales.pk}")
    ops = _coverage_row(body, f"unit-{world.ops.pk}")
    root = _coverage_row(body, f"unit-{world.root.pk}")
    total = _coverage_row(body, "total")
    # Sales: its one goal aligned; Mia (lead) has an aligned self goal. Olivia set goals
    # for Mia (a Sales goal, Mia's self goal) and Adam (the warehouse): each waits for a yes.
    assert sales[1:] == ["100% (1 of 1)", "100% (1 of 1)", "1"]
    # Operations: the warehouse goal traces to nothing; Adam's self goal neither.
    assert ops[1:] == ["0% (0 of 1)", "0% (0 of 2)", "1"]
    # The leadership team: Olivia leads it and has no self goal.
    assert root[1:] == ["100% (1 of 1)", "0% (0 of 1)", "0"]
    # Everyone: 3 of 5 live goals aligned, 1 of 5 people, 3 pending agreements.
    assert total[1:] == ["60% (3 of 5)", "20% (1 of 5)", "3"]


@time_machine.travel(NOW, tick=False)
def test_coverage_counts_only_self_goals_of_the_current_period(
    world, cascade, make, client_for, in_org
):
    with in_org():
        next_quarter = period_for(world.org, DAY + datetime.timedelta(days=100), PeriodKind.QUARTER)
    make("Later self goal", person=world.admin, parent=cascade["grow"], period=next_quarter)
    total = _coverage_row(text(client_for("owner").get(f"{TREE}coverage/")), "total")
    assert total[2] == "20% (1 of 5)"


# --- query counts -----------------------------------------------------------------------


def _bulk_tree(world, make, roots: int, children: int):
    for r in range(roots):
        top = make(f"Root {r}")
        for c in range(children):
            make(f"Child {r}.{c}", parent=top)


@pytest.mark.parametrize("size", [(2, 1), (6, 3)])
def test_first_render_and_one_expand_read_a_fixed_number_of_queries(
    size, world, cascade, make, client_for, django_assert_max_num_queries
):
    _bulk_tree(world, make, *size)
    client = client_for("owner")
    client.get(TREE)  # session and membership warm-up is the same for every page
    with django_assert_max_num_queries(10):
        assert client.get(TREE).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(_children_url(cascade["grow"]), **HX).status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get(f"{TREE}?focus={cascade['calls'].pk}").status_code == 200
    with django_assert_max_num_queries(11):
        assert client.get(f"{TREE}?q=Child").status_code == 200


@pytest.mark.parametrize("size", [(2, 1), (6, 3)])
def test_orphans_and_coverage_read_a_fixed_number_of_queries(
    size, world, cascade, make, client_for, django_assert_max_num_queries
):
    for n in range(size[0] * size[1]):
        make(f"Loose end {n}", unit=world.ops, owner=world.admin)
    client = client_for("owner")
    client.get(TREE)
    with django_assert_max_num_queries(6):
        assert client.get(f"{TREE}orphans/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"{TREE}coverage/").status_code == 200
