"""The field pages under /field/: each part adds its paths here (visits, the dispatch board,
the technician's day, clearance and backfill, route plans, time and timesheets)."""

from django.urls import path

app_name = "field"

urlpatterns: list = []

# the dispatch board (deskside.field.views_board)
from deskside.field import views_board  # noqa: E402

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
