from django.apps import AppConfig


class LiveConfig(AppConfig):
    name = "deskside.live"
    label = "live"
    verbose_name = "Live pages"
