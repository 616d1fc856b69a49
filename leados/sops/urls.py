"""The SOP pages, under ``o/<org>/sops/``. Other SOP page modules (coverage, measures,
the week's check-in, leading vs. doing, prompts) are included beside this one under their
own sub-paths."""

from django.urls import path

from leados.sops.views import ideas, library, runs, sops

one = "<int:sop_id>/"

urlpatterns = [
    path("", sops.sops_page, name="sops"),
    path("new/", sops.sop_create, name="sop_create"),
    path(one, sops.sop_page, name="sop"),
    path(f"{one}edit/", sops.sop_edit, name="sop_edit"),
    path(f"{one}archive/", sops.sop_archive, name="sop_archive"),
    path(f"{one}unarchive/", sops.sop_unarchive, name="sop_unarchive"),
    path(f"{one}publish/", sops.sop_publish, name="sop_publish"),
    path(f"{one}versions/<int:number>/", sops.sop_version, name="sop_version"),
    path(f"{one}history/", sops.sop_history, name="sop_history"),
    path(f"{one}ideas/new/", ideas.idea_create, name="sop_idea_create"),
    path("ideas/<int:idea_id>/accept/", ideas.idea_accept, name="sop_idea_accept"),
    path("ideas/<int:idea_id>/decline/", ideas.idea_decline, name="sop_idea_decline"),
    path("runs/<int:run_id>/", runs.run_page, name="sop_run"),
    path("library/", library.library_page, name="sop_library"),
    path("library/<slug:template_slug>/", library.template_page, name="sop_template"),
    path(
        "library/<slug:template_slug>/share/",
        library.template_share_page,
        name="sop_template_share",
    ),
]
