from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "deskside.staffing"
    label = "staffing"
    verbose_name = "Staffing: Erlang C from the ticket history"
