from django.apps import AppConfig


class RostersConfig(AppConfig):
    name = "deskside.rosters"
    label = "rosters"
    verbose_name = "Desk rosters and support duty"
