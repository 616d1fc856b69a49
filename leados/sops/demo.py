"""Larkspur's leadership routines: the demo part added by the SOPs app.

Every leader (whoever leads or manages a unit) has four to ten routines across the three
domains, most adopted from the built-in library and a few of their own, each at a time of
day that suits it. Twelve weeks of runs are made the way the worker makes them: the
generation (``runs_generate``) is run for each week in turn, dated that week, and the
runs are settled before the next week's generation closes what was left as missed. Most
are done (on the day, sometimes a day or two late, steps ticked with their evidence and
the minutes spent), a few are skipped with a reason (a holiday week, a sick day) and some
are missed, so streaks and lapses show. The last week is completed through
``run_complete`` and ``run_skip``; older weeks are settled in bulk with the same fields
and their history.

Three improvement ideas tell the continuous-improvement story: one accepted a month ago
(the routine's version 2, used by every run since), one waiting for its owner, one
declined. Every leader checks in their leading-vs-doing split each week, near their
level's target; Hannah Lindqvist, the roastery manager, is pulled onto the roaster while
the second roaster is installed: her leading share falls well below target for the last
five weeks and her routines lapse with it (she shares the drift with her manager).

One seeded random generator makes the same routines and the same weeks every time for
the same day. Dates are counted back from the earlier of ``build.today`` and the
organization's own today, so that no run is completed in the future.
"""

from __future__ import annotations

import datetime
import random
import secrets
from dataclasses import dataclass

SEED = 5
WEEKS = 12
SERVICE_WEEKS = 1  # the most recent weeks are settled through the services
DRIFTER = "roast_mgr"
DRIFT_WEEKS = 5
LEVEL_RANK = {"strategy": 0, "functional_team": 1, "process": 2, "project": 3}

# Library routines every leader tends to start with, then the rest by level; a leader
# takes 4 to 10 in all, at least one in each domain.
CORE = ["weekly-one-on-one", "weekly-planning", "weekly-recognition", "weekly-leading-vs-doing"]
AT_LEVEL = {
    "strategy": [
        "weekly-scorecard-review", "quarterly-strategy-review", "monthly-skip-level-conversations",
        "monthly-alignment-review", "monthly-budget-review", "weekly-stakeholder-contacts",
        "monthly-mentoring", "quarterly-culture-check", "monthly-feedback-practice",
    ],
    "functional_team": [
        "weekly-scorecard-review", "weekly-accountability-loop", "monthly-skip-level-conversations",
        "monthly-budget-review", "weekly-stakeholder-contacts", "monthly-listening-walk",
        "biweekly-team-experiment", "monthly-knowledge-share", "monthly-development-priorities",
        "weekly-goal-check-in", "monthly-peer-unit-sync",
    ],
    "process": [
        "weekly-accountability-loop", "daily-accountability-check", "monthly-process-walk",
        "weekly-goal-check-in", "biweekly-team-experiment", "monthly-knowledge-share",
        "monthly-roles-check", "monthly-development-priorities", "weekly-stakeholder-contacts",
    ],
    "project": [
        "weekly-accountability-loop", "biweekly-retrospective", "biweekly-project-method-check",
        "weekly-goal-check-in", "weekly-stakeholder-contacts", "monthly-peer-unit-sync",
    ],
}  # fmt: skip
# When in the day a routine is done (hour, minute); others get a seeded slot.
TIMES = {
    "weekly-one-on-one": (10, 0),
    "weekly-planning": (15, 30),
    "weekly-recognition": (16, 0),
    "weekly-leading-vs-doing": (16, 45),
    "weekly-scorecard-review": (9, 0),
    "weekly-accountability-loop": (11, 0),
    "daily-accountability-check": (8, 45),
    "weekly-goal-check-in": (9, 30),
    "weekly-stakeholder-contacts": (14, 0),
    "monthly-skip-level-conversations": (13, 30),
    "quarterly-strategy-review": (9, 0),
}
SLOTS = [(8, 30), (9, 0), (10, 30), (11, 30), (13, 0), (14, 30), (15, 0), (16, 0)]


