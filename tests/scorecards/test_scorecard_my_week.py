"""My week: numbers to enter and numbers off track, for the measurables a person owns."""

from __future__ import annotations

from leados.operate.models import Measurable
from leados.operate.services.measurables import measurable_create, value_set
from tests.scorecards.conftest import LAST_MONDAY
from tests.web.helpers import queries_for, text

MY_WEEK = "/o/acme/"


def _section(body: str, title: str) -> str:
    start = body.index(title)
    return body[start : body.index("</section>", start)]


def test_a_missing_value_of_last_week_is_a_number_to_enter(card, client_for, in_org, world):
    body = text(client_for("member").get(MY_WEEK))
    numbers = _section(body, "Numbers to enter")
    assert "Orders" in numbers and "Returns" in numbers
    assert "no value for W02 2027 yet" in numbers
    assert "Return rate" not in numbers  # a formula takes no values
    assert f"/o/acme/scorecards/{card['scorecard'].pk}/" in numbers
    with in_org():
        # entered late: it leaves the list, and the value is kept
        value_set(measurable=card["orders"], period_start=LAST_MONDAY, value=99,
                  author=world.member)  # fmt: skip
    numbers = _section(text(client_for("member").get(MY_WEEK)), "Numbers to enter")
    assert "Orders" not in numbers and "Returns" in numbers


def test_a_red_latest_value_is_off_track(card, client_for):
    body = text(client_for("member").get(MY_WEEK))
    red = _section(body, "Your numbers off track")
    assert "Orders" in red and "70 in W01 2027" in red
    assert "Returns" not in red  # 9 against at most 10: green


def test_other_people_see_none_of_it(card, client_for):
    body = text(client_for("admin").get(MY_WEEK))
    assert "Numbers to enter" not in body
    assert "Your numbers off track" not in body


def test_my_week_reads_a_fixed_number_of_queries_however_many_measurables(
    card, client_for, in_org, world
):
    client = client_for("member")
    client.get(MY_WEEK)
    before = queries_for(client, MY_WEEK)
    with in_org():
        for n in range(12):
            m = measurable_create(
                organization=world.org, actor=world.admin, name=f"Extra {n:02d}",
                unit=world.sales, owner=world.member, target=100,
            )  # fmt: skip
            value_set(measurable=m, period_start=LAST_MONDAY, value=10, author=world.member)
    assert queries_for(client, MY_WEEK) <= before + 1  # the count, once the list is full


def test_both_lists_are_the_same_whether_read_together_or_apart(
    card, client_for, in_org, world, monkeypatch
):
    from leados.operate.my_week import scorecards

    with in_org():
        for n in range(10):
            m = measurable_create(
                organization=world.org, actor=world.admin, name=f"Extra {n:02d}",
                unit=world.sales, owner=world.member, target=100,
            )  # fmt: skip
            if n % 2:  # the odd ones are red; the even ones wait for a value
                value_set(measurable=m, period_start=LAST_MONDAY, value=10, author=world.member)
    with in_org():
        assert Measurable.objects.filter(owner=world.member).count() == 13
    client = client_for("member")
    together = text(client.get(MY_WEEK))
    # Past this many measurables (13 here), each list is read apart; the off-track scan
    # still covers every measurable with a value (8 here).
    monkeypatch.setattr(scorecards, "OFF_TRACK_SCAN", 10)
    apart = text(client.get(MY_WEEK))
    for title in ("Numbers to enter", "Your numbers off track"):
        assert _section(together, title) == _section(apart, title)
    numbers = _section(together, "Numbers to enter")
    assert "Extra 00" in numbers and "Extra 01" not in numbers
    red = _section(together, "Your numbers off track")
    assert "Extra 01" in red and "Extra 00" not in red
