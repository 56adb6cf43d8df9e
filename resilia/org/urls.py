from django.urls import path

from resilia.org import views, views_import, views_sites, views_teams

app_name = "org"
urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/delete/", views.unit_delete, name="unit_delete"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/delete/", views.person_delete, name="person_delete"),
    path("autocomplete/<slug:kind>/", views.autocomplete, name="autocomplete"),
]

# Import of units and people (resilia.org.views_import).
import_patterns = [
    path("import/", views_import.views.start, name="import"),
    path("import/confirm/", views_import.views.confirm, name="import_confirm"),
    path("import/result/", views_import.views.result, name="import_result"),
    path(
        "import/template/<slug:kind>.<slug:fmt>",
        views_import.views.template,
        name="import_template",
    ),
]
urlpatterns += import_patterns

# Sites and teams (resilia.org.views_sites, resilia.org.views_teams).
site_team_patterns = [
    path("sites/", views_sites.site_list, name="site_list"),
    path("sites/new/", views_sites.site_create, name="site_create"),
    path("sites/<int:pk>/", views_sites.site_detail, name="site_detail"),
    path("sites/<int:pk>/edit/", views_sites.site_edit, name="site_edit"),
    path("sites/<int:pk>/delete/", views_sites.site_delete, name="site_delete"),
    path("teams/", views_teams.team_list, name="team_list"),
    path("teams/new/", views_teams.team_create, name="team_create"),
    path("teams/<int:pk>/", views_teams.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", views_teams.team_edit, name="team_edit"),
    path("teams/<int:pk>/delete/", views_teams.team_delete, name="team_delete"),
    path("teams/<int:pk>/members/add/", views_teams.membership_add, name="membership_add"),
    path(
        "teams/<int:pk>/members/<int:mpk>/edit/",
        views_teams.membership_edit,
        name="membership_edit",
    ),
    path(
        "teams/<int:pk>/members/<int:mpk>/remove/",
        views_teams.membership_remove,
        name="membership_remove",
    ),
]
urlpatterns += site_team_patterns
