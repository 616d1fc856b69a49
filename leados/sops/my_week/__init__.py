"""The SOP sections of My week; importing this package registers them."""

from leados.sops.my_week import runs  # noqa: F401