@dataclass(frozen=True)
class Own:
    """A routine a leader wrote themselves."""

    leader: str
    title: str
    purpose: str
    dimension: str
    rrule: str
    at: tuple[int, int]
    minutes: int
    steps: tuple[str | tuple[str, str, str], ...]  # text, or (text, link, evidence)


OWN = [
    Own("roast_mgr", "Monday roast plan huddle",
        "Ten minutes with the roasters so the week's plan is everyone's plan, not mine.",
        "planning", "FREQ=WEEKLY;BYDAY=MO", (7, 30), 15,
        ("Walk through the week's roast plan and open orders",
         "Ask each roaster what could stop the plan",
         ("Agree who covers which shift", "", "Shift cover written on the board"),
         "Say one thing we learned from last week's cupping")),
    Own("cafe_dir", "Café visit rota",
        "Each café sees me every week at a different time of day, not only when something breaks.",
        "stakeholder_engagement", "FREQ=WEEKLY;BYDAY=WE", (7, 0), 90,
        ("Pick this week's café and shift (rotate open, midday, close)",
         "Work the bar for half an hour and listen",
         ("Note three things guests or baristas raised", "", "Notes in the café log"),
         "Follow up one of them within the week")),
    Own("sales_dir", "Key account pipeline review",
        "The ten largest accounts and the deals that matter, seen each week before they slip.",
        "accountability", "FREQ=WEEKLY;BYDAY=TH", (8, 30), 45,
        ("Open the wholesale scorecard", "Check each key account's orders against plan",
         ("Agree next steps on stuck deals with their owners", "",
          "Next steps in the CRM with owners and dates"))),
    Own("controller", "Close readiness check",
        "No surprises on day five: what the close needs is known on the last day of the month.",
        "planning", "FREQ=MONTHLY;BYMONTHDAY=-1", (14, 0), 30,
        ("Check open purchase orders and accruals", "Confirm stock count times with the warehouse",
         "Send the close calendar to the team")),
    Own("qc_lead", "Cupping calibration with the roasters",
        "Roasters and graders score the same cups the same way.",
        "master", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", (11, 0), 60,
        ("Blind-cup three roasts with the roasters", "Compare scores and talk through gaps",
         ("Record the calibration result", "", "Scores in the QC sheet"))),
    Own("vp_people", "New-starter 30-day check",
        "Everyone who started last month gets asked how it is really going.",
        "knowledge_capabilities", "FREQ=MONTHLY;BYDAY=1TU", (10, 0), 45,
        ("List last month's starters", "Fifteen minutes with each: what is hard, what is missing",
         "Pass what they need to their manager")),
    Own("ceo", "Leadership team pulse",
        "Once a month the leadership team says how we are working together, and one thing "
        "changes.", "culture", "FREQ=MONTHLY;BYDAY=-1FR", (15, 0), 30,
        ("Send the three-question pulse on Wednesday", "Read the answers before the meeting",
         ("Agree one change and who owns it", "", "The change and its owner in the minutes"))),
    Own("ops_mgr", "Warehouse floor walk",
        "See the work where it happens, before the morning dispatch.",
        "explore", "FREQ=WEEKLY;BYDAY=TH", (7, 0), 30,
        ("Walk picking, packing and dispatch", "Ask one person what slowed them down this week",
         "Note one thing to fix")),
]  # fmt: skip

SKIP_REASONS = [
    "Off sick.",
    "Covered a shift on the floor.",
    "Trade fair in Hamburg all week.",
    "Moved to next week: the team was at the producer visit.",
    "Public holiday.",
]
HOLIDAY = "On holiday."
EVIDENCE = [
    "Notes in the shared folder.",
    "Written up in the team channel.",
    "In the meeting notes.",
    "Logged, see the team board.",
]
RUN_NOTES = [
    "Good conversation; two follow-ups agreed.",
    "Short this time, but done.",
    "Found a gap in the hand-over; fixing it with the team.",
    "The team raised the same point as last week.",
]
DRIFT_NOTES = [
    "Two roasting shifts myself; Aisha on leave.",
    "Commissioning the new roaster took most of the week.",
    "Ran production again; no time for the team.",
    "Roasted for three days to catch up the backlog.",
    "Still on the roaster most days.",
]


