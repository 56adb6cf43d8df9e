from django.urls import path

from resilia.evidence import views

app_name = "evidence"
urlpatterns = [
    path("file/<str:pk>/", views.download, name="download"),
    path("file/<str:pk>/delete/", views.delete, name="delete"),
    path("<str:object_type>/<str:object_id>/", views.object_files, name="object_files"),
]
