"""The field pages under /field/: each part adds its paths here (visits, the dispatch board,
the technician's day, clearance and backfill, route plans, time and timesheets)."""

from django.urls import path

from deskside.field import views_day

app_name = "field"

urlpatterns: list = [
    # the technician's day (views_day)
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
