from django.apps import AppConfig


class HandoversConfig(AppConfig):
    name = "deskside.handovers"
    label = "handovers"
    verbose_name = "Shift handovers"
