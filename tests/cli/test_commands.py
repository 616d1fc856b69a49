"""The operator commands: each succeeds, and each refuses bad input with a clear message
and a non-zero exit code, changing nothing."""

from __future__ import annotations

import io

import pytest
from django_scopes import scopes_disabled

from leados import cli
from leados.core.models import (
    ApiToken,
    Edge,
    HistoryEntry,
    Level,
    Organization,
    Person,
    RoleAssignment,
    Unit,
    User,
)
from leados.core.services import token_authenticate
from leados.core.tenancy import org_scope

PASSWORD = "a long enough passphrase"


def out_err(capsys) -> tuple[str, str]:
    captured = capsys.readouterr()
    return captured.out, captured.err


# user create


def test_user_create_makes_a_user_who_can_sign_in(db, capsys):
    code = cli.main(["user", "create", "--email", "Ann@Example.com", "--password", PASSWORD])
    assert code == 0
    assert "Created user ann@example.com." in out_err(capsys)[0]
    assert User.objects.get(email="ann@example.com").check_password(PASSWORD)


def test_user_create_reads_the_password_from_stdin(db, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert cli.main(["user", "create", "--email", "bo@example.com", "--password-stdin"]) == 0
    assert User.objects.get(email="bo@example.com").check_password(PASSWORD)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "not-an-email", "--password", PASSWORD], "is not a valid email address"),
        (["--email", "c@example.com", "--password", "short"], "too short"),
        (["--email", "c@example.com", "--password", "1234567890123"], "entirely numeric"),
    ],
)
def test_user_create_refuses_bad_input(db, capsys, args, message):
    assert cli.main(["user", "create", *args]) == 1
    assert message in out_err(capsys)[1]
    assert not User.objects.exists()


def test_user_create_refuses_an_existing_email(world, capsys):
    assert cli.main(["user", "create", "--email", "OWNER@acme.test", "--password", PASSWORD]) == 1
    assert "already exists" in out_err(capsys)[1]
    assert User.objects.filter(email__iexact="owner@acme.test").count() == 1


# org create


def test_org_create_makes_an_organization_recorded_as_a_command_line_change(world, capsys):
    code = cli.main(
        ["org", "create", "--slug", "initech", "--name", "Initech", "--owner", "admin@acme.test"]
    )
    assert code == 0
    assert "Created organization initech (Initech)" in out_err(capsys)[0]
    org = Organization.objects.get(slug="initech")
    with org_scope(org):
        owner = Person.objects.get(user=world.admin_user)
        assert owner.role == "owner"
        assert Unit.objects.filter(level=Level.STRATEGY).count() == 1
        edges = set(HistoryEntry.objects.values_list("edge", flat=True))
    assert edges == {Edge.CLI}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--slug", "acme", "--name", "Again", "--owner", "owner@acme.test"], "already exists"),
        (["--slug", "Bad Slug!", "--name", "X", "--owner", "owner@acme.test"], "lowercase"),
        (["--slug", "ok", "--name", "X", "--owner", "nobody@acme.test"], "no user with the email"),
    ],
)
def test_org_create_refuses_bad_input(world, capsys, args, message):
    count = Organization.objects.count()
    assert cli.main(["org", "create", *args]) == 1
    assert message in out_err(capsys)[1]
    assert Organization.objects.count() == count


# member add


def test_member_add_makes_the_user_a_member_with_history_through_the_command_line(world, capsys):
    User.objects.create_user("newbie@acme.test", PASSWORD)
    code = cli.main(
        ["member", "add", "--org", "acme", "--email", "newbie@acme.test", "--role", "viewer"]
    )
    assert code == 0
    assert "newbie@acme.test is now viewer of acme." in out_err(capsys)[0]
    with org_scope(world.org):
        person = Person.objects.get(user__email="newbie@acme.test")
        assert person.role == "viewer"
        entry = HistoryEntry.objects.get(object_type="person", object_id=person.pk)
    assert entry.edge == Edge.CLI
    assert entry.action == "create"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "nope", "--email", "owner@acme.test", "--role", "member"], "no organization"),
        (["--org", "acme", "--email", "ghost@acme.test", "--role", "member"], "no user"),
        (["--org", "acme", "--email", "member@acme.test", "--role", "member"], "already a member"),
    ],
)
def test_member_add_refuses_bad_input(world, capsys, args, message):
    with scopes_disabled():
        count = Person.objects.count()
    assert cli.main(["member", "add", *args]) == 1
    assert message in out_err(capsys)[1]
    with scopes_disabled():
        assert Person.objects.count() == count


