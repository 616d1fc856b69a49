"""The pages run under a strict Content Security Policy, and the watch catches breaches."""

from __future__ import annotations

from playwright.sync_api import expect


def test_an_injected_inline_script_is_refused_and_reported(world, browsing):
    page = browsing.as_("member@acme.test")
    expect(page.get_by_role("heading", name="My week")).to_be_visible()
    browsing.watch.allow(r"script-src")
    directive = page.evaluate(
        """() => new Promise((resolve) => {
          document.addEventListener(
            "securitypolicyviolation", (event) => resolve(event.effectiveDirective), {once: true}
          );
          const script = document.createElement("script");
          script.textContent = "window.__injected = true";
          document.body.append(script);
        })"""
    )
    assert directive.startswith("script-src")
    assert page.evaluate("window.__injected") is None
    violations = [p for p in browsing.watch.problems if p.startswith("CSP violation")]
    assert violations and "script-src" in violations[0], browsing.watch.problems


def test_pages_send_the_policy_with_a_fresh_nonce(world, browsing):
    page = browsing.anonymous()
    first = page.goto("/accounts/login/").headers["content-security-policy"]
    second = page.goto("/accounts/login/").headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in first
    assert "'unsafe-inline'" not in first
    assert first != second
