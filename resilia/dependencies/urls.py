from django.urls import path

from resilia.dependencies import views, views_checks, views_graph, views_import, views_links

app_name = "dependencies"
urlpatterns = [
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/new/", views.resource_create, name="resource_create"),
    path("resources/<int:pk>/", views.resource_detail, name="resource_detail"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/delete/", views.resource_delete, name="resource_delete"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    # Links, from either end (resilia.dependencies.views_links).
    path(
        "<slug:kind>/<int:pk>/links/<slug:direction>/add/",
        views_links.link_add,
        name="link_add",
    ),
    path("links/<int:pk>/edit/", views_links.link_edit, name="link_edit"),
    path("links/<int:pk>/remove/", views_links.link_remove, name="link_remove"),
    path("autocomplete/<slug:kind>/", views_links.autocomplete, name="autocomplete"),
    path("checks/", views_checks.model_checks, name="checks"),
    path("graph/", views_graph.graph_page, name="graph"),
    path("graph/data/", views_graph.graph_data, name="graph_data"),
]

# Import of resources, activities and links (resilia.dependencies.views_import).
urlpatterns += [
    path("import/", views_import.views.start, name="import"),
    path("import/confirm/", views_import.views.confirm, name="import_confirm"),
    path("import/result/", views_import.views.result, name="import_result"),
    path(
        "import/template/<slug:kind>.<slug:fmt>",
        views_import.views.template,
        name="import_template",
    ),
]
