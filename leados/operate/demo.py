"""Larkspur's alignment and accountability: the demo part added by the operate app.

``demo_alignment`` gives the demo organization (``leados.core.demo``) a full cascade from
the vision down to a self goal for every person, twelve weeks of check-ins on it, a few
drifting and stale goals, one orphan to find, "contributes to" links and agreements,
commitments in every state of the accountability loop, and the leadership team's
strategic, operational and financial plans.

The goals are the current quarter's. Most were carried over from the quarter before with
their check-ins, so a goal shows the last twelve weeks: a metric climbing toward the
value this quarter starts it at, then on toward its target. A count of this quarter's
results (revenue, accounts won) starts at zero with the quarter.

Everything is written through the services, dated against ``build.today``, so the stored
roll-ups are what the services make of it. One seeded random generator makes the same
organization every time for the same day.
"""

from __future__ import annotations

import datetime
import math
import random
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

SEED = 20_26
WEEKS = 12
# The share of weeks in which a person skips the check-in on their self goal.
SKIPPED_WEEK = 0.2
# Larkspur is in the Netherlands (Europe/Amsterdam): its plans are in euros.
CURRENCY = "EUR"
# Every how many weeks a goal at each level is checked in on (well inside the rhythm).
CADENCE_WEEKS = {"strategy": 4, "functional_team": 2, "process": 1, "project": 1, "self": 1}


@dataclass(frozen=True)
class G:
    """One demo goal. ``measure``: ("m", start, target, unit), ("ms", [titles]) or ("b",)."""

    key: str
    title: str
    parent: str | None
    measure: tuple
    unit: str | None = None
    person: str | None = None
    period: str = "quarter"  # "quarter" or "ongoing"
    weight: int = 0  # 0: a seeded weight from 1 to 5
    owner: str | None = None  # default: the unit's lead or the person
    actor: str | None = None  # who set it; default the owner
    description: str = ""


def m(start, target, unit):
    return ("m", start, target, unit)


def ms(*titles):
    return ("ms", list(titles))


B = ("b",)

# ---------------------------------------------------------------------------- the cascade

STRATEGY = [
    G(
        "s_revenue", "Revenue of €3.1 million this quarter", None, m(0, 3.1, "€M"),
        unit="root", weight=30, owner="cfo",
        description="Quarter-to-date revenue across cafés, wholesale and online.",
    ),
    G(
        "s_direct", "Build direct trade with twelve partner farms", None,
        ms(
            "Sourcing principles published", "Origin trip to Huila and Sidama",
            "Twelve farms under contract", "First transparency report",
        ),
        unit="root", weight=20, owner="coo",
    ),
    G(
        "s_cafes", "Open Northgate and make every café profitable", None,
        ms("Northgate lease signed", "Northgate open", "Every café above 12% margin"),
        unit="root", weight=25, owner="ceo",
    ),
    G(
        "s_bcorp", "Become a certified B Corporation", None, B,
        unit="root", weight=10, owner="ceo",
    ),
    G(
        "s_subs", "Grow subscriptions to 5,000 active subscribers", None, m(3800, 5000, "subs"),
        unit="root", weight=15, owner="cco",
    ),
]  # fmt: skip

# Team goals are set by the strategy goal's owner and agreed by the team's lead.
TEAMS = [
    G(
        "t_farms", "Lock in direct-trade lots for next year", "s_direct",
        ms(
            "Shortlist from cupping", "Farm visits done", "Six contracts signed",
            "Pre-shipment samples approved",
        ),
        unit="coffee", weight=4, actor="coo",
    ),
    G(
        "t_volume", "Roast 42 tonnes at an 86+ cupping score", "s_revenue", B,
        unit="coffee", weight=3, actor="cfo",
    ),
    G(
        "t_ops_cost", "Fulfilment cost per order down to €2.40", "s_revenue", m(3.1, 2.4, "€"),
        unit="ops", weight=2, actor="cfo",
    ),
    G(
        "t_ops_bcorp", "Cut packaging waste and energy use for B Corp", "s_bcorp",
        ms("Energy audit", "Compostable bags sourced", "Solar quote approved"),
        unit="ops", weight=3, actor="ceo", owner="sustain",
    ),
    G(
        "t_ticket", "Raise the average café ticket from €6.90 to €7.60", "s_cafes",
        m(6.9, 7.6, "€"), unit="cafes", weight=2, actor="ceo",
    ),
    G(
        "t_open", "Open Northgate on schedule", "s_cafes", B, unit="cafes", weight=5,
        actor="ceo",
    ),
    G(
        "t_accounts", "Win 25 new wholesale accounts", "s_revenue", m(0, 25, "accounts"),
        unit="wholesale", weight=4, actor="cfo",
    ),
    G(
        "t_subs", "Make subscriptions our fastest-growing channel", "s_subs", B,
        unit="marketing", weight=5, actor="cco",
    ),
    G(
        "t_close", "Faster close and one system for the numbers", "s_revenue",
        ms("Close checklist automated", "Close in six days", "ERP cut-over rehearsed"),
        unit="finance", weight=1, actor="cfo",
    ),
    G(
        "t_hires", "Hire and onboard the Northgate team", "s_cafes", m(0, 9, "hires"),
        unit="people", weight=3, actor="ceo",
    ),
    G(
        "t_workers", "Pay and benefits evidence ready for B Corp", "s_bcorp", B,
        unit="people", weight=2, actor="ceo",
    ),
]  # fmt: skip

