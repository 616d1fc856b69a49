"""The LeadOS JSON API at /api/v1/ (routers live with their app)."""

from __future__ import annotations

from ninja import NinjaAPI

from leados.api.auth import TokenAuth
from leados.api.errors import install_error_handlers
from leados.api.me import router as me_router

api = NinjaAPI(
    title="LeadOS API",
    version="1",
    description="Organization-scoped JSON API. Authenticate with `Authorization: Bearer <token>`.",
    auth=TokenAuth(),
    urls_namespace="api",
)
install_error_handlers(api)
api.add_router("/me", me_router)
