"""One error shape for every 4xx: {"detail": "...", "errors": [{"field", "message"}]}."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from leados.core.errors import LeadOSError


def error_body(detail: str, errors: list[dict] | None = None) -> dict:
    return {"detail": detail, "errors": errors or []}


def _field_of(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "header")]
    return ".".join(parts) or "__all__"


def validation_errors(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"field": field, "message": message}
            for field, errs in exc.message_dict.items()
            for message in errs
        ]
    return [{"field": "__all__", "message": m} for m in exc.messages]


def install_error_handlers(api) -> None:
    @api.exception_handler(NinjaValidationError)
    def _ninja_validation(request, exc):
        errors = [
            {"field": _field_of(e.get("loc", ())), "message": e.get("msg", "Invalid value.")}
            for e in exc.errors
        ]
        return api.create_response(request, error_body("Invalid input.", errors), status=422)

    @api.exception_handler(ValidationError)
    def _django_validation(request, exc):
        return api.create_response(
            request, error_body("Invalid input.", validation_errors(exc)), status=422
        )

    @api.exception_handler(LeadOSError)
    def _domain(request, exc):
        response = api.create_response(
            request, error_body(exc.message, exc.errors), status=exc.status
        )
        return response

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return api.create_response(request, error_body("Not found."), status=404)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return api.create_response(
            request,
            error_body("Authentication required: send Authorization: Bearer <token>."),
            status=401,
        )

    @api.exception_handler(HttpError)
    def _http_error(request, exc):
        message = str(exc)
        if exc.status_code == 400 and message.startswith("Cannot parse request body"):
            message = "The request body is not valid JSON."
        return api.create_response(request, error_body(message), status=exc.status_code)
