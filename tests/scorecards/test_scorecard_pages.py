"""The scorecard pages: the list, the grid with its colours, saving cells (one, a pasted
column, stale and bad ones), the plain entry form, and creating and editing scorecards."""

from __future__ import annotations

import json

import pytest

from leados.operate.models import MeasurableValue, Scorecard, ScorecardItem
from leados.operate.services.measurables import measurable_create, value_set
from tests.scorecards.conftest import LAST_MONDAY, WEEK
from tests.web.helpers import history_count, queries_for, text


def _grid(card) -> str:
    return f"/o/acme/scorecards/{card['scorecard'].pk}/"


def _values(in_org, m) -> dict:
    with in_org():
        return dict(
            MeasurableValue.objects.filter(measurable=m).values_list("period_start", "value")
        )


def _post_cells(client, card, cells):
    data = {"measurable": [], "period_start": [], "value": [], "note": [], "version": []}
    for m, start, value, version, *note in cells:
        data["measurable"].append(str(m.pk))
        data["period_start"].append(start.isoformat())
        data["value"].append(value)
        data["version"].append(str(version))
        data["note"].append(note[0] if note else "")
    return client.post(f"{_grid(card)}cells/", data)


# --- list and grid ------------------------------------------------------------------------


def test_everyone_in_the_organization_sees_the_list_and_the_grid(card, client_for):
    viewer = client_for("viewer")
    listing = viewer.get("/o/acme/scorecards/")
    assert listing.status_code == 200
    assert "Sales numbers" in text(listing)
    page = viewer.get(_grid(card))
    assert page.status_code == 200
    body = text(page)
    for name in ("Orders", "Returns", "Return rate", "Quarter to date", "Year to date"):
        assert name in body
    # the viewer types into nothing
    assert 'class="sc-input"' not in body


def test_the_grid_colours_cells_with_a_shape_and_words_not_colour_alone(card, client_for):
    body = text(client_for("member").get(_grid(card)))
    assert "colour-red" in body and "colour-green" in body
    assert '<span class="visually-hidden">off target</span>' in body
    assert '<span class="sc-mark" aria-hidden="true">✗</span>' in body
    assert "<polyline" in body  # the sparkline
    assert "at least 100" in body  # the target


def test_the_owner_gets_inputs_and_formula_rows_say_they_are_read_only(card, client_for):
    body = text(client_for("member").get(_grid(card)))
    orders = card["orders"]
    assert f'data-measurable="{orders.pk}" data-period="{LAST_MONDAY.isoformat()}"' in body
    assert "Formula · read-only" in body
    assert f'data-measurable="{card["rate"].pk}" data-period' not in body


def test_the_grid_shows_whether_the_quarter_is_in_reach(card, client_for, in_org, world):
    with in_org():
        for n in range(2, 8):
            value_set(
                measurable=card["orders"], period_start=LAST_MONDAY - (n + 1) * WEEK,
                value=100 + n, author=world.member,
            )  # fmt: skip
    body = text(client_for("member").get(_grid(card)))
    assert "sc-reach" in body
    assert "of the target" in body or "target" in body


def test_the_in_reach_verdict_says_status_chance_and_why_or_what_is_missing():
    from leados.operate import measures
    from leados.operate.forecast import Forecast
    from leados.operate.templatetags.scorecard_cells import reach

    quarter = measures.period_of("quarterly", LAST_MONDAY, 1)

    def forecast(status, probability, sentence):
        return Forecast(
            measurable_id=1, period=quarter, value=90.0, low=80.0, high=100.0, target=100.0,
            target_max=None, probability=probability, status=status, known=3, periods=13,
            points=8, sentence=sentence,
        )  # fmt: skip

    assert reach(None) == '<span class="muted">Too few values</span>'
    assert reach(forecast(None, None, "No <target> set")) == (
        '<span class="muted" title="No &lt;target&gt; set">No target</span>'
    )
    at_risk = reach(forecast("at_risk", 0.456, "You reach 91 % & more"))
    assert 'class="badge sc-status status-at_risk">At risk</span>' in at_risk
    assert '<span class="sc-prob">46 %</span>' in at_risk
    assert "<p>You reach 91 % &amp; more</p>" in at_risk
    assert ">On track<" in reach(forecast("on_track", 0.9, ""))
    assert ">Off track<" in reach(forecast("off_track", 0.1, ""))


def test_the_grid_query_count_does_not_grow_with_rows(card, client_for, in_org, world):
    client = client_for("member")
    url = _grid(card)
    client.get(url)  # the first page of a session also records the organization in it
    few = queries_for(client, url)
    # The forecasts read the grid's own values, and which rows roll up comes with them.
    assert few <= 11
    with in_org():
        ids = [card["orders"].pk, card["returns"].pk, card["rate"].pk]
        for n in range(6):
            m = measurable_create(
                organization=world.org, actor=world.admin, name=f"Extra {n}",
                unit=world.sales, owner=world.member, target=5,
            )  # fmt: skip
            value_set(measurable=m, period_start=LAST_MONDAY, value=n, author=world.member)
            ids.append(m.pk)
        s = card["scorecard"]
        ScorecardItem.objects.filter(scorecard=s).delete()
        for pos, pk in enumerate(ids):
            ScorecardItem.objects.create(
                organization=world.org, scorecard=s, measurable_id=pk, position=pos
            )
    many = queries_for(client, url)
    assert many == few


