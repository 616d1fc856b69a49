"""The API's leadership SOP collections under /api/v1/orgs/{org}/: ``sops`` (with their
versions and improvement ideas), ``sop-runs`` and ``sop-templates``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import JsonResponse
from ninja.decorators import decorate_view

from leados.api.common import org_operation
from leados.api.errors import error_body
from leados.core.errors import NotFound


def path_operation(*lookups: tuple[str, str, Callable]) -> Callable:
    """``org_operation`` for a route with objects in its path: each ``(attribute,
    parameter, access)`` reads the object in ``{parameter}`` with ``access`` before the
    body is read, so that one the caller may not read (or another organization's) answers
    404 whatever the body holds. The object is set on the request as ``attribute``."""

    def lookup(run):
        @wraps(run)
        def wrapper(request, *args, **kwargs):
            viewer = getattr(request, "viewer", None)
            if viewer is not None:
                try:
                    for attribute, parameter, access in lookups:
                        setattr(request, attribute, access(viewer, kwargs.get(parameter)))
                except NotFound as exc:
                    return JsonResponse(error_body(exc.message), status=404)
            return run(request, *args, **kwargs)

        return wrapper

    def decorator(func):
        decorate_view(lookup)(func)
        return org_operation(func)

    return decorator
