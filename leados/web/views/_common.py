"""Small helpers shared by the page views."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect

from leados.core import policy

UNPROCESSABLE = 422
CONFLICT = 409


def form_status(form) -> int:
    return UNPROCESSABLE if form.is_bound and form.errors else 200


def back(request, fallback: str):
    """Redirect to the page the form came from when it is one of ours, else ``fallback``."""
    target = request.POST.get("next") or ""
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect(fallback)


def done(request, text: str) -> None:
    messages.success(request, text)


def require(request, action: str, obj=None) -> None:
    policy.require(request.person, action, obj)


def post_only(request):
    """``None`` for a POST, else the 405 response. Call after looking up the objects in the
    URL, so that another organization's object is a 404 whatever the method."""
    if request.method == "POST":
        return None
    return HttpResponseNotAllowed(["POST"])
