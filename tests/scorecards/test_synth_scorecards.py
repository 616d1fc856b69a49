"""``leados synth --measurables``: measurables with weekly values and unit scorecards."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from leados import cli
from leados.core.synth import synth_create
from leados.core.tenancy import org_scope
from leados.operate.models import Measurable, MeasurableValue, Scorecard
from leados.operate.selectors.scorecards import grid, scorecard_measurables


def test_a_small_synth_has_families_values_and_scorecards_the_grid_reads(db):
    result = synth_create(slug="syn", people=400, measurables=600, weeks=12, seed=2)
    s = result.scorecards
    with org_scope(result.organization):
        assert s.measurables == Measurable.objects.count() >= 590
        assert s.values == MeasurableValue.objects.count()
        parent = Measurable.objects.annotate(kids=Count("children")).order_by("-kids").first()
        assert parent.children.count() == s.family_units >= 40
        assert not parent.values.exists()
        leaf = Measurable.objects.filter(parent__isnull=False).first()
        assert leaf.values.count() == 12
        card = Scorecard.objects.annotate(n=Count("items")).order_by("-n").first()
        rows = scorecard_measurables(card)
        assert 0 < len(rows) <= 20
        sections = grid(result.organization, rows, timezone.localdate())
        assert any(cell for r in sections[0].rows for _, cell in r.cells)


def test_the_command_reports_the_scorecards(db, capsys):
    assert (
        cli.main(
            ["synth", "--org", "tiny", "--people", "60", "--measurables", "100", "--weeks", "4"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Scorecards:" in out and "weekly values" in out
