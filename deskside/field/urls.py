"""The field pages under /field/: each part adds its paths here (visits, the dispatch board,
the technician's day, clearance and backfill, route plans, time and timesheets)."""

from django.urls import path  # noqa: F401 - the parts' paths below use it

app_name = "field"

urlpatterns: list = []
