from django.urls import path

from leados.operate.views import plans as views

plan = "<int:plan_id>/"
line = f"{plan}lines/<int:line_id>/"

urlpatterns = [
    path("", views.plans_page, name="plans"),
    path("new/", views.plan_create, name="plan_create"),
    path(plan, views.plan_page, name="plan"),
    path(f"{plan}edit/", views.plan_edit, name="plan_edit"),
    path(f"{plan}transition/", views.plan_transition, name="plan_transition"),
    path(f"{plan}delete/", views.plan_delete, name="plan_delete"),
    path(f"{plan}goals/", views.plan_goal_add, name="plan_goal_add"),
    path(f"{plan}goals/<int:goal_id>/remove/", views.plan_goal_remove, name="plan_goal_remove"),
    path(f"{plan}lines/", views.plan_line_add, name="plan_line_add"),
    path(line, views.plan_line_edit, name="plan_line_edit"),
    path(f"{line}delete/", views.plan_line_delete, name="plan_line_delete"),
]
