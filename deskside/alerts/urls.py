from django.urls import path

from deskside.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.index, name="index"),
    path("a/<str:public_id>/", views.alert_detail, name="alert"),
    path("integrations/", views.integrations_view, name="integrations"),
    path("integrations/new/", views.integration_new, name="integration_new"),
    path("integrations/<str:public_id>/", views.integration_detail, name="integration"),
    path("integrations/<str:public_id>/token/", views.integration_token, name="integration_token"),
    path(
        "integrations/<str:public_id>/intake-errors/clear/",
        views.intake_errors_clear,
        name="intake_errors_clear",
    ),
    path("maintenance/", views.windows_view, name="windows"),
    path("maintenance/<str:public_id>/end/", views.window_end, name="window_end"),
    path("ticket/<str:number>/panel/", views.ticket_panel, name="ticket_panel"),
]
