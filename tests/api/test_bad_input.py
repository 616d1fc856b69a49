"""A catalogue of bad input thrown at every write route: always a 4xx in the error shape,
never a 500, and nothing changes in the database."""

import pytest
from django_scopes import scopes_disabled

from leados.core.models import HistoryEntry, RoleAssignment
from tests.api.helpers import assert_error_shape, field_errors, fingerprint, if_match

OTHER = object()  # marks a reference that must point into the other organization

# route: (method, path, a valid body, {field: kind}); kinds: ("text", max), "enum", "int",
# "bool", "date", "dict", ("ref", which model in the other organization)
ROUTES = {
    "create person": (
        "POST",
        "orgs/acme/people",
        {"email": "new@acme.test", "name": "N", "title": "T", "role": "member"},
        {
            "email": ("text", 254),
            "name": ("text", 150),
            "title": ("text", 120),
            "role": "enum",
            "manager": ("ref", "person"),
        },
    ),
    "update person": (
        "PATCH",
        "orgs/acme/people/{member}",
        {"name": "N", "title": "T"},
        {
            "name": ("text", 150),
            "title": ("text", 120),
            "role": "enum",
            "manager": ("ref", "person"),
        },
    ),
    "create unit": (
        "POST",
        "orgs/acme/units",
        {"parent": "{root}", "level": "project", "name": "P", "end_date": "2027-06-30"},
        {
            "parent": ("ref", "unit"),
            "level": "enum",
            "name": ("text", 120),
            "description": ("text", 4000),
            "start_date": "date",
            "end_date": "date",
        },
    ),
    "update unit": (
        "PATCH",
        "orgs/acme/units/{sales}",
        {"name": "S", "description": "D"},
        {
            "name": ("text", 120),
            "description": ("text", 4000),
            "parent": ("ref", "unit"),
            "start_date": "date",
        },
    ),
    "create role assignment": (
        "POST",
        "orgs/acme/role-assignments",
        {"person": "{viewer}", "unit": "{ops}", "role": "member"},
        {
            "person": ("ref", "person"),
            "unit": ("ref", "unit"),
            "role": "enum",
            "replace": "bool",
        },
    ),
    "update organization": (
        "PATCH",
        "orgs/acme",
        {"name": "Acme"},
        {
            "name": ("text", 120),
            "time_zone": ("text", 64),
            "fiscal_year_start_month": "int",
            "week_start_day": "int",
            "terminology": "dict",
            "mfa_required": "bool",
        },
    ),
    "archive unit": ("POST", "orgs/acme/units/{ops}/archive", {"version": 1}, {}),
    "deactivate person": ("DELETE", "orgs/acme/people/{viewer}", {"version": 1}, {}),
    "restore from history": ("POST", "orgs/acme/history/{entry}/restore", {"version": 1}, {}),
    "remove role assignment": ("DELETE", "orgs/acme/role-assignments/{lead}", {"version": 1}, {}),
}

WRONG_TYPES = {
    "text": [123, 1.5, True, ["x"], {"x": 1}],
    "enum": ["emperor", 3, None, ""],
    "int": ["twelve", 1.5, 13, -1, 2**70, None, [1]],
    "bool": ["maybe", 2, [True], {"a": 1}, None],
    "date": ["2027-02-30", "tomorrow", "2027-06-30T25:00", [2027], {"y": 2027}],
    "dict": [
        ["goal"],
        "Rocks",
        {"goal": "Rock"},
        {"goal": ["Rock"]},
        {"goal": ["Rock", "Rocks", "More"]},
        {"emperor": ["A", "B"]},
        {"goal": ["", "Rocks"]},
        {"goal": ["x" * 41, "Rocks"]},
        {"goal": ["Ro\x00ck", "Rocks"]},
        {"goal": [1, 2]},
    ],
    "ref": ["abc", 1.5, 0, -1, 2**63, 2**70, [1], {"id": 1}],
}


def _ids(world) -> dict:
    with scopes_disabled():
        return {
            "member": world.member.pk,
            "viewer": world.viewer.pk,
            "root": world.root.pk,
            "sales": world.sales.pk,
            "ops": world.ops.pk,
            "lead": RoleAssignment.objects.get(unit=world.sales, role="lead").pk,
            "entry": HistoryEntry.objects.filter(object_type="unit", object_id=world.sales.pk)
            .last()
            .pk,
        }


def _fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


def _cases(route):
    """(label, body or raw text) for every kind of bad input to ``route``."""
    _method, _path, valid, fields = ROUTES[route]
    yield "malformed JSON", '{"name": "x",'
    yield "a JSON list", "[]"
    yield "a JSON string", '"hello"'
    yield "a JSON number", "42"
    yield "an unknown field", {**valid, "bogus": 1}
    yield "a version that is not a number", {**valid, "version": "one"}
    for field, kind in fields.items():
        if isinstance(kind, tuple) and kind[0] == "text":
            yield f"{field} too long", {**valid, field: "x" * (kind[1] + 1)}
            yield f"{field} with NUL", {**valid, field: "a\x00b"}
            yield f"{field} a lone surrogate", {**valid, field: "\ud800"}
            for bad in WRONG_TYPES["text"]:
                yield f"{field}={bad!r}", {**valid, field: bad}
        elif isinstance(kind, tuple) and kind[0] == "ref":
            yield f"{field} in the other organization", {**valid, field: OTHER}
            yield f"{field} that does not exist", {**valid, field: 987654}
            for bad in WRONG_TYPES["ref"]:
                yield f"{field}={bad!r}", {**valid, field: bad}
        else:
            for bad in WRONG_TYPES[kind]:
                yield f"{field}={bad!r}", {**valid, field: bad}


