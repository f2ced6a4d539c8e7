from django.apps import AppConfig


class AssignmentConfig(AppConfig):
    name = "deskside.assignment"
    label = "assignment"
    verbose_name = "Automatic assignment"

    def ready(self) -> None:
        # New tickets (and tickets moved to a team) with nobody assigned are given out by the
        # team's rule in the transaction of the event that put them there: one handler on the
        # tickets' event hook, so the ticket services know nothing of assignment rules.
        from deskside.assignment.services import HEARS, event_written  # noqa: PLC0415
        from deskside.tickets.timeline import on_event  # noqa: PLC0415

        on_event(HEARS, event_written, name="assignment.auto")
