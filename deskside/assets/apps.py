from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "deskside.assets"
    label = "assets"
    verbose_name = "Assets"
