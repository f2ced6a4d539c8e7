"""The work order pages (deskside.workorders.views.orders)."""

from django.urls import path

from deskside.workorders.views import orders as views

urlpatterns = [
    path("", views.order_list, name="orders"),
    path("new/", views.order_new, name="order_new"),
    path("tickets/<str:number>/", views.ticket_panel, name="ticket_panel"),
    path("tickets/<str:number>/start/", views.ticket_start, name="ticket_start"),
    path("<str:public_id>/", views.order_detail, name="order"),
    path("<str:public_id>/items/<int:item>/tick/", views.item_tick, name="order_tick"),
    path("<str:public_id>/items/<int:item>/untick/", views.item_untick, name="order_untick"),
    path("<str:public_id>/sign/", views.sign, name="order_sign"),
    path("<str:public_id>/confirm/", views.confirm, name="order_confirm"),
    path("<str:public_id>/cancel/", views.cancel, name="order_cancel"),
]
