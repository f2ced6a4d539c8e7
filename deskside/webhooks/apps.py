from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "deskside.webhooks"
    label = "webhooks"
    verbose_name = "Outbound webhooks"

    def ready(self) -> None:
        # Deliveries are queued in the transaction of the event they are about (an outbox),
        # by this one receiver: the ticket services know nothing of webhooks.
        from django.db.models.signals import post_delete, post_save  # noqa: PLC0415

        from deskside.tickets.models import TicketEvent  # noqa: PLC0415
        from deskside.webhooks.enqueue import event_written, registry  # noqa: PLC0415
        from deskside.webhooks.models import Webhook  # noqa: PLC0415

        post_save.connect(event_written, sender=TicketEvent, dispatch_uid="webhooks-outbox")
        # The receiver keeps the active webhooks in memory: drop them when one changes.
        for signal in (post_save, post_delete):
            signal.connect(registry.forget, sender=Webhook, dispatch_uid=f"webhooks-{signal}")
