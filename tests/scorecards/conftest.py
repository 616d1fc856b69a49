from tests.scorecards.feeds_support import silent_port, source_db  # noqa: F401 - fixtures
