"""The operate domain's sections of My week; importing this package registers them."""

from leados.operate.my_week import commitments, goals, scorecards, vision  # noqa: F401