def _leaders(build) -> list[tuple[str, object, object, str]]:
    """(key, person, main unit, level) of everyone who leads or manages a unit, by their
    highest level."""
    from leados.core.models import RoleAssignment, UnitRole

    key_of = {person.pk: key for key, person in build.people.items()}
    best: dict[int, tuple[int, object]] = {}
    roles = RoleAssignment.objects.filter(role__in=[UnitRole.LEAD, UnitRole.MANAGE]).select_related(
        "unit", "person"
    )
    for ra in roles.order_by("pk"):
        if ra.person_id not in key_of or not ra.person.is_active:
            continue
        rank = LEVEL_RANK.get(ra.unit.level, 9) * 2 + (ra.role != UnitRole.LEAD)
        if ra.person_id not in best or rank < best[ra.person_id][0]:
            best[ra.person_id] = (rank, ra.unit)
    out = []
    for key, person in build.people.items():
        if person.pk in best:
            unit = best[person.pk][1]
            out.append((key, person, unit, unit.level))
    return out


def _choose(level: str, own: int, rng: random.Random) -> list[str]:
    """Library slugs for a leader: the core ones and some of their level's, covering the
    three domains, 4 to 10 routines with their ``own``."""
    from leados.sops.library import template_by_slug

    total = rng.randint(5, 9) if level in ("strategy", "functional_team") else rng.randint(4, 8)
    total = max(total - own, 3)
    core = [slug for slug in CORE if rng.random() < 0.8]
    extra = [slug for slug in AT_LEVEL[level] if slug not in core]
    rng.shuffle(extra)
    chosen = (core + extra)[:total]
    domains = {template_by_slug(slug).domain for slug in chosen}
    for domain in ("structure", "operate", "perfect"):
        if domain not in domains:
            pick = next(s for s in extra + CORE if template_by_slug(s).domain == domain)
            chosen[-1 if len(chosen) >= total else len(chosen) :] = [pick]
            domains = {template_by_slug(slug).domain for slug in chosen}
    return chosen


def _when(slug: str, rng: random.Random) -> datetime.time:
    hour, minute = TIMES.get(slug) or rng.choice(SLOTS)
    return datetime.time(hour, minute)


def _rrule(slug: str, rule: str, rng: random.Random) -> str:
    """The template's cadence, moved to another weekday for some one-on-ones and loops."""
    if slug in ("weekly-one-on-one", "weekly-accountability-loop") and rng.random() < 0.5:
        return f"FREQ=WEEKLY;BYDAY={rng.choice(['TU', 'WE', 'TH'])}"
    return rule


def _create_sops(build, leaders, starts_on, rng) -> dict[str, list]:
    from leados.sops.models import DOMAIN_OF, Visibility
    from leados.sops.services.sops import sop_create
    from leados.sops.services.templates import template_content

    org = build.organization
    made: dict[str, list] = {}
    own_of: dict[str, list[Own]] = {}
    for own in OWN:
        own_of.setdefault(own.leader, []).append(own)
    for key, person, unit, level in leaders:
        made[key] = []
        visibility = rng.choice([Visibility.UNIT, Visibility.UNIT, Visibility.ORGANIZATION])
        slugs = _choose(level, len(own_of.get(key, [])), rng)
        if key == "ceo" and "weekly-scorecard-review" not in slugs:
            slugs[0] = "weekly-scorecard-review"  # the routine that gets version 2
        for slug in slugs:
            content = template_content(slug, org)
            made[key].append(
                sop_create(
                    organization=org,
                    owner=person,
                    made_by=person,
                    title=content["title"],
                    purpose=content["purpose"],
                    domain=content["domain"],
                    dimension=content["dimension"],
                    levels=[level] if level in content["levels"] else content["levels"],
                    rrule=_rrule(slug, content["rrule"], rng),
                    starts_on=starts_on,
                    time_of_day=_when(slug, rng),
                    duration_minutes=content["duration_minutes"],
                    steps=content["steps"],
                    unit=unit,
                    visibility=visibility,
                    template_slug=slug,
                )
            )
        for own in own_of.get(key, []):
            made[key].append(
                sop_create(
                    organization=org,
                    owner=person,
                    made_by=person,
                    title=own.title,
                    purpose=own.purpose,
                    domain=DOMAIN_OF[own.dimension],
                    dimension=own.dimension,
                    levels=[level],
                    rrule=own.rrule,
                    starts_on=starts_on,
                    time_of_day=datetime.time(*own.at),
                    duration_minutes=own.minutes,
                    steps=[_step(s) for s in own.steps],
                    unit=unit,
                    visibility=Visibility.UNIT,
                )
            )
    return made


