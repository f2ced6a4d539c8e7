"""The macro pages, mounted at /macros/ (namespace "macros")."""

from django.urls import path

from deskside.macros import views

app_name = "macros"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.macro_new, name="new"),
    path("apply/<str:number>/", views.pick, name="pick"),
    path("apply/<str:number>/<str:public_id>/", views.apply, name="apply"),
    path("<str:public_id>/", views.macro_edit, name="edit"),
    path("<str:public_id>/active/", views.macro_active, name="active"),
]
