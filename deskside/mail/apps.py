from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "deskside.mail"
    label = "mail"
    verbose_name = "Email"

    def ready(self) -> None:
        # Outgoing mail is queued in the transaction of the event it is about (an outbox), by
        # this one receiver: the ticket services know nothing of mail.
        from django.db.models.signals import post_save  # noqa: PLC0415

        from deskside.mail.outbound import event_written  # noqa: PLC0415
        from deskside.tickets.models import TicketEvent  # noqa: PLC0415

        post_save.connect(event_written, sender=TicketEvent, dispatch_uid="mail-outbox")
