from django.apps import AppConfig


class MacrosConfig(AppConfig):
    name = "deskside.macros"
    label = "macros"
    verbose_name = "Macros and canned replies"
