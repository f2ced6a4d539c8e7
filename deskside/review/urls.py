"""The review pages, mounted at /review/ (namespace "review")."""

from django.urls import path

from deskside.review import views

app_name = "review"

urlpatterns = [
    path("", views.index, name="index"),
    path("groups/<str:name>/", views.group, name="group"),
    path("mark/<str:number>/", views.mark, name="mark"),
    path("settings/", views.settings, name="settings"),
    path("history/", views.history, name="history"),
    path("history/<str:day>/", views.history_day, name="history_day"),
    path("reviewers/<str:public_id>/", views.history_reviewer, name="reviewer"),
    path("wallboard/", views.wallboard, name="wallboard"),
    path("wallboard/panel/", views.wallboard_panel, name="wallboard_panel"),
]
