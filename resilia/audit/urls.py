from django.urls import path

from resilia.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.log, name="log"),
    path("verify/", views.verify, name="verify"),
    path("events/<int:seq>/changes/", views.event_changes, name="event_changes"),
    path("open/<str:object_type>/<str:object_id>/", views.open_object, name="open_object"),
    path(
        "history/<str:object_type>/<str:object_id>/",
        views.object_history,
        name="object_history",
    ),
]
