"""``recompute``: every stored alignment figure derived from scratch, differences reported
and fixed; ``leados alignment recompute`` on the command line."""

from __future__ import annotations

import datetime
import itertools
import random

import pytest
import time_machine

from leados import cli
from leados.core.models import Level, PeriodKind
from leados.core.periods import period_for
from leados.operate import progress as calc
from leados.operate.models import Goal
from leados.operate.rollup import _read_columns, derive, recompute, status_function
from leados.operate.services.check_ins import check_in_create
from leados.operate.services.goals import goal_archive, goal_create

TODAY = datetime.date(2026, 5, 15)


@pytest.fixture
def tree(world, in_org):
    """strategy → team (rolls up) → two self goals; a metric team goal; an orphan."""
    with in_org():
        quarter = period_for(world.org, TODAY, PeriodKind.QUARTER)

        def make(title, **fields):
            fields.setdefault("period", quarter)
            fields.setdefault("kind", "metric")
            if fields["kind"] == "metric":
                fields.setdefault("start_value", 0)
                fields.setdefault("target_value", 100)
            if "person" not in fields:
                fields.setdefault("unit", world.root)
            return goal_create(
                organization=world.org, actor=world.owner, title=title, today=TODAY, **fields
            )

        top = make("Grow", kind="binary")
        team = make("Sell more", kind="binary", unit=world.sales, parent=top)
        mine = make("My pipeline", person=world.member, parent=team, weight=3)
        yours = make("Your pipeline", person=world.member, parent=team)
        metric = make("Ops cost", unit=world.ops, parent=top)
        orphan = make("Drifting", unit=world.ops)
        check_in_create(goal=mine, author=world.member, value=60, today=TODAY)
        check_in_create(goal=yours, author=world.member, value=20, today=TODAY)
        check_in_create(goal=metric, author=world.admin, value=50, today=TODAY)
        goals = {g.title: g.pk for g in Goal.objects.all()}
    return {
        "top": top.pk,
        "team": team.pk,
        "mine": mine.pk,
        "yours": yours.pk,
        "metric": metric.pk,
        "orphan": orphan.pk,
        "all": goals,
    }


def stored(in_org, pk, *fields):
    with in_org():
        return Goal.objects.filter(pk=pk).values_list(*fields).get()


def test_the_stored_figures_kept_by_the_services_show_no_difference(world, tree):
    result = recompute(world.org, today=TODAY)
    assert result.checked == 6
    assert (result.differed, result.values, result.examples) == (0, 0, [])
    assert result.summary().startswith("checked 6 goals in ")
    assert result.summary().endswith("; 0 differed")


def test_it_reports_every_corrupted_value_and_changes_nothing_on_a_dry_run(world, in_org, tree):
    with in_org():
        Goal.objects.filter(pk=tree["team"]).update(progress=0.99, status="done")
        Goal.objects.filter(pk=tree["mine"]).update(path="/1/2/", depth=7, aligned=False)
        Goal.objects.filter(pk=tree["metric"]).update(rolls_up=True)
    result = recompute(world.org, today=TODAY, fix=False)
    assert result.differed == 3
    assert result.by_field == {
        "path": 1, "depth": 1, "aligned": 1, "rolls_up": 1, "progress": 1, "status": 1,
    }  # fmt: skip
    found = {(d.goal_id, d.field): (d.stored, d.computed) for d in result.examples}
    assert found[(tree["team"], "progress")][0] == 0.99
    assert found[(tree["team"], "progress")][1] == pytest.approx((3 * 0.6 + 0.2) / 4)
    assert found[(tree["mine"], "path")] == (
        "/1/2/",
        f"/{tree['top']}/{tree['team']}/{tree['mine']}/",
    )
    assert found[(tree["mine"], "depth")] == (7, 2)
    assert not result.fixed
    assert stored(in_org, tree["team"], "progress", "status") == (0.99, "done")


