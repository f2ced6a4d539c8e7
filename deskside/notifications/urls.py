"""The notification pages, mounted at /notifications/ (namespace "notifications")."""

from django.urls import path

from deskside.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.index, name="index"),
    path("count/", views.count, name="count"),
    path("read-all/", views.read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("<int:pk>/open/", views.open_one, name="open"),
    path("<int:pk>/read/", views.read_one, name="read"),
]
