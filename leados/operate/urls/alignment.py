from django.urls import path

from leados.operate.views import alignment as views

urlpatterns = [
    path("", views.alignment_tree, name="alignment"),
    path("goals/<int:goal_id>/children/", views.alignment_children, name="alignment_children"),
    path("orphans/", views.alignment_orphans, name="alignment_orphans"),
    path("coverage/", views.alignment_coverage, name="alignment_coverage"),
]
