from django.urls import path

from leados.operate.views import feeds as views

feed = "<int:measurable_id>/feed/"

urlpatterns = [
    path(feed, views.feed_page, name="measurable_feed"),
    path(f"{feed}token/", views.feed_token, name="measurable_feed_token"),
    path(f"{feed}run/", views.feed_run, name="measurable_feed_run"),
    path(f"{feed}delete/", views.feed_delete, name="measurable_feed_delete"),
]
