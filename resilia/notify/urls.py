from django.urls import path

from resilia.notify import views, views_public

app_name = "notify"

urlpatterns = [
    path("a/<str:token>/", views_public.ack, name="ack"),
    path("inbound/sms/<int:channel_id>/", views_public.sms_reply, name="sms_reply"),
    path("", views.send_list, name="send_list"),
    path("sends/new/", views.send_create, name="send_create"),
    path("sends/<int:pk>/", views.send_detail, name="send_detail"),
    path("sends/<int:pk>/live/", views.send_live, name="send_live"),
    path("sends/<int:pk>/ack/", views.send_ack, name="send_ack"),
    path("sends/<int:pk>/close/", views.send_close, name="send_close"),
    path("sends/<int:pk>/unanswered.xlsx", views.send_unanswered, name="send_unanswered"),
    path("rollcall/new/", views.rollcall_create, name="rollcall_create"),
    path("channels/", views.channel_list, name="channel_list"),
    path("channels/new/", views.channel_create, name="channel_create"),
    path("channels/<int:pk>/", views.channel_detail, name="channel_detail"),
    path("channels/<int:pk>/test/", views.channel_test, name="channel_test"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("calltrees/", views.calltree_list, name="calltree_list"),
    path("calltrees/<int:pk>/", views.calltree_detail, name="calltree_detail"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
]
