"""The field pages under /field/: each part adds its paths here (visits, the dispatch board,
the technician's day, clearance and backfill, route plans, time and timesheets)."""

from django.urls import path

app_name = "field"

urlpatterns: list = []

# Time entries, timesheets and billing (deskside/field/views_time.py).
from deskside.field import views_time  # noqa: E402

urlpatterns += [
    path("time/", views_time.time_home, name="time"),
    path("time/start/", views_time.time_start, name="time_start"),
    path("time/stop/", views_time.time_stop, name="time_stop"),
    path("time/log/", views_time.time_log, name="time_log"),
    path("time/tickets/<str:number>/", views_time.ticket_panel, name="time_panel"),
    path("time/tickets/<str:number>/start/", views_time.ticket_start, name="time_panel_start"),
    path("time/tickets/<str:number>/stop/", views_time.ticket_stop, name="time_panel_stop"),
    path("time/tickets/<str:number>/log/", views_time.ticket_log, name="time_panel_log"),
    path("time/<str:public_id>/edit/", views_time.entry_edit, name="time_entry"),
    path("time/<str:public_id>/delete/", views_time.entry_delete, name="time_entry_delete"),
    path("timesheets/", views_time.timesheets, name="timesheets"),
    path("timesheets/<str:agent_id>/<str:day>/", views_time.timesheet, name="timesheet"),
    path(
        "timesheets/<str:agent_id>/<str:day>/submit/",
        views_time.timesheet_submit,
        name="timesheet_submit",
    ),
    path(
        "timesheets/<str:agent_id>/<str:day>/approve/",
        views_time.timesheet_approve,
        name="timesheet_approve",
    ),
    path(
        "timesheets/<str:agent_id>/<str:day>/return/",
        views_time.timesheet_return,
        name="timesheet_return",
    ),
    path("billing/", views_time.billing, name="billing"),
    path("billing/export.csv", views_time.billing_csv, name="billing_csv"),
    path("billing/rules/<str:public_id>/", views_time.billing_rule, name="billing_rule"),
]
