"""The demo organization (filled in by the demo builder)."""

from __future__ import annotations


def demo_ensure_first_start():
    """Create the demo organization on first start; return (email, password) to print."""
    return None
