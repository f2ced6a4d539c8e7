from django.apps import AppConfig


class PagingConfig(AppConfig):
    name = "deskside.paging"
    label = "paging"
    verbose_name = "Paging and escalation"

    def ready(self) -> None:
        # A ticket's chain starts and stops in the transaction of the event that caused it
        # (an outbox row), by this one receiver: the ticket services know nothing of paging.
        from django.db.models.signals import post_save  # noqa: PLC0415

        from deskside.mail import pipeline  # noqa: PLC0415
        from deskside.paging.inbound import page_reply  # noqa: PLC0415
        from deskside.paging.triggers import event_written  # noqa: PLC0415
        from deskside.tickets.models import TicketEvent  # noqa: PLC0415

        post_save.connect(event_written, sender=TicketEvent, dispatch_uid="paging-start")
        # A reply to a page email acknowledges (and never becomes a reply on the ticket).
        pipeline.register_reply_handler(page_reply)
