from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "deskside.webhooks"
    label = "webhooks"
    verbose_name = "Outbound webhooks"

    def ready(self) -> None:
        # Deliveries are queued in the transaction of the event they are about (an outbox),
        # by this one handler on the tickets' event hook: the ticket services know nothing of
        # webhooks.
        from django.db.models.signals import post_delete, post_save  # noqa: PLC0415

        from deskside.tickets.timeline import on_event  # noqa: PLC0415
        from deskside.webhooks.enqueue import event_written, registry, wants  # noqa: PLC0415
        from deskside.webhooks.models import Webhook  # noqa: PLC0415
        from deskside.webhooks.payloads import EVENT_FOR_KIND  # noqa: PLC0415

        on_event(EVENT_FOR_KIND, event_written, name="webhooks.outbox", wants=wants)
        # The handler keeps the active webhooks in memory: drop them when one changes (a cache
        # of a configuration model, not a ticket event: a signal is fine here).
        for signal in (post_save, post_delete):
            signal.connect(registry.forget, sender=Webhook, dispatch_uid=f"webhooks-{signal}")
