from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "deskside.reports"
    label = "reports"
    verbose_name = "Reports: desk figures with charts, and the monthly client report"

    def ready(self) -> None:
        from deskside.reports import figures  # noqa: PLC0415
        from deskside.tickets.timeline import on_event  # noqa: PLC0415

        on_event(figures.HEARS, figures.event_written, name="reports.figures")
