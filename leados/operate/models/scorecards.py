"""Scorecards: measurables (KPIs) with targets and thresholds, their values per period,
and named, ordered selections of measurables.

A measurable belongs to a unit (or is a person's own when ``unit`` is empty) and has an
owner. Its values are kept one per period of its frequency: a week (Monday to Sunday), a
calendar month, or a fiscal quarter; ``period_start`` identifies the period. Values are
entered by hand, imported, pushed through the API or pulled by a feed; a formula
measurable has no values of its own and is computed from the measurables its formula
names. A measurable may roll up into a parent measurable of the same kind (the same
number measured by several units), which then shows the children's values combined by
its ``unit_aggregation``.

Colours come from the thresholds: with ``threshold_mode`` ``absolute`` the two bounds
are values; with ``share`` they are shares of the period's target (1.0 = the target).
For "higher is better", a value at or above the green bound is green and one below the
red bound is red; for "lower is better" the other way round; for "within a range" a value
inside target … target_max is green, one within ``red_bound`` outside (a value, or a
share of the nearer end) yellow, and beyond that red.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from leados.core.models.base import TenantModel, tenant_manager

NAME_MAX = 200
DESCRIPTION_MAX = 4000
NOTE_MAX = 2000
KEY_MAX = 40
FORMULA_MAX = 500
UNIT_LABEL_MAX = 20
MAX_SCORECARD_ITEMS = 100
MAX_DECIMALS = 6
KEY_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$",
    "A key starts with a letter and holds lower-case letters, digits and underscores.",
)
CURRENCY_VALIDATOR = RegexValidator(r"^[A-Z]{3}$", "Use a three-letter currency code (ISO 4217).")


class Category(models.TextChoices):
    OPERATIONAL_EFFICIENCY = "operational_efficiency", "Operational efficiency"
    SALES = "sales", "Sales"
    CUSTOMER_SATISFACTION = "customer_satisfaction", "Customer satisfaction"
    FINANCIAL = "financial", "Financial"
    PEOPLE = "people", "People"
    QUALITY = "quality", "Quality"
    CUSTOM = "custom", "Custom"


class MeasurableKind(models.TextChoices):
    NUMBER = "number", "Number"
    PERCENT = "percent", "Percent"
    CURRENCY = "currency", "Currency"
    DURATION = "duration", "Duration (hours)"
    YES_NO = "yes_no", "Yes / no"


class Better(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"
    RANGE = "range", "Within a range"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class TimeAggregation(models.TextChoices):
    SUM = "sum", "Sum"
    AVERAGE = "average", "Average"
    LAST = "last", "Last value"


class UnitAggregation(models.TextChoices):
    SUM = "sum", "Sum"
    AVERAGE = "average", "Average"
    WEIGHTED = "weighted", "Weighted average"


class ThresholdMode(models.TextChoices):
    ABSOLUTE = "absolute", "Values"
    SHARE = "share", "Shares of the target"


class Colour(models.TextChoices):
    GREEN = "green", "On target"
    YELLOW = "yellow", "Close"
    RED = "red", "Off target"


class ValueSource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    API = "api", "API"
    IMPORT = "import", "Import"
    PUSH = "push", "Push feed"
    PULL = "pull", "Scheduled pull"
    SQL = "sql", "SQL query"


class MeasurableQuerySet(models.QuerySet):
    def live(self):
        return self.filter(archived_at__isnull=True)

    def of_unit(self, unit_id: int | None):
        return self if not unit_id else self.filter(unit_id=unit_id)


class Measurable(TenantModel):
    name = models.CharField(max_length=NAME_MAX)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX)
    key = models.CharField(
        max_length=KEY_MAX,
        blank=True,
        validators=[KEY_VALIDATOR],
        help_text="The name formulas use for this measurable; unique in the organization.",
    )
    unit = models.ForeignKey(
        "core.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="measurables"
    )
    owner = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="measurables")
    category = models.CharField(max_length=24, choices=Category.choices, default=Category.CUSTOM)
    kind = models.CharField(
        max_length=10, choices=MeasurableKind.choices, default=MeasurableKind.NUMBER
    )
    currency = models.CharField(max_length=3, blank=True, validators=[CURRENCY_VALIDATOR])
    unit_label = models.CharField(
        max_length=UNIT_LABEL_MAX, blank=True, help_text="Shown after numbers, e.g. 'orders'."
    )
    decimals = models.PositiveSmallIntegerField(default=0)
    better = models.CharField(max_length=6, choices=Better.choices, default=Better.HIGHER)
    frequency = models.CharField(max_length=9, choices=Frequency.choices, default=Frequency.WEEKLY)
    # The target of every period without its own (MeasurableTarget); for a range, target is
    # the low end and target_max the high end.
    target = models.FloatField(null=True, blank=True)
    target_max = models.FloatField(null=True, blank=True)
    threshold_mode = models.CharField(
        max_length=8, choices=ThresholdMode.choices, default=ThresholdMode.SHARE
    )
    green_bound = models.FloatField(null=True, blank=True)
    red_bound = models.FloatField(null=True, blank=True)
    time_aggregation = models.CharField(
        max_length=7, choices=TimeAggregation.choices, default=TimeAggregation.SUM
    )
    unit_aggregation = models.CharField(
        max_length=8, choices=UnitAggregation.choices, default=UnitAggregation.SUM
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    weight = models.FloatField(default=1.0, help_text="Its weight in a weighted roll-up.")
    formula = models.CharField(max_length=FORMULA_MAX, blank=True)
    require_red_note = models.BooleanField(
        default=False, help_text="A red value needs a note saying why."
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager(MeasurableQuerySet)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(category__in=[c.value for c in Category]),
                name="measurable_category_known",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in MeasurableKind]),
                name="measurable_kind_known",
            ),
            models.CheckConstraint(
                condition=models.Q(better__in=[b.value for b in Better]),
                name="measurable_better_known",
            ),
            models.CheckConstraint(
                condition=models.Q(frequency__in=[f.value for f in Frequency]),
                name="measurable_frequency_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="currency") | ~models.Q(currency=""),
                name="measurable_currency_has_code",
            ),
            models.UniqueConstraint(
                fields=["organization", "key"],
                condition=~models.Q(key=""),
                name="measurable_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "unit", "name"]),
            models.Index(fields=["organization", "owner"]),
            models.Index(fields=["organization", "parent"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def is_formula(self) -> bool:
        return bool(self.formula)


class MeasurableTarget(TenantModel):
    """The target of one period where it differs from the measurable's usual one."""

    measurable = models.ForeignKey(Measurable, on_delete=models.CASCADE, related_name="targets")
    period_start = models.DateField()
    target = models.FloatField()
    target_max = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["measurable_id", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["measurable", "period_start"], name="measurable_target_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "measurable", "period_start"])]

    def __str__(self) -> str:
        return f"{self.measurable_id} {self.period_start}: {self.target}"


class MeasurableValue(TenantModel):
    """The value of one measurable for one period (``period_start`` … ``period_end``)."""

    measurable = models.ForeignKey(Measurable, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.FloatField()
    note = models.TextField(blank=True, max_length=NOTE_MAX)
    source = models.CharField(max_length=6, choices=ValueSource.choices, default=ValueSource.MANUAL)
    entered_by = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["measurable_id", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["measurable", "period_start"], name="measurable_value_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="measurable_value_period_order",
            ),
        ]
        indexes = [models.Index(fields=["organization", "measurable", "period_start"])]

    def __str__(self) -> str:
        return f"{self.measurable_id} {self.period_start}: {self.value}"


class ScorecardKind(models.TextChoices):
    UNIT = "unit", "A unit's"
    PERSONAL = "personal", "Personal"
    CUSTOM = "custom", "Custom selection"


class Scorecard(TenantModel):
    name = models.CharField(max_length=NAME_MAX)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX)
    kind = models.CharField(
        max_length=8, choices=ScorecardKind.choices, default=ScorecardKind.CUSTOM
    )
    unit = models.ForeignKey(
        "core.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="scorecards"
    )
    person = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="scorecards"
    )
    owner = models.ForeignKey("core.Person", on_delete=models.PROTECT, related_name="+")
    measurables = models.ManyToManyField(
        Measurable, through="ScorecardItem", related_name="scorecards"
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in ScorecardKind]),
                name="scorecard_kind_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="unit") | models.Q(unit__isnull=False),
                name="scorecard_unit_has_unit",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="personal") | models.Q(person__isnull=False),
                name="scorecard_personal_has_person",
            ),
            models.UniqueConstraint(
                fields=["organization", "unit"],
                condition=models.Q(kind="unit", archived_at__isnull=True),
                name="scorecard_one_per_unit",
            ),
            models.UniqueConstraint(
                fields=["organization", "person"],
                condition=models.Q(kind="personal", archived_at__isnull=True),
                name="scorecard_one_per_person",
            ),
        ]
        indexes = [models.Index(fields=["organization", "unit"])]

    def __str__(self) -> str:
        return self.name


