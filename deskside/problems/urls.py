"""The problem pages, mounted at /problems/ (namespace "problems")."""

from django.urls import path

from deskside.problems import views

app_name = "problems"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.problem_new, name="new"),
    path("detect/", views.detect_now, name="detect"),
    path("clusters/<str:public_id>/", views.cluster_detail, name="cluster"),
    path("clusters/<str:public_id>/dismiss/", views.cluster_dismiss, name="dismiss"),
    path("clusters/<str:public_id>/problem/", views.cluster_problem, name="from_cluster"),
    path("ticket/<str:number>/link/", views.ticket_link, name="ticket_link"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/edit/", views.edit, name="edit"),
    path("<str:number>/link/", views.link, name="link"),
    path("<str:number>/unlink/<str:ticket>/", views.unlink, name="unlink"),
]
