from django.apps import AppConfig


class ProblemsConfig(AppConfig):
    name = "deskside.problems"
    label = "problems"
    verbose_name = "Recurring issues and problems"

    def ready(self) -> None:
        from deskside.problems import matching  # noqa: PLC0415 - models are loaded now
        from deskside.tickets.timeline import on_event  # noqa: PLC0415

        on_event(["created"], matching.event_written, name="problems.known_errors")
