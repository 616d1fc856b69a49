from django.urls import include, path

from leados.sops.prompts_views import calendar_feed
from leados.web.views import history, home, organization, people, tokens, units

app_name = "web"

org = "o/<slug:org_slug>/"

urlpatterns = [
    path("", home.home, name="home"),
    path("switch/", home.switch_org, name="switch_org"),
    path("account/tokens/", tokens.tokens, name="tokens"),
    path("account/tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token_revoke"),
    path(org, home.my_week, name="my_week"),
    path("calendar/<str:token>.ics", calendar_feed, name="sop_calendar"),
    # Units
    path(f"{org}units/", units.unit_tree, name="units"),
    path(f"{org}units/new/", units.unit_create, name="unit_create"),
    path(f"{org}units/<int:unit_id>/", units.unit_detail, name="unit"),
    path(f"{org}units/<int:unit_id>/edit/", units.unit_edit, name="unit_edit"),
    path(f"{org}units/<int:unit_id>/subtree/", units.unit_subtree, name="unit_subtree"),
    path(f"{org}units/<int:unit_id>/rename/", units.unit_rename, name="unit_rename"),
    path(f"{org}units/<int:unit_id>/move/", units.unit_move, name="unit_move"),
    path(f"{org}units/<int:unit_id>/archive/", units.unit_archive, name="unit_archive"),
    path(f"{org}units/<int:unit_id>/unarchive/", units.unit_unarchive, name="unit_unarchive"),
    path(f"{org}units/<int:unit_id>/roles/", units.role_assign, name="role_assign"),
    path(
        f"{org}units/<int:unit_id>/roles/<int:assignment_id>/remove/",
        units.role_remove,
        name="role_remove",
    ),
    path(f"{org}units/<int:unit_id>/history/", history.unit_history, name="unit_history"),
    # People
    path(f"{org}people/", people.people_list, name="people"),
    path(f"{org}people/suggest/", people.people_suggest, name="people_suggest"),
    path(f"{org}people/invite/", people.invite, name="invite"),
    path(f"{org}people/invitations/", people.invitations, name="invitations"),
    path(
        f"{org}people/invitations/<int:invitation_id>/revoke/",
        people.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        f"{org}people/invitations/<int:invitation_id>/resend/",
        people.invitation_resend,
        name="invitation_resend",
    ),
    path(f"{org}people/<int:person_id>/", people.person_detail, name="person"),
    path(f"{org}people/<int:person_id>/edit/", people.person_edit, name="person_edit"),
    path(f"{org}people/<int:person_id>/role/", people.person_role, name="person_role"),
    path(
        f"{org}people/<int:person_id>/deactivate/",
        people.person_deactivate,
        name="person_deactivate",
    ),
    path(
        f"{org}people/<int:person_id>/reactivate/",
        people.person_reactivate,
        name="person_reactivate",
    ),
    path(f"{org}people/<int:person_id>/history/", history.person_history, name="person_history"),
    # Organization
    path(f"{org}settings/", organization.organization_settings, name="settings"),
    path(f"{org}history/", history.history_list, name="history"),
    path(f"{org}history/<int:entry_id>/restore/", history.history_restore, name="history_restore"),
    path(f"{org}sops/", include("leados.sops.urls")),
    path(f"{org}vision/", include("leados.operate.urls.vision")),
    path(f"{org}alignment/", include("leados.operate.urls.alignment")),
    path(f"{org}goals/", include("leados.operate.urls.goals")),
    path(f"{org}commitments/", include("leados.operate.urls.commitments")),
    path(f"{org}plans/", include("leados.operate.urls.plans")),
    path(f"{org}scorecards/", include("leados.operate.urls.scorecards")),
    path(f"{org}measurables/", include("leados.operate.urls.measurables")),
    path(f"{org}measurables/", include("leados.operate.urls.feeds")),
    path(f"{org}sops/", include("leados.sops.urls_measures")),
    path(f"{org}sops/", include("leados.sops.urls_prompts")),
    path(f"{org}sops/", include("leados.sops.urls_leading")),
    # People and units import/export pages live in their own module.
    path(f"{org}transfer/", include("leados.web.transfer_urls")),
]
