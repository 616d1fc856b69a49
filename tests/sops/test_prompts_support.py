"""Shared pieces of the prompts tests: a real SMTP inbox, and the run and routine pages'
routes while those pages are not in this tree (a test URLconf adds them only when
``web:sop_run`` does not reverse)."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import NoReverseMatch, include, path, reverse

from tests.support.smtp import smtp  # noqa: F401 - a fixture


def _page(request, **kwargs):
    return HttpResponse("stand-in page")


def _urlpatterns():
    import leados.urls
    import leados.web.urls

    web = [
        *leados.web.urls.urlpatterns,
        path("o/<slug:org_slug>/sops/<int:sop_id>/", _page, name="sop"),
        path("o/<slug:org_slug>/sops/runs/<int:run_id>/", _page, name="sop_run"),
    ]
    others = [p for p in leados.urls.urlpatterns if getattr(p, "namespace", None) != "web"]
    return [*others, path("", include((web, "web")))]


urlpatterns = _urlpatterns()


@pytest.fixture
def run_pages():
    """The run and routine routes: the real ones when they exist, else stand-ins."""
    try:
        reverse("web:sop_run", args=["acme", 1])
        reverse("web:sop", args=["acme", 1])
    except NoReverseMatch:
        with override_settings(ROOT_URLCONF=__name__):
            yield
    else:
        yield


@pytest.fixture
def smtp_inbox(request, run_pages):
    """A real SMTP server on a local port; Django's SMTP backend sends to it."""
    controller, inbox = request.getfixturevalue("smtp")
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=controller.port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        LEADOS_BASE_URL="https://leados.example.com",
    ):
        yield inbox
