from django.urls import path

from resilia.bia import views, views_priorities

app_name = "bia"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("framework/", views.framework, name="framework"),
    path("framework/edit/", views.framework_edit, name="framework_edit"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/delete/", views.campaign_delete, name="campaign_delete"),
    path("campaigns/<int:pk>/launch/", views.campaign_launch, name="campaign_launch"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("campaigns/<int:pk>/report/", views.campaign_report, name="campaign_report"),
    path("campaigns/<int:pk>/heatmap/", views.campaign_heatmap, name="campaign_heatmap"),
    path("campaigns/<int:pk>/export/", views.campaign_export, name="campaign_export"),
    path(
        "campaigns/<int:pk>/questionnaire/",
        views.questionnaire_download,
        name="questionnaire_download",
    ),
    path(
        "campaigns/<int:pk>/questionnaire/import/",
        views.questionnaire_import,
        name="questionnaire_import",
    ),
    path("assessments/", views.assessment_list, name="assessment_list"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/return/", views.assessment_return, name="assessment_return"),
    path("assessments/<int:pk>/review/", views.assessment_review, name="assessment_review"),
    path("assessments/<int:pk>/approve/", views.assessment_approve, name="assessment_approve"),
    path("assessments/<int:pk>/compare/", views.assessment_compare, name="assessment_compare"),
    path("priorities/", views_priorities.priorities, name="priorities"),
    path("rules/", views_priorities.rule_packs, name="rule_packs"),
    path("sites/", views_priorities.site_check, name="site_check"),
]
