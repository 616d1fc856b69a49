"""Reads of the operate domain; the vision selectors are re-exported here."""

from leados.operate.selectors.vision import core_values_list, get_core_value_for, vision_get

__all__ = ["core_values_list", "get_core_value_for", "vision_get"]
