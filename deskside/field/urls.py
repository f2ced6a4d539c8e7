"""The field pages under /field/: each part adds its paths here (visits, the dispatch board,
the technician's day, clearance and backfill, route plans, time and timesheets)."""

from django.urls import path

from deskside.field import views_plans

app_name = "field"

urlpatterns: list = []
urlpatterns += [
    path("plans/", views_plans.index, name="plans"),
    path("plans/<str:public_id>/", views_plans.detail, name="plan"),
    path("plans/<str:public_id>/accept/", views_plans.accept, name="plan_accept"),
    path("plans/<str:public_id>/discard/", views_plans.discard, name="plan_discard"),
]
