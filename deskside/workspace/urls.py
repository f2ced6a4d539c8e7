"""The saved-view pages, mounted at /workspace/ (namespace "workspace")."""

from django.urls import path

from deskside.workspace import views

app_name = "workspace"

urlpatterns = [
    path("views/", views.index, name="views"),
    path("views/counts/", views.counts, name="counts"),
    path("views/new/", views.create, name="create"),
    path("views/<str:public_id>/edit/", views.edit, name="edit"),
    path("views/<str:public_id>/delete/", views.delete, name="delete"),
]
