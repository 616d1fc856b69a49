from tests.support.cli import cli_env  # noqa: F401 - fixtures for every test here
from tests.support.smtp import smtp  # noqa: F401
