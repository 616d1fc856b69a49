from django.urls import path

from leados.web.views import home

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("o/<slug:org_slug>/", home.my_week, name="my_week"),
]
