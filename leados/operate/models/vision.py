"""The organization's direction: vision, mission, long-range picture and core values."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from leados.core.models.base import TenantModel

VISION_MAX = 2000
LONG_RANGE_MAX = 8000
VALUE_NAME_MAX = 80
VALUE_DESCRIPTION_MAX = 1000
MAX_CORE_VALUES = 20


class Vision(TenantModel):
    """One per organization: where it is going and why it exists."""

    vision = models.TextField(
        blank=True, max_length=VISION_MAX, help_text="The future the organization works toward."
    )
    mission = models.TextField(
        blank=True,
        max_length=VISION_MAX,
        verbose_name="mission / purpose",
        help_text="Why the organization exists and whom it serves.",
    )
    long_range = models.TextField(
        blank=True,
        max_length=LONG_RANGE_MAX,
        verbose_name="long-range picture",
        help_text="Where we will be in three years: concrete, measurable targets.",
    )
    horizon_year = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2200)],
        help_text="The year the long-range picture describes.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="operate_one_vision_per_org")
        ]

    def __str__(self) -> str:
        return "Vision"

    @property
    def is_empty(self) -> bool:
        return not (self.vision or self.mission or self.long_range)


class CoreValue(TenantModel):
    name = models.CharField(max_length=VALUE_NAME_MAX)
    description = models.TextField(blank=True, max_length=VALUE_DESCRIPTION_MAX)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="operate_core_value_name_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name
