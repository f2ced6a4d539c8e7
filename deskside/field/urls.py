"""The field pages under /field/: each part adds its paths here (visits, the dispatch board,
the technician's day, clearance and backfill, route plans, time and timesheets)."""

from django.urls import path, re_path

from deskside.field import views_signoff, views_visits

app_name = "field"

urlpatterns: list = []

# visits: the ticket page's panel, the visit page and its forms, the mailed sign-off link
urlpatterns += [
    path("tickets/<str:number>/visits/", views_visits.ticket_panel, name="ticket_panel"),
    path("tickets/<str:number>/visits/new/", views_visits.request_visit, name="request_visit"),
    path("visits/<str:public_id>/", views_visits.visit_page, name="visit"),
    # only the visit page's own actions: other parts may add paths under visits/<id>/
    re_path(
        r"^visits/(?P<public_id>[\w-]+)/(?P<action>" + "|".join(views_visits.ACTIONS) + r")/$",
        views_visits.visit_action,
        name="visit_action",
    ),
    path("sign/<str:public_id>/<str:token>/", views_signoff.signoff_page, name="signoff"),
]
