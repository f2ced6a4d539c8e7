"""The recurring schedule pages under /recurring/ (deskside.recurring.views)."""

from django.urls import path

from deskside.recurring import views

app_name = "recurring"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("preview/", views.preview, name="preview"),
    path("<str:public_id>/", views.schedule_page, name="schedule"),
    path("<str:public_id>/edit/", views.edit, name="edit"),
    path("<str:public_id>/<str:action>/", views.change, name="change"),
]
