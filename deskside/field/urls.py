"""The field pages under /field/: each part adds its paths here (visits, the dispatch board,
the technician's day, clearance and backfill, route plans, time and timesheets)."""

from django.urls import path

from deskside.field import views_clearance

app_name = "field"

urlpatterns: list = []

# Client clearance and backfill (deskside.field.views_clearance).
urlpatterns += [
    path("clearance/", views_clearance.matrix, name="clearance"),
    path("clearance/clients/<slug:slug>/", views_clearance.client, name="clearance_client"),
    path(
        "clearance/technicians/<str:public_id>/",
        views_clearance.technician,
        name="clearance_technician",
    ),
    path(
        "clearance/clients/<slug:slug>/technicians/<str:public_id>/",
        views_clearance.detail,
        name="clearance_detail",
    ),
    path(
        "clearance/clients/<slug:slug>/technicians/<str:public_id>/<str:action>/",
        views_clearance.change,
        name="clearance_change",
    ),
    path("backfill/", views_clearance.backfill, name="backfill"),
    path("backfill/reassign/", views_clearance.reassign, name="backfill_reassign"),
]
