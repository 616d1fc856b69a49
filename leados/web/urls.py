from django.urls import include, path

from leados.web.views import home

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("o/<slug:org_slug>/", home.my_week, name="my_week"),
    # People and units import/export pages live in their own module.
    path("o/<slug:org_slug>/transfer/", include("leados.web.transfer_urls")),
]
