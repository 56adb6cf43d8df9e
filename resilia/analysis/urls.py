from django.urls import path

from resilia.analysis import views

app_name = "analysis"

urlpatterns = [
    path("whatif/", views.whatif_page, name="whatif"),
    path("whatif/nodes/", views.node_search, name="node_search"),
    path("order/", views.order_page, name="order"),
    path("gaps/", views.gaps_page, name="gaps"),
    path("spof/", views.spof_page, name="spof"),
]
