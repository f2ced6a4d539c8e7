"""The field pages under /field/: each part adds its paths here (visits, the dispatch board,
the technician's day, clearance and backfill, route plans, time and timesheets)."""

from django.urls import path, re_path

from deskside.field.views import board as views_board
from deskside.field.views import clearance as views_clearance
from deskside.field.views import day as views_day
from deskside.field.views import plans as views_plans
from deskside.field.views import signoff as views_signoff
from deskside.field.views import time as views_time
from deskside.field.views import visits as views_visits

app_name = "field"

urlpatterns: list = []

# Client clearance and backfill (deskside.field.views.clearance).
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

urlpatterns += [
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

# Time entries, timesheets and billing (deskside/field/views/time.py).
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

urlpatterns += [
    path("plans/", views_plans.index, name="plans"),
    path("plans/<str:public_id>/", views_plans.detail, name="plan"),
    path("plans/<str:public_id>/accept/", views_plans.accept, name="plan_accept"),
    path("plans/<str:public_id>/discard/", views_plans.discard, name="plan_discard"),
]

# the dispatch board (deskside.field.views.board)
urlpatterns += [
    path("board/", views_board.board, name="board"),
    path("board/form/", views_board.schedule_form, name="board_form"),
    path("board/schedule/", views_board.schedule, name="board_schedule"),
    path(
        "board/visits/<str:public_id>/unschedule/",
        views_board.unschedule,
        name="board_unschedule",
    ),
]