PROCESSES_AND_PROJECTS = [
    G("p_sourcing", "Cup 120 pre-shipment samples", "t_farms", m(0, 120, "samples"),
      unit="sourcing", weight=2),
    G("p_roasting", "Roast 42 tonnes with under 1.5% loss", "t_volume", m(0, 42, "t"),
      unit="roasting", weight=5),
    G("p_qc", "Average cupping score of 86 or better", "t_volume", m(84.5, 86, "pts"),
      unit="qc", weight=3),
    G("p_fulfilment", "Ship 98% of orders within two working days", "t_ops_cost",
      m(91, 98, "%"), unit="fulfilment", period="ongoing", weight=4,
      description="Ongoing: measured every week, never finished."),
    G("p_service", "Service standard score of 90% in mystery visits", "t_ticket",
      m(78, 90, "%"), unit="cafe_ops", weight=3),
    G("p_onboarding", "New accounts ordering within 21 days", "t_accounts", m(35, 21, "days"),
      unit="onboarding_wh", weight=2),
    G("p_close", "Close the month in five working days", "t_close", m(9, 5, "days"),
      unit="close", weight=2),
    G("p_hiring", "Time to hire under 30 days", "t_hires", m(46, 30, "days"),
      unit="hiring", weight=1),
    G("j_roaster", "Commission the 60 kg roaster", "t_volume",
      ms("Roaster delivered", "Gas and exhaust connected", "Safety inspection passed",
         "First production roast", "Profiles matched to the old roaster"),
      unit="roaster_line", weight=4),
    G("j_northgate", "Northgate fit-out and soft opening", "t_open",
      ms("Lease signed", "Fit-out started", "Espresso machine installed", "Team hired",
         "Soft opening"),
      unit="cafe4", weight=5),
    G("j_erp", "Go live on the new ERP", "t_close",
      ms("Data mapped", "Test migration", "Staff trained", "Cut-over"), unit="erp", weight=3),
    G("j_bcorp", "B Impact Assessment score above 80", "t_ops_bcorp", m(62, 82, "points"),
      unit="bcorp", weight=4),
    G("j_subs", "Relaunch subscriptions: 4,800 active", "t_subs", m(3800, 4800, "subs"),
      unit="subscriptions", weight=5),
    G("j_cupping", "Cupping lab refit done", "t_volume", B, unit="cupping_lab", weight=1),
    # Set by the commercial chief for the project's lead, who proposes a smaller target.
    G("j_grocery", "Listed in 40 grocery stores", "t_accounts", m(0, 40, "stores"),
      unit="grocery", weight=2, actor="cco"),
    # Set by the head of coffee for the sourcing lead, not yet agreed.
    G("p_origins", "Scout two new origins for the spring menu", "t_farms", B,
      unit="sourcing", weight=1, actor="head_coffee"),
    # The orphan: a project goal nobody aligned to anything.
    G("j_bags", "Redesign the coffee bags", None, B, unit="subscriptions", weight=1,
      owner="brand"),
]  # fmt: skip