def _step(step) -> dict:
    if isinstance(step, str):
        return {"text": step}
    return dict(zip(("text", "link", "evidence"), step, strict=True))


@dataclass
class Outcome:
    state: str  # done, skipped, or due (left open: missed once its window closes)
    completed_on: datetime.date | None = None
    steps_done: list | None = None
    step_notes: list | None = None
    minutes: int | None = None
    note: str = ""
    reason: str = ""


class _Weeks:
    """Who does what in which week: each leader's reliability, a holiday week for some,
    the drifter's last weeks."""

    def __init__(self, leaders, today: datetime.date, start: datetime.date, rng: random.Random):
        self.rng, self.today, self.start = rng, today, start
        self.reliability = {key: rng.uniform(0.78, 0.97) for key, *_ in leaders}
        self.holiday = {
            key: rng.randint(1, WEEKS - 3) for key, *_ in leaders if rng.random() < 0.55
        }
        self.drift_from = today - datetime.timedelta(weeks=DRIFT_WEEKS)

    def week_of(self, day: datetime.date) -> int:
        return (day - self.start).days // 7

    def outcome(self, key: str, run, version) -> Outcome:
        rng, today = self.rng, self.today
        if self.holiday.get(key) == self.week_of(run.due_on):
            return Outcome("skipped", reason=HOLIDAY)
        reliable = self.reliability[key]
        if key == DRIFTER and run.due_on >= self.drift_from:
            reliable = 0.35
        still_open = run.window_ends_on >= today
        roll = rng.random()
        if roll > reliable:
            if rng.random() < 0.3 and not still_open:
                return Outcome("skipped", reason=rng.choice(SKIP_REASONS))
            return Outcome("due")  # not done: missed once the window closes
        late = 0
        if rng.random() < 0.22:
            late = rng.choice([1, 1, 1, 2, 2, 3, 5])
        completed = min(run.due_on + datetime.timedelta(days=late), run.window_ends_on, today)
        if still_open and completed == today and rng.random() < 0.5:
            return Outcome("due")  # still to do this week
        steps = version.steps
        ticked = [True] * len(steps)
        if steps and rng.random() < 0.15:
            ticked[rng.randrange(len(steps))] = False
        notes = [
            rng.choice(EVIDENCE) if done and step.get("evidence") else ""
            for step, done in zip(steps, ticked, strict=True)
        ]
        minutes = max(5, round(version.duration_minutes * rng.uniform(0.7, 1.35) / 5) * 5)
        note = rng.choice(RUN_NOTES) if rng.random() < 0.12 else ""
        return Outcome("done", completed, ticked, notes, minutes, note)


def _closed_at(day: datetime.date, at: datetime.time | None, tz) -> datetime.datetime:
    moment = datetime.datetime.combine(day, at or datetime.time(12, 0), tzinfo=tz)
    return moment + datetime.timedelta(minutes=40)


