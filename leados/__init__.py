"""LeadOS: a leadership operating system."""

__version__ = "0.1.0"
