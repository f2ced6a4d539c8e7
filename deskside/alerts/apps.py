from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "deskside.alerts"
    label = "alerts"
    verbose_name = "Monitoring alerts"
