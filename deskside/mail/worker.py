"""The email channel's share of `deskside worker`: every few seconds, send the outbox's due
mails (`outbound.send_due`) and poll the mailboxes whose interval has passed
(`imap.poll_due`). Each part's failure is logged and retried on the next round; neither stops
the other, nor the SLA passes beside them."""

import logging

from deskside.mail import imap, outbound

log = logging.getLogger(__name__)


def mail_pass() -> None:
    try:
        sent = outbound.send_due()
    except Exception:
        log.exception("sending mail failed")
    else:
        if sent.sent or sent.retried or sent.failed or sent.unknown:
            log.info(
                "mail: %d sent, %d to retry, %d failed, %d unknown (not sent again)",
                sent.sent,
                sent.retried,
                sent.failed,
                sent.unknown,
            )
    try:
        for mailbox, result in imap.poll_due():
            log.info("mailbox %s: %s", mailbox.name, result.line())
    except Exception:
        log.exception("polling mailboxes failed")
