from django.urls import path

from resilia.ops import views

app_name = "ops"

urlpatterns = [
    path("template/", views.template_page, name="report_template"),
    path("jobs/new/", views.job_request, name="report_job_request"),
    path("jobs/<int:pk>/", views.job_page, name="report_job"),
    path("jobs/<int:pk>/download/", views.job_download, name="report_job_download"),
]
