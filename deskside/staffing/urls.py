"""The staffing pages, mounted at /staffing/ (namespace "staffing")."""

from django.urls import path

from deskside.staffing import views

app_name = "staffing"

urlpatterns = [
    path("", views.index, name="index"),
    path("heatmap.svg", views.heatmap, name="heatmap"),
    path("export.csv", views.export, name="export"),
]
