from django.urls import path

from leados.operate.views import scorecards as views

card = "<int:scorecard_id>/"

urlpatterns = [
    path("", views.scorecards_page, name="scorecards"),
    path("new/", views.scorecard_create, name="scorecard_create"),
    path(card, views.scorecard_page, name="scorecard"),
    path(f"{card}edit/", views.scorecard_edit, name="scorecard_edit"),
    path(f"{card}rows/", views.scorecard_rows, name="scorecard_rows"),
    path(f"{card}archive/", views.scorecard_archive, name="scorecard_archive"),
    path(f"{card}cells/", views.scorecard_cells, name="scorecard_cells"),
    path(f"{card}enter/", views.scorecard_enter, name="scorecard_enter"),
]