def test_member_add_refuses_an_unknown_role(world, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["member", "add", "--org", "acme", "--email", "x@acme.test", "--role", "king"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'king'" in out_err(capsys)[1]


# token create


def test_token_create_prints_a_working_token_once_on_its_own_line(world, capsys):
    assert cli.main(["token", "create", "--email", "member@acme.test", "--name", "CI"]) == 0
    out = out_err(capsys)[0]
    lines = out.strip().splitlines()
    assert len(lines) == 1
    raw = lines[0]
    token = token_authenticate(raw)
    assert token is not None and token.user == world.member_user and token.organization is None
    assert raw not in {t.digest for t in ApiToken.objects.all()}


def test_token_create_for_one_organization(world, capsys):
    args = ["token", "create", "--email", "member@acme.test", "--name", "CI", "--org", "acme"]
    assert cli.main(args) == 0
    token = token_authenticate(out_err(capsys)[0].strip())
    assert token.organization == world.org


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "ghost@acme.test", "--name", "x"], "no user with the email"),
        (["--email", "member@acme.test", "--name", "x", "--org", "nope"], "no organization"),
        (["--email", "member@acme.test", "--name", "x", "--org", "globex"], "not a member"),
        (["--email", "member@acme.test", "--name", "   "], "Give the token a name"),
    ],
)
def test_token_create_refuses_bad_input(world, capsys, args, message):
    count = ApiToken.objects.count()
    assert cli.main(["token", "create", *args]) == 1
    out, err = out_err(capsys)
    assert message in err
    assert out == ""
    assert ApiToken.objects.count() == count


# demo


def test_demo_creates_a_believable_organization_at_every_unit_level(db, capsys):
    assert cli.main(["demo", "--org", "demo-co"]) == 0
    out = out_err(capsys)[0]
    assert "Created demo organization demo-co (Larkspur Coffee Roasters)" in out
    assert "with the password: " in out
    org = Organization.objects.get(slug="demo-co")
    with org_scope(org):
        people = list(Person.objects.all())
        assert 55 <= len(people) <= 65
        assert {p.role for p in people} == {"owner", "admin", "member", "coach", "viewer"}
        assert all(p.title for p in people)
        assert sum(1 for p in people if p.manager_id) >= 50
        units = list(Unit.objects.all())
        assert {u.level for u in units} == {"strategy", "functional_team", "process", "project"}
        assert all(u.start_date and u.end_date for u in units if u.level == "project")
        assignments = list(RoleAssignment.objects.all())
        for unit in units:
            roles = [a.role for a in assignments if a.unit_id == unit.pk]
            assert roles.count("lead") == 1 and roles.count("manage") == 1, unit.name
        per_person: dict[int, set] = {}
        for a in assignments:
            per_person.setdefault(a.person_id, set()).add(a.role)
        assert sum(1 for roles in per_person.values() if len(roles) >= 2) >= 10
        assert set(HistoryEntry.objects.values_list("edge", flat=True)) == {Edge.CLI}


def test_demo_uses_an_existing_owner_without_touching_their_password(world, capsys):
    assert cli.main(["demo", "--org", "demo-co", "--owner", "coach@acme.test"]) == 0
    out = out_err(capsys)[0]
    assert "password" not in out.split("Owner:")[0].lower() or "unchanged" in out
    assert "coach@acme.test" in out
    world.coach_user.refresh_from_db()
    assert world.coach_user.check_password("correct horse battery staple")
    org = Organization.objects.get(slug="demo-co")
    with org_scope(org):
        assert Person.objects.get(user=world.coach_user).role == "owner"


def test_demo_on_an_existing_slug_is_refused_and_changes_nothing(world, capsys):
    with scopes_disabled():
        people = Person.objects.count()
    assert cli.main(["demo", "--org", "acme"]) == 1
    assert "An organization with the slug 'acme' already exists" in out_err(capsys)[1]
    with scopes_disabled():
        assert Person.objects.count() == people
    assert not User.objects.filter(email__endswith="@larkspur.example").exists()


# synth


def test_synth_builds_a_hierarchy_with_units_at_every_level_and_history(db, capsys):
    assert cli.main(["synth", "--org", "big", "--people", "400"]) == 0
    out = out_err(capsys)[0]
    assert "Created big: 400 people" in out and " s." in out
    org = Organization.objects.get(slug="big")
    with org_scope(org):
        people = list(Person.objects.all())
        assert len(people) == 400
        assert sum(1 for p in people if p.manager_id is None) == 1
        assert len({p.user_id for p in people}) == 400
        units = list(Unit.objects.all())
        assert {u.level for u in units} == {"strategy", "functional_team", "process", "project"}
        assert 400 / 12 <= len(units) <= 400 / 5
        leads = RoleAssignment.objects.filter(role="lead").count()
        assert leads == len(units)
        assert RoleAssignment.objects.count() >= 400
        history = HistoryEntry.objects.filter(action="create")
        assert history.filter(object_type="person").count() == 400
        assert history.filter(object_type="unit").count() == len(units)
        assert set(HistoryEntry.objects.values_list("edge", flat=True)) == {Edge.CLI}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "acme", "--people", "10"], "already exists"),
        (["--org", "fresh", "--people", "0"], "at least 1"),
    ],
)
def test_synth_refuses_bad_input(world, capsys, args, message):
    count = User.objects.count()
    assert cli.main(["synth", *args]) == 1
    assert message in out_err(capsys)[1]
    assert User.objects.count() == count


# manage


def test_manage_passes_through_to_django(db, capsys):
    assert cli.main(["manage", "check"]) == 0
    assert "System check identified no issues" in out_err(capsys)[0]


def test_manage_reports_an_unknown_command(db, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["manage", "no_such_command"])
    assert exit_info.value.code == 1
    assert "Unknown command: 'no_such_command'" in out_err(capsys)[1]
