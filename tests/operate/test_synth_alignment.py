"""``leados synth`` with goals and commitments: a believable cascade whose stored
figures ``recompute`` finds correct."""

from __future__ import annotations

from django.db.models import Count

from leados import cli
from leados.core.models import Organization
from leados.core.synth import synth_create
from leados.core.tenancy import org_scope
from leados.operate.models import CheckIn, Commitment, Goal, GoalLink, Milestone
from leados.operate.rollup import recompute


def test_a_small_synth_has_a_full_cascade_with_correct_stored_figures(db):
    result = synth_create(slug="syn", people=120, goals=1500, commitments=600, seed=3)
    org = result.organization
    alignment = result.alignment
    assert (alignment.goals, alignment.commitments) == (1500, 600)
    assert alignment.max_depth == 9
    with org_scope(org):
        assert Goal.objects.count() == 1500
        levels = dict(Goal.objects.values_list("level").annotate(n=Count("id")))
        assert set(levels) == {"strategy", "functional_team", "process", "project", "self"}
        assert Goal.objects.filter(level="self").values("person").distinct().count() == 120
        assert Goal.objects.orphans().exists()
        assert Goal.objects.filter(rolls_up=True).exists()
        assert Goal.objects.order_by("-depth").first().depth == 9
        assert CheckIn.objects.count() == alignment.check_ins > 1500
        assert Milestone.objects.exists() and GoalLink.objects.count() == alignment.links >= 3
        states = set(Commitment.objects.values_list("state", flat=True))
        assert states == {"proposed", "accepted", "in_progress", "at_risk", "evaluated", "closed"}
        assert Commitment.objects.values("owner").distinct().count() > 100
    check = recompute(org)
    assert (check.checked, check.differed, check.cycles) == (1500, 0, [])


def test_the_command_takes_the_sizes(db, capsys):
    assert cli.main(["synth", "--org", "tiny", "--people", "30", "--goals", "200",
                     "--commitments", "50"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "Alignment: 200 goals" in out and "50 commitments" in out
    assert cli.main(["alignment", "recompute", "--org", "tiny", "--check"]) == 0
    assert "0 differed" in capsys.readouterr().out


def test_a_negative_size_is_refused(db, capsys):
    assert cli.main(["synth", "--org", "bad", "--people", "3", "--goals", "-1"]) == 1
    assert "goals" in capsys.readouterr().err
    assert not Organization.objects.filter(slug="bad").exists()
