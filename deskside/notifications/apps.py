from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "deskside.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Notifications are written in the transaction of the event they are about, by this
        # one handler on the tickets' event hook: the ticket services know nothing of them.
        from deskside.notifications.fanout import KINDS, event_written  # noqa: PLC0415
        from deskside.tickets.timeline import on_event  # noqa: PLC0415

        on_event(KINDS, event_written, name="notifications.fanout")
