"""The surveys pages, mounted at /surveys/ (namespace "surveys")."""

from django.urls import path

from deskside.surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.report, name="report"),
    path("chart.svg", views.chart_svg, name="chart"),
    path("export.csv", views.export, name="export"),
    path("responses/", views.responses, name="responses"),
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/<str:public_id>/done", views.follow_up_done, name="follow_up_done"),
    path("answer/<str:token>/", views.answer, name="answer"),
    path("answer/<str:token>/<str:rating>/", views.answer, name="answer_rating"),
    path("portal/<str:public_id>/", views.portal_answer, name="portal_answer"),
]
