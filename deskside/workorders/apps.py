from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "deskside.workorders"
    label = "workorders"
    verbose_name = "Work orders"

    def ready(self) -> None:
        from deskside.tickets.timeline import on_event  # noqa: PLC0415 - app registry
        from deskside.workorders import gate  # noqa: PLC0415

        on_event(gate.KINDS, gate.check, name="workorders.qc_gate")
