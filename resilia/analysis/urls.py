from django.urls import path

from resilia.analysis import views, views_saved

app_name = "analysis"

urlpatterns = [
    path("whatif/", views.whatif_page, name="whatif"),
    path("whatif/nodes/", views.node_search, name="node_search"),
    path("order/", views.order_page, name="order"),
    path("order/cycles/", views.cycles_page, name="cycles"),
    path("order/cycles/<int:number>/", views.cycle_page, name="cycle"),
    path("gaps/", views.gaps_page, name="gaps"),
    path("spof/", views.spof_page, name="spof"),
    path("whatif/save/", views_saved.save, name="saved_create"),
    path("saved/", views_saved.saved_list, name="saved_list"),
    path("saved/compare/", views_saved.saved_compare, name="saved_compare"),
    path("saved/<int:pk>/", views_saved.saved_detail, name="saved_detail"),
    path("saved/<int:pk>/rerun/", views_saved.saved_rerun, name="saved_rerun"),
    path("saved/<int:pk>/delete/", views_saved.saved_delete, name="saved_delete"),
]
