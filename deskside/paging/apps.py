from django.apps import AppConfig


class PagingConfig(AppConfig):
    name = "deskside.paging"
    label = "paging"
    verbose_name = "Paging and escalation"

    def ready(self) -> None:
        # A ticket's chain starts and stops in the transaction of the event that caused it
        # (an outbox row), by this one handler on the tickets' event hook: the ticket services
        # know nothing of paging.
        from deskside.mail import pipeline  # noqa: PLC0415
        from deskside.paging.inbound import page_reply  # noqa: PLC0415
        from deskside.paging.triggers import HEARS, event_written  # noqa: PLC0415
        from deskside.tickets.timeline import on_event  # noqa: PLC0415

        on_event(HEARS, event_written, name="paging.start_stop")
        # A reply to a page email acknowledges (and never becomes a reply on the ticket).
        pipeline.register_reply_handler(page_reply)
