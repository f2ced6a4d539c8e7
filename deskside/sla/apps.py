from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "deskside.sla"
    label = "sla"
    verbose_name = "SLA"

    def ready(self) -> None:
        # The one place the SLA engine meets the ticket services: an explicit installation of
        # the clock they call (tickets.deadlines), not a signal.
        from deskside.sla.services import SlaClock  # noqa: PLC0415 - needs the app registry
        from deskside.tickets import deadlines  # noqa: PLC0415

        deadlines.install(SlaClock())
