from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "deskside.tickets"
    label = "tickets"
