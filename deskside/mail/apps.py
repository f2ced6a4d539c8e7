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

        # The pipeline keeps the mailboxes' addresses and the clients' mail domains in memory.
        from django.db.models.signals import post_delete  # noqa: PLC0415

        from deskside.accounts.models import Organization  # noqa: PLC0415
        from deskside.mail.addresses import directory  # noqa: PLC0415
        from deskside.mail.models import Mailbox  # noqa: PLC0415

        for model in (Mailbox, Organization):
            for signal in (post_save, post_delete):
                signal.connect(directory.forget, sender=model, dispatch_uid=f"mail-dir-{model}")
