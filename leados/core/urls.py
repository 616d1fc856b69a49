"""Sign-in related pages of our own (allauth's live under /accounts/)."""

from django.urls import path

from leados.core import views

urlpatterns = [
    path("invite/<str:key>/", views.invitation_accept, name="invitation_accept"),
    path("account/", views.account_overview, name="account_overview"),
]
