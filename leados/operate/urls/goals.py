from django.urls import path

from leados.operate.views import goals as views

agreement = "agreements/<int:agreement_id>/"
goal = "<int:goal_id>/"

urlpatterns = [
    path("new/", views.goal_create, name="goal_create"),
    path("agreements/", views.agreements, name="agreements"),
    *[
        path(f"{agreement}{action}/", views.agreement_act, {"action": action}, name=name)
        for action, name in (
            ("accept", "agreement_accept"),
            ("decline", "agreement_decline"),
            ("propose", "agreement_propose"),
            ("accept-change", "agreement_accept_change"),
            ("reject-change", "agreement_reject_change"),
        )
    ],
    path(goal, views.goal_page, name="goal"),
    path(f"{goal}check-in/", views.goal_check_in, name="goal_check_in"),
    path(f"{goal}edit/", views.goal_edit, name="goal_edit"),
    path(f"{goal}move/", views.goal_move, name="goal_move"),
    path(f"{goal}owner/", views.goal_reassign, name="goal_reassign"),
    path(f"{goal}status/", views.goal_status, name="goal_status"),
    path(f"{goal}archive/", views.goal_archive, name="goal_archive"),
    path(f"{goal}unarchive/", views.goal_unarchive, name="goal_unarchive"),
    path(f"{goal}delete/", views.goal_delete, name="goal_delete"),
    path(f"{goal}milestones/", views.goal_milestones, name="goal_milestones"),
    path(f"{goal}links/", views.goal_link_add, name="goal_link_add"),
    path(f"{goal}links/<int:link_id>/remove/", views.goal_link_remove, name="goal_link_remove"),
    path(f"{goal}history/", views.goal_history, name="goal_history"),
]
