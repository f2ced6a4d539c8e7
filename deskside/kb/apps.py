from django.apps import AppConfig


class KbConfig(AppConfig):
    name = "deskside.kb"
    label = "kb"
    verbose_name = "Knowledge base"
