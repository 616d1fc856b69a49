"""Larkspur's scorecards: the leadership team's and every functional team's, with two
years of weekly numbers (monthly and quarterly ones too) in every category.

The numbers follow a believable shape: a trend, a season (cafés sell more in winter,
wholesale dips in August), noise, and a few stories a leader should notice: on-time
delivery slipping over the last six weeks, café revenue below its seasonal target,
wholesale churn creeping up. Win rate is a formula over deals won and leads, revenue
rolls up from three teams, and a few measurables wait for this week's value on their
owners' My week.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass, field

from leados.operate import measures

SEED = 4
WEEKS = 104
MONTHS = 24
QUARTERS = 8


@dataclass
class S:
    """One demo measurable: where it lives, how it is measured, how its numbers move."""

    key: str
    name: str
    unit: str
    owner: str
    category: str
    base: float  # a typical value today (before season, noise and drift)
    target: float | None = None
    kind: str = "number"
    currency: str = ""
    unit_label: str = ""
    decimals: int = 0
    better: str = "higher"
    frequency: str = "weekly"
    time_aggregation: str = "sum"
    target_max: float | None = None
    growth: float = 0.0  # per year, as a share of base
    season: float = 0.0  # amplitude as a share, peaking in December
    noise: float = 0.05  # as a share of base
    drift: float = 0.0  # the last six periods move by this share of base each
    parent: str | None = None
    formula: str = ""
    description: str = ""
    require_red_note: bool = False
    skip_last: bool = False  # this week's value is not in yet
    extra: dict = field(default_factory=dict)


MEASURABLES: list[S] = [
    # Wholesale
    S("wholesale_revenue", "Wholesale revenue", "wholesale", "sales_dir", "financial", 62000,
      target=56000, kind="currency", currency="EUR", growth=0.12, season=-0.08, parent="revenue",
      description="Invoiced wholesale sales, net of returns."),
    S("wholesale_leads", "New wholesale leads", "wholesale", "sdr", "sales", 18, target=17,
      unit_label="leads", growth=0.1, noise=0.15),
    S("deals_won", "Wholesale deals won", "wholesale", "sales_dir", "sales", 5, target=5,
      unit_label="deals", growth=0.1, noise=0.2, skip_last=True),
    S("win_rate", "Win rate", "wholesale", "sales_dir", "sales", 0, target=25, kind="percent",
      decimals=1, time_aggregation="average", formula="deals_won / wholesale_leads * 100",
      description="Deals won as a share of new leads in the same week."),
    S("wholesale_churn", "Wholesale accounts lost", "wholesale", "cs", "customer_satisfaction",
      1.2, target=1.5, kind="percent", decimals=1, better="lower", frequency="monthly",
      time_aggregation="average", noise=0.2, drift=0.12, require_red_note=True,
      extra={"threshold_mode": "absolute", "green_bound": 1.5, "red_bound": 2.0}),
    # Cafés
    S("cafe_revenue", "Café revenue", "cafes", "cafe_dir", "financial", 38000, target=46000,
      kind="currency", currency="EUR", growth=0.05, season=0.15, noise=0.04, drift=-0.03,
      parent="revenue"),
    S("avg_ticket", "Average ticket", "cafes", "cafe_dir", "sales", 7.4, target=7.3,
      kind="currency", currency="EUR", decimals=2, time_aggregation="average", growth=0.04,
      noise=0.02),
    S("cafe_csat", "Café guest satisfaction", "cafes", "trainer", "customer_satisfaction", 4.68,
      target=4.6, decimals=2, unit_label="of 5", time_aggregation="average", noise=0.015,
      extra={"threshold_mode": "absolute", "green_bound": 4.6, "red_bound": 4.4}),
    # Marketing and online
    S("online_revenue", "Online shop revenue", "marketing", "ecom", "financial", 21000,
      target=24000, kind="currency", currency="EUR", growth=0.2, season=0.2, parent="revenue"),
    S("subscriptions", "New subscriptions", "marketing", "ecom", "sales", 55, target=50,
      unit_label="sign-ups", growth=0.25, season=0.1, noise=0.15),
    S("conversion", "Website conversion", "marketing", "ecom2", "sales", 2.4, target=2.5,
      kind="percent", decimals=2, time_aggregation="average", noise=0.06, skip_last=True,
      extra={"threshold_mode": "absolute", "green_bound": 2.5, "red_bound": 2.2}),
    # Leadership (revenue rolls up from the three selling teams)
    S("revenue", "Revenue", "root", "cfo", "financial", 0, target=118000, kind="currency",
      currency="EUR", description="Wholesale, cafés and the online shop together."),
    S("gross_margin", "Gross margin", "root", "cfo", "financial", 42.6, target=42.0,
      kind="percent", decimals=1, time_aggregation="average", noise=0.015, growth=0.01,
      extra={"threshold_mode": "absolute", "green_bound": 42.0, "red_bound": 40.0}),
    S("nps", "Net Promoter Score", "root", "cco", "customer_satisfaction", 48, target=45,
      frequency="monthly", time_aggregation="average", growth=0.05, noise=0.06),
    # Operations
    S("on_time", "On-time delivery", "ops", "ops_mgr", "operational_efficiency", 97.5,
      target=97.0, kind="percent", decimals=1, time_aggregation="average", noise=0.006,
      drift=-0.012, require_red_note=True,
      extra={"threshold_mode": "absolute", "green_bound": 97.0, "red_bound": 95.0},
      description="Orders delivered on the promised day, of all orders delivered."),
    S("orders_shipped", "Orders shipped", "ops", "wh1", "operational_efficiency", 1450,
      target=1600, unit_label="orders", growth=0.15, season=0.12),
    S("picking_errors", "Picking errors per 1,000 orders", "ops", "wh1", "quality", 3.2,
      target=3.0, decimals=1, better="lower", time_aggregation="average", noise=0.15,
      growth=-0.1),
    S("hours_per_order", "Warehouse hours per order", "ops", "ops_mgr", "operational_efficiency",
      0.21, target=0.22, kind="duration", decimals=2, better="lower", time_aggregation="average",
      noise=0.05, growth=-0.05),
    # Coffee & roasting
    S("roast_batches", "Roast batches", "coffee", "roast_mgr", "operational_efficiency", 105,
      target=110, unit_label="batches", growth=0.15, season=0.08, noise=0.06),
    S("cupping_score", "Average cupping score", "coffee", "qc_lead", "quality", 86.0,
      target=85.0, target_max=88.0, better="range", decimals=1, time_aggregation="average",
      noise=0.006, extra={"threshold_mode": "absolute", "red_bound": 1.0}),
    S("green_cost", "Green coffee cost per kg", "coffee", "sourcing", "financial", 7.1,
      target=7.5, kind="currency", currency="EUR", decimals=2, better="lower",
      frequency="monthly", time_aggregation="average", growth=0.04, noise=0.03),
    # Finance
    S("cash_runway", "Cash runway", "finance", "controller", "financial", 14, target=12,
      unit_label="months", decimals=1, frequency="monthly", time_aggregation="last",
      noise=0.04, growth=0.05),
    S("dso", "Days sales outstanding", "finance", "controller", "financial", 38, target=40,
      unit_label="days", better="lower", frequency="monthly", time_aggregation="average",
      noise=0.06, growth=-0.04),
    # People
    S("engagement", "Engagement score", "people", "vp_people", "people", 4.1, target=4.0,
      decimals=2, unit_label="of 5", frequency="quarterly", time_aggregation="average",
      growth=0.04, noise=0.02),
    S("regretted_attrition", "Regretted attrition", "people", "hrbp", "people", 2.5, target=3.0,
      kind="percent", decimals=1, better="lower", frequency="quarterly",
      time_aggregation="average", noise=0.2),
    S("training_hours", "Training hours per person", "people", "ld", "people", 2.2, target=2.0,
      kind="duration", decimals=1, frequency="monthly", time_aggregation="average",
      growth=0.15, noise=0.12),
]  # fmt: skip

SCORECARDS = [
    ("root", "Leadership scorecard", "The numbers the leadership team reviews every week.",
     ["revenue", "gross_margin", "win_rate", "on_time", "cafe_revenue", "nps", "cash_runway",
      "engagement"]),
    ("wholesale", "Wholesale scorecard", "", ["wholesale_revenue", "wholesale_leads",
     "deals_won", "win_rate", "wholesale_churn"]),
    ("cafes", "Cafés scorecard", "", ["cafe_revenue", "avg_ticket", "cafe_csat"]),
    ("marketing", "Marketing scorecard", "", ["online_revenue", "subscriptions", "conversion"]),
    ("ops", "Operations scorecard", "", ["on_time", "orders_shipped", "picking_errors",
     "hours_per_order"]),
    ("coffee", "Coffee & Roasting scorecard", "", ["roast_batches", "cupping_score",
     "green_cost"]),
    ("finance", "Finance scorecard", "", ["cash_runway", "dso", "gross_margin"]),
    ("people", "People scorecard", "", ["engagement", "regretted_attrition", "training_hours"]),
]  # fmt: skip

RED_NOTES = {
    "on_time": "Carrier capacity short after the depot move; second carrier being onboarded.",
    "wholesale_churn": "Two office accounts moved to in-house machines.",
}


def _spans(spec: S, today: datetime.date, fiscal: int) -> list[measures.Span]:
    """The periods with numbers: up to last week (or month, quarter), two years back."""
    count = {"weekly": WEEKS, "monthly": MONTHS, "quarterly": QUARTERS}[spec.frequency]
    current = measures.period_of(spec.frequency, today, fiscal)
    last_done = current.start - datetime.timedelta(days=1)
    spans = measures.periods_ending(spec.frequency, last_done, count, fiscal)
    if spec.frequency == "weekly" and not spec.skip_last:
        spans.append(current)  # this week's number is already in for most
    return spans


def _series(spec: S, spans: list[measures.Span], rng: random.Random) -> list[float]:
    n = len(spans)
    values = []
    for i, span in enumerate(spans):
        years = (
            (i - n + 1) * {"weekly": 7, "monthly": 30.4, "quarterly": 91.3}[spec.frequency] / 365.25
        )
        middle = span.start + (span.end - span.start) / 2
        season = math.cos(2 * math.pi * (middle.timetuple().tm_yday - 350) / 365.25)
        value = spec.base * (1 + spec.growth * years) * (1 + spec.season * season)
        value *= 1 + rng.gauss(0, spec.noise)
        drift_from = n - 6
        if spec.drift and i >= drift_from:
            value += spec.base * spec.drift * (i - drift_from + 1)
        if spec.kind == "percent":
            value = min(value, 100.0)
        if spec.unit_label in ("leads", "deals", "sign-ups", "orders", "batches"):
            value = max(round(value), 0)
        values.append(round(value, spec.decimals))
    return values


def demo_scorecards(build) -> None:
    """Measurables with two years of numbers, the scorecards of the leadership team and of
    every functional team, a seasonal target, a personal scorecard for the CEO."""
    from leados.operate.services.measurables import (
        ValueInput,
        measurable_create,
        target_set,
        values_set,
    )
    from leados.operate.services.scorecards import scorecard_create

    org, today = build.organization, build.today
    fiscal = org.fiscal_year_start_month
    rng = random.Random(SEED)  # noqa: S311 (demo data, not secrets)
    made: dict[str, object] = {}
    # Parents and formula inputs first: revenue before the teams, formulas last.
    order = sorted(MEASURABLES, key=lambda s: (s.formula != "", s.parent is not None))
    for spec in order:
        made[spec.key] = measurable_create(
            organization=org,
            actor=build.people["ceo"],
            name=spec.name,
            unit=build.units[spec.unit],
            owner=build.people[spec.owner],
            key=spec.key,
            description=spec.description,
            category=spec.category,
            kind=spec.kind,
            currency=spec.currency,
            unit_label=spec.unit_label,
            decimals=spec.decimals,
            better=spec.better,
            frequency=spec.frequency,
            target=spec.target,
            target_max=spec.target_max,
            time_aggregation=spec.time_aggregation,
            parent=made.get(spec.parent) if spec.parent else None,
            formula=spec.formula,
            require_red_note=spec.require_red_note,
            **spec.extra,
        )
    for spec in MEASURABLES:
        if spec.formula or spec.base == 0:
            continue
        m = made[spec.key]
        spans = _spans(spec, today, fiscal)
        values = _series(spec, spans, rng)
        items = []
        for span, value in zip(spans, values, strict=True):
            note = ""
            if spec.require_red_note and measures.colour(
                value, better=m.better, mode=m.threshold_mode, green=m.green_bound,
                red=m.red_bound, target=m.target, target_max=m.target_max,
            ) == "red":  # fmt: skip
                note = RED_NOTES.get(spec.key, "Looking into it.")
            items.append(ValueInput(span.start, value, note))
        values_set(measurable=m, items=items, author=build.people[spec.owner], source="import")
    # Cafés sell more in December: the seasonal target of this year's weeks there.
    cafe = made["cafe_revenue"]
    year_start = measures.fiscal_span_of(today, "year", fiscal).start
    for span in measures.periods_between(
        "weekly", year_start, year_start.replace(month=12, day=31)
    ):
        if span.start.month == 12 and span.start >= year_start:
            target_set(measurable=cafe, period_start=span.start, target=54000)
    ceo = build.people["ceo"]
    for unit_key, name, description, keys in SCORECARDS:
        scorecard_create(
            organization=org,
            actor=ceo,
            name=name,
            kind="unit",
            unit=build.units[unit_key],
            description=description,
            measurables=[made[k].pk for k in keys],
        )
    scorecard_create(
        organization=org,
        actor=ceo,
        name="Maya's numbers",
        kind="personal",
        person=ceo,
        description="What I look at before the Monday leadership meeting.",
        measurables=[made[k].pk for k in ("revenue", "win_rate", "nps", "engagement")],
    )
    _website_feed(made["conversion"])
    build.measurables = made


WEBSITE_REPORT = "larkspur-web-analytics.json"


def _website_feed(measurable) -> None:
    """Website conversion comes from the web analytics export the marketing team drops in
    the feed folder: a scheduled pull of a local JSON file, run by the worker every hour."""
    import json

    from django.conf import settings

    from leados.operate.services.feeds import feed_configure

    folder = settings.LEADOS_FEED_FILE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    report = folder / WEBSITE_REPORT
    report.write_text(
        json.dumps({"site": "larkspur.example", "week": {"sessions": 18240, "conversion": 2.31}})
    )
    feed_configure(
        measurable=measurable,
        expected_version=0,
        kind="pull",
        url=report.resolve().as_uri(),
        format="json",
        json_path="$.week.conversion",
        interval_minutes=60,
    )
