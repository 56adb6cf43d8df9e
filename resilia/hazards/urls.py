from django.urls import path

from resilia.hazards import views, views_hazards

app_name = "hazards"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/load/", views.templates_load, name="templates_load"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("templates/<int:pk>/edit/", views.template_edit, name="checklisttemplate_edit"),
    path("schedules/", views.schedule_list, name="schedule_list"),
    path("schedules/new/", views.schedule_create, name="schedule_create"),
    path("schedules/<int:pk>/edit/", views.schedule_edit, name="schedule_edit"),
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/complete/", views.round_complete, name="round_complete"),
    path("rounds/<int:pk>/cancel/", views.round_cancel, name="round_cancel"),
    path("rounds/<int:pk>/delete/", views.round_delete, name="round_delete"),
    path("rounds/<int:pk>/hazard/", views_hazards.hazard_create, name="hazard_create"),
    path("list/", views_hazards.hazard_list, name="hazard_list"),
    path("major/", views_hazards.major_list, name="major_list"),
    path("overdue/", views_hazards.overdue_list, name="overdue_list"),
    path("ledger.<str:fmt>", views_hazards.ledger_export, name="ledger"),
    path("<int:pk>/", views_hazards.hazard_detail, name="hazard_detail"),
    path("<int:pk>/edit/", views_hazards.hazard_edit, name="hazard_edit"),
    path("<int:pk>/order/", views_hazards.rectification_issue, name="rectification_issue"),
    path("<int:pk>/fixed/", views_hazards.rectification_report, name="rectification_report"),
    path("<int:pk>/verify/", views_hazards.hazard_verify, name="hazard_verify"),
    path("<int:pk>/withdraw/", views_hazards.hazard_withdraw, name="hazard_withdraw"),
    path("<int:pk>/promote/", views_hazards.hazard_promote, name="hazard_promote"),
    path("<int:pk>/photos/", views_hazards.hazard_photos, name="hazard_photos"),
    path("photo/<str:pk>/", views_hazards.photo, name="photo"),
]
