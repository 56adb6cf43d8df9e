from django.urls import path

from resilia.risk import views, views_import, views_other

app_name = "risk"

urlpatterns = [
    path("", views.risk_list, name="risk_list"),
    path("new/", views.risk_create, name="risk_create"),
    path("<int:pk>/", views.risk_detail, name="risk_detail"),
    path("<int:pk>/edit/", views.risk_edit, name="risk_edit"),
    path("<int:pk>/delete/", views.risk_delete, name="risk_delete"),
    path("<int:pk>/accept/", views.risk_accept, name="risk_accept"),
    path("<int:pk>/scenario/", views.risk_scenario, name="risk_scenario"),
    path("<int:pk>/measures/new/", views.measure_create, name="measure_create"),
    path("measures/", views.measure_list, name="measure_list"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/delete/", views.measure_delete, name="measure_delete"),
    path("heatmap/", views_other.heatmap, name="heatmap"),
    path("matrix/", views_other.matrix, name="matrix"),
    path("matrix/edit/", views_other.matrix_edit, name="matrix_edit"),
    path("threats/", views_other.threat_list, name="threat_list"),
    path("threats/new/", views_other.threat_create, name="threat_create"),
    path("threats/load/", views_other.threat_catalogue_load, name="threat_catalogue_load"),
    path("threats/<int:pk>/", views_other.threat_detail, name="threat_detail"),
    path("threats/<int:pk>/edit/", views_other.threat_edit, name="threat_edit"),
    path("threats/<int:pk>/delete/", views_other.threat_delete, name="threat_delete"),
    path("assessments/", views_other.assessment_list, name="assessment_list"),
    path("assessments/new/", views_other.assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", views_other.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/edit/", views_other.assessment_edit, name="riskassessment_edit"),
    path(
        "assessments/<int:pk>/delete/", views_other.assessment_delete, name="riskassessment_delete"
    ),
    path(
        "assessments/<int:pk>/sign-off/",
        views_other.assessment_sign_off,
        name="assessment_sign_off",
    ),
    path(
        "assessments/<int:pk>/compare/", views_other.assessment_compare, name="assessment_compare"
    ),
    path("assessments/<int:pk>/report/", views_other.assessment_report, name="assessment_report"),
]

# Import of the register (resilia.risk.views_import).
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
