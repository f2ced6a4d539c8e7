from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "deskside.portal"
    label = "portal"
    verbose_name = "Customer portal"
