from django.urls import path

from resilia.org import views, views_import

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
    path("import/", views_import.import_start, name="import"),
    path("import/confirm/", views_import.import_confirm, name="import_confirm"),
    path("import/result/", views_import.import_result, name="import_result"),
    path(
        "import/template/<slug:kind>.<slug:fmt>",
        views_import.import_template,
        name="import_template",
    ),
]
urlpatterns += import_patterns