def _settle_in_bulk(pairs: list, tz) -> None:
    """Close runs as their services would (same fields, a new version, their history)."""
    from leados.core.history import diff, history_record_many, snapshot
    from leados.sops.models import SopRun

    changed, befores = [], []
    for run, outcome in pairs:
        if outcome.state == "due":
            continue
        befores.append(snapshot(run))
        if outcome.state == "done":
            run.state = "done"
            run.completed_on = outcome.completed_on
            run.steps_done = outcome.steps_done
            run.step_notes = outcome.step_notes
            run.minutes_spent = outcome.minutes
            run.note = outcome.note
            run.closed_at = _closed_at(outcome.completed_on, run.sop.time_of_day, tz)
        else:
            run.state = "skipped"
            run.skip_reason = outcome.reason
            run.closed_at = _closed_at(run.due_on, datetime.time(8, 0), tz)
        run.version += 1
        changed.append(run)
    _update_rows(SopRun, changed, SETTLED_FIELDS)
    history_record_many(
        changed,
        action="update",
        changes=[diff(b, snapshot(r)) for b, r in zip(befores, changed, strict=True)],
    )


SETTLED_FIELDS = (
    "state", "completed_on", "steps_done", "step_notes", "minutes_spent", "note", "skip_reason",
    "closed_at", "version",
)  # fmt: skip


def _update_rows(model, objs: list, names) -> None:
    """Write ``names`` of each object with one prepared UPDATE run for all of them (the
    ORM's ``bulk_update`` builds a CASE per field and row, far slower here)."""
    from django.db import connection

    if not objs:
        return
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE id = %s"  # noqa: S608
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields]
        + [obj.pk]
        for obj in objs
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _settle_through_services(pairs: list) -> None:
    from leados.sops.services.runs import run_complete, run_skip

    for run, outcome in pairs:
        if outcome.state == "done":
            run_complete(
                run=run,
                expected_version=run.version,
                completed_on=outcome.completed_on,
                steps_done=outcome.steps_done,
                step_notes=outcome.step_notes,
                minutes_spent=outcome.minutes,
                note=outcome.note,
            )
        elif outcome.state == "skipped":
            run_skip(run=run, expected_version=run.version, reason=outcome.reason)


def _at(day: datetime.date, hour: int, tz) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=tz)


def _ideas(build, made, week_start: datetime.date, week: int, tz, state: dict) -> None:
    """Improvement ideas: the CEO accepts one in week 7 (version 2 from then on), the
    roastery manager leaves one waiting, the café director declines one."""
    from leados.sops.models import ImprovementIdea, SopRun, SopVersion
    from leados.sops.services.ideas import idea_accept, idea_decline, idea_propose

    people = build.people

    def by_title(key, title_part):
        return next((s for s in made.get(key, []) if title_part in s.title), None)

    def backdate(idea, proposed_on, decided_on=None):
        fields = {"created_at": _at(proposed_on, 17, tz)}
        if decided_on is not None:
            fields["decided_at"] = _at(decided_on, 9, tz)
        ImprovementIdea.objects.filter(pk=idea.pk).update(**fields)

    if week == 6:
        sop = by_title("ceo", "scorecard")
        run = SopRun.objects.filter(sop=sop, state="done").order_by("-due_on").first()
        if sop is not None:
            steps = list(sop.steps) + [
                {
                    "text": "Look at each red number's last six weeks, not only this week's "
                    "colour, before deciding to act",
                    "link": "",
                    "evidence": "",
                }
            ]
            state["accepted"] = idea_propose(
                sop=sop,
                proposed_by=people["coo"],
                summary="Several reds were one-week blips; read the trend before we act, "
                "so we stop chasing noise.",
                proposal={"steps": steps, "duration_minutes": sop.duration_minutes + 10},
                run=run,
            )
            backdate(state["accepted"], week_start + datetime.timedelta(days=1))
    if week == 7 and state.get("accepted") is not None:
        idea = idea_accept(
            idea=state["accepted"],
            decided_by=people["ceo"],
            note="Agreed: trend first. Try it for a month.",
        )
        backdate(idea, week_start - datetime.timedelta(days=6), week_start)
        SopVersion.objects.filter(idea=idea).update(created_at=_at(week_start, 9, tz))
    if week == 9:
        sop = by_title("cafe_dir", "Café visit rota")
        if sop is not None:
            idea = idea_propose(
                sop=sop,
                proposed_by=people["trainer"],
                summary="Add a latte-art check to each visit so standards stay the same "
                "in all three cafés.",
                proposal={"duration_minutes": sop.duration_minutes + 30},
            )
            idea = idea_decline(
                idea=idea,
                decided_by=people["cafe_dir"],
                reason="Good point, but the visit is for listening; Hugo's monthly training "
                "covers latte art.",
            )
            backdate(idea, week_start, week_start + datetime.timedelta(days=2))
    if week == WEEKS - 1:
        sop = by_title(DRIFTER, "roast plan huddle")
        if sop is not None:
            steps = [
                {"text": "Start with last week's defects from the cupping log", "link": "",
                 "evidence": ""},
                *sop.steps,
            ]  # fmt: skip
            idea = idea_propose(
                sop=sop,
                proposed_by=people["roaster1"],
                summary="Start the huddle with last week's defects: the plan makes more "
                "sense when we know what went wrong.",
                proposal={"steps": steps},
            )
            backdate(idea, week_start + datetime.timedelta(days=2))


