"""The roster pages, mounted at /rosters/ (namespace "rosters"), and the shift feed."""

from django.urls import path

from deskside.rosters import views

app_name = "rosters"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.roster_new, name="new"),
    path("me/", views.me, name="me"),
    path("me/feed/", views.my_feed, name="my_feed"),
    path("feeds/<str:token>.ics", views.feed, name="feed"),
    path("leave/", views.leave, name="leave"),
    path("leave/<int:leave_id>/", views.leave_detail, name="leave_detail"),
    path("leave/<int:leave_id>/cancel/", views.leave_cancel, name="leave_cancel"),
    path("teams/<slug:slug>/", views.week, name="week"),
    path("teams/<slug:slug>/setup/", views.setup, name="setup"),
    path("teams/<slug:slug>/shifts/", views.shift_add, name="shift_add"),
    path("teams/<slug:slug>/shifts/<int:shift_id>/", views.shift_edit, name="shift_edit"),
    path(
        "teams/<slug:slug>/shifts/<int:shift_id>/delete/", views.shift_delete, name="shift_delete"
    ),
    path("teams/<slug:slug>/lines/", views.line_set, name="line_set"),
    path("teams/<slug:slug>/lines/<int:line_id>/delete/", views.line_delete, name="line_delete"),
    path("teams/<slug:slug>/generate/", views.generate, name="generate"),
    path("teams/<slug:slug>/candidates/", views.candidates, name="candidates"),
    path("teams/<slug:slug>/covers/", views.cover_add, name="cover_add"),
    path(
        "teams/<slug:slug>/covers/<int:cover_id>/delete/", views.cover_delete, name="cover_delete"
    ),
]