@pytest.mark.parametrize("route", list(ROUTES))
def test_bad_input_is_refused_and_changes_nothing(world, api_for, route):
    method, path, valid, fields = ROUTES[route]
    ids = _ids(world)
    other = {"person": world.outsider.pk, "unit": world.other_unit.pk}
    api = api_for("owner")
    headers = {} if method == "POST" and "version" not in valid else if_match(1)
    before = fingerprint()
    cases = list(_cases(route))
    assert len(cases) >= 6

    for label, case in cases:
        if isinstance(case, dict):
            body = {
                k: other[fields[k][1]] if v is OTHER else _fill(v, ids) for k, v in case.items()
            }
            raw = None
        else:
            raw, body = case, None

        response = api.request(method, path.format(**ids), body, raw=raw, headers=headers)

        assert response.status_code in (400, 404, 409, 422), (label, response.content)
        assert_error_shape(response)
        assert fingerprint() == before, label
        if "organization" in label or "does not exist" in label:
            field = label.split()[0]
            assert response.status_code == 422, label
            assert field_errors(response) == {field: "Not found."}, label


@pytest.mark.parametrize("route", list(ROUTES))
def test_the_valid_body_of_each_catalogue_route_is_accepted(world, api_for, route):
    """The catalogue's baseline is valid, so each refusal above is caused by its one change."""
    method, path, valid, _fields = ROUTES[route]
    ids = _ids(world)
    headers = {} if method == "POST" and "version" not in valid else if_match(1)
    body = {k: _fill(v, ids) for k, v in valid.items()}

    response = api_for("owner").request(method, path.format(**ids), body, headers=headers)

    assert response.status_code < 300, response.content


@pytest.mark.parametrize(
    "path",
    [
        "orgs/acme/people/{other_person}",
        "orgs/acme/units/{other_unit}",
        "orgs/acme/units/987654",
        "orgs/acme/units/99999999999999999999999",
        "orgs/acme/units/-3",
        "orgs/acme/role-assignments/{other_assignment}",
        "orgs/acme/history/{other_entry}",
    ],
)
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_ids_of_another_organization_in_the_path_answer_404(world, api_for, path, method):
    with scopes_disabled():
        ids = {
            "other_person": world.outsider.pk,
            "other_unit": world.other_unit.pk,
            "other_assignment": RoleAssignment.objects.filter(organization=world.other_org)
            .first()
            .pk,
            "other_entry": HistoryEntry.objects.filter(organization=world.other_org).first().pk,
        }
    api = api_for("owner")
    before = fingerprint()

    response = api.request(method, path.format(**ids), {})

    if response.status_code == 405:
        assert_error_shape(response, 405)
    else:
        assert_error_shape(response, 404)
    assert fingerprint() == before


def test_a_path_id_that_is_not_a_number_is_refused(world, api_for):
    assert_error_shape(api_for("owner").get("orgs/acme/units/sales"), 422)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("people", {"limit": 0}),
        ("people", {"limit": 501}),
        ("people", {"limit": "ten"}),
        ("people", {"offset": -1}),
        ("people", {"offset": 10**12}),
        ("people", {"role": "emperor"}),
        ("people", {"is_active": "maybe"}),
        ("people", {"manager": "abc"}),
        ("people", {"manager": 2**70}),
        ("people", {"q": "x" * 201}),
        ("people", {"q": "a\x00b"}),
        ("people", {"order": "salary"}),
        ("units", {"level": "self"}),
        ("units", {"parent": 0}),
        ("units", {"archived": "sometimes"}),
        ("role-assignments", {"role": "boss"}),
        ("role-assignments", {"unit": "sales"}),
        ("history", {"since": "yesterday"}),
        ("history", {"object_id": -5}),
        ("history", {"edge": "telepathy"}),
        ("history", {"actor": 2**64}),
    ],
)
def test_bad_list_parameters_answer_422(world, api_for, path, params):
    response = api_for("viewer").get(f"orgs/acme/{path}", params)

    body = assert_error_shape(response, 422)
    assert body["errors"][0]["field"] == next(iter(params))


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_a_wrong_method_answers_405_in_the_error_shape(world, api_for, method):
    response = api_for("owner").request(method, f"orgs/acme/units/{world.sales.pk}", {})

    assert_error_shape(response, 405)
    assert "PATCH" in response["Allow"]


def test_an_unknown_route_answers_404_in_the_error_shape(world, api_for):
    assert_error_shape(api_for("owner").get("orgs/acme/nonsense"), 404)
