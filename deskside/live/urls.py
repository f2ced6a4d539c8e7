"""The live pages' pollers, mounted at /live/ (namespace "live")."""

from django.urls import path

from deskside.live import views

app_name = "live"

urlpatterns = [
    path("queue/", views.queue_poll, name="queue_poll"),
    path("tickets/<str:number>/", views.ticket_poll, name="ticket_poll"),
    path("tickets/<str:number>/leave/", views.ticket_leave, name="ticket_leave"),
]
