from __future__ import annotations

from ninja.security import HttpBearer

from leados.core.context import attribute_rest_of_request
from leados.core.models import Edge
from leados.core.services import token_authenticate


class TokenAuth(HttpBearer):
    """Bearer token authentication; changes made with it are recorded as edge "api"."""

    def authenticate(self, request, token):
        if getattr(request, "api_token_raw", None) == token:
            return request.api_token
        api_token = token_authenticate(token)
        if api_token is None:
            return None
        request.api_token = api_token
        request.api_token_raw = token
        request.user = api_token.user
        attribute_rest_of_request(actor=api_token.user, edge=Edge.API)
        return api_token
