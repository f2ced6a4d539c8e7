"""The customer portal: a customer's tickets, new requests, and one ticket's page.

Tickets are addressed by their human number (`/portal/T-10423/`); every action on a ticket is
a POST to a sub-path of it.
"""

from django.urls import path

from deskside.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.ticket_list, name="home"),
    path("new/", views.new_request, name="new"),
    path("<str:number>/", views.ticket_detail, name="detail"),
    path("<str:number>/reply/", views.reply, name="reply"),
    path("<str:number>/attach/", views.attach, name="attach"),
    path("<str:number>/reopen/", views.reopen, name="reopen"),
    path("<str:number>/close/", views.close, name="close"),
]
