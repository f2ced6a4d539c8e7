"""The notifications' share of `deskside worker`: send the queued notification mails
(`delivery.send_due`). A failure is logged and the pass runs again on the next round."""

import logging

from deskside.notifications import delivery

log = logging.getLogger(__name__)


def notifications_pass() -> None:
    try:
        result = delivery.send_due()
    except Exception:
        log.exception("sending notification mail failed")
        return
    if result.sent or result.failed:
        log.info("notification mail: %d sent, %d failed", result.sent, result.failed)