def _shares(target: int, leading: int, rng: random.Random) -> dict:
    leading = max(5, min(95, leading))
    weights = [0.34 + rng.uniform(-0.08, 0.08), 0.44 + rng.uniform(-0.08, 0.08)]
    structure = round(leading * weights[0])
    operate = round(leading * weights[1])
    perfect = leading - structure - operate
    doing = round((100 - leading) * rng.uniform(0.6, 0.85))
    return {
        "structure": structure,
        "operate": operate,
        "perfect": perfect,
        "doing": doing,
        "other": 100 - leading - doing,
    }


def _checkins(build, leaders, today, rng) -> None:
    """Twelve weeks of leading-vs-doing check-ins for every leader (this week's too for
    most), near their level's target; the drifter's leading share falls away."""
    from leados.core.history import history_record_many
    from leados.sops.models import TimeCheckin
    from leados.sops.services.time_checkins import week_start_of

    targets = build.organization.leading_target()
    rows = []
    for key, person, _unit, level in leaders:
        target = targets.get(level, 60)
        bias = rng.uniform(-3, 4)
        this_week = week_start_of(person, today)
        weeks = [this_week - datetime.timedelta(weeks=n) for n in range(WEEKS, 0, -1)]
        if rng.random() < 0.6 or key == DRIFTER:
            weeks.append(this_week)
        for week in weeks:
            ago = (this_week - week).days // 7
            note = ""
            if key == DRIFTER and ago < DRIFT_WEEKS:
                leading = round(target - 24 - (DRIFT_WEEKS - ago) * 2 + rng.uniform(-3, 3))
                shares = _shares(target, leading, rng)
                shares["doing"] += shares["other"] - 3
                shares["other"] = 3
                note = DRIFT_NOTES[ago % len(DRIFT_NOTES)]
            else:
                leading = round(target + bias + rng.gauss(0, 4))
                if week == weeks[-1]:
                    # Near target on the whole: no one but the drifter is below it three
                    # weeks running now.
                    leading = max(leading, target + rng.randint(0, 4))
                shares = _shares(target, leading, rng)
            rows.append(
                TimeCheckin(
                    organization_id=person.organization_id,
                    person=person,
                    week_start=week,
                    note=note,
                    **{f"{name}_pct": value for name, value in shares.items()},
                )
            )
    for row in rows:
        row.clean()  # the shares add up to 100
    TimeCheckin.objects.bulk_create(rows, batch_size=500)
    history_record_many(rows, action="create")


def _preferences(build, leaders) -> None:
    """Prompts for the leaders: the weekly digest for most, daily for a few; the owner
    has a calendar feed; the drifter shares a drift with their manager, the café director
    with the coach."""
    from leados.core.history import history_record_many
    from leados.sops.models import DigestFrequency, DriftShare, SopPreferences

    rows = []
    for n, (key, person, _unit, _level) in enumerate(leaders):
        prefs = SopPreferences(organization_id=person.organization_id, person=person)
        if n % 5 == 2:
            prefs.digest = DigestFrequency.DAILY
        if n % 7 == 4:
            prefs.remind_minutes_before = 15
        if key == "ceo":
            # A real secret: the feed's address must not be guessable from the seed.
            prefs.calendar_token = secrets.token_urlsafe(32)
        if key == DRIFTER:
            prefs.drift_share = DriftShare.MANAGER
        if key == "cafe_dir" and "coach" in build.people:
            prefs.drift_share = DriftShare.COACH
            prefs.coach = build.people["coach"]
        rows.append(prefs)
    SopPreferences.objects.bulk_create(rows)
    history_record_many(rows, action="create")


