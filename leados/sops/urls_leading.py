"""Leading vs. doing pages, under /o/<org>/sops/."""

from django.urls import path

from leados.sops import leading_views as views

urlpatterns = [
    path("week/", views.time_checkin, name="time_checkin"),
    path("leading/", views.leading, name="leading"),
]
