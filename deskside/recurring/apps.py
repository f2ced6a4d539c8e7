from django.apps import AppConfig


class RecurringConfig(AppConfig):
    name = "deskside.recurring"
    label = "recurring"
    verbose_name = "Recurring tickets"
