"""The SOP sections of My week; importing this package registers them."""

from leados.sops.my_week import leading, runs  # noqa: F401
