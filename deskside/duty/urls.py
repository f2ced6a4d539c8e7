"""The on-call pages, mounted at /oncall/ (namespace "duty"), and the iCalendar feeds."""

from django.urls import path

from deskside.duty import views

app_name = "duty"

urlpatterns = [
    path("", views.index, name="index"),
    path("my-feed/", views.my_feed, name="my_feed"),
    path("new/", views.schedule_new, name="schedule_new"),
    path(
        "feeds/schedule/<str:public_id>/<str:token>.ics", views.schedule_feed, name="schedule_feed"
    ),
    path("feeds/person/<str:token>.ics", views.person_feed, name="person_feed"),
    path("<slug:slug>/", views.schedule_detail, name="schedule"),
    path("<slug:slug>/edit/", views.schedule_edit, name="schedule_edit"),
    path("<slug:slug>/delete/", views.schedule_delete, name="schedule_delete"),
    path("<slug:slug>/feed-reset/", views.schedule_feed_reset, name="schedule_feed_reset"),
    path("<slug:slug>/report/", views.schedule_report, name="report"),
    path("<slug:slug>/layers/new/", views.layer_new, name="layer_new"),
    path("<slug:slug>/layers/<int:layer_id>/", views.layer_edit, name="layer_edit"),
    path("<slug:slug>/overrides/", views.override_add, name="override_add"),
    path(
        "<slug:slug>/overrides/<int:override_id>/delete/",
        views.override_delete,
        name="override_delete",
    ),
    path("<slug:slug>/swaps/", views.swap_propose, name="swap_propose"),
    path("<slug:slug>/swaps/<int:swap_id>/<str:action>/", views.swap_decide, name="swap_decide"),
]
