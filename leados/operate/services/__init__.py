"""Every write to the operate domain: vision, goals, check-ins, agreements, commitments, plans.

The vision services are re-exported here; the others live in their own modules
(``leados.operate.services.goals`` and so on).
"""

from leados.operate.services.vision import (
    core_value_create,
    core_value_delete,
    core_value_update,
    core_values_reorder,
    vision_update,
)

__all__ = [
    "core_value_create",
    "core_value_delete",
    "core_value_update",
    "core_values_reorder",
    "vision_update",
]
