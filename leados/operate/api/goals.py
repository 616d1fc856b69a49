"""The API's goals collection under /api/v1/orgs/{org}/."""

from ninja import Router

router = Router(tags=["goals"])
