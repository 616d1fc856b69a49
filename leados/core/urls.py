"""Sign-in related pages of our own (allauth's live under /accounts/)."""

from django.urls import path

urlpatterns: list = []
