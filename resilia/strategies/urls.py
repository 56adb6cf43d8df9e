from django.urls import path

from resilia.strategies import views

app_name = "strategies"

urlpatterns = [
    path("", views.option_list, name="option_list"),
    path("new/", views.option_create, name="option_create"),
    path("<int:pk>/", views.option_detail, name="option_detail"),
    path("<int:pk>/edit/", views.option_edit, name="option_edit"),
    path("<int:pk>/delete/", views.option_delete, name="option_delete"),
    path("<int:pk>/choose/", views.option_decide, {"decision": "choose"}, name="option_choose"),
    path("<int:pk>/reject/", views.option_decide, {"decision": "reject"}, name="option_reject"),
    path("<int:pk>/test/", views.option_test, name="option_test"),
    path("activity/<int:pk>/", views.compare, {"kind": "activity"}, name="compare_activity"),
    path("resource/<int:pk>/", views.compare, {"kind": "resource"}, name="compare_resource"),
]
