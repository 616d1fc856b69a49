from __future__ import annotations

import logging
import time
import uuid

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import urlencode

from leados.core.context import change_context
from leados.core.models import Edge

request_log = logging.getLogger("leados.request")

SESSION_AUTH_AT = "leados_auth_at"
SESSION_SEEN_AT = "leados_seen_at"
SESSION_EPOCH = "leados_epoch"
# Refreshing "last seen" at most this often keeps most requests free of session writes.
SEEN_RESOLUTION = 60


def client_ip(request) -> str:
    """The client's address: behind N trusted proxies, the Nth X-Forwarded-For entry from
    the right (the leftmost ones are whatever the client sent), else REMOTE_ADDR."""
    trusted = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if trusted and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        if len(hops) >= trusted:
            return hops[-trusted]
    return request.META.get("REMOTE_ADDR", "")


class RequestLogMiddleware:
    """One structured log line per request: method, path, status, time, user, request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.META.get("HTTP_X_REQUEST_ID", "")[:64] or uuid.uuid4().hex
        request.request_id = request_id
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        if not request.path.startswith(settings.STATIC_URL):
            user = getattr(request, "user", None)
            request_log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                    "ip": client_ip(request),
                    "request_id": request_id,
                },
            )
        return response


class SessionTimeoutMiddleware:
    """Ends a session after idle time, after an absolute lifetime, or when the user's
    sessions were ended (deactivation, signing out everywhere).

    The clock of a session starts when its user signs in; a page request brings the
    idle deadline forward, the absolute one never moves.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            session = request.session
            now = int(time.time())
            auth_at = session.get(SESSION_AUTH_AT)
            if auth_at is None:
                self._start(session, user, now)
            else:
                seen_at = session.get(SESSION_SEEN_AT, auth_at)
                expired = (
                    now - seen_at >= settings.SESSION_IDLE_SECONDS
                    or now - auth_at >= settings.SESSION_ABSOLUTE_SECONDS
                    or session.get(SESSION_EPOCH) != user.session_epoch
                )
                if expired:
                    logout(request)
                    if request.headers.get("HX-Request"):
                        # An in-place update cannot show the sign-in page: reload to it.
                        login_url = resolve_url(settings.LOGIN_URL)
                        response = HttpResponse(status=204)
                        response["HX-Redirect"] = f"{login_url}?{urlencode({'next': request.path})}"
                        return response
                elif now - seen_at >= SEEN_RESOLUTION:
                    session[SESSION_SEEN_AT] = now
        response = self.get_response(request)
        # The request that signs in starts the session's clock (a bearer-token request
        # has a user but no signed-in session, and gets no session).
        session = getattr(request, "session", None)
        if (
            session is not None
            and session.get(SESSION_KEY) is not None
            and session.get(SESSION_AUTH_AT) is None
            and request.user.is_authenticated
        ):
            self._start(session, request.user, int(time.time()))
        return response

    @staticmethod
    def _start(session, user, now: int) -> None:
        session[SESSION_AUTH_AT] = now
        session[SESSION_SEEN_AT] = now
        session[SESSION_EPOCH] = user.session_epoch


class ChangeContextMiddleware:
    """Attributes changes made during a web request to the signed-in user, edge "web"."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if request.user.is_authenticated else None
        with change_context(actor=user, edge=Edge.WEB):
            return self.get_response(request)
