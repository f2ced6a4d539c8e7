"""The field pages under /field/: each part adds its paths here (visits, the dispatch board,
the technician's day, clearance and backfill, route plans, time and timesheets)."""

from django.urls import path

from deskside.field import views_clearance, views_day

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

# The technician's day (deskside.field.views_day).
urlpatterns += [
    path("day/", views_day.day, name="day"),
    path("day/<str:public_id>/start/", views_day.start, name="day_start"),
    path("day/<str:public_id>/arrive/", views_day.arrive, name="day_arrive"),
    path("day/<str:public_id>/checklist/", views_day.add_item, name="day_add_item"),
    path("day/<str:public_id>/checklist/<int:item>/", views_day.tick, name="day_tick"),
    path("day/<str:public_id>/parts/", views_day.add_part, name="day_add_part"),
    path("day/<str:public_id>/sign/", views_day.sign, name="day_sign"),
    path("day/<str:public_id>/finish/", views_day.finish, name="day_finish"),
    path("day/<str:public_id>/no-access/", views_day.no_access, name="day_no_access"),
]
