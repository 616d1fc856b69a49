"""A web server process, once its application is loaded, has its URL patterns imported and
its start-up objects frozen out of the garbage collector's full collections."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import gc, json, sys
before = gc.get_freeze_count()
import {module}
from django.urls import get_resolver
print(json.dumps({{
    "before": before,
    "frozen": gc.get_freeze_count(),
    "views_loaded": "leados.sops.views" in sys.modules,
    "resolver_loaded": "url_patterns" in get_resolver().__dict__,
}}))
"""


@pytest.mark.parametrize("module", ["leados.wsgi", "leados.asgi"])
def test_the_server_entry_points_load_the_urls_and_freeze_what_starting_made(module, cli_env):
    done = subprocess.run(  # noqa: S603 - fixed argument list
        [sys.executable, "-c", PROBE.format(module=module)],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["before"] == 0
    assert found["frozen"] > 10_000
    assert found["views_loaded"] and found["resolver_loaded"]