def test_another_organizations_scorecard_is_not_found(card, client_for):
    assert client_for("outsider").get(_grid(card)).status_code == 404


# --- saving cells ------------------------------------------------------------------------


def test_a_changed_cell_is_saved_with_history(card, client_for, in_org):
    before = history_count()
    response = _post_cells(client_for("member"), card, [(card["orders"], LAST_MONDAY, "120", 0)])
    assert response.status_code == 200, response.content
    answer = json.loads(response.content)
    cell = answer["cells"][f"{card['orders'].pk}:{LAST_MONDAY.isoformat()}"]
    assert cell["version"] == 1 and cell["colour"] == "green" and cell["raw"] == "120"
    assert _values(in_org, card["orders"])[LAST_MONDAY] == 120
    assert history_count() == before + 1


def test_a_pasted_column_is_saved_all_or_nothing(card, client_for, in_org):
    client = client_for("member")
    bad = _post_cells(
        client, card,
        [(card["orders"], LAST_MONDAY, "130", 0), (card["returns"], LAST_MONDAY, "lots", 0)],
    )  # fmt: skip
    assert bad.status_code == 422
    errors = json.loads(bad.content)["errors"]
    assert list(errors) == [f"{card['returns'].pk}:{LAST_MONDAY.isoformat()}"]
    assert "Enter a number" in next(iter(errors.values()))
    assert LAST_MONDAY not in _values(in_org, card["orders"])
    good = _post_cells(
        client, card,
        [(card["orders"], LAST_MONDAY, "130", 0), (card["returns"], LAST_MONDAY, "7", 0)],
    )  # fmt: skip
    assert good.status_code == 200
    assert _values(in_org, card["orders"])[LAST_MONDAY] == 130
    assert _values(in_org, card["returns"])[LAST_MONDAY] == 7


def test_a_stale_cell_is_refused_and_changes_nothing(card, client_for, in_org, world):
    client = client_for("member")
    week = LAST_MONDAY - WEEK  # has a value at version 1
    with in_org():
        value_set(measurable=card["orders"], period_start=week, value=95, author=world.admin)
    response = _post_cells(client, card, [(card["orders"], week, "80", 1)])
    assert response.status_code == 409
    answer = json.loads(response.content)
    message = answer["errors"][f"{card['orders'].pk}:{week}"]
    assert "changed this value since you loaded the page" in message
    assert _values(in_org, card["orders"])[week] == 95


def test_a_red_value_needs_a_note_when_the_measurable_asks_for_one(card, client_for, in_org):
    with in_org():
        m = card["orders"]
        m.require_red_note = True
        m.save()
    client = client_for("member")
    refused = _post_cells(client, card, [(m, LAST_MONDAY, "50", 0)])
    assert refused.status_code == 422
    answer = json.loads(refused.content)
    key = f"{m.pk}:{LAST_MONDAY.isoformat()}"
    assert "say why in a note" in answer["errors"][key]
    assert answer["need_note"] == [key]
    assert LAST_MONDAY not in _values(in_org, m)
    saved = _post_cells(client, card, [(m, LAST_MONDAY, "50", 0, "Two trucks broke down")])
    assert saved.status_code == 200
    with in_org():
        assert MeasurableValue.objects.get(measurable=m, period_start=LAST_MONDAY).note == (
            "Two trucks broke down"
        )


def test_a_formula_row_takes_no_values(card, client_for, in_org):
    response = _post_cells(client_for("admin"), card, [(card["rate"], LAST_MONDAY, "5", 0)])
    assert response.status_code == 422
    assert (
        "formula"
        in json.loads(response.content)["errors"][f"{card['rate'].pk}:{LAST_MONDAY.isoformat()}"]
    )
    assert _values(in_org, card["rate"]) == {}


@pytest.mark.parametrize("persona", ["viewer", "coach"])
def test_read_only_people_cannot_save_cells(card, client_for, in_org, persona):
    response = _post_cells(client_for(persona), card, [(card["orders"], LAST_MONDAY, "1", 0)])
    assert response.status_code == 403
    assert LAST_MONDAY not in _values(in_org, card["orders"])


def test_garbled_cells_are_refused(card, client_for, in_org):
    response = client_for("member").post(
        f"{_grid(card)}cells/", {"measurable": [str(card["orders"].pk)], "value": ["1"]}
    )
    assert response.status_code == 422
    assert _values(in_org, card["orders"]).get(LAST_MONDAY) is None


