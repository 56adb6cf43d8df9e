from django.urls import path

from resilia.notify import views, views_public, views_sends, views_trees

app_name = "notify"

urlpatterns = [
    path("a/<str:token>/", views_public.ack, name="ack"),
    path("inbound/sms/<int:channel_id>/", views_public.sms_reply, name="sms_reply"),
    path("", views_sends.send_list, name="send_list"),
    path("sends/new/", views_sends.send_create, name="send_create"),
    path("sends/<int:pk>/", views_sends.send_detail, name="send_detail"),
    path("sends/<int:pk>/live/", views_sends.send_live, name="send_live"),
    path("sends/<int:pk>/ack/", views_sends.send_ack, name="send_ack"),
    path("sends/<int:pk>/close/", views_sends.send_close, name="send_close"),
    path("sends/<int:pk>/unanswered.xlsx", views_sends.send_unanswered, name="send_unanswered"),
    path("rollcall/new/", views_sends.rollcall_create, name="rollcall_create"),
    path("channels/", views.channel_list, name="channel_list"),
    path("channels/new/", views.channel_create, name="channel_create"),
    path("channels/<int:pk>/", views.channel_detail, name="channel_detail"),
    path("channels/<int:pk>/edit/", views.channel_edit, name="channel_edit"),
    path("channels/<int:pk>/test/", views.channel_test, name="channel_test"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_create, name="template_create"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template_edit"),
    path("calltrees/", views.calltree_list, name="calltree_list"),
    path("calltrees/new/", views_trees.calltree_edit, name="calltree_create"),
    path("calltrees/<int:pk>/", views.calltree_detail, name="calltree_detail"),
    path("calltrees/<int:pk>/edit/", views_trees.calltree_edit, name="calltree_edit"),
    path("calltrees/<int:pk>/delete/", views_trees.calltree_delete, name="calltree_delete"),
    path("calltrees/<int:pk>/contacts/", views.calltree_contact_add, name="calltree_contact_add"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/new/", views_trees.policy_edit, name="policy_create"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/edit/", views_trees.policy_edit, name="policy_edit"),
    path("policies/<int:pk>/delete/", views_trees.policy_delete, name="policy_delete"),
]
