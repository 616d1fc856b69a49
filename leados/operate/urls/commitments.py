from django.urls import path

from leados.operate.views import commitments as views

one = "<int:commitment_id>/"

urlpatterns = [
    path("", views.commitments, name="commitments"),
    path("new/", views.commitment_new, name="commitment_new"),
    path(one, views.commitment, name="commitment"),
    path(f"{one}accept/", views.commitment_accept, name="commitment_accept"),
    path(f"{one}decline/", views.commitment_decline, name="commitment_decline"),
    path(
        f"{one}propose-change/", views.commitment_propose_change, name="commitment_propose_change"
    ),
    path(f"{one}terms/", views.commitment_terms, name="commitment_terms"),
    path(f"{one}withdraw/", views.commitment_withdraw, name="commitment_withdraw"),
    path(f"{one}update/", views.commitment_update, name="commitment_update"),
    path(f"{one}complete/", views.commitment_complete, name="commitment_complete"),
    path(f"{one}evaluate/", views.commitment_evaluate, name="commitment_evaluate"),
    path(f"{one}act/", views.commitment_act, name="commitment_act"),
]
