from django.urls import include, path

from leados.api.api import api
from leados.web import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/", include("allauth.urls")),
    path("", include("leados.core.urls")),
    path("api/v1/", api.urls),
    path("", include("leados.web.urls")),
]
