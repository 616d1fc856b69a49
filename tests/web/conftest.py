"""Web page tests share the browser fixtures of the browser tests."""

from tests.browser.conftest import browser_type_launch_args, signed_in  # noqa: F401
