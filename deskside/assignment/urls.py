"""The assignment pages, mounted at /assignment/ (namespace "assignment")."""

from django.urls import path

from deskside.assignment import views

app_name = "assignment"

urlpatterns = [
    path("", views.index, name="index"),
    path("teams/<slug:slug>/", views.set_rule, name="set_rule"),
    path("tickets/<str:number>/skills/", views.ticket_skills, name="ticket_skills"),
]
