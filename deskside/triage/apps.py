from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "deskside.triage"
    label = "triage"
    verbose_name = "Triage suggestions"

    def ready(self) -> None:
        # A new ticket is queued for the auto-apply (when an admin turned it on for a field)
        # in its creation's transaction; the worker's triage lane applies within seconds, so
        # ticket creation never waits for the model.
        from deskside.tickets.timeline import on_event  # noqa: PLC0415
        from deskside.triage.services import HEARS, event_written  # noqa: PLC0415

        on_event(HEARS, event_written, name="triage.auto")
