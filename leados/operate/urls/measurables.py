from django.urls import path

from leados.operate.views import measurables as views

one = "<int:measurable_id>/"

urlpatterns = [
    path("", views.measurables_page, name="measurables"),
    path("new/", views.measurable_create, name="measurable_create"),
    path(one, views.measurable_page, name="measurable"),
    path(f"{one}edit/", views.measurable_edit, name="measurable_edit"),
    path(f"{one}archive/", views.measurable_archive, name="measurable_archive"),
    path(f"{one}unarchive/", views.measurable_unarchive, name="measurable_unarchive"),
    path(f"{one}targets/", views.measurable_targets, name="measurable_targets"),
    path(f"{one}history/", views.measurable_history, name="measurable_history"),
    path(f"{one}compare/", views.measurable_compare, name="measurable_compare"),
]
