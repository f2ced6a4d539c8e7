"""The agent pages, mounted at /tickets/ (namespace "tickets")."""

from django.urls import path

from deskside.tickets import intake_views, views

app_name = "tickets"

urlpatterns = [
    path("", views.queue_view, name="queue"),
    path("new/", intake_views.new_ticket, name="new"),
    path("new/contacts/", intake_views.intake_contacts, name="intake_contacts"),
    path("new/callers/", intake_views.callers, name="callers"),
    path("call/", intake_views.screen_pop, name="screen_pop"),
    path("search/", views.search_view, name="search"),
    path("bulk/", views.bulk_view, name="bulk"),
    path("workload/", views.workload_view, name="workload"),
    path("files/<str:public_id>/", views.attachment, name="attachment"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/<slug:action>/", views.act, name="act"),
]
