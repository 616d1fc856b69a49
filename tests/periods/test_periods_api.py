"""Periods through the API: fiscal years, labels, parents, idempotence, today, isolation."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from leados.core.models import Period, PeriodKind
from leados.core.periods import period_for
from leados.core.tenancy import org_scope
from tests.api.helpers import assert_error_shape

D = datetime.date


def _around(api, day, **params):
    response = api.get("orgs/acme/periods", {"around": str(day), **params})
    assert response.status_code == 200, response.content
    return response.json()["items"]


def _current(items, day):
    """The year, quarter and month of ``items`` that contain ``day``, by kind."""
    found = {}
    for item in items:
        if D.fromisoformat(item["start"]) <= day <= D.fromisoformat(item["end"]):
            assert item["kind"] not in found, items
            found[item["kind"]] = item
    return found


def _span(item):
    return (item["start"], item["end"], item["label"], item["number"])


# start month, day, (year), (quarter), (month): each (start, end, label, number)
CASES = [
    pytest.param(
        1,
        D(2027, 1, 15),
        ("2027-01-01", "2027-12-31", "2027", 1),
        ("2027-01-01", "2027-03-31", "2027 Q1", 1),
        ("2027-01-01", "2027-01-31", "Jan 2027", 1),
        id="january-first-day-of-quarter",
    ),
    pytest.param(
        1,
        D(2024, 2, 29),
        ("2024-01-01", "2024-12-31", "2024", 1),
        ("2024-01-01", "2024-03-31", "2024 Q1", 1),
        ("2024-02-01", "2024-02-29", "Feb 2024", 2),
        id="january-leap-day",
    ),
    pytest.param(
        1,
        D(2026, 12, 31),
        ("2026-01-01", "2026-12-31", "2026", 1),
        ("2026-10-01", "2026-12-31", "2026 Q4", 4),
        ("2026-12-01", "2026-12-31", "Dec 2026", 12),
        id="january-last-day-of-year",
    ),
    pytest.param(
        4,
        D(2027, 1, 15),
        ("2026-04-01", "2027-03-31", "FY2027", 1),
        ("2027-01-01", "2027-03-31", "FY2027 Q4", 4),
        ("2027-01-01", "2027-01-31", "FY2027 Q4 · Jan 2027", 10),
        id="april-named-by-the-year-it-ends",
    ),
    pytest.param(
        4,
        D(2027, 4, 1),
        ("2027-04-01", "2028-03-31", "FY2028", 1),
        ("2027-04-01", "2027-06-30", "FY2028 Q1", 1),
        ("2027-04-01", "2027-04-30", "FY2028 Q1 · Apr 2027", 1),
        id="april-first-day-of-fiscal-year",
    ),
    pytest.param(
        4,
        D(2027, 3, 31),
        ("2026-04-01", "2027-03-31", "FY2027", 1),
        ("2027-01-01", "2027-03-31", "FY2027 Q4", 4),
        ("2027-03-01", "2027-03-31", "FY2027 Q4 · Mar 2027", 12),
        id="april-last-day-of-fiscal-year",
    ),
    pytest.param(
        7,
        D(2028, 2, 29),
        ("2027-07-01", "2028-06-30", "FY2028", 1),
        ("2028-01-01", "2028-03-31", "FY2028 Q3", 3),
        ("2028-02-01", "2028-02-29", "FY2028 Q3 · Feb 2028", 8),
        id="july-leap-day",
    ),
    pytest.param(
        7,
        D(2027, 6, 30),
        ("2026-07-01", "2027-06-30", "FY2027", 1),
        ("2027-04-01", "2027-06-30", "FY2027 Q4", 4),
        ("2027-06-01", "2027-06-30", "FY2027 Q4 · Jun 2027", 12),
        id="july-last-day-of-fiscal-year",
    ),
    pytest.param(
        10,
        D(2026, 12, 31),
        ("2026-10-01", "2027-09-30", "FY2027", 1),
        ("2026-10-01", "2026-12-31", "FY2027 Q1", 1),
        ("2026-12-01", "2026-12-31", "FY2027 Q1 · Dec 2026", 3),
        id="october-across-the-calendar-year",
    ),
    pytest.param(
        10,
        D(2027, 1, 1),
        ("2026-10-01", "2027-09-30", "FY2027", 1),
        ("2027-01-01", "2027-03-31", "FY2027 Q2", 2),
        ("2027-01-01", "2027-01-31", "FY2027 Q2 · Jan 2027", 4),
        id="october-new-calendar-year",
    ),
    pytest.param(
        3,
        D(2024, 2, 29),
        ("2023-03-01", "2024-02-29", "FY2024", 1),
        ("2023-12-01", "2024-02-29", "FY2024 Q4", 4),
        ("2024-02-01", "2024-02-29", "FY2024 Q4 · Feb 2024", 12),
        id="march-year-ending-on-a-leap-day",
    ),
]


@pytest.mark.parametrize(("start_month", "day", "year", "quarter", "month"), CASES)
def test_periods_follow_the_fiscal_year(
    world, api_for, fiscal_year_starts, start_month, day, year, quarter, month
):
    fiscal_year_starts(start_month)

    current = _current(_around(api_for("viewer"), day), day)

    assert _span(current["year"]) == year
    assert _span(current["quarter"]) == quarter
    assert _span(current["month"]) == month
    with org_scope(world.org):
        stored = Period.objects.get(pk=current["month"]["id"])
    assert (stored.start.isoformat(), stored.end.isoformat(), stored.label) == month[:3]


def test_around_gives_the_current_and_next_of_each_kind_in_order(world, api_for):
    items = _around(api_for("member"), D(2026, 12, 31))

    assert [(i["kind"], i["label"]) for i in items] == [
        ("year", "2026"),
        ("quarter", "2026 Q4"),
        ("month", "Dec 2026"),
        ("year", "2027"),
        ("quarter", "2027 Q1"),
        ("month", "Jan 2027"),
    ]
    assert [i["fiscal_year"] for i in items] == [2026, 2026, 2026, 2027, 2027, 2027]


def test_around_filters_by_kind(world, api_for, fiscal_year_starts):
    fiscal_year_starts(7)
    items = _around(api_for("member"), D(2027, 5, 10), kind="quarter")

    assert [i["label"] for i in items] == ["FY2027 Q4", "FY2028 Q1"]


def test_a_month_belongs_to_its_quarter_and_a_quarter_to_its_year(
    world, api_for, fiscal_year_starts
):
    fiscal_year_starts(10)
    api = api_for("viewer")
    current = _current(_around(api, D(2027, 2, 14)), D(2027, 2, 14))

    assert current["month"]["parent"] == {
        "id": current["quarter"]["id"],
        "kind": "quarter",
        "label": "FY2027 Q2",
    }
    assert current["quarter"]["parent"]["id"] == current["year"]["id"]
    assert current["year"]["parent"] is None
    with org_scope(world.org):
        month = Period.objects.select_related("parent__parent").get(pk=current["month"]["id"])
    assert month.parent.kind == PeriodKind.QUARTER
    assert month.parent.parent.kind == PeriodKind.YEAR
    assert month.parent.parent.start <= month.parent.start <= month.start
    assert month.end <= month.parent.end <= month.parent.parent.end


def test_asking_again_creates_nothing_new(world, api_for):
    api = api_for("viewer")
    first = _around(api, D(2027, 5, 3))
    with scopes_disabled():
        count = Period.objects.count()

    again = _around(api, D(2027, 5, 28))

    assert again == first
    with scopes_disabled():
        assert Period.objects.count() == count == 6
    with org_scope(world.org):
        assert period_for(world.org, D(2027, 5, 17), PeriodKind.MONTH).pk == first[2]["id"]
        assert Period.objects.filter(kind=PeriodKind.YEAR, start=D(2027, 1, 1)).count() == 1


def test_a_single_period_answers_like_its_list_item_with_an_etag(world, api_for):
    api = api_for("coach")
    items = _around(api, D(2027, 8, 1))
    for item in items:
        response = api.get(f"orgs/acme/periods/{item['id']}")
        assert response.status_code == 200
        assert response.json() == item
        assert response["ETag"] == 'W/"1"'


@pytest.mark.parametrize(
    ("moment", "time_zone", "label"),
    [
        (datetime.datetime(2026, 12, 31, 12, tzinfo=datetime.UTC), "Pacific/Auckland", "Jan 2027"),
        (datetime.datetime(2026, 12, 31, 12, tzinfo=datetime.UTC), "UTC", "Dec 2026"),
        (datetime.datetime(2027, 1, 1, 5, tzinfo=datetime.UTC), "America/Los_Angeles", "Dec 2026"),
        (datetime.datetime(2027, 1, 1, 5, tzinfo=datetime.UTC), "Europe/Berlin", "Jan 2027"),
    ],
)
def test_today_is_the_organizations_today(
    world, api_for, fiscal_year_starts, moment, time_zone, label
):
    fiscal_year_starts(1, time_zone=time_zone)
    api = api_for("viewer")

    with time_machine.travel(moment, tick=False):
        response = api.get("orgs/acme/periods", {"around": "today", "kind": "month"})

    assert response.status_code == 200, response.content
    assert response.json()["items"][0]["label"] == label


def test_moving_the_fiscal_year_keeps_existing_periods_and_bridges_to_the_new_ones(
    world, api_for, fiscal_year_starts
):
    api = api_for("viewer")
    fiscal_year_starts(4)
    old = _current(_around(api, D(2026, 6, 1)), D(2026, 6, 1))
    assert _span(old["year"]) == ("2026-04-01", "2027-03-31", "FY2027", 1)

    assert _span(old["quarter"]) == ("2026-04-01", "2026-06-30", "FY2027 Q1", 1)

    fiscal_year_starts(1)
    kept = _current(_around(api, D(2026, 6, 1)), D(2026, 6, 1))
    already_made = _current(_around(api, D(2027, 6, 1)), D(2027, 6, 1))
    after = _current(_around(api, D(2028, 6, 1)), D(2028, 6, 1))

    assert kept["year"] == old["year"]
    assert kept["quarter"] == old["quarter"]
    # The next fiscal year had been made under the old start: it stays as it was, and
    # what is made inside it is named within it.
    assert _span(already_made["year"]) == ("2027-04-01", "2028-03-31", "FY2028", 1)
    assert _span(already_made["quarter"]) == ("2027-04-01", "2027-06-30", "FY2028 Q1", 1)
    assert _span(already_made["month"]) == (
        "2027-06-01",
        "2027-06-30",
        "FY2028 Q1 · Jun 2027",
        3,
    )
    assert already_made["month"]["fiscal_year"] == 2028
    # The first year under the new start begins where the old one ended.
    assert _span(after["year"]) == ("2028-04-01", "2028-12-31", "2028", 1)
    assert _span(after["quarter"]) == ("2028-04-01", "2028-06-30", "2028 Q2", 2)
    assert _span(after["month"]) == ("2028-06-01", "2028-06-30", "Jun 2028", 6)
    assert after["quarter"]["parent"]["id"] == after["year"]["id"]
    with org_scope(world.org):
        for kind in PeriodKind.values:
            spans = list(Period.objects.filter(kind=kind).in_order().values_list("start", "end"))
            for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
                assert end < start, (kind, spans)


def test_the_list_without_around_shows_every_existing_period(world, api_for):
    api = api_for("viewer")
    assert api.get("orgs/acme/periods").json() == {"items": [], "count": 0}
    _around(api, D(2027, 1, 1))
    _around(api, D(2030, 1, 1))

    listed = api.get("orgs/acme/periods", {"kind": "year"}).json()

    assert [i["label"] for i in listed["items"]] == ["2027", "2028", "2030", "2031"]
    assert listed["count"] == 4
    with org_scope(world.org):
        assert Period.objects.count() == 12


def test_another_organizations_period_is_exactly_like_a_missing_one(world, api_for):
    with org_scope(world.other_org):
        theirs = period_for(world.other_org, D(2027, 1, 1), PeriodKind.MONTH)
    api = api_for("owner")

    response = api.get(f"orgs/acme/periods/{theirs.pk}")
    missing = api.get("orgs/acme/periods/987654321")

    assert_error_shape(response, 404)
    assert response.json() == missing.json()
    assert api.get("orgs/acme/periods").json()["count"] == 0
    with scopes_disabled():
        assert Period.objects.filter(organization=world.org).count() == 0


def test_an_outsider_sees_no_periods_of_acme(world, api_for):
    response = api_for("outsider").get("orgs/acme/periods", {"around": "2027-01-01"})

    assert_error_shape(response, 404)
    with scopes_disabled():
        assert Period.objects.count() == 0


@pytest.mark.parametrize(
    "params", [{"around": "2027-02-30"}, {"around": "tomorrow"}, {"kind": "week"}, {"limit": 0}]
)
def test_bad_filters_are_refused(world, api_for, params):
    response = api_for("viewer").get("orgs/acme/periods", params)

    assert_error_shape(response, 422)
    with scopes_disabled():
        assert Period.objects.count() == 0


def test_the_list_reads_the_same_number_of_queries_however_many_periods(world, api_for):
    api = api_for("viewer")
    _around(api, D(2027, 1, 1))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = api.get("orgs/acme/periods", {"limit": 500})
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    few, few_count = queries()
    for year in range(2028, 2040):
        _around(api, D(year, 6, 1))
    many, many_count = queries()

    assert many_count > few_count * 5
    assert many == few
