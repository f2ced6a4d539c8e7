from django.apps import AppConfig


class FieldConfig(AppConfig):
    name = "deskside.field"
    label = "field"
    verbose_name = "Field service"