class ScorecardItem(TenantModel):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="items")
    measurable = models.ForeignKey(Measurable, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["scorecard_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "measurable"], name="scorecard_item_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "scorecard", "position"])]

    def __str__(self) -> str:
        return f"{self.scorecard_id}#{self.position}: {self.measurable_id}"


class FeedKind(models.TextChoices):
    PUSH = "push", "Push (ingest token)"
    PULL = "pull", "Scheduled pull of CSV or JSON from a URL"
    SQL = "sql", "Scheduled read-only SQL query"


class FeedFormat(models.TextChoices):
    JSON = "json", "JSON"
    CSV = "csv", "CSV"


class FeedStatus(models.TextChoices):
    NEW = "new", "Not run yet"
    OK = "ok", "Succeeded"
    FAILING = "failing", "Failing"


class Feed(TenantModel):
    """Where a measurable's values come from without anyone typing them.

    A push feed answers to an ingest token (only its hash is kept). A pull feed fetches a
    URL every ``interval_minutes`` and reads the value with ``json_path`` (JSON) or from
    ``csv_column`` of the last row, or the row whose first column is the period's start
    (CSV). A SQL feed runs a read-only query against ``database_url`` that returns one
    value (or rows of period start and value). A failure is kept with its message and
    retried later; it never records a value.
    """

    measurable = models.OneToOneField(Measurable, on_delete=models.CASCADE, related_name="feed")
    kind = models.CharField(max_length=4, choices=FeedKind.choices)
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    token_hint = models.CharField(max_length=8, blank=True, editable=False)
    url = models.CharField(max_length=2000, blank=True)
    format = models.CharField(max_length=4, choices=FeedFormat.choices, blank=True)
    json_path = models.CharField(max_length=500, blank=True)
    csv_column = models.CharField(max_length=200, blank=True)
    database_url = models.CharField(max_length=2000, blank=True)
    query = models.TextField(blank=True, max_length=8000)
    interval_minutes = models.PositiveIntegerField(default=60)
    enabled = models.BooleanField(default=True)
    status = models.CharField(max_length=7, choices=FeedStatus.choices, default=FeedStatus.NEW)
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    failures = models.PositiveIntegerField(default=0, editable=False)
    next_run_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Write-only secrets stay out of the history (a change to the URL is recorded as its
    # host and database); the run fields change on every run and are not configuration.
    HISTORY_EXCLUDE = (
        "database_url", "token_hash", "status", "last_run_at", "last_success_at",
        "last_error", "failures", "next_run_at",
    )  # fmt: skip

    objects = tenant_manager()

    class Meta:
        ordering = ["measurable_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in FeedKind]), name="feed_kind_known"
            )
        ]
        indexes = [
            models.Index(fields=["enabled", "next_run_at"]),
            models.Index(fields=["token_hash"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} feed of {self.measurable_id}"
