from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "deskside.mail"
    label = "mail"
    verbose_name = "Email"

    def ready(self) -> None:
        # Outgoing mail is queued in the transaction of the event it is about (an outbox), by
        # this one handler on the tickets' event hook: the ticket services know nothing of mail.
        from deskside.mail.outbound import KIND_FOR_EVENT, event_written  # noqa: PLC0415
        from deskside.tickets.timeline import on_event  # noqa: PLC0415

        on_event(KIND_FOR_EVENT, event_written, name="mail.outbox")

        # The pipeline keeps the mailboxes' addresses and the clients' mail domains in memory
        # (a cache of configuration models, not a ticket event: a signal is fine here).
        from django.db.models.signals import post_delete, post_save  # noqa: PLC0415

        from deskside.accounts.models import Organization  # noqa: PLC0415
        from deskside.mail.addresses import directory  # noqa: PLC0415
        from deskside.mail.models import Mailbox  # noqa: PLC0415

        for model in (Mailbox, Organization):
            for signal in (post_save, post_delete):
                signal.connect(directory.forget, sender=model, dispatch_uid=f"mail-dir-{model}")
