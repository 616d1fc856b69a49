from django.urls import include, path
from django.views.generic import RedirectView

from leados.api.api import api
from leados.web import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Email addresses are sign-in identities shared by every organization of the user;
    # self-service adding of unverified addresses stays off.
    path("accounts/email/", RedirectView.as_view(pattern_name="account_overview")),
    path("accounts/", include("allauth.urls")),
    path("", include("leados.core.urls")),
    path("api/v1/", api.urls),
    path("", include("leados.web.urls")),
]
