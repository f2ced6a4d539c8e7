"""The support-duty pages, mounted at /support-duty/ (namespace "supportduty")."""

from django.urls import path

from deskside.rosters import supportduty_views as views

app_name = "supportduty"

urlpatterns = [
    path("", views.index, name="index"),
    path("nav/", views.nav, name="nav"),
    path("<slug:slug>/", views.team_duty, name="team"),
]
