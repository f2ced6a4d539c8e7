"""The SLA pages, mounted at /sla/ (namespace "sla")."""

from django.urls import path
from django.views.generic import RedirectView

from deskside.sla import views

app_name = "sla"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="sla:contracts"), name="home"),
    path("calendars/", views.calendars_view, name="calendars"),
    path("calendars/new/", views.calendar_new, name="calendar_new"),
    path("calendars/import/", views.calendar_import, name="calendar_import"),
    path("calendars/<str:public_id>/", views.calendar_detail, name="calendar"),
    path("calendars/<str:public_id>/export/", views.calendar_export, name="calendar_export"),
    path("calendars/<str:public_id>/delete/", views.calendar_delete, name="calendar_delete"),
    path("contracts/", views.contracts_view, name="contracts"),
    path("contracts/new/", views.contract_new, name="contract_new"),
    path("contracts/<str:public_id>/", views.contract_detail, name="contract"),
    path("clients/<slug:slug>/", views.client_report, name="report"),
]
