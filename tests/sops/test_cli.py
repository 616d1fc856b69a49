"""`leados sops runs`: the worker's daily run generation, by hand."""

import datetime

import time_machine
from django_scopes import scopes_disabled

from leados import cli
from leados.sops.models import SopRun


def test_sops_runs_makes_due_runs_once_for_the_given_day(world, make_sop, capsys):
    sop = make_sop()
    with time_machine.travel("2026-11-25 12:00Z"):
        assert cli.main(["sops", "runs", "--org", "acme"]) == 0
        assert "acme: 5 runs made, 0 closed as missed" in capsys.readouterr().out
        assert cli.main(["sops", "runs", "--org", "acme", "--date", "2026-12-01"]) == 0
        assert "acme: 1 run made, 1 closed as missed" in capsys.readouterr().out
    with scopes_disabled():
        last = SopRun.objects.filter(sop=sop).order_by("due_on").last()
    assert last.due_on == datetime.date(2026, 12, 7)


def test_sops_runs_refuses_bad_input(world, capsys):
    assert cli.main(["sops", "runs", "--org", "nope"]) == 1
    assert "no organization 'nope'" in capsys.readouterr().err
    assert cli.main(["sops", "runs", "--date", "tomorrow"]) == 1
    assert "not a date" in capsys.readouterr().err
