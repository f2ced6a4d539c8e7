"""The handover pages, mounted at /handovers/ (namespace "handovers")."""

from django.urls import path

from deskside.handovers import views

app_name = "handovers"

urlpatterns = [
    path("", views.index, name="index"),
    path("history/", views.history, name="history"),
    path("<str:public_id>/", views.detail, name="detail"),
    path("<str:public_id>/notes/", views.notes, name="notes"),
    path("<str:public_id>/ticket-notes/", views.ticket_note, name="ticket_note"),
    path("<str:public_id>/checklist/<str:item>/", views.check, name="check"),
    path("<str:public_id>/sign-off/", views.sign_off, name="sign_off"),
    path("<str:public_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<str:public_id>/feedback/", views.feedback, name="feedback"),
]