# person key, parent goal key, title, measure. Each person's Self, owned by them.
SELF: list[tuple[str, str, str, tuple]] = [
    ("ceo", "s_cafes", "Visit every café and the roastery team each month", m(0, 12, "visits")),
    ("coo", "j_northgate", "Weekly Northgate site walk with the contractor", m(0, 12, "walks")),
    ("cfo", "t_close", "Monthly numbers pack to the board by day 8",
     ms("Pack template", "On time twice", "On time three times")),
    ("cco", "t_accounts", "Personally open five key accounts", m(0, 5, "accounts")),
    ("vp_people", "t_workers", "Pay-equity review signed off", B),
    ("head_coffee", "t_farms", "Call every partner farm before harvest", m(0, 12, "farms")),
    ("roast_mgr", "p_roasting", "Weekly roast plan published every Friday", m(0, 12, "plans")),
    ("roaster1", "j_roaster", "Match our profiles on the new roaster",
     ms("Ethiopia", "Colombia", "House blend", "Decaf")),
    ("roaster2", "p_roasting", "Roast loss under 1.5% on my shifts", m(2.1, 1.5, "%")),
    ("roaster3", "p_roasting", "Get certified on the 60 kg roaster", B),
    ("roaster4", "p_roasting", "Packing line changeover under 20 minutes", m(35, 20, "min")),
    ("qc_lead", "p_qc", "Calibrate the cupping panel every month", m(0, 3, "sessions")),
    ("qc1", "p_qc", "Log defects on every production roast", m(80, 100, "%")),
    ("sourcing", "p_sourcing", "Pre-shipment samples cupped within a week", m(60, 95, "%")),
    ("sourcing2", "p_sourcing", "Price database for every partner lot",
     ms("Template", "Colombia lots", "Ethiopia lots", "Published")),
    ("ops_mgr", "p_fulfilment", "Two-day shipping rate at 98%", m(91, 98, "%")),
    ("wh1", "p_fulfilment", "Pick errors under 0.5%", m(1.4, 0.5, "%")),
    ("wh2", "p_fulfilment", "Pack 60 orders an hour at peak", m(42, 60, "orders/h")),
    ("wh3", "p_fulfilment", "Forklift licence", B),
    ("wh4", "t_ops_cost", "Stock accuracy at 99%", m(95, 99, "%")),
    ("maint", "j_roaster", "Roaster gas line signed off", B),
    ("cafe_dir", "t_ticket", "Coach every café manager on upselling", m(0, 6, "sessions")),
    ("cafe1_mgr", "t_ticket", "Riverside ticket at €7.50", m(6.8, 7.5, "€")),
    ("cafe1_b1", "p_service", "Riverside mystery visit score 90%", m(80, 90, "%")),
    ("cafe1_b2", "p_service", "Latte art level 2", B),
    ("cafe1_b3", "p_service", "Open the café solo",
     ms("Shadow an opening", "Open with support", "Open solo")),
    ("cafe2_mgr", "j_northgate", "Hand Old Town to my shift lead for Northgate",
     ms("Handover plan", "Shift lead trained", "Two weeks solo")),
    ("cafe2_b1", "p_service", "Old Town waste under 3%", m(5.5, 3, "%")),
    ("cafe2_b2", "p_service", "Filter menu training for the team", B),
    ("cafe3_mgr", "t_ticket", "Harbour ticket at €7.40", m(6.7, 7.4, "€")),
    ("cafe3_b1", "p_service", "Harbour mystery visit score 90%", m(76, 90, "%")),
    ("cafe3_b2", "p_service", "Barista basics certificate", B),
    ("trainer", "p_service", "Train twelve baristas on the new service standard",
     m(0, 12, "baristas")),
    ("sales_dir", "t_accounts", "Pipeline of 60 qualified leads", m(20, 60, "leads")),
    ("am1", "t_accounts", "Grow key accounts by 15%", m(0, 15, "%")),
    ("am2", "t_accounts", "Win eight office accounts", m(0, 8, "accounts")),
    ("am3", "t_accounts", "Win six restaurant accounts", m(0, 6, "accounts")),
    ("sdr", "t_accounts", "Book 40 tasting visits", m(0, 40, "visits")),
    ("cs", "p_onboarding", "Every new account trained in week one", m(50, 100, "%")),
    ("mkt_dir", "t_subs", "Subscription campaign live", ms("Brief", "Creative approved", "Launch")),
    ("brand", "j_subs", "New subscription landing page", B),
    ("content", "j_subs", "Two brew guides a month", m(0, 6, "guides")),
    ("ecom", "j_subs", "Checkout conversion at 3.5%", m(2.4, 3.5, "%")),
    ("ecom2", "j_subs", "Email list to 20,000", m(14000, 20000, "contacts")),
    ("controller", "p_close", "Close checklist in the new ERP", B),
    ("acct1", "p_close", "Bank reconciliations by day 2", m(5, 2, "days")),
    ("acct2", "j_erp", "Supplier master data cleaned", m(0, 100, "%")),
    ("fpa", "t_close", "Rolling forecast every month",
     ms("Model built", "First forecast", "Reviewed with CFO")),
    ("it", "j_erp", "ERP cut-over rehearsal", B),
    ("hrbp", "t_workers", "Benefits survey with 80% response", m(0, 80, "%")),
    ("recruit", "p_hiring", "Nine Northgate hires", m(0, 9, "hires")),
    ("ld", "t_hires", "Onboarding programme for Northgate",
     ms("Outline", "Trainers booked", "First cohort")),
    ("payroll", "t_workers", "Living-wage check for every role", B),
    ("ea", "j_bcorp", "B Corp evidence folder complete", m(0, 100, "%")),
    ("sustain", "j_bcorp", "Impact assessment score 82", m(62, 82, "points")),
    ("product", "t_volume", "Two seasonal blends launched", ms("Winter blend", "Spring blend")),
    ("coach", "t_workers", "Monthly coaching with every leader", m(0, 15, "sessions")),
    ("coach2", "t_ops_cost", "Lean workshop for the warehouse", B),
    ("advisor", "s_revenue", "Quarterly board review of the plan", B),
    ("investor", "j_grocery", "Introduce three grocery buyers", m(0, 3, "intros")),
]  # fmt: skip

# Set by someone else and still waiting for the owner's yes (``Agreement``).
SELF_SET_BY = {"cafe2_b3": "cafe2_b1"}
SELF_PROPOSED = [
    ("cafe2_b3", "p_service", "Pass the Old Town service checklist", B),
]

