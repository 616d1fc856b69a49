"""The site's URLs with the transfer routes mounted on an API of their own, as api.py would."""

from django.urls import path
from ninja import NinjaAPI

from leados.api.auth import TokenAuth
from leados.api.errors import install_error_handlers
from leados.core.transfer.api import build_router
from leados.urls import urlpatterns as site_urlpatterns

api = NinjaAPI(auth=TokenAuth(), urls_namespace="transfer_test_api", docs_url=None)
install_error_handlers(api)
api.add_router("/orgs", build_router())

urlpatterns = [path("api/test/", api.urls), *site_urlpatterns]
