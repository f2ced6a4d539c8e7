from django.urls import path

from deskside.paging import views

app_name = "paging"

urlpatterns = [
    path("", views.index, name="index"),
    path("ack/<str:token>/", views.ack_link, name="ack"),
    path("escalations/<str:public_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("tickets/<str:number>/panel/", views.ticket_panel, name="ticket_panel"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/<str:public_id>/", views.contact_action, name="contact_action"),
    path("policies/", views.policies, name="policies"),
    path("policies/new/", views.policy_edit, name="policy_new"),
    path("policies/<slug:slug>/", views.policy_edit, name="policy"),
    path("rules/", views.rules, name="rules"),
]
