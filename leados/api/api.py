"""The LeadOS JSON API at /api/v1/ (routers live with their app)."""

from __future__ import annotations

from functools import wraps

from django.http import JsonResponse
from django.urls import URLPattern, re_path
from ninja import NinjaAPI

from leados.api.auth import TokenAuth
from leados.api.errors import error_body, install_error_handlers
from leados.api.history import router as history_router
from leados.api.me import router as me_router
from leados.api.orgs import router as orgs_router
from leados.api.people import router as people_router
from leados.api.periods import router as periods_router
from leados.api.role_assignments import router as role_assignments_router
from leados.api.units import router as units_router
from leados.core.transfer.api import router as transfer_router
from leados.operate.api.agreements import router as agreements_router
from leados.operate.api.check_ins import router as check_ins_router
from leados.operate.api.commitments import router as commitments_router
from leados.operate.api.feeds import ingest_router
from leados.operate.api.feeds import router as feeds_router
from leados.operate.api.goals import router as goals_router
from leados.operate.api.measurables import router as measurables_router
from leados.operate.api.plans import router as plans_router
from leados.operate.api.scorecards import router as scorecards_router
from leados.operate.api.vision import router as vision_router
from leados.sops.api.measures import router as sop_measures_router
from leados.sops.api.runs import router as sop_runs_router
from leados.sops.api.sops import router as sops_router
from leados.sops.api.templates import router as sop_templates_router
from leados.sops.api.time_checkins import router as time_checkins_router


def _json_method_errors(view):
    """Answer a wrong method in the error shape, keeping the Allow header."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = ", ".join(sorted(m.strip() for m in response.get("Allow", "").split(",")))
            response = JsonResponse(
                error_body(f"{request.method} is not allowed here; use {allowed}."), status=405
            )
            response["Allow"] = allowed
        return response

    return wrapper


def _unknown_route(request, *args, **kwargs):
    return JsonResponse(error_body("No such API route. See /api/v1/docs."), status=404)


class LeadOSApi(NinjaAPI):
    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = _json_method_errors(pattern.callback)
        urls.append(re_path(r"^.*$", _unknown_route))
        return urls


api = LeadOSApi(
    title="LeadOS API",
    version="1",
    description=(
        "Organization-scoped JSON API. Authenticate with `Authorization: Bearer <token>` "
        "(create a token under API tokens in the web app, or with `leados token create`). "
        "Lists take `limit` (at most 500) and `offset` and answer `{items, count}`. "
        "Changes carry the version they are based on: send the ETag you received in "
        "`If-Match`. Errors answer `{detail, errors: [{field, message}]}`."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/me", me_router)
api.add_router("/orgs", orgs_router)
api.add_router("/orgs", people_router)
api.add_router("/orgs", units_router)
api.add_router("/orgs", role_assignments_router)
api.add_router("/orgs", history_router)
api.add_router("/orgs", transfer_router)
api.add_router("/orgs", vision_router)
api.add_router("/orgs", periods_router)
api.add_router("/orgs", goals_router)
api.add_router("/orgs", check_ins_router)
api.add_router("/orgs", agreements_router)
api.add_router("/orgs", commitments_router)
api.add_router("/orgs", plans_router)
api.add_router("/orgs", measurables_router)
api.add_router("/orgs", scorecards_router)
api.add_router("/orgs", feeds_router)
api.add_router("/orgs", sop_measures_router)
api.add_router("/orgs", sops_router)
api.add_router("/orgs", sop_runs_router)
api.add_router("/orgs", sop_templates_router)
api.add_router("/ingest", ingest_router)
api.add_router("/orgs", time_checkins_router)