def test_a_measurable_not_on_the_scorecard_is_refused(card, client_for, in_org, world):
    with in_org():
        other = measurable_create(
            organization=world.org, actor=world.admin, name="Elsewhere", unit=world.sales,
            owner=world.member,
        )  # fmt: skip
    response = _post_cells(client_for("member"), card, [(other, LAST_MONDAY, "1", 0)])
    assert response.status_code == 404
    assert _values(in_org, other) == {}


# --- the plain form ---------------------------------------------------------------------


def test_the_plain_form_enters_a_week_for_every_row(card, client_for, in_org):
    client = client_for("member")
    page = text(client.get(_grid(card)))
    assert "Enter the values of W02 2027" in page
    o, r = card["orders"], card["returns"]
    response = client.post(
        f"{_grid(card)}enter/",
        {
            "period_start": LAST_MONDAY.isoformat(),
            f"value-{o.pk}": "105", f"version-{o.pk}": "0", f"note-{o.pk}": "",
            f"value-{r.pk}": "6", f"version-{r.pk}": "0", f"note-{r.pk}": "Quiet week",
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert _values(in_org, o)[LAST_MONDAY] == 105
    assert _values(in_org, r)[LAST_MONDAY] == 6


def test_the_plain_form_shows_errors_and_saves_nothing(card, client_for, in_org):
    o, r = card["orders"], card["returns"]
    before = history_count()
    response = client_for("member").post(
        f"{_grid(card)}enter/",
        {
            "period_start": LAST_MONDAY.isoformat(),
            f"value-{o.pk}": "105", f"version-{o.pk}": "0",
            f"value-{r.pk}": "six", f"version-{r.pk}": "0",
        },
    )  # fmt: skip
    assert response.status_code == 422
    assert "Enter a number" in text(response)
    assert "Nothing was saved" in text(response)
    assert LAST_MONDAY not in _values(in_org, o)
    assert history_count() == before


# --- create, edit, rows, archive -------------------------------------------------------


def test_a_member_creates_a_custom_scorecard_and_chooses_its_rows(card, client_for, in_org):
    client = client_for("member")
    response = client.post(
        "/o/acme/scorecards/new/", {"name": "My mix", "kind": "custom", "description": ""}
    )
    assert response.status_code == 302
    with in_org():
        s = Scorecard.objects.get(name="My mix")
    rows = client.post(
        f"/o/acme/scorecards/{s.pk}/rows/",
        {"version": s.version, f"m{card['returns'].pk}": "1", f"m{card['orders'].pk}": "2"},
    )
    assert rows.status_code == 302
    with in_org():
        assert list(
            ScorecardItem.objects.filter(scorecard=s).values_list("measurable_id", flat=True)
        ) == [card["returns"].pk, card["orders"].pk]


def test_a_second_scorecard_for_a_unit_is_refused_with_a_message(card, client_for, world, in_org):
    response = client_for("admin").post(
        "/o/acme/scorecards/new/", {"name": "Again", "kind": "unit", "unit": world.sales.pk}
    )
    assert response.status_code == 422
    assert "already has a scorecard" in text(response)
    with in_org():
        assert Scorecard.objects.count() == 1


def test_a_stale_edit_of_a_scorecard_is_refused(card, client_for, in_org):
    s = card["scorecard"]
    client = client_for("admin")
    assert (
        client.post(
            f"/o/acme/scorecards/{s.pk}/edit/", {"version": s.version, "name": "First"}
        ).status_code
        == 302
    )
    stale = client.post(f"/o/acme/scorecards/{s.pk}/edit/", {"version": s.version, "name": "X"})
    assert stale.status_code == 409
    with in_org():
        assert Scorecard.objects.get(pk=s.pk).name == "First"


def test_a_viewer_cannot_edit_a_scorecard(card, client_for, in_org):
    s = card["scorecard"]
    response = client_for("viewer").post(
        f"/o/acme/scorecards/{s.pk}/edit/", {"version": s.version, "name": "Mine"}
    )
    assert response.status_code == 403
    with in_org():
        assert Scorecard.objects.get(pk=s.pk).name == "Sales numbers"


def test_archiving_a_scorecard_hides_it_from_the_list(card, client_for, in_org):
    s = card["scorecard"]
    client = client_for("admin")
    response = client.post(f"/o/acme/scorecards/{s.pk}/archive/", {"version": s.version})
    assert response.status_code == 302
    with in_org():
        assert Scorecard.objects.get(pk=s.pk).archived_at is not None
    client.get("/o/acme/scorecards/")  # shows the message once
    assert f'href="/o/acme/scorecards/{s.pk}/"' not in text(client.get("/o/acme/scorecards/"))


def test_the_unit_and_person_pages_link_to_their_scorecards(card, client_for, world):
    client = client_for("viewer")
    unit_page = text(client.get(f"/o/acme/units/{world.sales.pk}/"))
    assert f'href="/o/acme/scorecards/{card["scorecard"].pk}/"' in unit_page
    person_page = text(client.get(f"/o/acme/people/{world.member.pk}/"))
    assert "Personal scorecard" in person_page
    assert f"/o/acme/measurables/?owner={world.member.pk}" in person_page
