from django.urls import path

from leados.sops import measures_views as views

urlpatterns = [
    path("measures/", views.sop_measures, name="sop_measures"),
    path("coverage/", views.sop_coverage, name="sop_coverage"),
]