# Goals falling behind: pace (share of the expected progress made) and the confidence
# their owners report at the end.
DRIFTING = {
    "t_ops_cost": (0.35, 4),
    "p_fulfilment": (0.55, 3),
    "j_subs": (0.5, 4),
    "t_accounts": (0.6, 5),
    "am2": (0.3, 3),
    "ecom": (0.45, 4),
    "j_erp": (0.5, 4),
    "cafe3_b1": (0.55, 5),
    "roaster4": (0.4, 5),
    "s_subs": (0.55, 5),
}
# Weeks since the last check-in: goals that went quiet.
STALE = {"ceo": 4, "j_erp": 3, "am3": 5, "wh3": 4, "content": 3}
# Not checked in on at all yet: just proposed.
NEVER_CHECKED = {"j_grocery", "p_origins", "cafe2_b3"}
# The owner's judgement against the numbers.
OVERRIDES = {
    "t_open": (
        "at_risk",
        "The landlord moved the key handover by three weeks; the numbers do not show it yet.",
    ),
}

ON_TRACK_NOTES = [
    "On plan this week.",
    "Good week, steady progress.",
    "Moving as planned.",
    "Small win: unblocked with the team's help.",
    "Busy week but still on course.",
    "Ahead of where I expected.",
    "Reviewed with my lead; no changes.",
]
DRIFT_NOTES = {
    "t_ops_cost": ["Courier rates went up 8% this month.", "Packaging costs still above plan."],
    "p_fulfilment": [
        "Two sick days in the warehouse; backlog on Monday.",
        "Carrier missed pickups twice.",
    ],
    "j_subs": ["Checkout bug delayed the relaunch emails.", "Churn higher than we modelled."],
    "t_accounts": ["Pipeline is fine but contracts take longer to sign."],
    "am2": [
        "Offices are slow to decide this time of year.",
        "Lost one pitch to a cheaper roaster.",
    ],
    "ecom": ["Conversion flat since the theme update."],
    "j_erp": ["Data mapping took twice as long as planned."],
    "cafe3_b1": ["Two new baristas still learning the routine."],
    "roaster4": ["Changeover parts on back order."],
    "s_subs": ["Growth slower than planned; relaunch is the lever."],
}


# ---------------------------------------------------------------------------- building


@dataclass
class _Alignment:
    build: object
    rng: random.Random
    year: object = None
    quarter: object = None
    goals: dict = field(default_factory=dict)
    specs: dict = field(default_factory=dict)
    owners: dict = field(default_factory=dict)

    @property
    def org(self):
        return self.build.organization

    @property
    def today(self) -> datetime.date:
        return self.build.today

    def person(self, key):
        return self.build.people[key] if key else None

    def at(self, day: datetime.date, hour: int | None = None) -> datetime.datetime:
        """A working-hours moment on ``day`` where Larkspur is."""
        hour = hour if hour is not None else self.rng.randint(8, 17)
        minute = self.rng.choice([0, 10, 15, 20, 30, 40, 45, 50])
        zone = zoneinfo.ZoneInfo(self.org.time_zone)
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


def demo_alignment(build) -> None:
    """Goals from the vision to every person's Self with twelve weeks of check-ins, links,
    agreements, commitments through the accountability loop, and the leadership plans."""
    from leados.core.models import PeriodKind
    from leados.core.periods import period_for

    state = _Alignment(build=build, rng=random.Random(SEED))  # noqa: S311 (demo data, not secrets)
    state.year = period_for(build.organization, build.today, PeriodKind.YEAR)
    state.quarter = period_for(build.organization, build.today, PeriodKind.QUARTER)
    _goals(state)
    _check_ins(state)
    _overrides(state)
    _links(state)
    _goal_agreements(state)
    _commitments(state)
    _plans(state)


def _all_specs() -> list[G]:
    selves = [
        G(f"self:{p}", title, parent, measure, person=p)
        for p, parent, title, measure in SELF + SELF_PROPOSED
    ]
    return STRATEGY + TEAMS + PROCESSES_AND_PROJECTS + selves


def _goals(state: _Alignment) -> None:
    from leados.operate.services.goals import default_owner, goal_create

    for spec in _all_specs():
        unit = state.build.units[spec.unit] if spec.unit else None
        person = state.person(spec.person)
        owner = state.person(spec.owner)
        actor_key = spec.actor or SELF_SET_BY.get(spec.person or "") or spec.owner
        actor = state.person(actor_key or spec.person) or default_owner(
            unit, person, state.person("ceo")
        )
        period = state.quarter if spec.period == "quarter" else None
        kind_fields: dict = {}
        if spec.measure[0] == "m":
            _, start, target, metric_unit = spec.measure
            kind_fields = {
                "kind": "metric",
                "start_value": start,
                "target_value": target,
                "metric_unit": metric_unit,
            }
        elif spec.measure[0] == "ms":
            kind_fields = {"kind": "milestones", "milestones": spec.measure[1]}
        else:
            kind_fields = {"kind": "binary"}
        goal = goal_create(
            organization=state.org,
            actor=actor,
            title=spec.title,
            description=spec.description,
            unit=unit,
            person=person,
            owner=owner,
            period=period,
            parent=state.goals[spec.parent] if spec.parent else None,
            weight=spec.weight or state.rng.choice([1, 1, 2, 2, 3, 5]),
            today=state.today,
            **kind_fields,
        )
        state.goals[spec.key] = goal
        state.specs[spec.key] = spec
        state.owners[spec.key] = goal.owner


