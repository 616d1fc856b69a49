from django.urls import path

from leados.sops import prompts_views as views

urlpatterns = [
    path("prompts/", views.prompts_page, name="sop_prompts"),
    path("prompts/calendar/", views.prompts_feed, name="sop_prompts_feed"),
]