def test_it_fixes_the_differences_and_a_second_run_finds_none(world, in_org, tree):
    with in_org():
        good = dict(Goal.objects.values_list("pk", "progress"))
        Goal.objects.filter(pk=tree["team"]).update(progress=0.99, status="done")
        Goal.objects.filter(pk=tree["top"]).update(progress=0.0, rolls_up=False)
        Goal.objects.filter(pk=tree["orphan"]).update(aligned=True)
    result = recompute(world.org, today=TODAY)
    assert result.fixed and result.differed == 3
    with in_org():
        assert dict(Goal.objects.values_list("pk", "progress")) == pytest.approx(good)
        assert Goal.objects.get(pk=tree["top"]).rolls_up is True
        assert Goal.objects.get(pk=tree["orphan"]).aligned is False
        assert Goal.objects.get(pk=tree["team"]).status == "on_track"
    assert recompute(world.org, today=TODAY).differed == 0


def test_a_day_later_only_statuses_move(world, in_org, tree):
    later = datetime.date(2026, 6, 20)  # late in the quarter: the low goals fall behind
    result = recompute(world.org, today=later)
    assert set(result.by_field) == {"status"}
    with in_org():
        assert Goal.objects.get(pk=tree["yours"]).status == "off_track"
    assert recompute(world.org, today=later).differed == 0


def test_an_archived_goal_keeps_its_status_and_leaves_the_roll_up(world, in_org, tree):
    with in_org():
        yours = Goal.objects.get(pk=tree["yours"])
        goal_archive(goal=yours, expected_version=None)
        Goal.objects.filter(pk=tree["yours"]).update(status="at_risk")
        team_progress = Goal.objects.get(pk=tree["team"]).progress
    assert team_progress == pytest.approx(0.6)  # only "mine" counts now
    after_quarter = datetime.date(2026, 8, 1)
    recompute(world.org, today=after_quarter)
    assert stored(in_org, tree["yours"], "status") == ("at_risk",)
    assert stored(in_org, tree["mine"], "status") == ("missed",)


def test_a_loop_of_parents_is_reported_and_left_alone(world, in_org, tree):
    with in_org():
        Goal.objects.filter(pk=tree["top"]).update(parent_id=tree["mine"])
    result = recompute(world.org, today=TODAY)
    assert sorted(result.cycles) == sorted(
        [tree["top"], tree["team"], tree["mine"], tree["yours"], tree["metric"]]
    )
    assert "loop of parents" in result.summary()
    assert stored(in_org, tree["top"], "path") == (f"/{tree['top']}/",)


def test_another_organizations_goals_are_neither_read_nor_changed(world, tree):
    from leados.core.tenancy import org_scope

    with org_scope(world.other_org):
        theirs = goal_create(
            organization=world.other_org,
            actor=world.outsider,
            title="Theirs",
            unit=world.other_unit,
            kind="binary",
            period=period_for(world.other_org, TODAY, PeriodKind.QUARTER),
            today=TODAY,
        )
        Goal.objects.filter(pk=theirs.pk).update(progress=0.5)
    result = recompute(world.org, today=TODAY)
    assert (result.checked, result.differed) == (6, 0)
    with org_scope(world.other_org):
        assert Goal.objects.get(pk=theirs.pk).progress == 0.5
    assert recompute(world.other_org, today=TODAY).differed == 1


