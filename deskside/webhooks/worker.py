"""The webhooks share of `deskside worker`: every few seconds, send the deliveries that are
due (`sender.deliver_due`). A failure is logged and the next round tries again; it never
stops the other passes of the worker."""

import logging

from deskside.webhooks import sender

log = logging.getLogger(__name__)


def webhooks_pass() -> None:
    """One round of the webhooks work that is due."""
    try:
        result = sender.deliver_due()
    except Exception:
        log.exception("sending webhooks failed")
        return
    if result.any():
        log.info(
            "webhooks: %d delivered, %d to retry, %d failed, %d cancelled, %d old pruned",
            result.delivered,
            result.retried,
            result.failed,
            result.cancelled,
            result.pruned,
        )