def demo_sops(build) -> None:
    """Routines for every leader with twelve weeks of runs, ideas, check-ins, prompts."""
    import zoneinfo

    from leados.core.periods import organization_today
    from leados.sops.models import RunState, SopRun
    from leados.sops.services.runs import runs_generate

    org = build.organization
    tz = zoneinfo.ZoneInfo(org.time_zone)
    today = min(build.today, organization_today(org))
    start = today - datetime.timedelta(weeks=WEEKS)
    rng = random.Random(SEED)  # noqa: S311 (demo data, not secrets)
    leaders = _leaders(build)
    made = _create_sops(build, leaders, start, rng)
    key_of = {person.pk: key for key, person, _u, _l in leaders}
    weeks = _Weeks(leaders, today, start, rng)
    ideas: dict = {}
    for week in range(WEEKS + 1):
        day = start + datetime.timedelta(weeks=week)
        runs_generate(organization=org, today=day)
        _ideas(build, made, day, week, tz, ideas)
        last = min(day + datetime.timedelta(days=7), today)
        runs = list(
            SopRun.objects.filter(state=RunState.DUE, due_on__gte=day, due_on__lt=last)
            .select_related("sop", "sop_version")
            .order_by("due_on", "pk")
        )
        pairs = [(run, weeks.outcome(key_of[run.owner_id], run, run.sop_version)) for run in runs]
        if week >= WEEKS - SERVICE_WEEKS:
            _settle_through_services(pairs)
        else:
            _settle_in_bulk(pairs, tz)
    runs_generate(organization=org, today=today)
    _checkins(build, leaders, today, rng)
    _preferences(build, leaders)


def demo_sops_summary(organization) -> list[str]:
    """Lines for the demo's printout: routines, runs, and who is drifting into doing.
    Call inside the organization's scope."""
    from django.db.models import Count

    from leados.sops.models import Sop, SopRun, TimeCheckin

    sops = Sop.objects.live()
    owners = sops.values("owner").distinct().count()
    states = dict(SopRun.objects.values_list("state").annotate(n=Count("id")))
    lines = [
        f"Routines: {sops.count()} for {owners} leaders; runs: {states.get('done', 0)} done, "
        f"{states.get('missed', 0)} missed, {states.get('skipped', 0)} skipped, "
        f"{states.get('due', 0)} due."
    ]
    drifting = _drifting(organization, TimeCheckin)
    if drifting:
        lines.append("Drifting into doing (leading share below target 3 weeks running): "
                     + ", ".join(drifting) + ".")  # fmt: skip
    return lines


def _drifting(organization, TimeCheckin) -> list[str]:  # noqa: N803
    from leados.core.models import RoleAssignment, UnitRole

    targets = organization.leading_target()
    level_of: dict[int, str] = {}
    for person_id, level in RoleAssignment.objects.filter(
        role__in=[UnitRole.LEAD, UnitRole.MANAGE]
    ).values_list("person_id", "unit__level"):
        current = level_of.get(person_id)
        if current is None or LEVEL_RANK.get(level, 9) < LEVEL_RANK.get(current, 9):
            level_of[person_id] = level
    recent: dict[int, list] = {}
    checkins = TimeCheckin.objects.select_related("person").order_by("person_id", "-week_start")
    for checkin in checkins:
        recent.setdefault(checkin.person_id, []).append(checkin)
    names = []
    for person_id, checkins in recent.items():
        target = targets.get(level_of.get(person_id, ""), None)
        last = checkins[:3]
        if target is not None and len(last) == 3 and all(c.leading_pct < target for c in last):
            names.append(f"{last[0].person.name} ({last[0].leading_pct} % leading, target "
                         f"{target} %)")  # fmt: skip
    return names
