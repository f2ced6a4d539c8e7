"""The report pages, mounted at /reports/ (namespace "reports")."""

from django.urls import path

from deskside.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("monthly/", views.monthly_index, name="monthly"),
    path("monthly/<slug:slug>/setting", views.monthly_setting, name="monthly_setting"),
    path("monthly/<slug:slug>/<str:month>.pdf", views.monthly_pdf, name="monthly_pdf"),
    path("monthly/<slug:slug>/<str:month>.csv", views.monthly_csv, name="monthly_csv"),
    path("<slug:name>/", views.report, name="report"),
    path("<slug:name>/chart.svg", views.chart_svg, name="chart"),
    path("<slug:name>/export.csv", views.export, name="export"),
]