# ---------------------------------------------------------------------------- check-ins


def _drift_key(key: str) -> str:
    return key.removeprefix("self:")


def _counts_from_zero(spec: G) -> bool:
    """A count of this quarter's results (revenue, accounts won, visits): nothing to report
    before the quarter began."""
    return spec.measure[0] == "m" and spec.measure[1] == 0


def _first_day(state: _Alignment, spec: G) -> datetime.date:
    """The first day with check-ins: twelve weeks back for an ongoing goal and for a quarter
    goal carried over from the quarter before, whose check-ins came with it; the start of
    the quarter for a count that starts from zero (or three weeks back when the quarter has
    only just begun)."""
    twelve_weeks = state.today - datetime.timedelta(weeks=WEEKS)
    if not _counts_from_zero(spec):
        return twelve_weeks
    three_weeks = state.today - datetime.timedelta(weeks=3)
    return max(twelve_weeks, min(state.quarter.start, three_weeks))


def _share(state: _Alignment, spec: G, day: datetime.date, week: int) -> float:
    """How far along the goal's time window ``day`` is (up to 1; below 0 before the quarter
    began); an ongoing goal's own yardstick moves from under half to about three quarters
    over the twelve weeks."""
    if spec.period == "ongoing":
        return 0.45 + 0.3 * (1 - week / WEEKS)
    period = state.quarter
    days = (period.end - period.start).days + 1
    return min(1.0, ((day - period.start).days + 1) / days)


def _check_in_plan(state: _Alignment) -> list[tuple[datetime.datetime, str, dict]]:
    """Every check-in to make: (moment, goal key, service arguments), in no order yet."""
    has_children = {spec.parent for spec in state.specs.values() if spec.parent}
    planned = []
    for key, spec in state.specs.items():
        if key in NEVER_CHECKED:
            continue
        goal = state.goals[key]
        short = _drift_key(key)
        pace, final_confidence = DRIFTING.get(short, (state.rng.uniform(0.92, 1.12), None))
        cadence = CADENCE_WEEKS[goal.level]
        stale = STALE.get(short, 0)
        offset = state.rng.randint(1, 5)
        first_day = _first_day(state, spec)
        rolls_up = key in has_children and spec.measure[0] != "m"
        # A done / not done goal gets done somewhere in its quarter, or later when behind.
        done_at = state.rng.uniform(0.3, 1.3)
        best = 0.0
        for week in range(WEEKS - 1, -1, -1):
            if week % cadence or week < stale:
                continue
            if goal.level == "self" and week > 0 and state.rng.random() < SKIPPED_WEEK:
                continue
            day = state.today - datetime.timedelta(days=7 * week + offset)
            if day < first_day:
                continue
            share = _share(state, spec, day, week)
            noisy = spec.measure[0] == "m" and spec.measure[1] != 0
            progress = min(1.0, pace * share + state.rng.gauss(0, 0.04 if noisy else 0.02))
            # Before the quarter a carried-over metric was still on its way to this quarter's
            # start value; inside the quarter readings stay between start and target.
            if not (noisy and day < state.quarter.start):
                progress = max(0.0, progress)
            if not noisy:  # counts and milestones only go up
                progress = best = max(best, progress)
            confidence = _confidence(state, final_confidence, week)
            args: dict = {"confidence": confidence}
            if state.rng.random() < 0.55 or final_confidence is not None and week < 3:
                args["comment"] = _comment(state, short, final_confidence)
            if not rolls_up:
                if spec.measure[0] == "b":
                    progress = 1.0 if pace * share >= done_at else 0.0
                args.update(_reading(goal, spec, progress))
            planned.append((state.at(day), key, args))
    return planned


