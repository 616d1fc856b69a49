import pytest
from django.core.exceptions import ValidationError
from django_scopes.exceptions import ScopeError

from leados.core import services
from leados.core.errors import Conflict
from leados.core.models import HistoryEntry, Person, Unit


def test_an_unscoped_tenant_query_is_an_error(world):
    with pytest.raises(ScopeError):
        list(Person.objects.all())


def test_scope_shows_only_its_own_organization(world, in_org):
    with in_org():
        names = set(Unit.objects.values_list("name", flat=True))
    assert "Globex R&D" not in names
    assert {"Sales", "Operations", "Leadership team"} <= names


def test_two_updates_from_the_same_version_the_second_is_refused(world, in_org):
    with in_org():
        unit = Unit.objects.get(pk=world.sales.pk)
        base = unit.version
        services.unit_update(unit=unit, expected_version=base, name="Sales & Marketing")
        with pytest.raises(Conflict):
            services.unit_update(unit=unit, expected_version=base, name="Revenue")
        assert Unit.objects.get(pk=unit.pk).name == "Sales & Marketing"
        entries = HistoryEntry.objects.filter(object_type="unit", object_id=unit.pk)
        assert [e.action for e in entries] == ["update", "create"]
        assert entries[0].changes == {"name": ["Sales", "Sales & Marketing"]}


def test_it_refuses_a_reporting_loop(world, in_org):
    with in_org():
        with pytest.raises(ValidationError):
            services.person_update(person=world.admin, expected_version=None, manager=world.member)


def test_re_adding_a_former_member_takes_the_new_title_and_manager(world, in_org):
    with in_org():
        services.person_deactivate(person=world.coach)
        person = services.person_add(
            organization=world.org,
            user=world.coach_user,
            role="member",
            title="Head of Learning",
            manager=world.admin,
        )
        person.refresh_from_db()
    assert (person.is_active, person.role, person.title, person.manager_id) == (
        True,
        "member",
        "Head of Learning",
        world.admin.pk,
    )


def test_invitations_have_history_without_their_secrets(world, in_org):
    with in_org():
        invitation, _key = services.invitation_create(
            organization=world.org, email="new@acme.test", invited_by=world.owner_user
        )
        services.invitation_revoke(invitation=invitation)
        entries = list(
            HistoryEntry.objects.filter(object_type="invitation", object_id=invitation.pk)
        )
    assert [e.action for e in entries] == ["update", "create"]
    assert list(entries[0].changes) == ["revoked_at"]
    for entry in entries:
        assert "nonce" not in entry.snapshot
        assert "digest" not in entry.snapshot


@pytest.mark.django_db
def test_planner_statistics_refresh_runs_on_this_database():
    from leados.core.db import BULK_TABLES, statistics_refresh

    statistics_refresh(tables=BULK_TABLES)
    statistics_refresh()
