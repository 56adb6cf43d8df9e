from django.urls import path

from resilia.incidents import views, views_intake

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("new/", views.declare, name="declare"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/live/", views.clock_panel, name="live"),
    path("<int:pk>/edit/", views.edit, name="incident_edit"),
    path("<int:pk>/level/", views.level, name="level"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/journal/", views.journal, name="journal"),
    path("<int:pk>/roles/", views.role_add, name="role_add"),
    path("<int:pk>/roles/<int:role_pk>/remove/", views.role_remove, name="role_remove"),
    path("<int:pk>/report/", views.report_new, name="report_new"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/achieved/", views.achieved, name="achieved"),
    path("<int:pk>/actions/", views.action_add, name="action_add"),
    path("<int:pk>/actions/<int:action_pk>/done/", views.action_done, name="action_done"),
    path("<int:pk>/activate/", views.activate, name="activate"),
    path("<int:pk>/board/", views.board, name="board"),
    path("tasks/<int:task_pk>/", views.task, name="task"),
    path("intake/", views_intake.intake_list, name="intake"),
    path("intake/hotline/", views_intake.hotline, name="hotline"),
    path("intake/links/", views_intake.link_create, name="link_create"),
    path("intake/links/<int:pk>/", views_intake.link_switch, name="link_switch"),
    path("intake/<int:pk>/", views_intake.intake_detail, name="intake_detail"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>.<str:fmt>", views.report_export, name="report_export"),
]
