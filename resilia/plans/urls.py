from django.urls import path

from resilia.plans import views, views_versions

app_name = "plans"

V = "<int:pk>/v<int:number>/"

urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("new/", views.plan_create, name="plan_create"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/verify-contacts/", views.contacts_verify, name="contacts_verify"),
    path("<int:pk>/new-version/", views.version_new, name="version_new"),
    path("<int:pk>/compare/", views.compare, name="compare"),
    path(V, views_versions.version_detail, name="version_detail"),
    path(V + "edit/", views_versions.version_edit, name="version_edit"),
    path(V + "sign/<str:role>/", views_versions.version_sign, name="version_sign"),
    path(V + "return/", views_versions.version_return, name="version_return"),
    path(V + "publish/", views_versions.version_publish, name="version_publish"),
    path(V + "retire/", views_versions.version_retire, name="version_retire"),
    path(V + "acknowledge/", views_versions.acknowledge, name="acknowledge"),
    path(V + "export/<str:fmt>/", views_versions.version_export, name="version_export"),
    path(V + "pack/", views_versions.version_pack, name="version_pack"),
    path(V + "call-tree/", views_versions.version_calltree, name="version_calltree"),
]
