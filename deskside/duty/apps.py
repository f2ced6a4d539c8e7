from django.apps import AppConfig


class DutyConfig(AppConfig):
    name = "deskside.duty"
    label = "duty"
    verbose_name = "On-call schedules"
