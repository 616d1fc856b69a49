"""Browser tests: Playwright driving the system Chromium against a live server.

Outside CI they skip when Chromium is not installed; in CI (CI=true) a missing
browser is a failure, never a skip.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, expect

from tests.conftest import PASSWORD, service_missing

# Playwright's sync API runs an event loop in the test thread; the test's own ORM
# calls are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        service_missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": LAUNCH_ARGS}


@pytest.fixture
def signed_in(page, live_server):
    """Sign a persona in through the real sign-in form; returns the page."""

    def sign_in(email: str, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()
        page.wait_for_load_state()
        return page

    return sign_in


def sign_in(page: Page, email: str, password: str = PASSWORD) -> Page:
    """Sign in through the real form and wait until the app has let the person in."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile(r"^sign in$", re.I)).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def htmx_settled(page: Page) -> None:
    """Wait until HTMX has finished a swap and wired up the new content.

    htmx binds a swapped-in form during its settle step; a keypress before that submits
    the form the ordinary way (a full page load), which is a working fallback but not
    the in-place edit under test.
    """
    busy = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"
    expect(page.locator(busy)).to_have_count(0)


# Listens on every page of a context, across navigations: Playwright injects both the
# binding and the init script outside the page's CSP, so they see what the page does.
_REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__leadosCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} on ${document.URL}`
  );
});
"""


class PageWatch:
    """Console errors, uncaught exceptions and CSP violations from every watched page."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.visited: list[str] = []
        self._allowed: list[re.Pattern] = []

    def attach(self, context: BrowserContext) -> None:
        context.expose_binding(
            "__leadosCspViolation",
            lambda _source, text: self.problems.append(f"CSP violation: {text}"),
        )
        context.add_init_script(_REPORT_CSP)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.problems.append(f"Uncaught: {error.error}"))
        context.on("page", self._page)

    def _page(self, page: Page) -> None:
        page.on(
            "framenavigated",
            lambda frame: self.visited.append(frame.url) if frame == page.main_frame else None,
        )

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            where = message.location.get("url", "") if message.location else ""
            self.problems.append(f"console {message.type}: {message.text} ({where})")

    def allow(self, pattern: str) -> None:
        """Expect problems matching ``pattern`` (say, a refused request the test provokes)."""
        self._allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [p for p in self.problems if not any(a.search(p) for a in self._allowed)]


class Browsing:
    """Fresh browser contexts on the live server, one per persona, all watched."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.watch = PageWatch()
        self.contexts: list[BrowserContext] = []

    def anonymous(self, *, viewport: dict | None = None) -> Page:
        context = self.browser.new_context(
            base_url=self.base_url, viewport=viewport or {"width": 1280, "height": 800}
        )
        self.watch.attach(context)
        self.contexts.append(context)
        return context.new_page()

    def as_(self, email: str, password: str = PASSWORD, *, viewport: dict | None = None) -> Page:
        return sign_in(self.anonymous(viewport=viewport), email, password)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser, live_server):
    """Open watched contexts; the test fails if any page logged an error or a CSP violation."""
    session = Browsing(browser, live_server.url)
    yield session
    session.close()
    problems = session.watch.unexpected()
    assert not problems, (
        "Pages reported problems:\n"
        + "\n".join(problems)
        + ("\nPages visited:\n" + "\n".join(session.watch.visited))
    )
