"""A small synthetic organization with routines (``leados synth --sops``): the counts,
runs that agree with their cadences, and a generation afterwards that only adds the next
day's runs."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Count, F

from leados.core.periods import organization_today
from leados.core.synth import synth_create
from leados.core.tenancy import org_scope
from leados.sops.cadence import Cadence, occurrences
from leados.sops.models import DIMENSIONS_OF, Sop, SopRun, SopVersion, TimeCheckin
from leados.sops.services.runs import HORIZON_DAYS, runs_generate


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def synth(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        try:
            with transaction.atomic():
                yield synth_create(slug="sop-synth", people=120, sops=400, sop_weeks=20)
                raise _Rollback
        except _Rollback:
            pass


@pytest.fixture
def org(synth, db):
    with org_scope(synth.organization):
        yield synth.organization


def test_it_makes_the_routines_their_versions_and_check_ins(synth, org):
    result = synth.sops
    assert result.sops == Sop.objects.count() == 400
    assert SopVersion.objects.filter(number=1).count() == 400
    assert not Sop.objects.exclude(version_number=1).exists()
    assert result.runs == SopRun.objects.count() > 400 * 5
    assert result.checkins == TimeCheckin.objects.count() > 0
    assert sum(result.states.values()) == result.runs
    dimensions = set(Sop.objects.values_list("dimension", flat=True))
    assert dimensions == {d for ds in DIMENSIONS_OF.values() for d in ds}
    kinds = {Cadence.from_rrule(rule).kind for rule in Sop.objects.values_list("rrule", flat=True)}
    assert kinds >= {"daily", "weekdays", "weekly", "monthly_day", "monthly_weekday", "quarterly"}
    owners = Sop.objects.values("owner").distinct().count()
    assert owners == result.leaders > 10


def test_runs_agree_with_their_cadence_and_states(org):
    today = organization_today(org)
    runs = SopRun.objects.all()
    duplicates = runs.values("sop_id", "due_on").annotate(n=Count("id")).filter(n__gt=1)
    assert not duplicates.exists()
    assert not runs.filter(window_ends_on__lt=F("due_on")).exists()
    assert not runs.filter(state="done", completed_on__isnull=True).exists()
    assert not runs.filter(state="done", completed_on__lt=F("due_on")).exists()
    assert not runs.filter(state="done", completed_on__gt=F("window_ends_on")).exists()
    assert not runs.filter(state="due", window_ends_on__lt=today).exists()
    assert not runs.exclude(sop_version__sop_id=F("sop_id")).exists()
    assert not runs.exclude(owner_id=F("sop__owner_id")).exists()
    states = Counter(runs.values_list("state", flat=True))
    assert states["done"] > 3 * (states["missed"] + states["skipped"])
    assert states["missed"] and states["skipped"] and states["due"]
    assert not runs.filter(state="skipped", skip_reason="").exists()
    horizon = today + datetime.timedelta(days=HORIZON_DAYS)
    assert set(Sop.objects.values_list("runs_through", flat=True)) == {horizon}
    # Each SOP has exactly its cadence's occurrences up to the horizon.
    for sop in Sop.objects.order_by("pk")[:40]:
        expected = occurrences(sop.rrule, sop.starts_on, sop.starts_on, horizon)
        assert list(sop.runs.order_by("due_on").values_list("due_on", flat=True)) == expected


def test_a_generation_afterwards_adds_only_the_next_days_runs(org):
    today = organization_today(org)
    before = SopRun.objects.count()
    again = runs_generate(organization=org, today=today)
    assert again["created"] == 0 and again["missed"] == 0
    tomorrow = today + datetime.timedelta(days=1)
    made = runs_generate(organization=org, today=tomorrow)
    new_day = tomorrow + datetime.timedelta(days=HORIZON_DAYS)
    new = SopRun.objects.filter(due_on=new_day)
    assert made["created"] == new.count() == SopRun.objects.count() - before > 0
    duplicates = SopRun.objects.values("sop_id", "due_on").annotate(n=Count("id"))
    assert not duplicates.filter(n__gt=1).exists()


def test_the_command_prints_the_counts_and_seconds(db, capsys):
    from leados import cli

    assert cli.main(["synth", "--org", "tiny", "--people", "60", "--sops", "50",
                     "--sop-weeks", "6"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("SOPs:"))
    assert "SOPs: 50 routines for" in line and " runs (" in line and "check-ins in" in line


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--sops", "-1"], "0 to 2,000,000 sops"), (["--sops", "5", "--sop-weeks", "0"], "weeks")],
)
def test_the_command_refuses_bad_sizes_and_changes_nothing(db, capsys, args, message):
    from leados import cli
    from leados.core.models import Organization

    assert cli.main(["synth", "--org", "nope", "--people", "10", *args]) == 1
    assert message in capsys.readouterr().err
    assert not Organization.objects.filter(slug="nope").exists()
