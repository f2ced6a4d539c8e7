"""The project pages (deskside.workorders.views.projects), composed into workorders/urls.py."""

from django.urls import path

from deskside.workorders.views import projects as views

urlpatterns = [
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_new, name="project_new"),
    path("projects/create/", views.project_create, name="project_create"),
    path("projects/errors.csv", views.project_errors_csv, name="project_errors_csv"),
    path("projects/<str:public_id>/", views.project_detail, name="project"),
    path("projects/<str:public_id>/chart.svg", views.project_chart_svg, name="project_chart"),
    path("projects/<str:public_id>/schedule/", views.project_schedule, name="project_schedule"),
    path("projects/<str:public_id>/resolve/", views.project_resolve, name="project_resolve"),
]
