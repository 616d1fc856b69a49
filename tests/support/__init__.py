"""Helpers shared by several test packages (import them; they are not test modules)."""