def _confidence(state: _Alignment, drifting_to: int | None, week: int) -> int:
    if drifting_to is None:
        return state.rng.choice([7, 8, 8, 9, 9])
    # Confidence sinks toward where it ends as the weeks go by.
    return min(8, drifting_to + week // 3)


def _comment(state: _Alignment, key: str, drifting_to: int | None) -> str:
    if drifting_to is not None and key in DRIFT_NOTES:
        return state.rng.choice(DRIFT_NOTES[key])
    return state.rng.choice(ON_TRACK_NOTES)


def _reading(goal, spec: G, progress: float) -> dict:
    kind = spec.measure[0]
    if kind == "m":
        _, start, target, _unit = spec.measure
        value = start + (target - start) * progress
        span = abs(target - start)
        whole = float(start).is_integer() and float(target).is_integer() and span >= 8
        return {"value": round(value) if whole else round(value, 1 if span >= 1 else 2)}
    if kind == "ms":
        return {"milestones_done": progress}  # resolved to ids when made
    return {"is_done": progress >= 0.999}


def _check_ins(state: _Alignment) -> None:
    from leados.operate.models import Milestone
    from leados.operate.services.check_ins import check_in_create

    milestone_ids: dict[int, list[int]] = {}
    for goal_id, pk in (
        Milestone.objects.filter(goal_id__in=[g.pk for g in state.goals.values()])
        .order_by("goal_id", "position", "id")
        .values_list("goal_id", "pk")
    ):
        milestone_ids.setdefault(goal_id, []).append(pk)
    planned = _check_in_plan(state)
    planned.sort(key=lambda item: (item[0], item[1]))
    for moment, key, args in planned:
        goal = state.goals[key]
        if "milestones_done" in args:
            ids = milestone_ids[goal.pk]
            args["milestones_done"] = ids[: math.floor(len(ids) * args["milestones_done"] + 1e-9)]
        state.goals[key] = check_in_create(
            goal=goal, author=state.owners[key], at=moment, today=state.today, **args
        ).goal


def _overrides(state: _Alignment) -> None:
    from leados.operate.services.goals import goal_update

    for key, (status, reason) in OVERRIDES.items():
        state.goals[key] = goal_update(
            goal=state.goals[key],
            actor=state.goals[key].owner,
            expected_version=None,
            today=state.today,
            status_override=status,
            status_override_reason=reason,
        )


# ---------------------------------------------------------------------------- agreements

# source goal, target goal (another unit's), accepted?
LINKS = [
    ("p_qc", "t_accounts", True),
    ("j_subs", "t_volume", True),
    ("p_hiring", "j_northgate", True),
    ("t_farms", "j_bcorp", True),
    ("t_subs", "t_ticket", False),
]


def _links(state: _Alignment) -> None:
    from leados.operate.models import Agreement
    from leados.operate.services.agreements import agreement_accept
    from leados.operate.services.goals import goal_link_create

    for source_key, target_key, accepted in LINKS:
        source = state.goals[source_key]
        link = goal_link_create(source=source, target=state.goals[target_key], actor=source.owner)
        agreement = Agreement.objects.filter(link=link).first()
        if accepted and agreement is not None:
            agreement_accept(agreement=agreement)


def _goal_agreements(state: _Alignment) -> None:
    """Goals set by one person for another: the team goals were agreed; a few wait."""
    from leados.operate.models import Agreement
    from leados.operate.services.agreements import agreement_accept, agreement_propose_change

    waiting = {state.goals[k].pk for k in ("p_origins", "self:cafe2_b3", "j_grocery")}
    for agreement in Agreement.objects.filter(kind="goal").pending().order_by("pk"):
        if agreement.goal_id in waiting:
            continue
        agreement_accept(agreement=agreement)
    agreement_propose_change(
        agreement=Agreement.objects.get(goal=state.goals["j_grocery"]),
        change={"target_value": 30},
        reason="Grocery buyers reset their shelves in spring; 30 stores is realistic this quarter.",
    )


# ---------------------------------------------------------------------------- commitments

# owner, assigned by, title, definition of done, due (days from today), goal key, steps.
# Steps: ("accept",), ("decline", reason), ("update", state, note), ("complete", days from
# due), ("evaluate", evaluation, note), ("act", action, note).
COMMITMENTS: list[tuple] = [
    # Waiting for the demo sign-in user's yes, and one of hers to evaluate.
    ("ceo", "vp_people", "Record a welcome video for the Northgate team",
     "A two-minute video shared in the onboarding folder", 10, "t_hires", []),
    ("coo", "ceo", "Draft the Northgate opening budget",
     "Budget with fit-out, staffing and first-quarter sales, reviewed by finance", -3, "t_open",
     [("accept",), ("update", "in_progress", "Fit-out quotes are in."), ("complete", -4)]),
    ("cco", "ceo", "Pricing proposal for grocery partners",
     "Price list and margin model agreed with finance", -6, "j_grocery",
     [("accept",), ("update", "at_risk", "Waiting for packaging costs from ops.")]),
    # Proposed.
    ("wh2", "wh1", "Relabel the returns shelf", "Every bin labelled and in the stock system",
     5, "p_fulfilment", []),
    ("roaster3", "roaster1", "Write the cleaning SOP for the 60 kg roaster",
     "SOP reviewed by the head roaster and posted by the machine", 12, "j_roaster", []),
    # Accepted.
    ("content", "mkt_dir", "Write the winter brew guide", "Guide live on the shop and in the "
     "newsletter", 9, "j_subs", [("accept",)]),
    ("acct2", "controller", "Clean up duplicate supplier records",
     "No duplicates left in the supplier list", 14, "j_erp", [("accept",)]),
    # In progress, one of them overdue.
    ("sustain", "coo", "Collect energy bills for the impact assessment",
     "Twelve months of bills in the evidence folder", 7, "j_bcorp",
     [("accept",), ("update", "in_progress", "Eight months found so far.")]),
    ("it", "cfo", "Book the ERP trainer for staff training",
     "Dates confirmed for both training days", -5, "j_erp",
     [("accept",), ("update", "in_progress", "Trainer suggested two dates.")]),
    ("recruit", "vp_people", "Post the Northgate barista roles", "Roles live on three job "
     "boards", -2, "p_hiring", [("accept",), ("update", "in_progress", "Two of three live.")]),
    # At risk.
    ("am2", "sales_dir", "Send proposals to four office prospects",
     "Four proposals sent and logged", 3, "self:am2",
     [("accept",), ("update", "at_risk", "Two prospects went quiet.")]),
    ("ecom", "mkt_dir", "Fix the checkout bug on mobile", "Mobile checkout passes the test "
     "script", -4, "j_subs",
     [("accept",), ("update", "at_risk", "Needs the theme vendor; ticket open.")]),
    # Marked done, waiting for evaluation.
    ("wh1", "ops_mgr", "Count the green coffee stock", "Count matches the system within 1%",
     -1, "self:wh4", [("accept",), ("complete", -1)]),
    # Evaluated, not yet acted on.
    ("qc1", "qc_lead", "Calibrate the water filter", "Filter readings logged for a week",
     -10, "p_qc", [("accept",), ("complete", -2), ("evaluate", "met", "")]),
    ("am3", "sales_dir", "Follow up the restaurant tasting leads",
     "Every lead called and logged", -9, "self:am3",
     [("accept",), ("complete", 2), ("evaluate", "partially_met", "Half the leads called.")]),
    # Escalated.
    ("am2", "sales_dir", "Renew the coworking café contract", "Signed renewal",
     -20, "t_accounts",
     [("accept",), ("evaluate", "missed", "The client signed with another roaster."),
      ("act", "escalate", "Can you call their CEO? We have supplied them for four years.")]),
    # Closed in every way.
    ("roast_mgr", "head_coffee", "Publish the roast schedule for the holidays",
     "Schedule shared with cafés and wholesale", -30, "p_roasting",
     [("accept",), ("complete", -3), ("evaluate", "met", "Early and clear."),
      ("act", "recognize", "Every café had its holiday beans on time. Thank you!")]),
    ("roast_mgr", "head_coffee", "Train Grace on the packing line", "Grace packs a full "
     "shift alone", -50, "p_roasting",
     [("accept",), ("complete", -6), ("evaluate", "met", ""), ("act", "close", "")]),
    ("roast_mgr", "coo", "Order spare parts for the old roaster", "Parts on the shelf",
     -70, "j_roaster",
     [("accept",), ("complete", 0), ("evaluate", "met", ""), ("act", "close", "")]),
    ("ops_mgr", "coo", "Renegotiate the courier contract", "New rates signed",
     -40, "t_ops_cost",
     [("accept",), ("complete", 5), ("evaluate", "partially_met", "Rates signed but 4% "
      "higher than hoped."),
      ("act", "renew", "Try the second courier for the heavy parcels.")]),
    ("ops_mgr", "coo", "Fix the warehouse heating", "Warehouse above 16°C all day",
     -60, None, [("accept",), ("complete", -2), ("evaluate", "met", ""), ("act", "close", "")]),
    ("ecom", "mkt_dir", "Launch the gift subscription", "Gift option live at checkout",
     -35, "j_subs",
     [("accept",), ("evaluate", "missed", "Not launched before the sale."),
      ("act", "renew", "Launch it for the winter campaign instead.")]),
    ("am2", "sales_dir", "Quarterly review with the hotel group",
     "Review held and notes shared", -55, "t_accounts",
     [("accept",), ("evaluate", "missed", "Review never booked."), ("act", "close", "")]),
    ("cafe1_mgr", "cafe_dir", "Rota for the holiday season", "Rota published to the team",
     -25, "t_ticket",
     [("accept",), ("complete", 4), ("evaluate", "met", "Done, four days late."),
      ("act", "close", "")]),
    ("cafe1_mgr", "cafe_dir", "Deep clean of the Riverside espresso machine",
     "Service report filed", -45, "p_service",
     [("accept",), ("complete", -1), ("evaluate", "met", ""),
      ("act", "recognize", "Spotless, and the technician noticed.")]),
    ("controller", "cfo", "Close last month in six days", "Books closed and reported",
     -15, "p_close",
     [("accept",), ("complete", -1), ("evaluate", "met", ""), ("act", "close", "")]),
    ("controller", "cfo", "Audit prep checklist", "Checklist shared with the auditors",
     -65, "t_close",
     [("accept",), ("complete", 0), ("evaluate", "met", ""), ("act", "close", "")]),
    ("trainer", "cafe_dir", "Service standard workshop in every café",
     "Three workshops held", -20, "p_service",
     [("accept",), ("complete", 6), ("evaluate", "partially_met", "Harbour still to do."),
      ("act", "close", "")]),
    # Declined by its owner.
    ("sdr", "cco", "Cold-call 100 gyms", "100 calls logged", 20, None,
     [("decline", "Gyms are not our customers; I would rather call offices.")]),
]  # fmt: skip


def _commitments(state: _Alignment) -> None:
    from leados.operate.services.commitments import commitment_assign

    for owner_key, by_key, title, done, due, goal_key, steps in COMMITMENTS:
        due_date = state.today + datetime.timedelta(days=due)
        commitment = commitment_assign(
            organization=state.org,
            assigned_by=state.person(by_key),
            owner=state.person(owner_key),
            title=title,
            definition_of_done=done,
            due_date=due_date,
            goal=state.goals[goal_key] if goal_key else None,
        )
        for step in steps:
            commitment = _step(state, commitment, step)


def _step(state: _Alignment, commitment, step: tuple):
    from leados.operate.models import Agreement
    from leados.operate.services import agreements, commitments

    verb = step[0]
    if verb in ("accept", "decline"):
        agreement = Agreement.objects.get(commitment=commitment)
        if verb == "accept":
            agreements.agreement_accept(agreement=agreement)
        else:
            agreements.agreement_decline(agreement=agreement, reason=step[1])
        commitment.refresh_from_db()
        return commitment
    if verb == "update":
        return commitments.commitment_update(
            commitment=commitment, state=step[1], status_note=step[2]
        )
    if verb == "complete":
        on = min(state.today, commitment.due_date + datetime.timedelta(days=step[1]))
        return commitments.commitment_complete(commitment=commitment, today=on)
    if verb == "evaluate":
        return commitments.commitment_evaluate(
            commitment=commitment,
            evaluator=commitment.assigned_by,
            evaluation=step[1],
            note=step[2],
            today=state.today,
        )
    action, note = step[1], step[2]
    extra = {"due_date": state.today + datetime.timedelta(days=21)} if action == "renew" else {}
    return commitments.commitment_act(
        commitment=commitment,
        actor=commitment.assigned_by,
        action=action,
        note=note,
        today=state.today,
        **extra,
    )


# ---------------------------------------------------------------------------- plans

# category, planned, actual (None while not yet known), note
BUDGET = [
    ("Green coffee", "412000", None, "Contracted lots land in two shipments."),
    ("Café payroll", "298000", None, ""),
    ("Roastery payroll", "96000", None, ""),
    ("Rent and service charges", "84000", "84000", "Paid quarterly in advance."),
    ("Packaging", "46000", "51250", "Compostable bags cost more than quoted."),
    ("Marketing and subscriptions relaunch", "38000", "29400", ""),
    ("Northgate fit-out", "165000", "172800", "Extra electrical work."),
    ("Second roaster installation", "58000", "55100", ""),
    ("ERP licences and implementation", "42000", "47900", "Extra migration days."),
    ("B Corp assessment and fees", "9500", "9500", ""),
]


def _plans(state: _Alignment) -> None:
    from leados.operate.services.plans import (
        budget_line_create,
        plan_create,
        plan_goal_add,
        plan_transition,
    )

    root = state.build.units["root"]
    ceo, coo, cfo = state.person("ceo"), state.person("coo"), state.person("cfo")

    strategic = plan_create(
        organization=state.org,
        actor=ceo,
        unit=root,
        period=state.year,
        kind="strategic",
        title=f"Larkspur strategy {state.year.label}",
        summary=(
            "Five priorities toward the three-year picture: revenue, direct trade, "
            "profitable cafés with Northgate open, B Corp certification and subscriptions."
        ),
        owner=ceo,
    )
    for key in ("s_revenue", "s_direct", "s_cafes", "s_bcorp", "s_subs"):
        state.goals[key] = plan_goal_add(
            plan=strategic, goal=state.goals[key], actor=ceo, today=state.today
        )
    for to in ("approved", "active"):
        strategic = plan_transition(plan=strategic, to=to, actor=ceo, expected_version=None)

    operational = plan_create(
        organization=state.org,
        actor=coo,
        unit=root,
        period=state.quarter,
        kind="operational",
        title=f"Operating plan {state.quarter.label}",
        summary=(
            "Northgate fit-out and hiring, the second roaster in production, the ERP cut-over "
            "and the subscription relaunch; weekly leadership review of the drifting goals."
        ),
        owner=coo,
    )
    plan_transition(plan=operational, to="approved", actor=ceo, expected_version=None)

    budget = plan_create(
        organization=state.org,
        actor=cfo,
        unit=root,
        period=state.quarter,
        kind="financial",
        title=f"Budget {state.quarter.label}",
        summary="Operating costs and this quarter's investments; actuals as they are booked.",
        owner=cfo,
        currency=CURRENCY,
    )
    for category, planned, actual, note in BUDGET:
        budget_line_create(
            plan=budget,
            category=category,
            period=state.quarter,
            planned=Decimal(planned),
            actual=Decimal(actual) if actual is not None else None,
            note=note,
        )
    for to in ("approved", "active"):
        budget = plan_transition(plan=budget, to=to, actor=ceo, expected_version=None)