def test_the_fast_status_gives_the_same_answer_as_the_reference():
    today = datetime.date(2026, 5, 15)
    day = datetime.timedelta(days=1)
    windows = [
        (None, None),
        (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
        (datetime.date(2026, 5, 10), datetime.date(2026, 6, 30)),
        (datetime.date(2026, 5, 16), datetime.date(2026, 6, 30)),
        (datetime.date(2026, 1, 1), datetime.date(2026, 5, 15)),
        (datetime.date(2026, 1, 1), today - day),
        (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
    ]
    fast = status_function(today)
    progresses = [0.0, 0.1, 0.2, 0.35, 0.5, 0.52, 0.6, 0.9, 0.9995, 1.0]
    for (start, end), progress, kind, rolls_up, confidence in itertools.product(
        windows,
        progresses,
        ["metric", "binary", "milestones"],
        [False, True],
        [None, 2, 3, 5, 6, 9],
    ):
        expected = calc.status_of(
            progress=progress,
            kind=kind,
            rolls_up=rolls_up,
            window=calc.Window(start, end),
            today=today,
            confidence=confidence,
        )
        assert fast(progress, kind, rolls_up, start, end, confidence) == expected


@time_machine.travel(datetime.datetime(2026, 5, 15, 12, tzinfo=datetime.UTC), tick=False)
def test_the_command_reports_differences_and_exits_1_with_check(world, in_org, tree, capsys):
    with in_org():
        Goal.objects.filter(pk=tree["team"]).update(status="done")
    code = cli.main(["alignment", "recompute", "--org", "acme", "--dry-run", "--check"])
    out = capsys.readouterr().out
    assert code == 1
    assert "acme: checked 6 goals in " in out and "1 differed (status 1)" in out
    assert f"goal {tree['team']} status: stored 'done'" in out
    assert stored(in_org, tree["team"], "status") == ("done",)

    assert cli.main(["alignment", "recompute", "--org", "acme"]) == 0
    assert "fixed" in capsys.readouterr().out
    assert stored(in_org, tree["team"], "status") != ("done",)
    assert cli.main(["alignment", "recompute", "--check"]) == 0
    out = capsys.readouterr().out
    assert "acme: checked 6 goals" in out and "globex: checked 0 goals" in out


def test_the_command_refuses_an_unknown_organization(world, capsys):
    assert cli.main(["alignment", "recompute", "--org", "nope"]) == 1
    assert "no organization 'nope'" in capsys.readouterr().err


def test_self_goals_at_level_self_align_through_their_parent(world, in_org, tree):
    with in_org():
        mine = Goal.objects.get(pk=tree["mine"])
    assert mine.level == Level.SELF and mine.aligned is True and mine.depth == 2


def _reference(*, ids, parents, levels, kinds, weights, own, confidence, starts, ends, live, today):
    """The figures goal by goal, straight from ``progress``: the chain of parents walked up,
    the roll-up recursed down."""
    index = {pk: i for i, pk in enumerate(ids)}
    kids = {i: [] for i in range(len(ids))}
    for i, parent in enumerate(parents):
        if parent in index and live[i]:
            kids[index[parent]].append(i)

    def chain(i):
        seen = [i]
        while parents[seen[-1]] in index:
            j = index[parents[seen[-1]]]
            if j in seen:
                return None
            seen.append(j)
        return seen[::-1]

    def progress(i):
        rolls = bool(kids[i]) and kinds[i] != "metric"
        if not rolls:
            return False, own[i]
        return True, calc.rolled_up([(weights[k], progress(k)[1]) for k in kids[i]])

    figures = []
    for i in range(len(ids)):
        up = chain(i)
        if up is None:
            figures.append(None)
            continue
        rolls, value = progress(i)
        status = None
        if live[i]:
            status = calc.status_of(
                progress=value,
                kind=kinds[i],
                rolls_up=rolls,
                window=calc.Window(starts[i], ends[i]),
                today=today,
                confidence=confidence[i],
            )
        path = "/" + "".join(f"{ids[j]}/" for j in up)
        figures.append((path, len(up) - 1, levels[up[0]] == "strategy", rolls, value, status))
    return figures


def test_derive_gives_the_figures_of_the_reference_arithmetic_on_random_forests():
    rng = random.Random(7)
    day = datetime.timedelta(days=1)
    windows = [
        (None, None),
        (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
        (datetime.date(2026, 1, 1), TODAY - day),
        (TODAY + day, datetime.date(2026, 6, 30)),
        (datetime.date(2026, 5, 1), None),
        (None, datetime.date(2026, 5, 20)),
    ]
    loops = 0
    for _ in range(60):
        n = rng.randint(0, 120)
        ids = rng.sample(range(1, 10_000), n)
        parents = [
            None if i == 0 or rng.random() < 0.15
            else rng.choice(ids) if rng.random() < 0.05  # may close a loop
            else ids[rng.randrange(i)]
            for i in range(n)
        ]  # fmt: skip
        chosen = [rng.choice(windows) for _ in ids]
        facts = {
            "ids": ids,
            "parents": parents,
            "levels": [rng.choice(["strategy", "functional_team", "self"]) for _ in ids],
            "kinds": [rng.choice(["metric", "binary", "milestones"]) for _ in ids],
            "weights": [rng.choice([0, 0, 1, 1, 3]) for _ in ids],
            "own": [rng.choice([0.0, 0.3, 0.5, 0.9995, 1.0, rng.random()]) for _ in ids],
            "confidence": [rng.choice([None, 0, 3, 5, 6, 9]) for _ in ids],
            "starts": [start for start, _ in chosen],
            "ends": [end for _, end in chosen],
            "live": [rng.random() > 0.1 for _ in ids],
            "today": TODAY,
        }
        derived = derive(**facts)
        expected = _reference(**facts)
        loops += bool(derived.cycles)
        assert sorted(derived.cycles) == sorted(
            pk for pk, figures in zip(ids, expected, strict=True) if figures is None
        )
        for i, figures in enumerate(expected):
            got = (
                derived.path[i], derived.depth[i], derived.aligned[i],
                derived.rolls_up[i], derived.progress[i], derived.status[i],
            )  # fmt: skip
            if figures is None:
                assert got == (None,) * 6
            else:
                assert got[:4] == figures[:4] and got[5] == figures[5]
                assert got[4] == pytest.approx(figures[4], rel=1e-12, abs=1e-12)
    assert loops  # the forests did include loops of parents


def test_the_read_carries_fractions_and_dates_exactly(world, in_org, tree):
    awkward = [1 / 3, 0.9995, 2**-60, 1e-15, 0.1 + 0.2, 1.0 - 2**-53, 0.0, 1.0]
    pks = sorted(tree["all"].values())
    with in_org():
        for pk, own, value in zip(pks, awkward, reversed(awkward), strict=False):
            Goal.objects.filter(pk=pk).update(own_progress=own, progress=value)
        Goal.objects.filter(pk=tree["mine"]).update(
            start_date=datetime.date(2026, 4, 20), due_date=datetime.date(2026, 6, 1)
        )
        columns = _read_columns(
            world.org, ("id", "own_progress", "progress", "start", "due"), using="default"
        )
        stored = {
            pk: (own, progress, start, due)
            for pk, own, progress, start, due in Goal.objects.values_list(
                "id", "own_progress", "progress", "start_date", "due_date"
            )
        }
    assert sorted(columns["id"].tolist()) == pks
    for i, pk in enumerate(columns["id"].tolist()):
        own, progress, start, due = stored[pk]
        assert columns["own_progress"][i] == own and columns["progress"][i] == progress
        assert columns["start"][i] == (start.toordinal() if start else 0)
        assert columns["due"][i] == (due.toordinal() if due else 0)


def test_the_read_unpacks_small_numbers_at_their_limits(world, in_org, tree):
    """Weight, confidence, depth and flags share one number, and so do the two dates: each
    comes back as stored at the ends of its range, next to its neighbours' extremes."""
    with in_org():
        Goal.objects.filter(pk=tree["mine"]).update(
            weight=32767, confidence=None, depth=32767, status="missed",
            start_date=datetime.date(1, 1, 1), due_date=datetime.date(9999, 12, 31),
        )  # fmt: skip
        Goal.objects.filter(pk=tree["yours"]).update(
            weight=0, confidence=32767, depth=0, start_date=None,
            due_date=datetime.date(2026, 6, 1),
        )  # fmt: skip
        columns = _read_columns(
            world.org,
            ("id", "weight", "confidence", "depth", "flags", "start", "due"),
            using="default",
        )
        stored = {
            row[0]: row[1:]
            for row in Goal.objects.values_list(
                "id", "weight", "confidence", "depth", "status", "archived_at",
                "start_date", "due_date",
            )
        }  # fmt: skip
    assert sorted(columns["id"].tolist()) == sorted(stored)
    statuses = ("on_track", "at_risk", "off_track", "done", "missed")
    for i, pk in enumerate(columns["id"].tolist()):
        weight, confidence, depth, status, archived_at, start, due = stored[pk]
        flags = int(columns["flags"][i])
        assert columns["weight"][i] == weight
        assert columns["confidence"][i] == (-1 if confidence is None else confidence)
        assert columns["depth"][i] == depth
        assert statuses[flags >> 6] == status and bool(flags & 4) == (archived_at is None)
        assert columns["start"][i] == (start.toordinal() if start else 0)
        assert columns["due"][i] == (due.toordinal() if due else 0)


def test_a_path_broken_with_a_comma_is_found_and_fixed(world, in_org, tree):
    with in_org():
        Goal.objects.filter(pk=tree["yours"]).update(path="/1,2/")
    result = recompute(world.org, today=TODAY)
    assert (result.differed, result.by_field) == (1, {"path": 1})
    assert result.examples[0].stored == "/1,2/"
    expected = f"/{tree['top']}/{tree['team']}/{tree['yours']}/"
    assert stored(in_org, tree["yours"], "path") == (expected,)
    assert recompute(world.org, today=TODAY).differed == 0
