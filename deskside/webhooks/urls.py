"""The webhook pages, mounted at /webhooks/ (namespace "webhooks")."""

from django.urls import path

from deskside.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.webhook_new, name="new"),
    path("<str:public_id>/", views.webhook_detail, name="detail"),
    path("<str:public_id>/rotate/", views.webhook_rotate, name="rotate"),
    path("<str:public_id>/ping/", views.webhook_ping, name="ping"),
    path("<str:public_id>/active/", views.webhook_active, name="active"),
    path("<str:public_id>/delete/", views.webhook_delete, name="delete"),
    path(
        "<str:public_id>/deliveries/<str:delivery_id>/redeliver/",
        views.delivery_redeliver,
        name="redeliver",
    ),
]
